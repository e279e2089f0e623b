from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lending.device_import import import_devices
from portal.csvfiles import ImportRejected
from portal.import_command import read_import_file, rejection
from portal.models import School


class Command(BaseCommand):
    # Help texts stay untranslated like Django's own: argparse cannot format lazy strings.
    help = (
        "Create or update a school's devices from a CSV file (asset_tag/inventarisnummer, kind, funding_source, "
        "make_model, serial_number, purchase_value, accessories). Any bad line rejects the whole file."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV file with one device per line")
        parser.add_argument("--school", required=True, help="the school's instellingsnummer")

    def handle(self, *args, file: Path, school: str, **options):
        found = School.objects.filter(instellingsnummer=school.strip()).first()
        if found is None:
            raise CommandError(_("There is no school with number %(number)s.") % {"number": school})
        data = read_import_file(file)
        try:
            summary = import_devices(school=found, data=data)
        except ImportRejected as rejected:
            raise rejection(self.stderr, file, rejected) from None
        self.stdout.write(self.style.SUCCESS(str(summary)))
