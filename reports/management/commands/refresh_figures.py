from django.core.management.base import BaseCommand

from reports import rollup


class Command(BaseCommand):
    help = "Recompute the figures roll-up the reports read: every school, or only --school ID (repeatable)."

    def add_arguments(self, parser):
        parser.add_argument("--school", type=int, action="append", help="a school's id")

    def handle(self, *args, school=None, **options):
        count = rollup.refresh(school) if school else rollup.refresh_all()
        self.stdout.write(self.style.SUCCESS(f"{count}"))
