"""Every upload is checked here: its type by its content (the first bytes), never by its name or
the browser's content type, which are only claims; and its size, before anything reads it whole.

One rule per kind of upload, with the limits and the messages the staff and parents see.
"""
from dataclasses import dataclass, field
from pathlib import PurePath

from django import forms
from django.core.exceptions import SuspiciousFileOperation
from django.template.defaultfilters import filesizeformat
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

MB = 1024 * 1024
PNG = b"\x89PNG\r\n\x1a\n"
XLSX = b"PK\x03\x04"  # an XLSX workbook is a ZIP archive
XLS = b"\xd0\xcf\x11\xe0"  # the old binary Excel format (OLE2)
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
HEAD_BYTES = 4096
EXTENSIONS = {"pdf": "pdf", "png": "png", "jpeg": "jpg", "webp": "webp", "xlsx": "xlsx", "xls": "xls", "text": "csv"}


def sniff(head: bytes) -> str | None:
    """The kind of a file from its first bytes: pdf, png, jpeg, webp, xlsx, xls, text, or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(PNG):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(XLSX):
        return "xlsx"
    if head.startswith(XLS):
        return "xls"
    # Text (CSV): no NUL byte, unless it is UTF-16 text, which the CSV reader explains itself.
    if head and (b"\x00" not in head[:HEAD_BYTES] or head.startswith(UTF16_BOMS)):
        return "text"
    return None


@dataclass(frozen=True)
class Rule:
    kinds: frozenset
    max_bytes: int
    too_big: str  # may use %(size)s (the file's size) and %(limit)s
    wrong_type: str
    # A clearer message for some kinds that are refused, e.g. the old .xls format.
    explain: dict = field(default_factory=dict)


PHOTO = Rule(frozenset({"jpeg", "png", "webp"}), 5 * MB, _("The photo is larger than 5 MB."),
             _("This file is not a JPEG, PNG or WebP photo."))
AGREEMENT_SCAN = Rule(frozenset({"pdf", "png", "jpeg"}), 10 * MB, _("The file is larger than 10 MB."),
                      _("Upload a PDF, PNG or JPEG file."))
SIGNATURE = Rule(frozenset({"png"}), 300_000, _("The signature is too large."), _("The signature is not a PNG image."))
DEVICE_CSV = Rule(frozenset({"text"}), 2 * MB, _("The file is larger than 2 MB."),
                  _("This is not a CSV text file. In Excel, choose Save as › CSV."))
ROSTER = Rule(frozenset({"text", "xlsx"}), 5 * MB, _("The file is %(size)s; the limit is 5 MB."),
              _("this is not a text file; upload a CSV or XLSX file"),
              explain={"xls": _("this is the old Excel format (.xls); save it as .xlsx or CSV")})
CODES_CSV = Rule(frozenset({"text"}), 2 * MB, _("The file is too large; the limit is 2 MB."),
                 _("This is not a CSV text file. In Excel, choose Save as › CSV."))


def _refuse_size(size: int, rule: Rule) -> None:
    if size == 0:
        raise forms.ValidationError(_("The file is empty."), code="empty")
    if size > rule.max_bytes:
        raise forms.ValidationError(rule.too_big % {"size": filesizeformat(size),
                                                    "limit": filesizeformat(rule.max_bytes)}, code="too_big")


def _allowed_kind(head: bytes, rule: Rule) -> str:
    kind = sniff(head[:HEAD_BYTES])
    if kind not in rule.kinds:
        raise forms.ValidationError(rule.explain.get(kind, rule.wrong_type), code="wrong_type")
    return kind


def check_bytes(data: bytes, rule: Rule) -> str:
    """The kind of `data` if the rule allows it; else a ValidationError with the rule's message."""
    _refuse_size(len(data), rule)
    return _allowed_kind(data, rule)


def check_upload(upload, rule: Rule) -> str:
    """Check an uploaded file; on success its name gets the extension of what it really is.

    The size is checked before the file is read, so a huge upload is never loaded into memory.
    """
    size = getattr(upload, "size", None)
    if size is not None:
        _refuse_size(size, rule)
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    if size is None:
        _refuse_size(len(head), rule)  # no size given: at least refuse an empty file
    kind = _allowed_kind(head, rule)
    upload.name = checked_name(getattr(upload, "name", "") or "upload", kind)
    return kind


def checked_name(name: str, kind: str) -> str:
    """A safe file name whose extension matches the content: 'scan.pdf.html' holding a PDF is 'scan.pdf'."""
    stem = PurePath(name).name
    while PurePath(stem).suffix:
        stem = PurePath(stem).stem
    try:
        stem = get_valid_filename(stem)
    except SuspiciousFileOperation:  # nothing usable left of the name
        stem = "upload"
    return f"{stem}.{EXTENSIONS[kind]}"
