"""Remove personal data that is past its retention period, as the nightly job does.

    python manage.py apply_retention --dry-run [--date YYYY-MM-DD]   # counts, writes nothing
    python manage.py apply_retention [--date YYYY-MM-DD]

--date runs the rules as on that day (to catch up, or to see what a later date would remove).
The dry run counts pupils who left without a recorded date as not due yet: the real run first
gives them today's date as their leaving date.
"""
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from privacy import retention


class Command(BaseCommand):
    help = "Anonymise families and remove signature evidence past their retention period."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only count, write nothing.")
        parser.add_argument("--date", help="Apply the rules as on this local date (YYYY-MM-DD); default today.")

    def handle(self, *args, dry_run=False, date=None, **options):
        try:
            day = _parse(date) if date else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--date must be YYYY-MM-DD: {exc}") from exc
        result = retention.apply_retention(day, dry_run=dry_run)
        verb = "would be" if dry_run else "were"
        self.stdout.write(f"On {day}: {result.households} household(s) {verb} anonymised, "
                          f"{result.pupils} pupil(s) without a household {verb} anonymised, "
                          f"signature evidence of {result.agreements} agreement(s) {verb} removed.")
        if dry_run:
            self.stdout.write("Dry run: nothing written.")
        elif result.leavers_stamped:
            self.stdout.write(f"{result.leavers_stamped} pupil(s) who had left got today's date as leaving date.")


def _parse(value: str):
    return date.fromisoformat(value)
