"""Reading a roster file: CSV or XLSX, told apart by content, into the shared CsvFile shape."""
import io
import zipfile
from datetime import datetime

from django.utils.translation import gettext as _

from portal import uploads
from portal.csvfiles import CsvFile, ImportRejected, Row, RowError, check_header, normalise_header, read_csv

MAX_XLSX_UNPACKED_BYTES = 100 * 1024 * 1024  # refuse ZIP bombs before openpyxl unpacks them


def read_table(data: bytes, *, required=()) -> CsvFile:
    """Read a CSV or XLSX roster into the shared CsvFile shape; raise ImportRejected if unusable."""
    kind = uploads.sniff(data[:uploads.HEAD_BYTES])
    if kind == "xls":
        raise ImportRejected([RowError(1, _("this is the old Excel format (.xls); save it as .xlsx or CSV"))])
    if kind == "xlsx":
        return _read_xlsx(data, required=required)
    if data and kind != "text":
        raise ImportRejected([RowError(1, _("this is not a text file; upload a CSV or XLSX file"))])
    return read_csv(data, required=required)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores every number as a float: 5.0 is grade 5
    return " ".join(str(value).split())


def _read_xlsx(data: bytes, *, required) -> CsvFile:
    import openpyxl  # only the XLSX path needs it

    unreadable = ImportRejected([RowError(1, _("the Excel file cannot be read; save it again as .xlsx or CSV"))])
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNPACKED_BYTES:
                raise unreadable
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except ImportRejected:
        raise
    except Exception:  # openpyxl raises a zoo of exception types for damaged files
        raise unreadable from None
    try:
        if not workbook.worksheets:
            raise unreadable
        lines = workbook.worksheets[0].iter_rows(values_only=True)
        header = next(lines, None)
        if header is None:
            raise ImportRejected([RowError(1, _("the file is empty"))])
        columns = [normalise_header(_cell_text(name)) for name in header]
        named = check_header(columns, required)
        rows = []
        for line, cells in enumerate(lines, start=2):
            values = [_cell_text(cell) for cell in cells]
            if any(values):
                rows.append(Row(line, {name: value for name, value in zip(columns, values, strict=False) if name}))
    finally:
        workbook.close()
    if not rows:
        raise ImportRejected([RowError(1, _("the file has a header line but no data rows"))])
    return CsvFile(columns=named, rows=rows, errors=[])


def read_header(data: bytes) -> list[str]:
    """The (normalised) column names of a roster file, for the mapping form."""
    return read_table(data).columns


DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


def parse_date_cell(text: str):
    """A date as school administrations export it (2008-03-14, 14/03/2008, 14-03-2008, 14.03.2008; an
    XLSX date cell reads as "2008-03-14 00:00:00"), or None when it is not one."""
    text = text.strip()
    if len(text) > 10 and text[10:].strip() in ("00:00:00", "0:00"):
        text = text[:10]
    for pattern in DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None
