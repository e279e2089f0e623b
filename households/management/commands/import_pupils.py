from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from households import roster, roster_presets, roster_source
from portal.csvfiles import ImportRejected
from portal.import_command import read_import_file, rejection
from portal.models import School

FIELDS = [*roster_presets.PUPIL_FIELDS, *roster_presets.OLD_KEYS,
          *(f"guardian{n}_{part}" for n in range(1, roster_presets.GUARDIAN_SLOTS + 1)
            for part in roster_presets.GUARDIAN_PARTS)]


class Command(BaseCommand):
    # Help texts stay untranslated like Django's own: argparse cannot format lazy strings.
    help = (
        "Import a school's pupils from the school administration's export (CSV, tab-separated text or XLSX). "
        "Smartschool, WISA and Informat exports are recognised by their header. Pupils missing from the file "
        "are marked as left only with --whole-school. Any bad line rejects the whole file."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV, text or XLSX file with one pupil (or one guardian) per row")
        parser.add_argument("--school", required=True, help="the school's instellingsnummer")
        parser.add_argument("--format", choices=[roster_presets.GENERIC, *roster_presets.PRESETS],
                            help="read the file as this export instead of recognising it by its header")
        parser.add_argument(
            "--map", action="append", default=[], dest="mapping", metavar="FIELD=COLUMN",
            help="which column holds a field (repeatable; an empty COLUMN leaves the field out); for a file that "
                 "is no known export, the school's last mapping or the usual column names fill in the rest. "
                 "Fields: " + ", ".join(FIELDS),
        )
        parser.add_argument("--whole-school", action="store_true",
                            help="the file holds every pupil of the school: mark the pupils missing from it as left")
        parser.add_argument("--leavers", type=int, metavar="N",
                            help="confirm the number of leavers when more than a quarter of the school would leave")
        parser.add_argument("--dry-run", action="store_true", help="check the file and show the counts only")

    def handle(self, *args, file: Path, school: str, mapping: list[str], dry_run: bool, whole_school: bool,
               leavers: int | None, **options):
        found = _school(school)
        data = read_import_file(file)
        try:
            source = roster_source.read_roster(school=found, data=data, preset=options["format"],
                                               columns=self._columns(data, found, mapping, options["format"]))
            rows = roster_source.file_rows(found, source)
            plan = roster.plan_rows(school=found, rows=rows, whole_school=True if whole_school else None,
                                    skipped=source.skipped, labels=source.mapping)
            if dry_run:
                summary = plan.summary
            else:
                count = len(plan.leavers) if whole_school else None
                if count and plan.needs_second_confirmation and leavers != count:
                    raise CommandError(_(
                        "%(count)d of %(total)d pupils would be marked as left: more than a quarter of the school. "
                        "Run again with --leavers %(count)d to confirm.") % {"count": count,
                                                                             "total": plan.scope.at_school})
                summary = roster.import_rows(
                    school=found, rows=rows, source=file.name, whole_school=True if whole_school else None,
                    leavers_confirmed=count, many_leavers_confirmed=leavers == count, expected=plan.fingerprint(),
                    skipped=source.skipped, labels=source.mapping, remember=source.remembered())
        except ImportRejected as rejected:
            raise rejection(self.stderr, file, rejected) from None
        self.stdout.write(_("Read as: %(kind)s.") % {"kind": dict(roster_presets.CHOICES)[source.preset]})
        self.stdout.write(self.style.SUCCESS(str(summary)))
        if not whole_school and plan.not_in_import:
            self.stdout.write(_("%(count)d pupils of the school are not in the file; nobody was marked as left "
                                "(use --whole-school when the file holds the whole school).")
                              % {"count": len(plan.not_in_import)})

    @staticmethod
    def _columns(data: bytes, school: School, mapping: list[str], preset: str | None) -> dict | None:
        """--map on top of the preset's columns, or of the remembered or usual ones for any other file."""
        overrides = {}
        for item in mapping:
            field, sep, column = item.partition("=")
            if not sep or field.strip() not in FIELDS:
                raise CommandError(_("--map takes FIELD=COLUMN with FIELD one of: %(fields)s") % {
                    "fields": ", ".join(FIELDS)})
            overrides[roster_presets.OLD_KEYS.get(field.strip(), field.strip())] = column.strip()
        header = roster_source.read_table(data).columns
        if (preset or roster_presets.detect(header)) in roster_presets.PRESETS:
            return overrides or None
        columns = {**roster_presets.suggested_mapping(header, school.roster_columns), **overrides}
        return {key: column for key, column in columns.items() if column}


def _school(number: str) -> School:
    cleaned = number.strip()
    # Stored without leading zeros, as the school list import does.
    cleaned = str(int(cleaned)) if cleaned.isascii() and cleaned.isdigit() else cleaned
    found = School.objects.filter(instellingsnummer=cleaned).first()
    if found is None:
        raise CommandError(_("There is no school with number %(number)s.") % {"number": number})
    return found
