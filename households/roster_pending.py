"""A pupil list waiting between its check and its confirmation: a file, or rows from another source.

The list waits in MEDIA_ROOT under a random name (web processes share MEDIA_ROOT, not memory); the
session holds only that name and the choices made so far. Rows from a source other than a file (the
school platform) are stored as JSON: ``stash_rows`` is how such a source hands its rows to the very
same check, leaver confirmation and import pages as a file. Stored lists are removed after the import,
and lists left behind by abandoned imports by the next upload after a day.
"""
import json
import uuid
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from .roster_presets import GENERIC
from .roster_rows import GuardianIn, RosterRow
from .roster_source import file_rows, read_roster

SESSION_KEY = "roster_import"
UPLOAD_DIR = "roster-imports"
STALE_AFTER = timedelta(days=1)
FILE, ROWS = "file", "rows"


@dataclass(frozen=True)
class ListRows:
    """What the check and the import need of a list, whatever its source."""

    rows: list[RosterRow]
    skipped: int = 0
    # Field key -> the file's column: how errors name a field, and what the page shows as the mapping.
    labels: dict | None = None
    preset: str = ""
    remember: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Pending:
    kind: str
    label: str  # the file name, or the source's name
    data: bytes
    preset: str
    columns: dict | None
    whole_school: bool | None
    key: str
    # How the source names each field (rows from another source; a file's mapping is read with the file).
    labels: dict | None = None

    def read(self, school) -> ListRows:
        """The list's rows; ImportRejected for a file that cannot be read or has bad rows."""
        if self.kind == ROWS:
            return ListRows(rows=[_row(item) for item in json.loads(self.data)], labels=self.labels)
        source = read_roster(school=school, data=self.data, preset=self.preset, columns=self.columns)
        return ListRows(rows=file_rows(school, source), skipped=source.skipped, labels=source.mapping,
                        preset=source.preset, remember=source.remembered())


def _row(item: dict) -> RosterRow:
    return RosterRow(**{**item, "guardians": tuple(GuardianIn(**guardian) for guardian in item["guardians"])})


def _store(request, *, kind: str, label: str, content: bytes, preset: str = GENERIC, labels: dict | None = None) -> None:
    discard(request)
    _remove_stale()
    path = default_storage.save(f"{UPLOAD_DIR}/{uuid.uuid4().hex}.upload", ContentFile(content))
    request.session[SESSION_KEY] = {"kind": kind, "path": path, "label": label[:200], "school": request.school.pk,
                                    "preset": preset, "columns": None, "whole_school": None,
                                    "key": uuid.uuid4().hex, "labels": labels}


def stash_file(request, data: bytes, filename: str, preset: str) -> None:
    _store(request, kind=FILE, label=filename, content=data, preset=preset)


def stash_rows(request, rows: list[RosterRow], label: str, labels: dict | None = None) -> None:
    """Hand rows from another source to the check page (then redirect to ``pupil_import_check``);
    ``labels`` names each field the way the source does, for the check's error messages."""
    _store(request, kind=ROWS, label=label, content=json.dumps([asdict(row) for row in rows]).encode(), labels=labels)


def update(request, **changes) -> None:
    request.session[SESSION_KEY] = {**request.session[SESSION_KEY], **changes}


def pending(request) -> Pending | None:
    """This user's list for this school, or None."""
    stored = request.session.get(SESSION_KEY)
    if not stored or stored.get("school") != request.school.pk or not default_storage.exists(stored["path"]):
        return None
    with default_storage.open(stored["path"], "rb") as upload:
        data = upload.read()
    return Pending(kind=stored["kind"], label=stored["label"], data=data, preset=stored["preset"],
                   columns=stored["columns"], whole_school=stored["whole_school"], key=stored["key"],
                   labels=stored.get("labels"))


def discard(request) -> None:
    stored = request.session.pop(SESSION_KEY, None)
    if stored:
        default_storage.delete(stored["path"])


def _remove_stale() -> None:
    try:
        _dirs, files = default_storage.listdir(UPLOAD_DIR)
    except FileNotFoundError:
        return
    for name in files:
        path = f"{UPLOAD_DIR}/{name}"
        if default_storage.get_modified_time(path) < timezone.now() - STALE_AFTER:
            default_storage.delete(path)
