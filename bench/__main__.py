"""`make bench`: build a bench database on PostgreSQL, fill one big school, print medians.

Uses its own database (<name>_bench) so it never touches development or test data.
"""
import argparse
import os
import platform
import sys
from datetime import date

from .setup import start_django


def main():
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--devices", type=int, default=10_000)
    parser.add_argument("--pupils", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--keep", action="store_true", help="reuse the bench database if it is filled")
    parser.add_argument("--only", choices=["checkout"], help="only this measurement (the rest is skipped)")
    parser.add_argument("--broker", choices=["memory", "redis"], default="memory",
                        help="where queued tasks go: memory (default) or the local Redis, as in production")
    args = parser.parse_args()

    start_django("bench", redis=args.broker == "redis")
    from django.conf import settings

    from . import data, scenarios
    from .harness import print_table

    data.ensure_database(keep=args.keep)
    world = data.fill_school(devices=args.devices, pupils=args.pupils, keep=args.keep)
    if args.only == "checkout":
        from . import checkout
        results = checkout.run(world, scenarios.client_for(world["user"]), runs=args.runs)
    else:
        results = scenarios.run_all(world, runs=args.runs)
    print(f"\nBench on {platform.node()} ({os.cpu_count()} cores, Python {platform.python_version()}), "
          f"{date.today()}, PostgreSQL database {settings.DATABASES['default']['NAME']}")
    print(f"One school with {args.devices:,} devices and {args.pupils:,} pupils; tasks queued to {args.broker}.\n")
    if args.broker == "redis":
        from django.core.cache import cache

        cache.clear()  # the bench's own Redis database: its queued tasks and keys go
    print_table(results, sys.stdout)


if __name__ == "__main__":
    main()
