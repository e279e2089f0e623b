"""Plan and send the reminders for a date by hand.

    python manage.py send_reminders --dry-run [--date YYYY-MM-DD]   # prints, writes nothing
    python manage.py send_reminders [--date YYYY-MM-DD]             # records and sends what is due

Without --dry-run it writes the same Reminder rows the nightly job writes, so the nightly job never
sends them again. Quiet hours still hold for a manual run: at night the rows are recorded with
due_at = the next morning and the 15-minute job sends them then (a family is never woken up
because someone ran a command late).
"""
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reminders import services as reminders


class Command(BaseCommand):
    help = "Plan (and send) the reminders for a date. Use --dry-run to only print what would be sent."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Print, do not write or send.")
        parser.add_argument("--date", help="The local date to plan for (YYYY-MM-DD); default today.")

    def handle(self, *args, dry_run=False, date=None, **options):
        try:
            day = _parse(date) if date else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--date must be YYYY-MM-DD: {exc}") from exc
        if dry_run:
            planned = reminders.plan_reminders(on=day)
            for item in planned:
                channel, language = reminders.channel_and_language(item)
                # Never a child's name, a family name or a token: kind, step, channel, language, school.
                self.stdout.write(f"{item.kind}\tstep {item.step}\t{channel}\t{language}\t{item.school.name}")
            self.stdout.write(f"{len(planned)} reminder(s) would be planned for {day} (dry run: nothing written).")
            return
        now = timezone.now()
        planned = reminders.create_due_reminders(on=day, now=now)
        sent = reminders.send_pending(now=now)
        self.stdout.write(f"{planned} reminder(s) planned for {day}; {sent} handled now.")
        if not reminders.is_daytime(now):
            self.stdout.write("Quiet hours: the rest leaves in the morning.")


def _parse(value: str):
    return date.fromisoformat(value)
