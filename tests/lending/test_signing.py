"""Signing links: token rules, the evidence recorded, and friendly pages for bad links."""
import base64
import hashlib
import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from lending import agreements, signing
from lending.models import Agreement, SigningLink
from portal.models import AuditEvent
from portal.sms import outbox as sms_sent
from tests.pdftext import pdf_text

from ..factories import GuardianFactory
from .test_agreement_pdf import make_agreement

pytestmark = pytest.mark.django_db

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def agreement(school_a):
    agreement = make_agreement(school_a, language="nl")
    GuardianFactory(household=agreement.loan.pupil.household, email="mama@example.org", phone="+32470000001")
    return agreement


def send(client, agreement, channel="email"):
    response = client.post(reverse("agreement_send", args=[agreement.pk]), {"channel": channel})
    assert response.status_code == 302
    return response


def token_from_mail():
    return re.search(r"/s/([A-Za-z0-9_-]+)/", mail.outbox[-1].body).group(1)


def sign(client, token, name="Sara Dubois", **extra):
    page = client.get(f"/s/{token}/")
    text_hash = page.context["sign_form"].initial["text_sha256"]
    data = {"action": "sign", "signer_name": name, "agree": "on", "text_sha256": text_hash,
            "lang": page.context["language"], **extra}
    return client.post(f"/s/{token}/", data, REMOTE_ADDR="203.0.113.7", HTTP_USER_AGENT="TestPhone/1.0")


def test_send_by_email_stores_only_the_hash_and_the_mail_carries_the_token(
        client_as, coordinator_a, agreement, django_capture_on_commit_callbacks):
    client = client_as(coordinator_a)
    with django_capture_on_commit_callbacks(execute=True):
        send(client, agreement)
    token = token_from_mail()
    assert len(token) >= 43  # 32 random bytes
    link = SigningLink.objects.get(agreement=agreement)
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in link.token_hash
    assert link.channel == "email" and mail.outbox[-1].to == ["mama@example.org"]
    assert timedelta(days=29, hours=23) < link.expires_at - timezone.now() <= timedelta(days=30)
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.SENT
    assert AuditEvent.objects.filter(action="agreement.sent", object_id=str(agreement.pk)).exists()


def test_send_by_sms_goes_through_the_pluggable_backend(client_as, coordinator_a, agreement,
                                                        django_capture_on_commit_callbacks):
    sms_sent.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send(client_as(coordinator_a), agreement, channel="sms")
    assert len(sms_sent) == 1
    to, text = sms_sent[0]
    assert to == "+32470000001" and "/s/" in text


def test_a_family_signs_online_and_the_evidence_is_recorded(client_as, coordinator_a, agreement, client,
                                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        send(client_as(coordinator_a), agreement)
    token = token_from_mail()
    client.logout()
    page = client.get(f"/s/{token}/")
    assert page.status_code == 200 and page["Content-Language"] == "nl"
    assert "Het toestel mag mee naar huis" in page.content.decode()
    shown_hash = hashlib.sha256(page.context["text"].encode()).hexdigest()
    signature = "data:image/png;base64," + base64.b64encode(PNG).decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = sign(client, token, signature=signature)
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.SIGNED and agreement.signed_method == "online"
    assert agreement.signer_name == "Sara Dubois" and agreement.signer_ip == "203.0.113.7"
    assert agreement.signer_user_agent == "TestPhone/1.0" and agreement.language == "nl"
    assert agreement.text_sha256 == shown_hash
    assert agreement.signed_at.tzinfo is not None and agreement.signature_image
    assert len(agreement.pdf_sha256) == 64
    assert hashlib.sha256(agreement.signed_pdf.read()).hexdigest() == agreement.pdf_sha256
    text = pdf_text(agreement.signed_pdf.path)
    assert "Sara Dubois" in text and "203.0.113.7" in text and shown_hash in text.replace(" ", "")
    # The thank-you page offers the signed copy; the download works with the same token.
    thanks = client.get(f"/s/{token}/")
    assert thanks.status_code == 200 and reverse("public_signed_pdf", args=[token]) in thanks.content.decode()
    download = client.get(reverse("public_signed_pdf", args=[token]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_used_link_signs_once_and_changes_nothing_after(client_as, coordinator_a, agreement, client):
    link, token = agreements.link_create(agreement=agreement, channel="email")
    text_hash = client.get(f"/s/{token}/").context["sign_form"].initial["text_sha256"]
    assert sign(client, token).status_code == 302
    signed_at = Agreement.objects.get(pk=agreement.pk).signed_at
    again = client.post(f"/s/{token}/", {"action": "sign", "signer_name": "Someone Else", "agree": "on",
                                         "text_sha256": text_hash, "lang": "nl"})
    assert again.status_code == 200 and "Je hebt getekend" in again.content.decode()
    agreement.refresh_from_db()
    assert agreement.signer_name == "Sara Dubois" and agreement.signed_at == signed_at


def test_a_double_submit_of_the_same_form_signs_once(agreement, client):
    link, token = agreements.link_create(agreement=agreement, channel="email")
    page = client.get(f"/s/{token}/")
    data = {"action": "sign", "signer_name": "A", "agree": "on",
            "text_sha256": page.context["sign_form"].initial["text_sha256"], "lang": "nl"}
    first = client.post(f"/s/{token}/", data)
    second = client.post(f"/s/{token}/", {**data, "signer_name": "B"})
    assert first.status_code == 302 and second.status_code == 200
    assert Agreement.objects.get(pk=agreement.pk).signer_name == "A"
    assert AuditEvent.objects.filter(action="agreement.signed").count() == 1


def test_an_expired_link_gets_a_friendly_page_and_signs_nothing(agreement, client):
    link, token = agreements.link_create(agreement=agreement, channel="email")
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        page = client.get(f"/s/{token}/")
        assert page.status_code == 410 and "te oud" in page.content.decode()
        post = client.post(f"/s/{token}/", {"action": "sign", "signer_name": "X", "agree": "on",
                                            "text_sha256": "0" * 64, "lang": "nl"})
        assert post.status_code == 410
    assert Agreement.objects.get(pk=agreement.pk).status != Agreement.Status.SIGNED
    assert SigningLink.objects.get(pk=link.pk).used_at is None


def test_unknown_and_tampered_tokens_get_a_friendly_404(agreement, client):
    link, token = agreements.link_create(agreement=agreement, channel="email")
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in [tampered, "nonsense", "x" * 200]:
        page = client.get(f"/s/{bad}/")
        assert page.status_code == 404 and "werkt niet" in page.content.decode()
    assert client.get(reverse("public_signed_pdf", args=[tampered])).status_code == 404


def test_a_changed_text_is_detected_and_not_signed(agreement, client):
    link, token = agreements.link_create(agreement=agreement, channel="email")
    response = client.post(f"/s/{token}/", {"action": "sign", "signer_name": "X", "agree": "on",
                                            "text_sha256": "f" * 64, "lang": "nl"})
    assert response.status_code == 200 and "De tekst is veranderd" in response.content.decode()
    assert Agreement.objects.get(pk=agreement.pk).status != Agreement.Status.SIGNED
    assert SigningLink.objects.get(pk=link.pk).used_at is None


def test_the_signed_pdf_is_not_available_before_signing_or_after_the_download_window(agreement, client):
    link, token = agreements.link_create(agreement=agreement, channel="email")
    assert client.get(reverse("public_signed_pdf", args=[token])).status_code == 404
    sign(client, token)
    later = timezone.now() + timedelta(days=agreements.SIGNED_DOWNLOAD_DAYS + 1)
    with time_machine.travel(later):
        assert client.get(reverse("public_signed_pdf", args=[token])).status_code == 410


def test_the_family_reads_and_signs_in_french(agreement, client, django_capture_on_commit_callbacks):
    link, token = agreements.link_create(agreement=agreement, channel="email")
    page = client.get(f"/s/{token}/?lang=fr")
    assert page["Content-Language"] == "fr" and "Le texte néerlandais fait foi" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(f"/s/{token}/?lang=fr")
        data = {"action": "sign", "signer_name": "Zoé", "agree": "on", "lang": "fr",
                "text_sha256": page.context["sign_form"].initial["text_sha256"]}
        assert client.post(f"/s/{token}/", data).status_code == 302
    agreement.refresh_from_db()
    assert agreement.language == "fr"
    text = pdf_text(agreement.signed_pdf.path)
    assert "Preuve de signature" in text and "Zoé" in text


def test_a_question_instead_of_signing_tells_the_coordinators(agreement, coordinator_a, client,
                                                              django_capture_on_commit_callbacks):
    link, token = agreements.link_create(agreement=agreement, channel="email")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/s/{token}/", {"action": "question", "lang": "nl",
                                                "question": "Mag mijn zoon hem ook in Marokko gebruiken?"})
    assert response.status_code == 200
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.QUESTION and "Marokko" in agreement.question
    assert mail.outbox[-1].to == [coordinator_a.email]
    assert f"/agreements/{agreement.pk}/" in mail.outbox[-1].body
    assert client.get(f"/s/{token}/").status_code == 200  # they can still sign later
    assert signing.lookup(token).ok


def test_bad_links_never_reach_the_request_log(agreement, client, caplog):
    link, token = agreements.link_create(agreement=agreement, channel="email")
    link.expires_at = timezone.now() - timedelta(seconds=1)
    link.save(update_fields=["expires_at"])
    with caplog.at_level("WARNING", logger="django.request"):
        assert client.get(f"/s/{token}/").status_code == 410
        assert client.get(f"/s/{token[:-2]}xx/").status_code == 404
    assert token not in caplog.text and token[:-2] not in caplog.text
