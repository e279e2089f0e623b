"""The agreement PDF: real WeasyPrint output read back with pdftotext, in Dutch and French."""
import subprocess
import time
from decimal import Decimal

import pytest
from django.urls import reverse

from lending import pdf, tasks
from lending.models import Agreement, AgreementTerms
from lending.terms import agreement_open_for_loan
from portal.languages import language_choices

from ..factories import LoanFactory
from ..pdftext import pdf_text

pytestmark = pytest.mark.django_db

def make_agreement(school, *, language="nl", deposit="0", cap="0", **terms):
    AgreementTerms.objects.create(school=school, version=1, deposit=Decimal(deposit), damage_cap=Decimal(cap),
                                  contact_name="Mevrouw Janssens", contact_phone="09 123 45 67",
                                  support_organisation="Digipunt Gent", **terms)
    loan = LoanFactory(device__school=school, device__asset_tag="LAP-0042", pupil__first_name="Élise",
                       pupil__last_name="Dubois", pupil__household__preferred_language=language)
    return agreement_open_for_loan(loan=loan)


def test_dutch_pdf_names_the_pupil_device_amounts_and_help(school_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    agreement = make_agreement(school_a, language="nl", cap="40")
    started = time.perf_counter()
    tasks.render_agreement_pdf.delay(agreement.pk)
    elapsed = time.perf_counter() - started
    agreement.refresh_from_db()
    assert agreement.pdf.name.endswith(".pdf")
    text = pdf_text(agreement.pdf.path)
    assert "Élise Dubois" in text  # accents survive: fonts are embedded
    assert "LAP-0042" in text
    assert school_a.name in text
    assert "Het toestel mag mee naar huis. Ook in de vakantie." in text
    assert "Je betaalt nooit meer dan 40 euro." in text
    assert "Je betaalt geen waarborg" in text
    assert "Mevrouw Janssens" in text and "Digipunt Gent" in text
    assert "De Nederlandse tekst is de referentie" not in text
    fonts = subprocess.run(["pdffonts", agreement.pdf.path], capture_output=True, text=True).stdout
    assert "DejaVu" in fonts and " no " not in fonts.split("\n", 2)[2].replace("yes yes", "")  # embedded
    print(f"render time {elapsed * 1000:.0f} ms")


def test_french_pdf_is_in_french_and_names_the_reference_text(school_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    agreement = make_agreement(school_a, language="fr", deposit="20")
    assert agreement.language == "fr"
    text = pdf_text(pdf.render_document(agreement))
    assert "Élise Dubois" in text and "LAP-0042" in text
    assert "L'appareil peut aller à la maison" in text
    assert "caution de 20 euros" in text
    assert "Cela ne vous coûte rien" in text
    assert "Le texte néerlandais fait foi" in text
    assert "vakantie" not in text


def test_a_language_the_portal_does_not_offer_falls_back_to_the_dutch_reference(school_a):
    agreement = make_agreement(school_a, language="de")
    text = pdf_text(pdf.render_document(agreement))
    assert "Het toestel mag mee naar huis" in text


def test_opening_an_agreement_for_a_loan_renders_its_pdf_after_commit(school_a, settings, tmp_path,
                                                                      django_capture_on_commit_callbacks):
    from lending.agreements import agreement_open

    settings.MEDIA_ROOT = tmp_path
    loan = LoanFactory(device__school=school_a)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        agreement = agreement_open(loan=loan)
    assert not Agreement.objects.get(pk=agreement.pk).pdf  # nothing rendered inside the transaction
    for callback in callbacks:
        callback()
    assert Agreement.objects.get(pk=agreement.pk).pdf.name.endswith(".pdf")


def test_rendering_a_gone_agreement_is_quiet(db):
    assert tasks.render_agreement_pdf.delay(987654).get() == "gone"


def test_a_failing_render_keeps_the_row_and_is_retried_on_transient_errors(school_a, monkeypatch):
    agreement = make_agreement(school_a)
    assert OSError in tasks.render_agreement_pdf.autoretry_for
    monkeypatch.setattr(pdf, "render_document", lambda *a, **k: (_ for _ in ()).throw(ValueError("template")))
    with pytest.raises(ValueError):
        tasks.render_agreement_pdf.apply(args=[agreement.pk], throw=True)
    assert Agreement.objects.filter(pk=agreement.pk, pdf="").exists()


def test_staff_download_rebuilds_a_missing_pdf(client_as, coordinator_a, school_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    agreement = make_agreement(school_a)
    response = client_as(coordinator_a).get(reverse("agreement_pdf", args=[agreement.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_families_languages_beyond_the_staff_ones_get_their_own_text(school_a):
    """Turkish, Polish, Romanian, Ukrainian and Arabic catalogs cover the parents' texts."""
    expected = {"tr": "Cihaz eve götürülebilir", "pl": "Urządzenie można zabrać do domu",
                "ro": "Aparatul poate merge acasă", "uk": "Пристрій можна брати додому"}
    agreement = make_agreement(school_a, language="tr")
    for language, sentence in expected.items():
        assert language in dict(language_choices())
        agreement.language = language
        text = pdf_text(pdf.render_document(agreement))
        assert sentence in text and "LAP-0042" in text, language
    agreement.language = "ar"
    assert "LAP-0042" in pdf_text(pdf.render_document(agreement))
