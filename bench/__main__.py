"""`make bench`: build a bench database on PostgreSQL, fill one big school, print medians.

Uses its own database (<name>_bench) so it never touches development or test data.
"""
import argparse
import os
import platform
import sys
from datetime import date


def _bench_database_url():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("bench needs PostgreSQL: set DATABASE_URL (make bench finds a local server itself)")
    base, _, name = url.rpartition("/")
    return f"{base}/{name.split('?')[0]}_bench"


def main():
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--pupils", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--keep", action="store_true", help="reuse the bench database if it is filled")
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = _bench_database_url()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    # Tasks go to an in-memory broker and are not run: in production the PDF that a checkout
    # queues is rendered by a worker, so it must not count in the checkout's server time.
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ["REDIS_URL"] = ""
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    from . import data, scenarios
    from .harness import print_table

    data.ensure_database(keep=args.keep)
    world = data.fill_school(devices=args.devices, pupils=args.pupils, keep=args.keep)
    results = scenarios.run_all(world, runs=args.runs)
    print(f"\nBench on {platform.node()} ({os.cpu_count()} cores, Python {platform.python_version()}), "
          f"{date.today()}, PostgreSQL database {settings.DATABASES['default']['NAME']}")
    print(f"One school with {args.devices:,} devices and {args.pupils:,} pupils.\n")
    print_table(results, sys.stdout)


if __name__ == "__main__":
    main()
