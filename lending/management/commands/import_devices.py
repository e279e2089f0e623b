from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lending import device_presets
from lending.device_import import import_devices, missing_funding
from lending.models import Device, DeviceImportSettings
from portal.csvfiles import ImportRejected
from portal.import_command import read_import_file, rejection
from portal.models import School


class Command(BaseCommand):
    # Help texts stay untranslated like Django's own: argparse cannot format lazy strings.
    help = (
        "Create or update a school's devices from a CSV file: a Google Admin (Chrome devices) or Microsoft "
        "Intune export, recognised by its header, or a list with asset_tag/inventarisnummer, kind, "
        "funding_source, make_model, serial_number, purchase_value, accessories. A device is found by its "
        "serial number, else its asset tag. Any bad line rejects the whole file."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV file with one device per line")
        parser.add_argument("--school", required=True, help="the school's instellingsnummer")
        parser.add_argument("--format", choices=[device_presets.GENERIC, *device_presets.PRESETS],
                            help="read the file as this export instead of recognising it by its header")
        parser.add_argument("--map", action="append", default=[], dest="mapping", metavar="FIELD=COLUMN",
                            help="which column holds a field (repeatable; an empty COLUMN leaves the field out); "
                                 "fields: " + ", ".join(device_presets.FIELDS))
        parser.add_argument("--funding", choices=Device.Funding.values,
                            help="funding source of new devices without one in the file (default: the school's, "
                                 "from its last import); kept as the school's default")
        parser.add_argument("--kind", choices=Device.Kind.values, help="kind of new devices without one in the file")

    def handle(self, *args, file: Path, school: str, mapping: list[str], funding: str | None, kind: str | None,
               **options):
        found = School.objects.filter(instellingsnummer=school.strip()).first()
        if found is None:
            raise CommandError(_("There is no school with number %(number)s.") % {"number": school})
        columns = {}
        for item in mapping:
            field, sep, column = item.partition("=")
            if not sep or field.strip() not in device_presets.FIELDS:
                raise CommandError(_("--map takes FIELD=COLUMN with FIELD one of: %(fields)s") % {
                    "fields": ", ".join(device_presets.FIELDS)})
            columns[field.strip()] = column.strip()
        settings = DeviceImportSettings.objects.filter(school=found).first()
        default_funding = funding or (settings.funding_source if settings else "")
        data = read_import_file(file)
        try:
            summary = import_devices(school=found, data=data, preset=options["format"], columns=columns or None,
                                     funding_source=default_funding, kind=kind or "", remember=bool(funding))
        except ImportRejected as rejected:
            if not default_funding and any(error.reason == missing_funding() for error in rejected.errors):
                self.stderr.write(_("The school has no default funding source yet: give one with --funding."))
            raise rejection(self.stderr, file, rejected) from None
        self.stdout.write(self.style.SUCCESS(str(summary)))
