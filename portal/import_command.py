"""What every `import_*` management command does with its file and with a rejected import."""
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .csvfiles import ImportRejected


def read_import_file(file: Path) -> bytes:
    try:
        return Path(file).read_bytes()
    except OSError as error:
        raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror}) from None


def rejection(stderr, file: Path, rejected: ImportRejected) -> CommandError:
    """Print every bad line, then the error that ends the command: nothing was imported."""
    for error in rejected.errors:
        stderr.write(str(error))
    count = len(rejected.errors)
    return CommandError(
        ngettext(
            "%(file)s has %(count)d problem; nothing was imported.",
            "%(file)s has %(count)d problems; nothing was imported.",
            count,
        )
        % {"file": file, "count": count}
    )
