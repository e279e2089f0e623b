from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from portal.csvfiles import ImportRejected
from portal.import_command import read_import_file, rejection
from portal.models import Lop
from portal.school_import import import_schools


class Command(BaseCommand):
    # Help texts stay untranslated like Django's own: argparse cannot format lazy strings.
    help = (
        "Create or update schools from the official Flemish school list (CSV, as the department or Excel "
        "saves it). Any bad line rejects the whole file."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV file with the school list")
        parser.add_argument(
            "--lop-id", type=int, help="put new schools in this LOP (existing schools keep theirs)"
        )

    def handle(self, *args, file: Path, lop_id: int | None, **options):
        lop = None
        if lop_id is not None:
            lop = Lop.objects.filter(pk=lop_id).first()
            if lop is None:
                raise CommandError(_("There is no LOP with id %(id)d.") % {"id": lop_id})
        data = read_import_file(file)
        try:
            summary = import_schools(data=data, lop=lop)
        except ImportRejected as rejected:
            raise rejection(self.stderr, file, rejected) from None
        self.stdout.write(self.style.SUCCESS(str(summary)))
