"""Device import: the service, the management command and the upload page with its preview."""
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from lending.device_import import import_devices, parse_amount
from lending.models import Device
from portal.csvfiles import ImportRejected
from portal.models import AuditEvent

from ..factories import DeviceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


DUTCH = (
    "inventarisnummer;soort;financiering;merk_model;serienummer;aankoopwaarde;toebehoren\n"
    "lap 001;Laptop;Digisprong;Lenovo 300e;SN1;649,00;lader, hoes\n"
    "LAP-002;Chromebook;overheid;Acer C733;SN2;€ 1.234,50;\n"
    "tab-003;tablet;schenking;iPad 9;SN3;;\n"
)
ENGLISH = (
    "asset_tag,kind,funding_source,make_model,serial_number,purchase_value,accessories\n"
    "LAP001,laptop,digisprong,Lenovo 300e,SN1,649.00,charger|sleeve\n"
)


def _reasons(raised) -> str:
    return "\n".join(str(error) for error in raised.value.errors)


# --- the service -----------------------------------------------------------------------------------


def test_dutch_file_with_semicolons_creates_devices(school_a, coordinator_a):
    summary = import_devices(school=school_a, data=DUTCH.encode("utf-8-sig"), by=coordinator_a)
    assert (summary.created, summary.updated, summary.unchanged) == (3, 0, 0)
    devices = {device.asset_tag: device for device in Device.objects.filter(school=school_a)}
    assert set(devices) == {"LAP001", "LAP-002", "TAB-003"}
    assert devices["LAP001"].purchase_value == Decimal("649.00")
    assert devices["LAP001"].accessories == ["charger", "sleeve"]
    assert devices["LAP-002"].kind == "chromebook" and devices["LAP-002"].funding_source == "government_2020"
    assert devices["LAP-002"].purchase_value == Decimal("1234.50")
    assert devices["TAB-003"].purchase_value == Decimal("0") and devices["TAB-003"].funding_source == "donation"
    events = AuditEvent.objects.filter(action="device.imported", school=school_a, actor=coordinator_a)
    assert events.count() == 3


def test_reimporting_the_same_file_changes_nothing(school_a):
    import_devices(school=school_a, data=DUTCH.encode())
    before = list(Device.objects.values())
    summary = import_devices(school=school_a, data=DUTCH.encode())
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 3)
    assert list(Device.objects.values()) == before
    assert AuditEvent.objects.filter(action="device.updated_by_import").count() == 0


def test_a_changed_line_updates_only_that_device_and_empty_cells_keep_values(school_a):
    import_devices(school=school_a, data=DUTCH.encode())
    changed = DUTCH.replace("Lenovo 300e;SN1;649,00", "Lenovo 300e;SN1;599,00").replace("iPad 9;SN3", ";SN3")
    summary = import_devices(school=school_a, data=changed.encode())
    assert (summary.created, summary.updated, summary.unchanged) == (0, 1, 2)
    assert Device.objects.get(asset_tag="LAP001").purchase_value == Decimal("599.00")
    assert Device.objects.get(asset_tag="TAB-003").make_model == "iPad 9"
    event = AuditEvent.objects.get(action="device.updated_by_import")
    assert (event.before, event.after) == ({"purchase_value": "649.00"}, {"purchase_value": "599.00"})


def test_windows_1252_and_commas_are_read(school_a):
    data = ENGLISH.replace("Lenovo 300e", "Lenovo Ideapad – élève").encode("cp1252")
    import_devices(school=school_a, data=data)
    assert Device.objects.get().make_model == "Lenovo Ideapad – élève"


def test_tags_are_matched_within_the_school_only(school_a, school_b):
    DeviceFactory(school=school_b, asset_tag="LAP001", funding_source="other")
    summary = import_devices(school=school_a, data=ENGLISH.encode())
    assert summary.created == 1
    assert Device.objects.get(school=school_b).funding_source == "other"


@pytest.mark.parametrize("data, reason", [
    ("asset_tag;kind\nA1;laptop\n".encode("utf-16"), "UTF-16"),
    (b"kind;funding_source\nlaptop;digisprong\n", "missing columns"),
    (b"asset_tag;inventarisnummer;funding_source\nA1;A1;digisprong\n", "more than once"),
    (b"asset_tag;kind;funding_source\nA1;toaster;digisprong\n", "line 2: unknown kind"),
    (b"asset_tag;funding_source\nA1;lottery\n", "line 2: unknown funding source"),
    (b"asset_tag;funding_source;purchase_value\nA1;digisprong;veel\n", "line 2: purchase value"),
    (b"asset_tag;funding_source;purchase_value\nA1;digisprong;-5\n", "line 2: purchase value"),
    (b"asset_tag;funding_source;purchase_value\nA1;digisprong;12,345\n", "line 2: purchase value"),
    (b"asset_tag;funding_source\nA1;digisprong\na 1;digisprong\n", "line 3: asset tag A1 already appears on line 2"),
    (b"asset_tag;funding_source\n;digisprong\n", "line 2: asset tag is empty"),
    (b"asset_tag;funding_source\nA1;\n", "line 2: funding source is empty"),
    (b"asset_tag;funding_source;toebehoren\nA1;digisprong;lader, snoepjes\n", "unknown accessories: snoepjes"),
    (b"asset_tag;funding_source\n" + b"A" * 41 + b";digisprong\n", "longer than 40"),
    (b"asset_tag;funding_source\n", "no data rows"),
    (b"asset_tag;funding_source\nA1;digisprong;extra\n", "line 2: has 3 values"),
])
def test_each_bad_file_is_rejected_with_the_reason_and_nothing_is_written(school_a, data, reason):
    with pytest.raises(ImportRejected) as raised:
        import_devices(school=school_a, data=data)
    assert reason in _reasons(raised)
    assert not Device.objects.exists()


def test_every_bad_line_is_reported_and_good_lines_are_not_imported(school_a):
    data = (b"asset_tag;kind;funding_source;purchase_value\n"
            b"GOOD1;laptop;digisprong;100\n"
            b"BAD1;toaster;digisprong;100\n"
            b"GOOD2;tablet;donatie;1,5\n"
            b"BAD2;laptop;digisprong;abc\n"
            b"GOOD1;laptop;digisprong;100\n")
    with pytest.raises(ImportRejected) as raised:
        import_devices(school=school_a, data=data)
    assert [error.line for error in raised.value.errors] == [3, 5, 6]
    assert not Device.objects.exists()


@pytest.mark.parametrize("text, amount", [
    ("649,00", Decimal("649.00")), ("649", Decimal("649.00")), ("€ 1.234,50", Decimal("1234.50")),
    ("1,234.50", Decimal("1234.50")), ("1 234,5", Decimal("1234.50")), ("0.99", Decimal("0.99")),
    ("-1", None), ("1e3", None), ("1,2,3", None), ("1000000", None), ("abc", None),
])
def test_amounts_with_decimal_comma(text, amount):
    assert parse_amount(text) == amount


# --- the management command ------------------------------------------------------------------------


def test_command_imports_for_the_school_by_its_number(school_a, tmp_path):
    path = tmp_path / "toestellen.csv"
    path.write_bytes(DUTCH.encode("utf-8-sig"))
    call_command("import_devices", str(path), "--school", school_a.instellingsnummer)
    assert Device.objects.filter(school=school_a).count() == 3


def test_command_refuses_a_bad_file_and_an_unknown_school(school_a, tmp_path, capsys):
    path = tmp_path / "fout.csv"
    path.write_bytes(b"asset_tag;kind;funding_source\nA1;toaster;digisprong\n")
    with pytest.raises(CommandError, match="has 1 problem; nothing was imported"):
        call_command("import_devices", str(path), "--school", school_a.instellingsnummer)
    assert "line 2: unknown kind “toaster”" in capsys.readouterr().err
    with pytest.raises(CommandError, match="no school with number 000000"):
        call_command("import_devices", str(path), "--school", "000000")
    assert not Device.objects.exists()


# --- the upload page -------------------------------------------------------------------------------


def _upload(client, data: bytes, name="toestellen.csv"):
    return client.post(reverse("device_import"), {"file": SimpleUploadedFile(name, data, "text/csv")})


def test_upload_previews_then_confirm_imports(client, coordinator_a, school_a):
    DeviceFactory(school=school_a, asset_tag="LAP001", funding_source="digisprong", kind="laptop",
                  make_model="Old name", serial_number="SN1", purchase_value=Decimal("649.00"),
                  accessories=["charger", "sleeve"])
    client.force_login(coordinator_a)
    preview = _upload(client, DUTCH.encode("utf-8-sig"))
    assert preview.status_code == 200
    plan = preview.context["plan"]
    assert [item.asset_tag for item in plan.create] == ["LAP-002", "TAB-003"]
    assert [item.asset_tag for item in plan.update] == ["LAP001"]
    html = preview.content.decode()
    assert "LAP-002" in html and "Old name" in html
    assert "Government laptops (November 2020)" in html  # values as people read them, not codes
    assert Device.objects.count() == 1  # the preview writes nothing

    digest = preview.context["confirm_form"].initial["sha256"]
    done = client.post(reverse("device_import"), {"sha256": digest, "confirm": "1"})
    assert done.status_code == 302 and done["Location"] == reverse("device_list")
    assert Device.objects.filter(school=school_a).count() == 3
    assert Device.objects.get(asset_tag="LAP001").make_model == "Lenovo 300e"
    assert "device_import" not in client.session
    # Confirming twice imports nothing more and says the file is gone.
    again = client.post(reverse("device_import"), {"sha256": digest, "confirm": "1"}, follow=True)
    assert again.redirect_chain[-1][0] == reverse("device_import")
    assert Device.objects.count() == 3


def test_confirm_with_another_files_digest_imports_nothing(client, coordinator_a, school_a):
    client.force_login(coordinator_a)
    _upload(client, DUTCH.encode())
    response = client.post(reverse("device_import"), {"sha256": "0" * 64, "confirm": "1"})
    assert response.status_code == 302 and response["Location"] == reverse("device_import")
    assert not Device.objects.exists()


def test_preview_of_a_bad_file_lists_every_error_and_offers_no_confirm(client, coordinator_a, school_a):
    client.force_login(coordinator_a)
    response = _upload(client, b"asset_tag;kind;funding_source\nA1;toaster;digisprong\nA2;laptop;loterij\n")
    assert response.status_code == 200
    assert [error.line for error in response.context["errors"]] == [2, 3]
    assert "confirm_form" not in response.context
    assert "device_import" not in client.session


@pytest.mark.parametrize("data, field_error", [
    (b"x" * (2 * 1024 * 1024 + 1), "2 MB"),
    (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "CSV"),
])
def test_upload_refuses_big_or_binary_files(client, coordinator_a, school_a, data, field_error):
    client.force_login(coordinator_a)
    response = _upload(client, data)
    assert response.status_code == 200
    assert field_error in str(response.context["form"].errors["file"])
    assert "device_import" not in client.session


def test_utf16_upload_is_explained(client, coordinator_a, school_a):
    client.force_login(coordinator_a)
    response = _upload(client, "asset_tag;funding_source\nA1;digisprong\n".encode("utf-16"))
    assert "UTF-16" in str(response.context["errors"][0])


def test_import_goes_to_the_coordinators_own_school(client, coordinator_b, school_a, school_b):
    client.force_login(coordinator_b)
    preview = _upload(client, ENGLISH.encode())
    client.post(reverse("device_import"), {"sha256": preview.context["confirm_form"].initial["sha256"],
                                           "confirm": "1"})
    assert list(Device.objects.values_list("school", flat=True)) == [school_b.pk]


def test_import_page_is_closed_to_lop_staff(client, lop_staff_a, school_a):
    client.force_login(lop_staff_a)
    assert client.get(reverse("device_import")).status_code == 403
    assert _upload(client, ENGLISH.encode()).status_code == 403
    assert not Device.objects.exists()


def test_the_portals_own_dutch_funding_label_imports_and_the_preview_shows_a_dutch_amount(school_a, client,
                                                                                            coordinator_a):
    from django.utils import translation

    from lending.device_import import plan_device_import

    csv = ("asset_tag;kind;funding_source;purchase_value\n"
           "LT-9001;Laptop;Laptops van de overheid (november 2020);649,00\n").encode()
    plan = plan_device_import(school=school_a, data=csv)
    (row,) = plan.create
    assert row.values["funding_source"] == "government_2020" and row.values["kind"] == "laptop"
    with translation.override("nl"):
        assert ("Aankoopwaarde (euro)".lower(), "649,00") in [(label.lower(), value) for label, value in row.shown_values]
