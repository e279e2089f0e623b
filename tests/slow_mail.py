"""Mail backends for the crash tests: the file backend, slowed down like a real SMTP server.

SLOW_MAIL_SECONDS (default 0.3) is spent before the message is handed over (the usual SMTP round
trip), or after it when SLOW_MAIL_AFTER=1 (the server took it, its answer is slow). While it waits,
a file ``delivering`` exists in the mail folder, so a test can kill the worker inside a delivery.
"""
import os
import time
from pathlib import Path

from django.core.mail.backends import filebased


class SlowFileBackend(filebased.EmailBackend):
    def send_messages(self, email_messages):
        after = os.environ.get("SLOW_MAIL_AFTER") == "1"
        if not after:
            self._wait()
        sent = super().send_messages(email_messages)
        if after:
            self._wait()
        return sent

    def _wait(self):
        marker = Path(self.file_path) / "delivering"
        marker.touch()
        time.sleep(float(os.environ.get("SLOW_MAIL_SECONDS", "0.3")))
        marker.unlink()
