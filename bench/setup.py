"""Start Django for a bench run on its own PostgreSQL database."""
import os
import sys
from urllib.parse import urlsplit

# With --broker redis: the Redis database the bench's queued tasks and cache keys go to (emptied after).
BENCH_REDIS_DB = 14


def start_django(database_suffix: str, *, redis: bool = False) -> None:
    """Point DATABASE_URL at <name>_<suffix>, keep tasks off the clock, and set Django up.

    Tasks are queued and not run: in production the PDF that a checkout queues is rendered by a
    worker, so its rendering must not count in a page's server time. By default they go to an
    in-memory broker; with ``redis`` to the local Redis (database 14), as in production, where
    sending a task and the cache's "already queued" key are round trips of their own.
    """
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("bench needs PostgreSQL: set DATABASE_URL (make bench finds a local server itself)")
    base, _, name = url.rpartition("/")
    os.environ["DATABASE_URL"] = f"{base}/{name.split('?')[0]}_{database_suffix}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    local_redis = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379"
    os.environ["REDIS_URL"] = urlsplit(local_redis)._replace(path=f"/{BENCH_REDIS_DB}").geturl() if redis else ""
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
