"""The shared CSV reader sniffs the separator from the header: tab, semicolon or comma."""
import pytest

from portal.csvfiles import detect_delimiter, read_csv


@pytest.mark.parametrize("header, expected", [
    ("Stamnummer\tNaam\tVoornaam\tKlas", "\t"),
    ("leerlingnummer;voornaam;naam", ";"),
    ("serial,asset id,model", ","),
    ("naam", ","),  # one column: nothing to tell apart, the reader's old default
    ("a;b,c", ","),  # a tie keeps the old preference: comma before semicolon
    ("Naam, voornaam\tKlas\tJaar", "\t"),
])
def test_the_separator_the_header_holds_most_of_wins(header, expected):
    assert detect_delimiter(header) == expected


def test_a_tab_separated_file_keeps_commas_and_semicolons_inside_cells():
    data = "Stamnummer\tNaam\tKlas\r\n0042\tPeeters, An; Zoë\tL5A\r\n".encode("cp1252")
    table = read_csv(data, required=["stamnummer", "naam", "klas"])
    assert table.columns == ["stamnummer", "naam", "klas"]
    assert [(row.line, row.values) for row in table.rows] == [
        (2, {"stamnummer": "0042", "naam": "Peeters, An; Zoë", "klas": "L5A"})]
