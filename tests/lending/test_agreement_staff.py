"""Staff pages: detail, list, desk signing, paper letter and scan, regenerate, terms with the warning."""
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lending.models import Agreement, AgreementTerms, SigningLink
from portal.models import AuditEvent
from tests.pdftext import pdf_text

from .test_agreement_pdf import make_agreement

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_detail_and_list_show_the_own_school(client_as, coordinator_a, school_a, django_assert_max_num_queries):
    agreement = make_agreement(school_a)
    for _ in range(5):
        Agreement.objects.create(loan=agreement.loan, terms=agreement.terms, text_version="x")
    client = client_as(coordinator_a)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("agreement_list"))
    assert response.status_code == 200 and response.content.decode().count("LAP-0042") == 6
    detail = client.get(reverse("agreement_detail", args=[agreement.pk]))
    assert detail.status_code == 200 and "Élise Dubois" in detail.content.decode()


def test_desk_signing_records_the_method_and_the_coordinator(client_as, coordinator_a, school_a,
                                                             django_capture_on_commit_callbacks):
    agreement = make_agreement(school_a)
    client = client_as(coordinator_a)
    page = client.get(reverse("agreement_desk_sign", args=[agreement.pk]))
    assert page.status_code == 200
    data = {"action": "sign", "signer_name": "Papa Dubois", "agree": "on", "lang": "nl",
            "text_sha256": page.context["sign_form"].initial["text_sha256"]}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("agreement_desk_sign", args=[agreement.pk]), data)
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.signed_method == "desk" and agreement.signed_pdf
    assert AuditEvent.objects.get(action="agreement.signed").actor == coordinator_a
    detail = client.get(reverse("agreement_detail", args=[agreement.pk])).content.decode()
    assert reverse("agreement_signed_pdf", args=[agreement.pk]) in detail
    download = client.get(reverse("agreement_signed_pdf", args=[agreement.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    again = client.get(reverse("agreement_desk_sign", args=[agreement.pk]))
    assert again.status_code == 302  # already signed: back to the detail page


def test_paper_letter_has_a_qr_link_and_the_scan_marks_it_signed(client_as, coordinator_a, school_a):
    agreement = make_agreement(school_a)
    client = client_as(coordinator_a)
    response = client.post(reverse("agreement_letter", args=[agreement.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "LAP-0042" in text and "Naam van de ouder" in text and "QR-code" in text
    assert SigningLink.objects.get(agreement=agreement).channel == "paper"
    bad = SimpleUploadedFile("scan.pdf", b"MZ not a pdf", content_type="application/pdf")
    response = client.post(reverse("agreement_paper_upload", args=[agreement.pk]), {"scan": bad})
    assert response.status_code == 200 and Agreement.objects.get(pk=agreement.pk).status != "signed"
    good = SimpleUploadedFile("scan.jpg", b"\xff\xd8\xff\xe0" + b"0" * 100, content_type="image/jpeg")
    response = client.post(reverse("agreement_paper_upload", args=[agreement.pk]), {"scan": good})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == "signed" and agreement.signed_method == "paper" and agreement.paper_scan
    assert client.get(reverse("agreement_scan", args=[agreement.pk])).status_code == 200


def test_scans_over_10_mb_are_refused(client_as, coordinator_a, school_a):
    agreement = make_agreement(school_a)
    big = SimpleUploadedFile("scan.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), content_type="application/pdf")
    response = client_as(coordinator_a).post(reverse("agreement_paper_upload", args=[agreement.pk]), {"scan": big})
    assert response.status_code == 200 and "10 MB" in response.content.decode()


def test_post_only_actions_refuse_get(client_as, coordinator_a, school_a):
    agreement = make_agreement(school_a)
    for name in ["agreement_send", "agreement_letter", "agreement_regenerate"]:
        assert client_as(coordinator_a).get(reverse(name, args=[agreement.pk])).status_code == 405


TERMS = {"deposit": "0", "damage_cap": "0", "return_policy": "school_year", "contact_name": "Mevr. Peeters",
         "contact_phone": "", "contact_email": "", "support_organisation": "", "support_contact": "",
         "extra_text": "", "link_valid_days": "30"}


def test_terms_edit_is_for_directors_and_makes_new_versions(client_as, director_a, coordinator_a, school_a):
    assert client_as(coordinator_a).get(reverse("terms_edit")).status_code == 403
    client = client_as(director_a)
    assert client.get(reverse("terms_edit")).status_code == 200  # creates version 1 with the defaults
    assert client.post(reverse("terms_edit"), TERMS).status_code == 302
    assert client.post(reverse("terms_edit"), {**TERMS, "link_valid_days": "14"}).status_code == 302
    versions = list(AgreementTerms.objects.filter(school=school_a).values_list("version", "link_valid_days"))
    assert versions == [(3, 14), (2, 30), (1, 30)]


def test_high_amounts_need_the_warning_confirmed_and_are_recorded(client_as, director_a, school_a):
    client = client_as(director_a)
    response = client.post(reverse("terms_edit"), {**TERMS, "deposit": "25", "damage_cap": "100"})
    assert response.status_code == 200 and "Hoge bedragen houden gezinnen weg" in response.content.decode()
    assert not AgreementTerms.objects.filter(school=school_a, deposit__gt=0).exists()
    response = client.post(reverse("terms_edit"), {**TERMS, "deposit": "25", "damage_cap": "100",
                                                   "confirm_high_amounts": "on"})
    assert response.status_code == 302
    terms = AgreementTerms.objects.get(school=school_a, version=2)
    assert terms.deposit == Decimal("25") and terms.high_amounts_acknowledged
    event = AuditEvent.objects.get(action="terms.changed")
    assert event.after["high_amounts_acknowledged"] is True and event.actor == director_a
    # An amount of 50 euro for damage and no deposit needs no warning.
    assert client.post(reverse("terms_edit"), {**TERMS, "damage_cap": "50"}).status_code == 302
    assert not AgreementTerms.objects.get(school=school_a, version=3).high_amounts_acknowledged
