"""Devices as the school's tools export them: Google Admin and Intune, serial numbers as the key, defaults."""
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from lending.device_import import import_devices, plan_device_import
from lending.models import Device, DeviceImportSettings
from portal.csvfiles import ImportRejected

from ..concurrency import race
from ..factories import DeviceFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

FILES = Path(__file__).resolve().parent.parent / "files"
GOOGLE, INTUNE = "google_admin_chromebooks.csv", "intune_devices.csv"


def data(name):
    return (FILES / name).read_bytes()


def devices(school):
    return {d.asset_tag: (d.serial_number, d.kind, d.make_model, d.funding_source)
            for d in Device.objects.filter(school=school)}


def test_a_google_admin_export_brings_chromebooks_keyed_on_the_serial_number(school_a):
    plan = plan_device_import(school=school_a, data=data(GOOGLE), funding_source="digisprong")
    assert (plan.preset, plan.skipped) == ("google_admin", 1)  # the deprovisioned one is left out
    import_devices(school=school_a, data=data(GOOGLE), funding_source="digisprong")
    assert devices(school_a) == {
        "CB-0001": ("5CD1234ABC", "chromebook", "Lenovo 300e Chromebook Gen 3", "digisprong"),
        "CB-0002": ("5CD1234ABD", "chromebook", "Lenovo 300e Chromebook Gen 3", "digisprong"),
        "NXHQEAA0012": ("NXHQEAA0012", "chromebook", "Acer Chromebook Spin 511", "digisprong"),  # no Asset ID
    }
    again = import_devices(school=school_a, data=data(GOOGLE))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)

    # The school fills in the Asset ID in the console: the same Chromebook gets its tag, not a twin.
    filled = data(GOOGLE).replace(b",,,,,/Leerlingen/Uitleen,Acer Chromebook Spin 511,128",
                                  b",,CB-0003,,,/Leerlingen/Uitleen,Acer Chromebook Spin 511,128")
    summary = import_devices(school=school_a, data=filled)
    assert (summary.created, summary.updated) == (0, 1)
    assert Device.objects.get(serial_number="NXHQEAA0012").asset_tag == "CB-0003"
    assert Device.objects.count() == 3


def test_without_a_default_funding_source_every_new_device_is_named(school_a):
    with pytest.raises(ImportRejected) as refused:
        import_devices(school=school_a, data=data(GOOGLE))
    assert [(e.line, e.reason) for e in refused.value.errors] == [
        (line, "funding source is empty; a new device needs one") for line in (2, 3, 4)]
    assert not Device.objects.exists()


def test_an_intune_export_takes_the_device_name_maker_and_kind_from_the_os(school_a):
    existing = DeviceFactory(school=school_a, asset_tag="OLD-7", serial_number="pf3abc01", funding_source="donation",
                             kind="laptop", make_model="")
    summary = import_devices(school=school_a, data=data(INTUNE), funding_source="school_budget")
    assert (summary.created, summary.updated) == (2, 1)
    existing.refresh_from_db()
    assert (existing.asset_tag, existing.make_model, existing.funding_source) == (
        "VL-LT-041", "LENOVO ThinkPad L13 Gen 4", "donation")  # found by serial; its funding kept
    assert devices(school_a)["VL-IPAD-07"] == ("DMPXK3Q1", "tablet", "Apple iPad (9th generation)", "school_budget")


def test_a_tag_that_belongs_to_another_device_is_refused(school_a):
    DeviceFactory(school=school_a, asset_tag="OTHER", serial_number="PF3ABC01")
    DeviceFactory(school=school_a, asset_tag="VL-LT-041", serial_number="ZZZ")
    with pytest.raises(ImportRejected) as refused:
        import_devices(school=school_a, data=data(INTUNE), funding_source="digisprong")
    assert [e.line for e in refused.value.errors] == [2]
    assert "belongs to another device" in refused.value.errors[0].reason


def test_two_imports_of_one_file_at_the_same_moment_make_each_device_once(transactional_db, school_a):
    outcomes = race(*[lambda: import_devices(school=school_a, data=data(GOOGLE), funding_source="digisprong")
                      for _ in range(2)], own_transaction=False)
    assert outcomes == ["created", "created"] and Device.objects.count() == 3


# --- the pages ---------------------------------------------------------------------------------------


def test_an_export_goes_straight_to_the_check_and_its_choices_are_remembered(client_as, coordinator_a, school_a):
    client = client_as(coordinator_a)
    response = client.post(reverse("device_import"), {
        "file": SimpleUploadedFile("chromebooks.csv", data(GOOGLE)), "preset": "auto", "funding_source": "digisprong"})
    assert response["Location"] == reverse("device_import_check")
    check = client.get(response["Location"])
    page = check.content.decode()
    assert "Google Admin console: Chrome devices export" in page
    assert "1 device is no longer in use in the console" in page
    assert [item.asset_tag for item in check.context["plan"].create] == ["CB-0001", "CB-0002", "NXHQEAA0012"]
    done = client.post(reverse("device_import"), {"sha256": check.context["confirm_form"].initial["sha256"],
                                                  "confirm": "1"})
    assert done["Location"] == reverse("device_list") and Device.objects.count() == 3
    remembered = DeviceImportSettings.objects.get(school=school_a)
    assert (remembered.preset, remembered.funding_source) == ("google_admin", "digisprong")
    form = client.get(reverse("device_import")).context["form"]
    assert (form.initial["preset"], form.initial["funding_source"]) == ("google_admin", "digisprong")


def test_a_file_with_unknown_columns_asks_for_them(client_as, coordinator_a, school_a):
    client = client_as(coordinator_a)
    text = "Nummer;Toestel;Merk\r\nX-1;chromebook;HP\r\n".encode()
    response = client.post(reverse("device_import"), {"file": SimpleUploadedFile("x.csv", text), "preset": "auto",
                                                      "funding_source": "donation"})
    assert response["Location"] == reverse("device_import_columns")
    refused = client.post(reverse("device_import_columns"), {"kind": "toestel"})
    assert "Choose the column of the asset tag or of the serial number." in refused.content.decode()
    response = client.post(reverse("device_import_columns"), {"asset_tag": "nummer", "kind": "toestel",
                                                              "make_model": "merk"})
    check = client.get(response["Location"])
    assert [item.values for item in check.context["plan"].create] == [
        {"kind": "chromebook", "make_model": "HP", "funding_source": "donation"}]


# --- the command -------------------------------------------------------------------------------------


def command(*args):
    out = io.StringIO()
    call_command("import_devices", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def test_the_command_recognises_the_exports_and_keeps_the_default_funding(school_a):
    number = school_a.instellingsnummer
    with pytest.raises(CommandError, match="3 problems; nothing was imported"):
        command(str(FILES / GOOGLE), "--school", number)
    assert command(str(FILES / GOOGLE), "--school", number, "--funding", "government_2020") == (
        "3 created, 0 updated, 0 unchanged")
    # The next file without funding gets the school's default source.
    assert command(str(FILES / INTUNE), "--school", number) == "3 created, 0 updated, 0 unchanged"
    assert set(Device.objects.values_list("funding_source", flat=True)) == {"government_2020"}


def test_the_command_maps_other_columns_on_request(school_a, tmp_path):
    path = tmp_path / "lijst.csv"
    path.write_bytes("Nummer;Merk\r\nX-1;HP\r\n".encode())
    out = command(str(path), "--school", school_a.instellingsnummer, "--format", "generic", "--map",
                  "asset_tag=nummer", "--map", "make_model=merk", "--funding", "donation", "--kind", "tablet")
    assert out == "1 created, 0 updated, 0 unchanged"
    assert devices(school_a) == {"X-1": ("", "tablet", "HP", "donation")}


@pytest.mark.parametrize("size", [10, 600])
def test_the_device_check_page_runs_the_same_queries_at_any_size(client_as, coordinator_a, school_a, size,
                                                                  django_assert_max_num_queries):
    for n in range(size):
        DeviceFactory(school=school_a, asset_tag=f"OLD-{n}", serial_number=f"SN{n:05d}")
    rows = [f"SN{n:05d},ACTIVE,,,CB-{n:04d},,,/Leerlingen,Lenovo 300e" for n in range(size)]
    text = "\r\n".join(["Serial Number,Status,Last Sync,User,Asset ID,Location,Notes,Org Unit Path,Model", *rows])
    client = client_as(coordinator_a)
    client.post(reverse("device_import"), {"file": SimpleUploadedFile("c.csv", text.encode()), "preset": "auto"})
    with django_assert_max_num_queries(12):
        response = client.get(reverse("device_import_check"))
    assert len(response.context["plan"].update) == size  # found by serial number: new tags, no twins


def test_the_confirm_writes_what_the_preview_showed_or_nothing(client_as, coordinator_a, school_a):
    client = client_as(coordinator_a)
    client.post(reverse("device_import"), {"file": SimpleUploadedFile("c.csv", data(GOOGLE)), "preset": "auto",
                                           "funding_source": "digisprong"})
    form = client.get(reverse("device_import_check")).context["confirm_form"]
    DeviceFactory(school=school_a, asset_tag="CB-0001", serial_number="5CD1234ABC", make_model="Other")
    response = client.post(reverse("device_import"), {**form.initial, "confirm": "1"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("device_import_check")
    assert "The devices changed since the check" in response.content.decode()
    assert Device.objects.count() == 1
    # The check page now shows the new plan; confirming that one imports.
    form = response.context["confirm_form"]
    assert client.post(reverse("device_import"), {**form.initial, "confirm": "1"})["Location"] == reverse(
        "device_list")
    assert Device.objects.count() == 3
