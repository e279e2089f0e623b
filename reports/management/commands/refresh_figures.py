from django.core.management.base import BaseCommand

from reports import rollup


class Command(BaseCommand):
    help = ("Recompute the figures roll-up the reports read: every school, only --school ID (repeatable), "
            "or with --missing only the schools that lack a school year.")

    def add_arguments(self, parser):
        parser.add_argument("--school", type=int, action="append", help="a school's id")
        parser.add_argument("--missing", action="store_true", help="only schools without figures for some year")

    def handle(self, *args, school=None, missing=False, **options):
        if missing:
            count = rollup.refresh_missing()
        else:
            count = rollup.refresh(school) if school else rollup.refresh_all()
        self.stdout.write(self.style.SUCCESS(f"{count}"))
