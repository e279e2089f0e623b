"""Start Django for a bench run on its own PostgreSQL database."""
import os
import sys


def start_django(database_suffix: str) -> None:
    """Point DATABASE_URL at <name>_<suffix>, keep tasks off the clock, and set Django up.

    Tasks go to an in-memory broker and are not run: in production the PDF that a checkout
    queues is rendered by a worker, so it must not count in a page's server time.
    """
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("bench needs PostgreSQL: set DATABASE_URL (make bench finds a local server itself)")
    base, _, name = url.rpartition("/")
    os.environ["DATABASE_URL"] = f"{base}/{name.split('?')[0]}_{database_suffix}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ["REDIS_URL"] = ""
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
