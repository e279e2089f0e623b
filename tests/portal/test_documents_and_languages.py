"""portal.documents (the one PDF renderer and QR helper) and portal.languages (the one rule)."""
import base64

import pytest

from households.models import Household
from portal import documents, languages


def test_the_renderer_fetches_only_local_static_and_media_files(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "ok.txt").write_text("ok")
    fetcher = documents.LocalOnlyFetcher()
    for url in ["http://example.org/x.png", "https://127.0.0.1/secret", "file:///etc/passwd",
                f"file://{tmp_path}/../../etc/passwd", "ftp://example.org/x"]:
        with pytest.raises(ValueError):
            fetcher.fetch(url)
    assert fetcher.fetch((tmp_path / "ok.txt").as_uri()) is not None


def test_a_template_that_points_outside_gets_no_resource_and_still_a_pdf(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    pdf = documents.html_to_pdf('<img src="http://127.0.0.1:9/x.png"><img src="file:///etc/hostname"><p>ok</p>')
    assert pdf.startswith(b"%PDF")


def test_the_qr_helper_gives_an_svg_data_uri_of_exactly_the_text():
    uri = documents.qr_data_uri("LAP001")
    assert uri.startswith("data:image/svg+xml;base64,")
    assert b"<svg" in base64.b64decode(uri.split(",", 1)[1])
    assert documents.qr_data_uri("LAP001") == uri != documents.qr_data_uri("LAP002")


def test_one_rule_for_the_language_a_family_reads():
    offered = [code for code, _name in languages.FAMILY_LANGUAGES]
    assert offered == ["nl", "fr", "en", "ar", "tr", "pl", "ro", "uk"]
    for code in offered:
        assert languages.family_language(code) == code
        assert languages.household_language(Household(preferred_language=code)) == code
    for unknown in ("de", "", None, "xx"):
        assert languages.family_language(unknown) == "nl"
    assert languages.household_language(None) == "nl"
    assert languages.chosen_language("ar", "tr") == "ar"
    assert languages.chosen_language("de", "tr") == "tr"
    assert languages.text_direction("ar") == "rtl" and languages.text_direction("uk") == "ltr"


def test_the_household_field_offers_exactly_the_family_languages():
    field = Household._meta.get_field("preferred_language")
    assert [code for code, _name in field.choices] == [code for code, _name in languages.FAMILY_LANGUAGES]
