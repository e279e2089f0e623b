"""Files an attacker uploads, built small and fast: the shapes issue 15's attack used, at any size.

Written by hand (a zip of XML parts) because the point is what a friendly library would never write:
a sheet that claims a range it does not hold, rows far beyond the last, a row of a million cells.
The benchmark (bench/uploads.py) reads the same files.
"""
import io
import zipfile
from xml.sax.saxutils import escape

CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""
ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Leerlingen" sheetId="1" r:id="rId1"/></sheets>
</workbook>"""
WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Target="worksheets/sheet1.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>
<Relationship Id="rId2" Target="sharedStrings.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>
</Relationships>"""
SHEET_START = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')

ROSTER_HEADER = ["leerlingnummer", "voornaam", "naam", "klas"]


def column_letter(number: int) -> str:
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def inline_cell(row: int, column: int, value) -> str:
    ref = f"{column_letter(column)}{row}"
    if isinstance(value, int):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def xlsx(sheet_data: str, *, dimension: str = "", shared_strings=()) -> bytes:
    """A minimal workbook around one sheet's <sheetData> body (rows written by the caller)."""
    strings = "".join(f"<si><t>{escape(text)}</t></si>" for text in shared_strings)
    parts = {
        "[Content_Types].xml": CONTENT_TYPES,
        "_rels/.rels": ROOT_RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/sharedStrings.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                                f"{strings}</sst>",
        "xl/worksheets/sheet1.xml": SHEET_START + (f'<dimension ref="{dimension}"/>' if dimension else "")
                                    + f"<sheetData>{sheet_data}</sheetData></worksheet>",
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def roster_rows(count: int, *, first_line: int = 2) -> str:
    """`count` pupils as sheet rows, from `first_line` on."""
    return "".join(
        f'<row r="{line}">' + "".join(inline_cell(line, column, value) for column, value in enumerate(
            (1000 + line, f"Kind{line}", "Peeters", "5A"), start=1)) + "</row>"
        for line in range(first_line, first_line + count))


def header_row() -> str:
    return '<row r="1">' + "".join(inline_cell(1, column, name) for column, name in enumerate(ROSTER_HEADER, 1)) + "</row>"


def xlsx_dimension_bomb() -> bytes:
    """The 1.5 kB attack: the sheet claims A1:XFD1048576 and stores a header, one pupil and one cell in the
    far corner. A reader that trusts the claim pads 1,048,576 rows to 16,384 cells each."""
    corner = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    return xlsx(header_row() + roster_rows(1) + corner, dimension="A1:XFD1048576")


def xlsx_claimed_range_only() -> bytes:
    """The same claim with nothing stored beyond the real data: an honest file with a lying dimension."""
    return xlsx(header_row() + roster_rows(3), dimension="A1:XFD1048576")


def xlsx_many_rows(count: int) -> bytes:
    """A header and `count` pupils (the attack used 880,000 rows in 2.5 MB)."""
    return xlsx(header_row() + roster_rows(count), dimension=f"A1:D{count + 1}")


def xlsx_wide_row(cells: int) -> bytes:
    """A header, then one row holding `cells` stored cells (tiny ones: the XML stays small)."""
    wide = '<row r="2">' + "".join(f'<c r="{column_letter(1 + n % 16384)}2"><v>1</v></c>' for n in range(cells)) + "</row>"
    return xlsx(header_row() + wide)


def xlsx_control_characters() -> bytes:
    """A pupil whose first name holds a DEL character (XML allows it, unlike NUL), on sheet row 3."""
    rows = roster_rows(1) + ('<row r="3">' + inline_cell(3, 1, 2001) + inline_cell(3, 2, "An\x7fna")
                             + inline_cell(3, 3, "Maes") + inline_cell(3, 4, "5A") + "</row>")
    return xlsx(header_row() + rows)


def csv_rows(count: int, *, header: str = "leerlingnummer;voornaam;naam;klas") -> bytes:
    """A roster CSV with `count` pupils: 290,000 of them fit in 4.5 MB."""
    lines = [header, *(f"{n};K;P;5A" for n in range(1, count + 1))]
    return ("\n".join(lines) + "\n").encode("utf-8")


def csv_with_nul_after(offset: int, *, header: str = "leerlingnummer;voornaam;naam;klas") -> tuple[bytes, int]:
    """(a roster CSV with one NUL byte past `offset` bytes, the line it is on): the type check reads the
    first 4 kB only, so this passes it."""
    lines, size = [header], len(header) + 2
    while size < offset:
        n = len(lines)
        lines.append(f"{n};Kind{n};Peeters;5A")
        size += len(lines[-1]) + 2
    bad_line = len(lines) + 1
    lines.append(f"{bad_line};Kind\x00;Peeters;5A")
    lines.append(f"{bad_line + 1};Kind;Peeters;5A")
    return ("\r\n".join(lines) + "\r\n").encode("utf-8"), bad_line


def xlsx_many_tiny_rows(count: int) -> bytes:
    """The attack's 880,000-row workbook in about 2.5 MB: each row one small number, no size claimed."""
    return xlsx(header_row() + "".join(f'<row r="{line}"><c r="A{line}"><v>1</v></c></row>'
                                       for line in range(2, count + 2)))


def xlsx_zip_bomb(unpacked_mb: int) -> bytes:
    """A workbook whose shared strings part unpacks to `unpacked_mb` MB of one repeated character."""
    buffer = io.BytesIO(xlsx(header_row() + roster_rows(1)))
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("xl/padding.xml", "<a>" + "x" * (unpacked_mb * 1024 * 1024) + "</a>")
    return buffer.getvalue()


def xlsx_without_size(count: int) -> bytes:
    """`count` rows and no <dimension>: openpyxl's read-only open parses the whole sheet to find its size."""
    return xlsx(header_row() + roster_rows(count))
