"""No family's link token in any log line.

A token in /s/<token>/ (signing) or /q/<token>/ (survey) is the key to a family's agreement, signed
PDF or answers while the link lives, and whoever reads the logs must not be able to use it. Access
logs write every path and, through the Referer, the page a static file was asked from; Django writes
"Not Found: <path>". So every log record is filtered: gunicorn's (config/gunicorn_logging.py) and
Django's (LOGGING in config/settings.py).
"""
import logging
import re

# The segment after /s/ or /q/, wherever a path or a URL sits in the line.
LINK_TOKEN = re.compile(r"(/[sq]/)[^/?#\s\"'<>]+")
REDACTED = r"\1[token]"


def redact(text: str) -> str:
    return LINK_TOKEN.sub(REDACTED, text)


class RedactLinkTokens(logging.Filter):
    """Rewrites a record's message (and the text of its exception) with the tokens taken out."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True
