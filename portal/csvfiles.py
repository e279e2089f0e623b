"""Read CSV files the way Excel in Belgium saves them, for every import in the portal.

Excel's "CSV UTF-8" writes a BOM, its plain "CSV" writes the Windows code page (cp1252 here), and a
Belgian locale uses semicolons where other locales use commas. Imports must accept all of these and
report problems by the line number the user sees when opening the file in a text editor. Every read
stays within the limits of read_limits.py, so a hostile file is refused, not read for minutes.
"""
import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .import_errors import ImportRejected, RowError
from .read_limits import Limits, Reading, text_control_character_errors

# Excel's "Unicode text" option saves UTF-16; without this check it would decode as cp1252 noise and
# surface as a baffling "missing columns" error.
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
FIRST_LINE = re.compile(r"[^\r\n]*")


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str]

    def __getitem__(self, column: str) -> str:
        # Short rows (Excel drops trailing empty cells) simply read as empty values.
        return self.values.get(column, "")


@dataclass(frozen=True)
class CsvFile:
    columns: list[str]
    rows: list[Row]
    # Structural problems in single rows; callers add their own and reject the file once, with all of them.
    errors: list[RowError]


def normalise_header(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").split()).lower()


def decode(data: bytes) -> str:
    if data.startswith(UTF16_BOMS):
        raise ImportRejected([RowError(1, _("the file is saved as UTF-16; save it as CSV (UTF-8) instead"))])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        # cp1252 leaves five bytes undefined; hitting one means this is not a text file Excel wrote.
        line = data[: error.start].count(b"\n") + 1
        raise ImportRejected([RowError(line, _("the file is neither UTF-8 nor Windows-1252 text"))]) from None


# Excel in Belgium writes semicolons, elsewhere commas; Informat and Excel's "Text (tab delimited)" write
# tabs. The header line decides: the separator it holds most of; on a tie, comma, then semicolon.
DELIMITERS = (",", ";", "\t")


def detect_delimiter(header_line: str) -> str:
    return max(DELIMITERS, key=lambda delimiter: (header_line.count(delimiter), -DELIMITERS.index(delimiter)))


def check_header(columns: list[str], required: Iterable[str]) -> list[str]:
    """The named columns of a normalised header; ImportRejected for duplicate or missing ones."""
    header_errors = []
    named = [name for name in columns if name]  # Excel adds unnamed columns for stray cells to the right.
    duplicates = sorted({name for name in named if named.count(name) > 1})
    if duplicates:
        header_errors.append(RowError(1, _("columns appear more than once: %(columns)s") % {
            "columns": ", ".join(duplicates)}))
    missing = [name for name in required if name not in named]
    if missing:
        header_errors.append(RowError(1, _("missing columns: %(missing)s (the header has: %(found)s)") % {
            "missing": ", ".join(missing), "found": ", ".join(named) or _("nothing")}))
    if header_errors:
        raise ImportRejected(header_errors)
    return named


def _records(data: bytes):
    """A csv reader over the decoded text, once the text is known to hold no control characters."""
    text = decode(data)
    if not text.strip():
        raise ImportRejected([RowError(1, _("the file is empty"))])
    controls = text_control_character_errors(text)
    if controls:
        raise ImportRejected(controls)
    first_line = FIRST_LINE.match(text).group()
    # newline="" lets the csv module see quoted line breaks and keep its line count true.
    return csv.reader(io.StringIO(text, newline=""), delimiter=detect_delimiter(first_line))


def _header(reader, reading: Reading) -> list[str]:
    try:
        header = next(reader)
    except csv.Error as error:
        raise ImportRejected([RowError(1, _("unreadable CSV: %(error)s") % {"error": error})]) from None
    reading.columns(1, header)
    for name in header:
        reading.cell(1, name)
    return [normalise_header(name) for name in header]


def read_csv_header(data: bytes) -> list[str]:
    """The named, normalised columns of a CSV file, reading its first record only."""
    return check_header(_header(_records(data), Reading()), ())


def read_csv(data: bytes, *, required: Iterable[str], limits: Limits | None = None) -> CsvFile:
    """Decode and parse `data`; raise ImportRejected if the file as a whole is unusable or passes a limit."""
    reading = Reading(limits)
    reader = _records(data)
    columns = _header(reader, reading)
    named = check_header(columns, required)

    rows, errors = [], []
    # A record starts on the line after the previous one ended; line_num alone gives its last line.
    end_of_previous = reader.line_num
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            # The reader cannot resynchronise reliably after this, so stop and report what we have.
            errors.append(RowError(end_of_previous + 1, _("unreadable CSV: %(error)s") % {"error": error}))
            break
        line, end_of_previous = end_of_previous + 1, reader.line_num
        fields = [field.strip() for field in fields]
        if not any(fields):
            continue  # Excel writes ";;;;" for rows that once held something.
        reading.columns(line, fields)
        reading.row(line, fields)
        surplus = [field for field in fields[len(columns):] if field]
        if surplus:
            errors.append(RowError(line, _("has %(count)d values but the header has %(columns)d columns") % {
                "count": len(fields), "columns": len(columns)}))
            continue
        rows.append(Row(line, {name: value for name, value in zip(columns, fields, strict=False) if name}))

    if not rows and not errors:
        raise ImportRejected([RowError(1, _("the file has a header line but no data rows"))])
    return CsvFile(columns=named, rows=rows, errors=errors)


def count_rows(data: bytes) -> int:
    """How many data rows a CSV file has, read within the limits; 0 when it cannot be read (the import
    itself then says why). Decides whether an import runs in the request or on a worker."""
    try:
        return len(read_csv(data, required=()).rows)
    except ImportRejected:
        return 0
