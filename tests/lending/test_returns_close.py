"""A return (or loss, theft, hand-over) ends what should end; the family gets a receipt; a second
submit of the hand-out confirm hands out nothing twice."""
import uuid
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.utils import timezone

from lending import agreements, desk, receipts
from lending.models import Agreement, AgreementTerms, Device, Loan, ReturnReceipt, SigningLink
from portal.models import AuditEvent

from ..factories import AgreementFactory, DeviceFactory, GuardianFactory, HouseholdFactory, LoanFactory, PupilFactory
from ..pdftext import pdf_text

pytestmark = pytest.mark.django_db


def _family_loan(school, *, language="fr", channel="email", accessories=("charger", "sleeve")):
    household = HouseholdFactory(school=school, preferred_language=language, contact_channel=channel)
    GuardianFactory(household=household, email="mama@example.org" if channel == "email" else "")
    pupil = PupilFactory(school=school, household=household, first_name="Amira", last_name="Benali")
    return LoanFactory(device__school=school, device__status=Device.Status.ON_LOAN, pupil=pupil,
                       accessories_out=list(accessories))


@pytest.mark.parametrize("how", ["return", "loss", "leaver_transfer"])
def test_every_way_a_loan_ends_ends_its_unsigned_agreement_and_its_link(how, school_a, coordinator_a, client,
                                                                       english):
    loan = _family_loan(school_a)
    agreement = AgreementFactory(loan=loan, status=Agreement.Status.SENT)
    _link, token = agreements.link_create(agreement=agreement, channel="email")
    if how == "return":
        desk.loan_checkin(loan=loan, by=coordinator_a, condition_in="good", accessories_in=["charger", "sleeve"])
    elif how == "loss":
        desk.incident_record(device=loan.device, kind="loss", description="kwijt", by=coordinator_a)
    else:
        desk.loan_end_for_leaver(loan=loan, by=coordinator_a, transfer=True)
    agreement.refresh_from_db()
    assert agreement.status == Agreement.Status.ENDED
    assert AuditEvent.objects.filter(action="agreement.ended", object_id=str(agreement.pk)).count() == 1
    page = client.get(f"/s/{token}/")
    assert page.status_code == 410 and 'id="loan-ended"' in page.content.decode()
    # The coordinator cannot send it again, the family cannot sign it any more.
    with pytest.raises(agreements.ValidationError, match="ended"):
        agreements.agreement_send(agreement=agreement, by=coordinator_a, base_url="http://x/")
    with pytest.raises(agreements.AlreadySigned):
        agreements.agreement_sign(agreement=agreement, method="online", signer_name="X", language="fr",
                                  text_sha256="0" * 64, ip=None, user_agent="", link=SigningLink.objects.get())


def test_a_signed_agreement_stays_signed_after_the_return(school_a, coordinator_a):
    loan = _family_loan(school_a)
    signed = AgreementFactory(loan=loan, status=Agreement.Status.SIGNED, signed_method="desk",
                              signed_at=timezone.now())
    desk.loan_checkin(loan=loan, by=coordinator_a, condition_in="good")
    assert Agreement.objects.get(pk=signed.pk).status == Agreement.Status.SIGNED


def test_the_family_gets_a_receipt_by_email_in_its_language_with_the_pdf(school_a, coordinator_a,
                                                                         django_capture_on_commit_callbacks):
    coordinator_a.first_name, coordinator_a.last_name = "Ines", "Coördinator"
    coordinator_a.save()
    loan = _family_loan(school_a, language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        desk.loan_checkin(loan=loan, by=coordinator_a, condition_in="good", accessories_in=["charger"])
    receipt = ReturnReceipt.objects.get(loan=loan)
    assert receipt.status == ReturnReceipt.Status.SENT and receipt.sent_at and receipt.language == "fr"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["mama@example.org"]
    (name, data, mimetype), = message.attachments
    assert mimetype == "application/pdf" and name == f"receipt-{loan.device.asset_tag}.pdf"
    text = pdf_text(data)
    assert loan.device.asset_tag in text and "Amira Benali" in text and "Ines Coördinator" in text
    assert "Vous ne payez rien" in text  # nothing to pay, in French
    assert AuditEvent.objects.filter(action="return_receipt.sent", object_id=str(receipt.pk)).exists()
    # Sent once: a second run of the task finds it claimed.
    assert receipts.receipt_deliver(receipts.load(receipt.pk)) == "claimed elsewhere"
    assert len(mail.outbox) == 1


def test_a_paper_family_gets_a_printed_receipt_with_the_missing_accessory_and_the_cost(
        school_a, coordinator_a, client, django_capture_on_commit_callbacks):
    AgreementTerms.objects.create(school=school_a, version=1, damage_cap=Decimal("50"))
    loan = _family_loan(school_a, language="nl", channel="paper")
    client.force_login(coordinator_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/desk/checkin/", {
        "asset_tag": loan.device.asset_tag, "condition_in": "damaged", "accessories_in": ["charger"],
        "record_incident": "on", "incident_description": "Scherm gebarsten", "cost_to_family": "20",
            "send_to_repair": "on", "confirm": "1"})
    shown = client.get(response["Location"]).content.decode()
    assert "A damage incident is recorded" in shown or "incident" in shown.lower()
    receipt = ReturnReceipt.objects.get(loan=loan)
    assert receipt.status == ReturnReceipt.Status.PAPER and not mail.outbox
    assert f"/desk/loans/{loan.pk}/receipt.pdf" in shown
    pdf = client.get(f"/desk/loans/{loan.pk}/receipt.pdf")
    text = pdf_text(b"".join(pdf.streaming_content))
    assert "Niet teruggebracht" in text and "Hoes" in text and "20 euro" in text


def test_the_checkin_message_says_what_was_recorded(school_a, coordinator_a, client, english):
    loan = _family_loan(school_a, channel="email")
    client.force_login(coordinator_a)
    response = client.post("/desk/checkin/", {
        "asset_tag": loan.device.asset_tag, "condition_in": "damaged", "accessories_in": ["charger"],
        "record_incident": "on", "incident_description": "Cracked", "cost_to_family": "0",
        "send_to_repair": "on", "confirm": "1"}, follow=True)
    message = [str(m) for m in response.context["messages"]][0]
    assert "Missing: Sleeve." in message
    assert "A damage incident is recorded (cost to the family: € 0" in message
    assert "The device is in repair." in message and "receipt by e-mail" in message


def test_a_second_submit_of_the_confirm_hands_out_once_and_shows_the_success_once(coordinator_a, school_a, client):
    pupil = PupilFactory(school=school_a, needs_device=True, class_name="5A")
    PupilFactory(school=school_a, needs_device=True, class_name="5B")
    device = DeviceFactory(school=school_a, asset_tag="LT-0001")
    client.force_login(coordinator_a)
    key = str(uuid.uuid4())
    data = {"asset_tag": "lt-0001", "borrower": f"pupil:{pupil.pk}", "condition_out": "good", "confirm": "1",
            "checkout_key": key}
    first = client.post("/desk/handout/", data)
    second = client.post("/desk/handout/", data)
    assert first.status_code == second.status_code == 302 and first["Location"] == second["Location"]
    assert Loan.objects.filter(device=device).count() == 1
    page = client.get(second["Location"])
    body = page.content.decode()
    assert body.count('id="desk-done"') == 1 and "LT-0001" in body
    assert "already on loan" not in body and page.context["pupil"] != pupil  # the next pupil is up


def test_the_same_device_for_another_confirm_screen_is_refused(coordinator_a, school_a, client):
    first, second = PupilFactory(school=school_a), PupilFactory(school=school_a)
    device = DeviceFactory(school=school_a)
    client.force_login(coordinator_a)
    for pupil in (first, second):
        response = client.post("/desk/", {"asset_tag": device.asset_tag, "borrower": f"pupil:{pupil.pk}",
                                          "condition_out": "good", "confirm": "1", "checkout_key": str(uuid.uuid4())})
    assert response.status_code == 200 and response.context["form"].errors
    assert Loan.objects.get(device=device).pupil == first


@pytest.mark.django_db(transaction=True)
def test_no_pdf_is_rendered_inside_the_checkout_request(coordinator_a, school_a, client, monkeypatch):
    """In eager mode (make run) the render waits until the response has gone out."""
    from lending import pdf
    from portal import after_response

    inside_request = []
    monkeypatch.setattr(pdf, "store_agreement_pdf",
                        lambda agreement: inside_request.append(after_response._state.in_request))
    client.force_login(coordinator_a)
    response = client.post("/desk/", {"asset_tag": DeviceFactory(school=school_a).asset_tag, "condition_out": "good",
                                      "borrower": f"pupil:{PupilFactory(school=school_a).pk}", "confirm": "1"})
    assert response.status_code == 302
    assert inside_request == [False]  # rendered once, after the response


def test_an_ended_loans_agreement_gets_no_reminder_even_when_planned_before(school_a, coordinator_a):
    from reminders import sending
    from reminders.models import Reminder

    ten = datetime.combine(timezone.localdate(), time(10), tzinfo=ZoneInfo("Europe/Brussels"))
    loan = _family_loan(school_a)
    agreement = AgreementFactory(loan=loan, status=Agreement.Status.SENT)
    reminder = Reminder.objects.create(kind="agreement_unsigned", subject_type="agreement", subject_id=agreement.pk,
                                       step=1, school=school_a, household=loan.pupil.household, channel="email",
                                       language="fr", due_at=ten - timedelta(hours=1))
    desk.loan_checkin(loan=loan, by=coordinator_a, condition_in="good")
    mail.outbox.clear()  # the receipt
    assert sending.send_pending(now=ten) == 1
    reminder.refresh_from_db()
    assert reminder.status == Reminder.Status.SKIPPED and mail.outbox == []
