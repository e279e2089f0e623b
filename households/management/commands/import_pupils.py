from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from households import roster, roster_file
from portal.csvfiles import ImportRejected
from portal.import_command import read_import_file, rejection
from portal.models import School


class Command(BaseCommand):
    # Help texts stay untranslated like Django's own: argparse cannot format lazy strings.
    help = (
        "Import a school's pupils from the school administration's export (CSV or XLSX). Pupils not in the "
        "file are marked as having left. Any bad line rejects the whole file."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV or XLSX file with one pupil per row")
        parser.add_argument("--school", required=True, help="the school's instellingsnummer")
        parser.add_argument(
            "--map", action="append", default=[], dest="mapping", metavar="FIELD=COLUMN",
            help=f"which column holds a field (repeatable; an empty COLUMN leaves the field out); fields: "
                 f"{', '.join(roster.FIELD_NAMES)}. Without it, the school's last mapping or the usual column "
                 f"names are used.",
        )
        parser.add_argument("--dry-run", action="store_true", help="check the file and show the counts only")

    def handle(self, *args, file: Path, school: str, mapping: list[str], dry_run: bool, **options):
        number = school.strip()
        # Stored without leading zeros, as the school list import does.
        number = str(int(number)) if number.isascii() and number.isdigit() else number
        found = School.objects.filter(instellingsnummer=number).first()
        if found is None:
            raise CommandError(_("There is no school with number %(number)s.") % {"number": school})
        data = read_import_file(file)
        overrides = {}
        for item in mapping:
            field, sep, column = item.partition("=")
            if not sep or field.strip() not in roster.FIELD_NAMES:
                raise CommandError(_("--map takes FIELD=COLUMN with FIELD one of: %(fields)s") % {
                    "fields": ", ".join(roster.FIELD_NAMES)})
            overrides[field.strip()] = column.strip()
        try:
            columns = self._columns(data, found, overrides)
            if dry_run:
                summary = roster.plan_roster(school=found, data=data, columns=columns).summary
            else:
                summary = roster.import_roster(school=found, data=data, filename=file.name, columns=columns)
        except ImportRejected as rejected:
            raise rejection(self.stderr, file, rejected) from None
        self.stdout.write(self.style.SUCCESS(str(summary)))

    @staticmethod
    def _columns(data: bytes, school: School, overrides: dict) -> dict:
        """The remembered or usual names where the file has them, then what --map says."""
        header = roster_file.read_header(data)
        columns = roster.suggested_columns(header, school.roster_columns)
        for field in roster.REQUIRED_FIELDS:
            # Kept even when absent, so the refusal names the column the file lacks.
            columns.setdefault(field, school.roster_columns.get(field) or roster.DEFAULT_COLUMNS[field])
        columns.update(overrides)
        return {field: column for field, column in columns.items() if column}
