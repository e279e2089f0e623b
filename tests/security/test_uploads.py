"""portal/uploads.py: every upload is checked by its content and size, in one place."""
import base64
import io
import zipfile

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile

from households.forms import RosterUploadForm
from households.forms_families import CsvUploadForm
from lending.agreements import decode_signature
from lending.forms_agreements import PaperScanForm
from lending.forms_desk import CheckinForm
from lending.forms_device_import import DeviceImportForm
from portal import uploads

pytestmark = pytest.mark.usefixtures("english")

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 20
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 20
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 40  # a Windows program
HTML = b"<!doctype html><html><script>alert(document.cookie)</script></html>"
CSV = b"asset tag;kind\r\nLT-1;laptop\r\n"
XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 20


def xlsx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    return buffer.getvalue()


@pytest.mark.parametrize("head, kind", [
    (PDF, "pdf"), (PNG, "png"), (JPEG, "jpeg"), (WEBP, "webp"), (xlsx_bytes(), "xlsx"), (XLS, "xls"),
    (CSV, "text"), (HTML, "text"), ("a;b\r\n1;2\r\n".encode("utf-16"), "text"), (EXE, None), (b"", None),
])
def test_sniff_judges_by_content(head, kind):
    assert uploads.sniff(head) == kind


# Each rule: a file it accepts, and content it must refuse even under a name that claims otherwise.
RULES = {
    "photo": (uploads.PHOTO, JPEG, [(EXE, "photo.jpg"), (HTML, "photo.png"), (PDF, "photo.webp")]),
    "agreement scan": (uploads.AGREEMENT_SCAN, PDF, [(EXE, "scan.pdf"), (HTML, "scan.pdf"), (WEBP, "scan.png")]),
    "signature": (uploads.SIGNATURE, PNG, [(JPEG, "signature.png"), (HTML, "signature.png")]),
    "device import": (uploads.DEVICE_CSV, CSV, [(EXE, "devices.csv"), (xlsx_bytes(), "devices.csv"), (PDF, "d.csv")]),
    "roster": (uploads.ROSTER, CSV, [(EXE, "roster.csv"), (PNG, "roster.xlsx"), (XLS, "roster.xls")]),
    "internet codes": (uploads.CODES_CSV, CSV, [(EXE, "codes.csv"), (PDF, "codes.csv")]),
}


@pytest.mark.parametrize("name", RULES)
def test_each_rule_accepts_its_own_kind(name):
    rule, good, _bad = RULES[name]
    assert uploads.check_upload(SimpleUploadedFile("file", good), rule) in rule.kinds


@pytest.mark.parametrize("name", RULES)
def test_each_rule_refuses_the_wrong_type_by_content(name):
    rule, _good, bad = RULES[name]
    for content, filename in bad:
        with pytest.raises(forms.ValidationError) as refused:
            uploads.check_upload(SimpleUploadedFile(filename, content), rule)
        assert refused.value.code == "wrong_type", filename


@pytest.mark.parametrize("name", RULES)
def test_each_rule_refuses_too_big_before_reading(name):
    rule, good, _bad = RULES[name]

    with pytest.raises(forms.ValidationError) as refused:
        uploads.check_upload(Huge(rule.max_bytes + 1), rule)
    assert refused.value.code == "too_big"
    with pytest.raises(forms.ValidationError) as refused:
        uploads.check_bytes(good + b"\x00" * rule.max_bytes, rule)
    assert refused.value.code == "too_big"


class Huge:
    """An upload over the limit: its size alone must refuse it, it is never read."""

    name = "big"

    def __init__(self, size):
        self.size = size

    def seek(self, *args):
        pass

    def read(self, *args):
        raise AssertionError("a file over the limit was read")


@pytest.mark.parametrize("name", RULES)
def test_each_rule_refuses_an_empty_file(name):
    rule, _good, _bad = RULES[name]
    with pytest.raises(forms.ValidationError) as refused:
        uploads.check_upload(SimpleUploadedFile("empty", b""), rule)
    assert refused.value.code == "empty"
    with pytest.raises(forms.ValidationError):
        uploads.check_bytes(b"", rule)


def test_the_stored_name_follows_the_content():
    scan = SimpleUploadedFile("scan.pdf.html", PDF)
    uploads.check_upload(scan, uploads.AGREEMENT_SCAN)
    assert scan.name == "scan.pdf"
    photo = SimpleUploadedFile("../../etc/passwd", JPEG)
    uploads.check_upload(photo, uploads.PHOTO)
    assert photo.name == "passwd.jpg"


# --- every upload form goes through the module ---------------------------------------------------


def _errors(form, field="file"):
    assert not form.is_valid()
    return " ".join(form.errors.get(field, []))


def test_paper_scan_form():
    assert "PDF, PNG or JPEG" in _errors(PaperScanForm(files={"scan": SimpleUploadedFile("scan.pdf", EXE)}), "scan")
    form = PaperScanForm(files={"scan": SimpleUploadedFile("scan.exe", PDF)})
    assert form.is_valid() and form.cleaned_data["scan"].name == "scan.pdf"


def test_device_import_form():
    assert "not a CSV" in _errors(DeviceImportForm(files={"file": SimpleUploadedFile("d.csv", PNG)}))
    form = DeviceImportForm({"preset": "auto"}, files={"file": SimpleUploadedFile("d.csv", CSV)})
    assert form.is_valid() and form.cleaned_data["file"] == CSV


def test_internet_code_form():
    assert "not a CSV" in _errors(CsvUploadForm(files={"file": SimpleUploadedFile("codes.csv", EXE)}))


def test_roster_form():
    assert "old Excel format" in _errors(RosterUploadForm(files={"file": SimpleUploadedFile("r.xls", XLS)}))
    assert "not a text file" in _errors(RosterUploadForm(files={"file": SimpleUploadedFile("r.csv", EXE)}))


@pytest.mark.django_db
def test_checkin_photo(school_a):
    form = CheckinForm(data={"asset_tag": "X"}, files={"return_photo": SimpleUploadedFile("p.jpg", HTML)},
                       school=school_a)
    assert "JPEG, PNG or WebP" in _errors(form, "return_photo")


def test_signature_is_ignored_unless_a_small_png():
    def data_url(raw):
        return "data:image/png;base64," + base64.b64encode(raw).decode()

    assert decode_signature(data_url(PNG)) == PNG
    assert decode_signature(data_url(HTML)) is None
    assert decode_signature(data_url(PNG + b"\x00" * uploads.SIGNATURE.max_bytes)) is None
    assert decode_signature(data_url(b"")) is None
