"""gunicorn's logger with family link tokens taken out of every line (see portal/log_redaction.py).

Its access log writes the request line and the Referer; its error log writes "Error handling request
<path>". config/gunicorn.py names this class as `logger_class`.
"""
from gunicorn.glogging import Logger

from portal.log_redaction import RedactLinkTokens


class RedactingLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(existing, RedactLinkTokens) for existing in log.filters):
                log.addFilter(RedactLinkTokens())
