"""Asset-tag label sheets: a PDF for the filtered list, with the tags readable in it."""
import re
import shutil
import subprocess

import pytest
from django.urls import reverse

from lending.labels import MAX_LABELS, qr_data_uri

from ..factories import DeviceFactory
from ..jobs import downloaded, started_job
from ..pdftext import pdf_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_labels_pdf_holds_the_filtered_devices_of_the_own_school(client, coordinator_a, school_a, school_b,
                                                                tmp_path):
    DeviceFactory(school=school_a, asset_tag="LAB-TAB-1", kind="tablet", make_model="iPad 9")
    DeviceFactory(school=school_a, asset_tag="LAB-TAB-2", kind="tablet")
    DeviceFactory(school=school_a, asset_tag="LAB-LAP-1", kind="laptop")
    DeviceFactory(school=school_b, asset_tag="LAB-TAB-B", kind="tablet")
    client.force_login(coordinator_a)
    # The list's link opens a page that says how many; its button has a worker make the sheet.
    page = client.get(reverse("device_labels"), {"kind": "tablet"})
    assert page.status_code == 200 and "A sheet of labels for 2 devices" in page.content.decode()
    job = started_job(client, reverse("device_labels") + "?kind=tablet", {"job_key": page.context["job_key"]})
    assert job.status == "done" and job.filename == f"labels-{school_a.instellingsnummer}.pdf"
    pdf = downloaded(client, job)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "LAB-TAB-1" in text and "LAB-TAB-2" in text and "iPad 9" in text
    assert school_a.name in text
    assert "LAB-LAP-1" not in text  # filtered out
    assert "LAB-TAB-B" not in text and school_b.name not in text  # another school


def test_labels_fill_several_a4_pages(client, coordinator_a, school_a, tmp_path):
    DeviceFactory.create_batch(30, school=school_a)
    client.force_login(coordinator_a)
    pdf = downloaded(client, started_job(client, reverse("device_labels")))
    if not shutil.which("pdfinfo"):
        pytest.skip("pdfinfo is not installed")
    path = tmp_path / "labels.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+2$", info, re.M)  # 24 labels per page
    assert "595.276 x 841.89 pts (A4)" in info


def test_no_matching_devices_gives_a_message_not_an_empty_pdf(client, coordinator_a, school_a):
    client.force_login(coordinator_a)
    response = client.get(reverse("device_labels"), {"kind": "tablet"})
    assert response.status_code == 302
    assert response["Location"] == reverse("device_list") + "?kind=tablet"


def test_too_many_labels_asks_to_filter(client, coordinator_a, school_a, monkeypatch):
    monkeypatch.setattr("lending.views_inventory.MAX_LABELS", 2)
    DeviceFactory.create_batch(3, school=school_a)
    client.force_login(coordinator_a)
    response = client.get(reverse("device_labels"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("device_list")
    assert "Filter the list further" in response.content.decode()
    assert MAX_LABELS >= 300  # a whole school's fleet fits in one print run


def test_labels_are_for_school_staff_only(client, lop_staff_a, school_a):
    DeviceFactory(school=school_a)
    client.force_login(lop_staff_a)
    assert client.get(reverse("device_labels")).status_code == 403


def test_qr_code_is_an_inline_svg_of_the_tag():
    uri = qr_data_uri("LAP001")
    assert uri.startswith("data:image/svg+xml")
    assert qr_data_uri("LAP001") != qr_data_uri("LAP002")


def test_each_label_carries_a_code_128_barcode_and_the_whole_tag_on_one_line(school_a, tmp_path):
    import subprocess

    from lending.labels import render_labels_pdf, tag_points
    from portal.documents import code128_data_uri

    from ..factories import DeviceFactory
    from ..pdftext import pdf_text

    long_tag = "S21766-CHROMEBOOK-0123456789"
    devices = [DeviceFactory(school=school_a, asset_tag="LT-0001"), DeviceFactory(school=school_a, asset_tag=long_tag)]
    data = render_labels_pdf(school=school_a, devices=devices, language="nl")
    text = pdf_text(data)
    assert "LT-0001" in text and long_tag in text  # the long tag was not broken over two lines
    assert tag_points("LT-0001") == 14.0 and tag_points(long_tag) < 14.0
    # Two images per label (QR and barcode), and the barcode is a real Code 128 PNG.
    (tmp_path / "labels.pdf").write_bytes(data)
    images = subprocess.run(["pdfimages", "-list", str(tmp_path / "labels.pdf")], capture_output=True, text=True)
    if images.returncode == 0:
        assert len([line for line in images.stdout.splitlines()[2:] if line.strip()]) >= 2
    uri, width_mm = code128_data_uri("LT-0001")
    assert uri.startswith("data:image/png;base64,") and 15 < width_mm < 40
