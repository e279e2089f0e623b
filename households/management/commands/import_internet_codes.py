"""Import a provider's batch of internet codes for one school: every line or none."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from households import codes
from portal.csvfiles import ImportRejected
from portal.import_command import read_import_file, rejection
from portal.models import School


class Command(BaseCommand):
    help = "Import internet codes (CSV: provider, code, valid until) for a school. A bad line imports nothing."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--school", required=True, help="the school's instellingsnummer")
        parser.add_argument("--batch", default="", help="a name for this batch, e.g. the delivery note")

    def handle(self, *args, file, school, batch, **options):
        found = School.objects.filter(instellingsnummer=school).first()
        if found is None:
            raise CommandError(f"No school with number {school}")
        data = read_import_file(file)
        try:
            count = codes.import_codes(school=found, data=data, batch=batch or Path(file).name)
        except ImportRejected as rejected:
            raise rejection(self.stderr, file, rejected) from None
        self.stdout.write(self.style.SUCCESS(f"{count} internet codes imported for {found.name}."))
