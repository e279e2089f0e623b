"""CSV and XLSX of exactly what a report page shows: the same tables, the same hidden cells."""
import csv
import io
import re

from django.http import HttpResponse
from django.utils.text import slugify
from openpyxl import Workbook
from openpyxl.cell import Cell

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection"). School and LOP names
# come from outside (the department's list, the admin): "=HYPERLINK(...)" must stay a name.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value, sheet=None):
    """Every exported cell goes through here. Text that starts like a formula is written as text:
    in CSV behind a single quote (OWASP's advice), in XLSX as a cell whose type is string."""
    if not (isinstance(value, str) and value.startswith(FORMULA_STARTS)):
        return value
    if sheet is None:
        return "'" + value
    cell = Cell(sheet, value=value)
    cell.data_type = "s"  # openpyxl made it a formula from the leading "="
    return cell


def _filename(title, year, extension):
    return f"{slugify(title)}-{year.start_year}-{year.start_year + 1}.{extension}"


def report_csv(title, note, year, tables) -> HttpResponse:
    """Semicolon-separated UTF-8 with a BOM: what Excel in Belgium opens right with a double click."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_cell(title), _cell(year.label)])
    writer.writerow([_cell(note)])
    for table in tables:
        writer.writerow([])
        writer.writerow([_cell(table.title)])
        writer.writerows([_cell(value) for value in row] for row in table.all_rows)
    response = HttpResponse(("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(title, year, "csv")}"'
    return response


def _sheet_title(title, used):
    base = re.sub(r"[\[\]:*?/\\]", " ", title)[:28].strip() or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        name, n = f"{base} {n}", n + 1
    used.add(name.lower())
    return name


def _value(text):
    """Whole numbers as numbers so Excel can add them; "<5", "–" and "40%" stay text as shown."""
    return int(text) if isinstance(text, str) and text.isdigit() else text


def report_xlsx(title, note, year, tables) -> HttpResponse:
    """One sheet per table: its title, then the header, the rows and the total row."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    used = set()
    for table in tables:
        sheet = workbook.create_sheet(_sheet_title(table.title, used))
        sheet.append([_cell(f"{title} · {year.label} · {table.title}", sheet)])
        for row in table.all_rows:
            sheet.append([_cell(_value(value), sheet) for value in row])
        sheet.append([])
        sheet.append([_cell(note, sheet)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(title, year, "xlsx")}"'
    return response
