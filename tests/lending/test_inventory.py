"""Inventory pages through HTTP: list, filters, paging, device page with history, add and edit."""
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from lending import inventory
from lending.models import Device, Incident, Loan, Repair
from portal.models import AuditEvent

from ..factories import DeviceFactory, LoanFactory, PupilFactory, StaffMemberFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _rows(response):
    return [device.asset_tag for device in response.context["page"].object_list]


# --- list ------------------------------------------------------------------------------------------


def test_list_shows_own_devices_sorted_by_tag_and_never_another_school(client, coordinator_a, school_a, school_b):
    DeviceFactory(school=school_a, asset_tag="B-2")
    DeviceFactory(school=school_a, asset_tag="A-1")
    DeviceFactory(school=school_b, asset_tag="SECRET-B")
    client.force_login(coordinator_a)
    response = client.get(reverse("device_list"))
    assert response.status_code == 200
    assert _rows(response) == ["A-1", "B-2"]
    assert "SECRET-B" not in response.content.decode()


def test_list_is_for_school_staff_only(client, director_a, lop_staff_a, school_a):
    DeviceFactory(school=school_a, asset_tag="DIR-1")
    client.force_login(director_a)
    assert "DIR-1" in client.get(reverse("device_list")).content.decode()
    client.force_login(lop_staff_a)
    assert client.get(reverse("device_list")).status_code == 403
    client.logout()
    assert client.get(reverse("device_list")).status_code == 302


def test_list_filters_by_status_kind_funding_and_text(client, coordinator_a, school_a):
    DeviceFactory(school=school_a, asset_tag="LAP-1", kind="laptop", funding_source="digisprong",
                  make_model="Lenovo 300e", serial_number="SN-AAA")
    DeviceFactory(school=school_a, asset_tag="TAB-1", kind="tablet", funding_source="donation",
                  status=Device.Status.IN_REPAIR, make_model="iPad 9")
    DeviceFactory(school=school_a, asset_tag="CHR-1", kind="chromebook", funding_source="government_2020")
    client.force_login(coordinator_a)
    url = reverse("device_list")
    assert _rows(client.get(url, {"status": "in_repair"})) == ["TAB-1"]
    assert _rows(client.get(url, {"kind": "chromebook"})) == ["CHR-1"]
    assert _rows(client.get(url, {"funding_source": "digisprong"})) == ["LAP-1"]
    assert _rows(client.get(url, {"q": "ipad"})) == ["TAB-1"]
    assert _rows(client.get(url, {"q": "sn-aaa"})) == ["LAP-1"]
    assert _rows(client.get(url, {"q": " lap 1"})) == []  # "LAP1" is not in "LAP-1"
    assert _rows(client.get(url, {"q": "lap-1"})) == ["LAP-1"]  # typed in lower case
    assert _rows(client.get(url, {"kind": "laptop", "status": "in_repair"})) == []


def test_list_pages_by_50_and_keeps_the_filter_in_page_links(client, coordinator_a, school_a):
    DeviceFactory.create_batch(60, school=school_a, kind="tablet")
    DeviceFactory(school=school_a, kind="laptop")
    client.force_login(coordinator_a)
    first = client.get(reverse("device_list"), {"kind": "tablet"})
    assert len(_rows(first)) == 50
    assert first.context["page"].paginator.count == 60
    assert "?kind=tablet&amp;page=2" in first.content.decode()
    second = client.get(reverse("device_list"), {"kind": "tablet", "page": 2})
    assert len(_rows(second)) == 10
    assert not set(_rows(first)) & set(_rows(second))


def test_list_shows_who_has_each_device_on_loan(client, coordinator_a, school_a):
    pupil = PupilFactory(school=school_a, first_name="Lotte", last_name="Janssens", class_name="6B")
    teacher = StaffMemberFactory(school=school_a, name="Meester Koen")
    LoanFactory(device=DeviceFactory(school=school_a, asset_tag="P-1", status="on_loan"), pupil=pupil)
    LoanFactory(device=DeviceFactory(school=school_a, asset_tag="S-1", status="on_loan"), pupil=None,
                staff_member=teacher)
    returned = LoanFactory(device=DeviceFactory(school=school_a, asset_tag="R-1"),
                           pupil=PupilFactory(school=school_a, first_name="Oud"))
    Loan.objects.filter(pk=returned.pk).update(status=Loan.Status.RETURNED, returned_at=timezone.now())
    client.force_login(coordinator_a)
    html = client.get(reverse("device_list")).content.decode()
    assert "Lotte Janssens (6B)" in html
    assert "Meester Koen" in html
    assert "Oud" not in html  # a returned loan is history, not the current borrower


def _fill_school(school, count):
    for index in range(count):
        device = DeviceFactory(school=school)
        if index % 3 == 0:
            LoanFactory(device=device)
        elif index % 3 == 1:
            LoanFactory(device=device, pupil=None, staff_member=StaffMemberFactory(school=school))


@pytest.mark.parametrize("size", [3, 300])
def test_list_runs_a_bounded_number_of_queries(size, client, coordinator_a, school_a,
                                               django_assert_max_num_queries):
    _fill_school(school_a, size)
    client.force_login(coordinator_a)
    # Session, user, role, count, the nav's LOP check, one page of devices, their open loans with borrowers.
    with django_assert_max_num_queries(7):
        response = client.get(reverse("device_list"), {"kind": "laptop"})
    assert response.status_code == 200
    assert len(_rows(response)) == min(size, 50)


# --- device page -----------------------------------------------------------------------------------


def test_device_page_shows_full_history_newest_first(client, coordinator_a, school_a):
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=60)):
        device = inventory.device_create(school=school_a, by=coordinator_a, asset_tag="hist 1",
                                         funding_source="digisprong")
    loan = LoanFactory(device=device, pupil=PupilFactory(school=school_a, first_name="Mila", class_name="4A"),
                       started_at=now - timedelta(days=30), condition_out="good")
    Loan.objects.filter(pk=loan.pk).update(status=Loan.Status.RETURNED, returned_at=now - timedelta(days=20),
                                           condition_in="damaged")
    incident = Incident.objects.create(device=device, loan=loan, kind="damage", description="Scherm gebarsten",
                                       reported_at=now - timedelta(days=20))
    Repair.objects.create(device=device, incident=incident, supplier="PC Hersteldienst",
                          sent_at=now - timedelta(days=19), returned_at=now - timedelta(days=5))
    inventory.device_update(device=device, by=coordinator_a, status=Device.Status.RETIRED)
    client.force_login(coordinator_a)
    response = client.get(reverse("device_detail", kwargs={"device_id": device.pk}))
    assert response.status_code == 200
    kinds = [entry.kind for entry in response.context["history"]]
    assert kinds == ["change", "repair", "incident", "loan", "change"]
    html = response.content.decode()
    assert "Mila" in html and "4A" in html
    assert "Scherm gebarsten" in html and "PC Hersteldienst" in html
    assert coordinator_a.email in html  # who changed the status
    status_change = response.context["history"][0].obj
    assert status_change.status_changed
    assert [change["field"] for change in status_change.changes] == ["status"]
    assert (status_change.before, status_change.after) == ({"status": "available"}, {"status": "retired"})


def test_device_page_shows_who_changed_the_status_at_the_desk(client, coordinator_a, director_a, school_a):
    from portal.audit import record

    device = DeviceFactory(school=school_a, status=Device.Status.ON_LOAN)
    loan = LoanFactory(device=device)
    repair = Repair.objects.create(device=device, supplier="Hersteldienst")
    # What the desk services write: audit rows on the loan and the repair, none on the device itself.
    with time_machine.travel(timezone.now() - timedelta(days=3)):
        record(actor=director_a, action="loan.checked_out", instance=loan, school=school_a, after={})
    record(actor=coordinator_a, action="repair.sent", instance=repair, school=school_a, after={})
    other = LoanFactory(device=DeviceFactory(school=school_a))
    record(actor=coordinator_a, action="loan.checked_out", instance=other, school=school_a, after={})
    client.force_login(coordinator_a)
    response = client.get(reverse("device_detail", kwargs={"device_id": device.pk}))
    desk = [entry.obj for entry in response.context["history"] if entry.kind == "desk"]
    assert [(event.action, event.actor) for event in desk] == [("repair.sent", coordinator_a),
                                                               ("loan.checked_out", director_a)]
    assert [str(event.new_status) for event in desk] == ["In repair", "On loan"]
    html = response.content.decode()
    assert director_a.email in html and "Device sent for repair" in html and "Device lent" in html


def test_device_page_of_another_school_is_404(client, coordinator_b, school_a):
    device = DeviceFactory(school=school_a)
    client.force_login(coordinator_b)
    assert client.get(reverse("device_detail", kwargs={"device_id": device.pk})).status_code == 404
    assert client.get(reverse("device_edit", kwargs={"device_id": device.pk})).status_code == 404
    response = client.post(reverse("device_edit", kwargs={"device_id": device.pk}),
                           {"asset_tag": "STOLEN", "kind": "laptop", "funding_source": "other",
                            "purchase_value": "1", "status": "available"})
    assert response.status_code == 404
    device.refresh_from_db()
    assert device.asset_tag != "STOLEN"


def test_device_page_runs_a_bounded_number_of_queries(client, coordinator_a, school_a,
                                                      django_assert_max_num_queries):
    device = DeviceFactory(school=school_a)
    for _ in range(5):
        loan = LoanFactory(device=device, status=Loan.Status.RETURNED, returned_at=timezone.now(),
                           handed_out_by=coordinator_a, received_by=coordinator_a)
        Incident.objects.create(device=device, loan=loan, kind="loss", reported_by=coordinator_a)
    for value in range(5):
        inventory.device_update(device=device, by=coordinator_a, purchase_value=Decimal(value))
    client.force_login(coordinator_a)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("device_detail", kwargs={"device_id": device.pk}))
    assert len(response.context["history"]) == 15


# --- add and edit ----------------------------------------------------------------------------------

FORM = {"asset_tag": " lap 0042 ", "kind": "chromebook", "funding_source": "government_2020",
        "make_model": "Acer C733", "serial_number": "NXH8", "purchase_value": "649.00",
        "accessories": ["charger", "sleeve"], "status": "available"}


def test_coordinator_adds_a_device_with_normalised_tag_and_audit_row(client, coordinator_a, school_a):
    client.force_login(coordinator_a)
    response = client.post(reverse("device_create"), FORM)
    device = Device.objects.get(school=school_a)
    assert response.status_code == 302
    assert response["Location"] == reverse("device_detail", kwargs={"device_id": device.pk})
    assert device.asset_tag == "LAP0042"
    assert device.accessories == ["charger", "sleeve"]
    event = AuditEvent.objects.get(object_type="lending.device", object_id=str(device.pk))
    assert (event.action, event.actor, event.school, event.before) == ("device.created", coordinator_a, school_a, None)
    assert event.after["asset_tag"] == "LAP0042" and event.after["purchase_value"] == "649.00"


def test_duplicate_tag_in_the_school_is_a_form_error(client, coordinator_a, school_a, school_b):
    DeviceFactory(school=school_a, asset_tag="LAP0042")
    DeviceFactory(school=school_b, asset_tag="OTHER1")
    client.force_login(coordinator_a)
    response = client.post(reverse("device_create"), FORM)
    assert response.status_code == 200
    assert "LAP0042" in str(response.context["form"].errors["asset_tag"])
    assert Device.objects.filter(school=school_a).count() == 1
    # The same tag at another school is no conflict.
    response = client.post(reverse("device_create"), {**FORM, "asset_tag": "other1"})
    assert response.status_code == 302


def test_service_refuses_a_duplicate_even_without_the_form(school_a, coordinator_a):
    from django.core.exceptions import ValidationError

    DeviceFactory(school=school_a, asset_tag="X1")
    with pytest.raises(ValidationError) as raised:
        inventory.device_create(school=school_a, by=coordinator_a, asset_tag="x 1", funding_source="other")
    assert "asset_tag" in raised.value.message_dict
    assert AuditEvent.objects.count() == 0


def test_edit_changes_the_device_and_records_before_and_after(client, coordinator_a, school_a):
    device = DeviceFactory(school=school_a, asset_tag="OLD1", purchase_value=Decimal("500.00"))
    client.force_login(coordinator_a)
    url = reverse("device_edit", kwargs={"device_id": device.pk})
    assert client.get(url).context["form"].initial["asset_tag"] == "OLD1"
    response = client.post(url, {**FORM, "asset_tag": "old1", "purchase_value": "500.00", "status": "lost",
                                 "kind": "laptop", "funding_source": "digisprong", "make_model": "",
                                 "serial_number": "", "accessories": []})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.status == Device.Status.LOST
    event = AuditEvent.objects.get(action="device.updated")
    assert event.before == {"status": "available"} and event.after == {"status": "lost"}


def test_edit_to_a_tag_already_used_is_a_form_error(client, coordinator_a, school_a):
    DeviceFactory(school=school_a, asset_tag="TAKEN")
    device = DeviceFactory(school=school_a, asset_tag="MINE")
    client.force_login(coordinator_a)
    response = client.post(reverse("device_edit", kwargs={"device_id": device.pk}), {**FORM, "asset_tag": "taken"})
    assert response.status_code == 200
    assert response.context["form"].errors["asset_tag"]
    device.refresh_from_db()
    assert device.asset_tag == "MINE"


def test_status_on_loan_cannot_be_changed_on_the_edit_page(client, coordinator_a, school_a):
    device = DeviceFactory(school=school_a, asset_tag="OUT1", status=Device.Status.ON_LOAN)
    LoanFactory(device=device)
    client.force_login(coordinator_a)
    response = client.post(reverse("device_edit", kwargs={"device_id": device.pk}),
                           {**FORM, "asset_tag": "OUT1", "status": "available"})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.status == Device.Status.ON_LOAN
    assert device.kind == "chromebook"  # the other fields did change
    # Nor can anyone put a device on loan from here.
    other = DeviceFactory(school=school_a)
    response = client.post(reverse("device_edit", kwargs={"device_id": other.pk}),
                           {**FORM, "asset_tag": other.asset_tag, "status": "on_loan"})
    assert response.status_code == 200 and "status" in response.context["form"].errors


def test_an_edit_that_changes_nothing_writes_no_audit_row(school_a, coordinator_a):
    device = DeviceFactory(school=school_a, asset_tag="SAME")
    inventory.device_update(device=device, by=coordinator_a, asset_tag="same", kind=device.kind)
    assert not AuditEvent.objects.exists()


def test_bad_value_is_refused_by_the_form(client, coordinator_a, school_a):
    client.force_login(coordinator_a)
    response = client.post(reverse("device_create"), {**FORM, "purchase_value": "-5", "kind": "toaster"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"purchase_value", "kind"}
    assert not Device.objects.exists()
