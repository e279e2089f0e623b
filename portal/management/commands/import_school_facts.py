from pathlib import Path

from django.core.management.base import BaseCommand

from portal.csvfiles import ImportRejected
from portal.import_command import read_import_file, rejection
from portal.school_facts import import_school_facts


class Command(BaseCommand):
    help = (
        "Set the staff head count and Digisprong budget of many schools for one school year from a CSV with "
        "the columns schoolnummer;personeelsleden;digisprongbudget. Any bad line rejects the whole file."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--year", type=int, required=True, help="first calendar year of the school year")

    def handle(self, *args, file: Path, year: int, **options):
        data = read_import_file(file)
        try:
            count = import_school_facts(data=data, start_year=year)
        except ImportRejected as rejected:
            raise rejection(self.stderr, file, rejected) from None
        self.stdout.write(self.style.SUCCESS(f"{count}"))
