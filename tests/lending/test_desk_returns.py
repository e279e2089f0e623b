"""Taking devices back, damage, repairs, leavers and the new school year."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lending.due_dates import next_school_year_end, renewal_due, school_year_end
from lending.models import Agreement, AgreementTerms, Device, Incident, Loan, Repair
from portal.models import AuditEvent

from ..factories import AgreementFactory, DeviceFactory, LoanFactory

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _open_loan(school, **kwargs):
    return LoanFactory(device__school=school, device__status=Device.Status.ON_LOAN,
                       accessories_out=["charger", "sleeve"], **kwargs)


def _checkin(client, loan, **extra):
    data = {"asset_tag": loan.device.asset_tag, "condition_in": "good", "accessories_in": ["charger"],
            "confirm": "1", **extra}
    return client.post("/desk/checkin/", data)


def test_scanning_a_device_shows_its_loan_with_the_accessories_ticked(coordinator_a, school_a, client):
    loan = _open_loan(school_a)
    client.force_login(coordinator_a)
    response = client.post("/desk/checkin/", {"asset_tag": loan.device.asset_tag})
    assert response.context["loan"] == loan
    assert response.context["form"]["accessories_in"].value() == ["charger", "sleeve"]
    assert not Loan.objects.get(pk=loan.pk).returned_at


def test_checkin_makes_the_device_available(coordinator_a, school_a, client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    loan = _open_loan(school_a)
    client.force_login(coordinator_a)
    response = _checkin(client, loan, return_photo=SimpleUploadedFile("back.png", PNG, "image/png"))
    assert response.status_code == 302
    loan.refresh_from_db()
    loan.device.refresh_from_db()
    assert loan.status == Loan.Status.RETURNED and loan.returned_at and loan.received_by == coordinator_a
    assert loan.accessories_in == ["charger"] and loan.return_photo.name.startswith("returns/")
    assert loan.device.status == Device.Status.AVAILABLE
    event = AuditEvent.objects.get(action="loan.returned", object_id=str(loan.pk))
    assert event.after["accessories_missing"] == ["sleeve"]


def test_checkin_refuses_a_file_that_is_not_a_photo(coordinator_a, school_a, client):
    loan = _open_loan(school_a)
    client.force_login(coordinator_a)
    fake = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00 not really a jpeg", "image/jpeg")
    response = _checkin(client, loan, return_photo=fake)
    assert response.status_code == 200 and "return_photo" in response.context["form"].errors
    big = SimpleUploadedFile("big.png", PNG + b"\x00" * (5 * 1024 * 1024), "image/png")
    response = _checkin(client, loan, return_photo=big)
    assert "return_photo" in response.context["form"].errors
    assert Loan.objects.get(pk=loan.pk).status == Loan.Status.ACTIVE


def test_checkin_of_a_damaged_device_sends_it_to_repair_with_an_incident(coordinator_a, school_a, client):
    loan = _open_loan(school_a)
    client.force_login(coordinator_a)
    response = _checkin(client, loan, condition_in="damaged", send_to_repair="on", supplier="PC Hulp",
                        record_incident="on", incident_description="Screen cracked", cost_to_family="0")
    assert response.status_code == 302
    loan.refresh_from_db()
    assert loan.condition_in == "damaged" and loan.status == Loan.Status.RETURNED
    assert Device.objects.get(pk=loan.device_id).status == Device.Status.IN_REPAIR
    repair = Repair.objects.get(device=loan.device_id)
    assert repair.supplier == "PC Hulp" and repair.incident.loan == loan
    assert repair.incident.cost_to_family == 0


def test_checkin_of_a_device_not_on_loan_is_refused(coordinator_a, school_a, client):
    device = DeviceFactory(school=school_a)
    client.force_login(coordinator_a)
    response = client.post("/desk/checkin/", {"asset_tag": device.asset_tag, "confirm": "1",
                                              "condition_in": "good"})
    assert response.status_code == 200 and "asset_tag" in response.context["form"].errors


def test_incident_cost_is_capped_by_the_terms(coordinator_a, school_a, client):
    AgreementTerms.objects.create(school=school_a, version=1, damage_cap=Decimal("25"))
    loan = _open_loan(school_a)
    client.force_login(coordinator_a)
    url = f"/desk/loans/{loan.pk}/incident/"
    refused = client.post(url, {"kind": "damage", "description": "Keyboard", "cost_to_family": "30"})
    assert refused.status_code == 200
    assert "25" in str(refused.context["form"].errors["cost_to_family"])
    assert not Incident.objects.exists()
    accepted = client.post(url, {"kind": "damage", "description": "Keyboard", "cost_to_family": "25"})
    assert accepted.status_code == 302
    incident = Incident.objects.get()
    assert incident.cost_to_family == Decimal("25") and incident.loan == loan
    assert Loan.objects.get(pk=loan.pk).status == Loan.Status.ACTIVE  # damage does not end the loan


def test_default_cap_is_zero(coordinator_a, school_a, client):
    device = DeviceFactory(school=school_a)
    client.force_login(coordinator_a)
    response = client.post(f"/desk/devices/{device.pk}/incident/",
                           {"kind": "damage", "description": "", "cost_to_family": "1"})
    assert response.status_code == 200 and not Incident.objects.exists()


def test_loss_ends_the_open_loan_and_marks_the_device_lost(coordinator_a, school_a, client):
    loan = _open_loan(school_a)
    client.force_login(coordinator_a)
    response = client.post(f"/desk/devices/{loan.device.pk}/incident/",
                           {"kind": "theft", "description": "Stolen on the bus", "cost_to_family": "0"})
    assert response.status_code == 302
    loan.refresh_from_db()
    assert loan.status == Loan.Status.LOST and loan.returned_at is not None
    assert Device.objects.get(pk=loan.device_id).status == Device.Status.LOST
    assert Incident.objects.get().loan == loan


def test_repair_send_and_back(coordinator_a, school_a, client):
    device = DeviceFactory(school=school_a)
    client.force_login(coordinator_a)
    assert client.post(f"/desk/devices/{device.pk}/repair/", {"supplier": "Herstel NV"}).status_code == 302
    repair = Repair.objects.get(device=device)
    assert Device.objects.get(pk=device.pk).status == Device.Status.IN_REPAIR
    assert client.get("/desk/repairs/").status_code == 200
    today = timezone.localdate().isoformat()
    response = client.post(f"/desk/repairs/{repair.pk}/back/", {"cost": "45.50", "back_on": today})
    assert response.status_code == 302
    repair.refresh_from_db()
    assert repair.returned_at is not None and repair.cost == Decimal("45.50")
    assert Device.objects.get(pk=device.pk).status == Device.Status.AVAILABLE
    again = client.post(f"/desk/repairs/{repair.pk}/back/", {"cost": "0", "back_on": today})
    assert again.status_code == 200  # already closed: a message, not a second change


def test_a_device_on_loan_cannot_go_to_repair(coordinator_a, school_a, client):
    loan = _open_loan(school_a)
    client.force_login(coordinator_a)
    assert client.post(f"/desk/devices/{loan.device.pk}/repair/", {"supplier": "x"}).status_code == 200
    assert not Repair.objects.exists()


def test_repairs_too_long_show_on_the_dashboard(coordinator_a, school_a, client):
    old = Repair.objects.create(device=DeviceFactory(school=school_a, status=Device.Status.IN_REPAIR))
    Repair.objects.filter(pk=old.pk).update(sent_at=timezone.now() - timedelta(days=school_a.repair_too_long_days + 1))
    Repair.objects.create(device=DeviceFactory(school=school_a, status=Device.Status.IN_REPAIR))
    client.force_login(coordinator_a)
    response = client.get("/school/")
    assert response.context["counts"]["repairs_too_long"] == 1
    assert 'id="stat-repairs-too-long">1<' in response.content.decode()


def test_leaver_transfer_retires_the_device_and_ends_the_agreement(coordinator_a, school_a, client):
    agreement = AgreementFactory(loan=_open_loan(school_a), status=Agreement.Status.SENT)
    loan = agreement.loan
    client.force_login(coordinator_a)
    assert client.post(f"/desk/loans/{loan.pk}/leaver/", {"outcome": "transfer"}).status_code == 302
    loan.refresh_from_db()
    agreement.refresh_from_db()
    assert loan.status == Loan.Status.TRANSFERRED and loan.returned_at is not None
    assert Device.objects.get(pk=loan.device_id).status == Device.Status.RETIRED
    assert agreement.status == Agreement.Status.ENDED
    assert AuditEvent.objects.filter(action="loan.transferred", object_id=str(loan.pk)).exists()


def test_leaver_return_makes_the_device_available(coordinator_a, school_a, client):
    loan = _open_loan(school_a)
    client.force_login(coordinator_a)
    assert client.post(f"/desk/loans/{loan.pk}/leaver/", {"outcome": "return"}).status_code == 302
    loan.refresh_from_db()
    assert loan.status == Loan.Status.RETURNED
    assert Device.objects.get(pk=loan.device_id).status == Device.Status.AVAILABLE


def test_year_end_renews_the_chosen_loans_and_logs_every_choice(coordinator_a, school_a, school_b, client):
    end = school_year_end()
    stays = _open_loan(school_a, due_on=end)
    leaves = _open_loan(school_a, due_on=end)
    later = _open_loan(school_a, due_on=end + timedelta(days=365))
    _open_loan(school_b, due_on=end)
    client.force_login(coordinator_a)
    page = client.get("/desk/year-end/")
    assert {loan.pk for loan in page.context["loans"]} == {stays.pk, leaves.pk}
    assert client.post("/desk/year-end/", {"renew": [str(stays.pk)]}).status_code == 302
    renewed = Loan.objects.get(pk=stays.pk).due_on
    assert renewed == renewal_due(school=school_a) and renewed.month == 9 and renewed.year == next_school_year_end().year
    assert Loan.objects.get(pk=leaves.pk).due_on == end
    assert Loan.objects.get(pk=later.pk).due_on == later.due_on
    assert AuditEvent.objects.filter(action="loan.renewed", object_id=str(stays.pk), actor=coordinator_a).exists()
    assert AuditEvent.objects.filter(action="loan.year_end_recorded", object_id=str(leaves.pk)).exists()


def test_coordinator_b_gets_404_on_school_a_loans(coordinator_b, school_a, client):
    loan = _open_loan(school_a)
    repair = Repair.objects.create(device=DeviceFactory(school=school_a, status=Device.Status.IN_REPAIR))
    client.force_login(coordinator_b)
    for url in (f"/desk/loans/{loan.pk}/incident/", f"/desk/loans/{loan.pk}/leaver/",
                f"/desk/devices/{loan.device.pk}/incident/", f"/desk/devices/{loan.device.pk}/repair/",
                f"/desk/repairs/{repair.pk}/back/"):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"outcome": "transfer", "kind": "loss", "cost": "0"}).status_code == 404, url
    # Scanning school A's tag at school B finds nothing.
    response = client.post("/desk/checkin/", {"asset_tag": loan.device.asset_tag, "confirm": "1",
                                              "condition_in": "good"})
    assert response.status_code == 200 and "asset_tag" in response.context["form"].errors
    assert Loan.objects.get(pk=loan.pk).status == Loan.Status.ACTIVE
