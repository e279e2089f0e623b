"""Reading a roster file: CSV or XLSX, told apart by content, into the shared CsvFile shape.

An XLSX file is a ZIP of XML parts, and every part can lie: a sheet claiming the range A1:XFD1048576
makes openpyxl's row iteration pad a million rows to 16,384 cells, a row of a million tiny cells or a
sheet without its size makes its parser hold every element in memory. So nothing here trusts a claim:
the unpacked size is bounded before openpyxl opens the archive, every XML part is first counted
element by element (expat, no tree), openpyxl reads the workbook, its shared strings and styles but
never opens the sheets itself, and the first sheet is read cell by cell as it is stored, with
openpyxl's own cell decoding, within the limits of portal/read_limits.py. The header is the first
stored row with a value.
"""
import io
import zipfile
from contextlib import contextmanager
from datetime import datetime
from xml.parsers import expat

from django.utils.translation import gettext as _

from portal import uploads
from portal.csvfiles import CsvFile, ImportRejected, Row, RowError, check_header, normalise_header, read_csv, read_csv_header
from portal.read_limits import CONTROL_CHARACTERS, Limits, Reading, control_character_errors, grouped

# A roster of 20,000 pupils with twenty columns unpacks to about 25 MB; a ZIP bomb to gigabytes.
MAX_XLSX_UNPACKED_BYTES = 60 * 1024 * 1024
MAX_XLSX_PARTS = 200
SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
ROW, CELL, SHEET_DATA = f"{SHEET_NS}row", f"{SHEET_NS}c", f"{SHEET_NS}sheetData"
CLOCK_EVERY = 4096  # XML elements between two looks at the clock


def read_table(data: bytes, *, required=(), limits: Limits | None = None) -> CsvFile:
    """Read a CSV or XLSX roster into the shared CsvFile shape; raise ImportRejected if unusable."""
    if _kind(data) == "xlsx":
        return _read_xlsx(data, required=required, reading=Reading(limits))
    return read_csv(data, required=required, limits=limits)


def read_header(data: bytes) -> list[str]:
    """The (normalised) column names of a roster file, for the mapping form: its first row only."""
    if _kind(data) == "xlsx":
        reading = Reading()
        with _first_sheet(data, reading) as (source, parser):
            for line, cells in _stored_rows(source, parser, reading):
                return check_header(_header_columns(line, cells, reading), ())
        raise ImportRejected([RowError(1, _("the file is empty"))])
    return read_csv_header(data)


def _kind(data: bytes) -> str:
    kind = uploads.sniff(data[:uploads.HEAD_BYTES])
    if kind == "xls":
        raise ImportRejected([RowError(1, _("this is the old Excel format (.xls); save it as .xlsx or CSV"))])
    if data and kind not in ("text", "xlsx"):
        raise ImportRejected([RowError(1, _("this is not a text file; upload a CSV or XLSX file"))])
    return kind


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores every number as a float: 5.0 is grade 5
    return " ".join(str(value).split())


def _unreadable() -> ImportRejected:
    return ImportRejected([RowError(1, _("the Excel file cannot be read; save it again as .xlsx or CSV"))])


@contextmanager
def _first_sheet(data: bytes, reading: Reading):
    """(the first worksheet's XML, a parser that decodes its cells as openpyxl does), once the archive
    passed the size and element counts. openpyxl's reader is run up to the workbook and its styles only:
    opening its worksheets would parse every sheet without a stated size once more, whole."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.worksheet._reader import WorkSheetParser

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _count_parts(archive, reading)
        reader = ExcelReader(io.BytesIO(data), read_only=True, data_only=True)
    except ImportRejected:
        raise
    except Exception:  # openpyxl and zipfile raise a zoo of exception types for damaged files
        raise _unreadable() from None
    try:
        try:
            reader.read_manifest()
            reader.read_strings()
            reader.read_workbook()
            apply_stylesheet(reader.archive, reader.wb)
            path = next((rel.target for _sheet, rel in reader.parser.find_sheets()
                         if rel.target in reader.valid_files and "chartsheet" not in rel.Type), None)
        except Exception:
            raise _unreadable() from None
        if path is None:
            raise _unreadable()
        parser = WorkSheetParser(None, reader.shared_strings, data_only=True, epoch=reader.wb.epoch,
                                 date_formats=reader.wb._date_formats, timedelta_formats=reader.wb._timedelta_formats)
        with reader.archive.open(path) as source:
            yield source, parser
    finally:
        reader.archive.close()


def _count_parts(archive: zipfile.ZipFile, reading: Reading) -> None:
    """Refuse an archive whose parts unpack too large or hold too many XML elements, before openpyxl
    parses any of them (it keeps every element of a sheet without a size in memory while it looks for one)."""
    parts = archive.infolist()
    # zipfile stops each part at its declared size, so the sum of the claims is a true upper bound.
    if len(parts) > MAX_XLSX_PARTS or sum(part.file_size for part in parts) > MAX_XLSX_UNPACKED_BYTES:
        raise ImportRejected([RowError(1, _("the Excel file unpacks to more than %(limit)d MB; save only the "
                                            "pupil list as CSV") % {"limit": MAX_XLSX_UNPACKED_BYTES // (1024 * 1024)})])
    budget = 4 * reading.limits.cells + 2 * reading.limits.rows + 10_000
    counter = _ElementCounter(budget, reading)
    for part in parts:
        if part.filename.endswith((".xml", ".rels")):
            with archive.open(part) as source:
                counter.count(source)


class _ElementCounter:
    """Counts the elements of XML parts with expat, building no tree at all, and refuses past `budget`."""

    def __init__(self, budget: int, reading: Reading):
        self.budget, self.reading, self.elements = budget, reading, 0

    def count(self, source) -> None:
        parser = expat.ParserCreate()
        parser.StartElementHandler = self._start
        parser.EntityDeclHandler = self._refuse_entities  # no "billion laughs": no entity declarations at all
        try:
            parser.ParseFile(source)
        except expat.ExpatError:
            raise _unreadable() from None

    def _start(self, _name, _attributes):
        self.elements += 1
        if self.elements > self.budget:
            raise ImportRejected([RowError(1, _("the Excel file holds more than %(limit)s cells; leave out what "
                                                "you do not need or save it as CSV") % {
                "limit": grouped(self.reading.limits.cells)})])
        if self.elements % CLOCK_EVERY == 0:
            self.reading.check_time()

    def _refuse_entities(self, *args):
        raise _unreadable()


def _events(source, *, keep_inside: str):
    """(event, element) as iterparse gives them, except that an element leaves the tree once it has
    ended, unless it lies inside a `keep_inside` element (a cell's value stays until the cell ends):
    memory holds the open elements, never the document read so far."""
    # The C parser, not defusedxml's pure-Python one (twice as slow): _count_parts has already refused
    # every part that declares an entity, and ElementTree never fetches external ones.
    from xml.etree.ElementTree import iterparse

    open_elements, kept_depth = [], 0
    for event, element in iterparse(source, events=("start", "end")):
        if event == "start":
            open_elements.append(element)
            kept_depth += element.tag == keep_inside
            yield event, element
            continue
        open_elements.pop()
        kept_depth -= element.tag == keep_inside
        yield event, element
        if not kept_depth:
            element.clear()
            if open_elements:
                open_elements[-1].remove(element)


def _stored_rows(source, parser, reading: Reading):
    """(line, {column: text}) for each row of the sheet that stores a value, reading only stored cells:
    the sheet's claimed range and its empty rows never become rows here."""
    cells, seen = {}, 0
    for event, element in _events(source, keep_inside=CELL):
        seen += 1
        if seen % CLOCK_EVERY == 0:
            reading.check_time()
        if event == "start":
            if element.tag == ROW:
                parser.row_counter, parser.col_counter, cells = _row_number(parser, element), 0, {}
            continue
        if element.tag == CELL:
            column, text = _parse_cell(parser, element)
            if text:
                reading.column(parser.row_counter, column)
                cells[column] = text
        elif element.tag == ROW and cells:
            yield parser.row_counter, cells
        elif element.tag == SHEET_DATA:
            return


def _row_number(parser, row) -> int:
    number = row.get("r")
    if number is None:
        return parser.row_counter + 1
    if not number.isdigit():
        raise _unreadable()
    return int(number)


def _parse_cell(parser, element) -> tuple[int, str]:
    try:
        cell = parser.parse_cell(element)
    except (ValueError, TypeError, KeyError, IndexError):
        raise _unreadable() from None
    return cell["column"], _cell_text(cell["value"])


def _header_columns(line: int, cells: dict[int, str], reading: Reading) -> list[str]:
    """The header row as a list, a blank name for each column it skips."""
    for text in cells.values():
        reading.cell(line, text)
    controls = control_character_errors([(line, text) for text in cells.values()])
    if controls:
        raise ImportRejected(controls[:1])
    return [normalise_header(cells.get(column, "")) for column in range(1, max(cells) + 1)]


def _read_xlsx(data: bytes, *, required, reading: Reading) -> CsvFile:
    rows, controls = [], []
    with _first_sheet(data, reading) as (source, parser):
        lines = _stored_rows(source, parser, reading)
        first = next(lines, None)
        if first is None:
            raise ImportRejected([RowError(1, _("the file is empty"))])
        header_line, header_cells = first
        columns = _header_columns(header_line, header_cells, reading)
        named = check_header(columns, required)
        for line, cells in lines:
            texts = list(cells.values())
            reading.row(line, texts)
            if any(CONTROL_CHARACTERS.search(text) for text in texts):
                controls.append((line, " ".join(texts)))
                continue
            rows.append(Row(line, {columns[column - 1]: text for column, text in cells.items()
                                   if column <= len(columns) and columns[column - 1]}))
    if controls:
        raise ImportRejected(control_character_errors(controls))
    if not rows:
        raise ImportRejected([RowError(1, _("the file has a header line but no data rows"))])
    return CsvFile(columns=named, rows=rows, errors=[])


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
