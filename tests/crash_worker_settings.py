"""Settings of the worker that tests/test_worker_crash.py kills: slow file mail, quick redelivery.

The unacked bookkeeping gets keys of its own: with a visibility timeout of seconds, a shared key
would also hand back the in-flight tasks of other workers on the same Redis database.
"""
import os

from config.settings import *  # noqa: F401,F403
from config.settings import CELERY_BROKER_TRANSPORT_OPTIONS

EMAIL_BACKEND = "tests.slow_mail.SlowFileBackend"
_queue = os.environ["CELERY_QUEUE"]
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "visibility_timeout": int(os.environ.get("CRASH_VISIBILITY_TIMEOUT", "4")),
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
    "unacked_key": f"unacked-{_queue}",
    "unacked_index_key": f"unacked_index-{_queue}",
    "unacked_mutex_key": f"unacked_mutex-{_queue}",
}
