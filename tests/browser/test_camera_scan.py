"""The camera button, for a desk without a USB scanner: Chromium's fake camera films a label's Code 128
barcode (made by portal.documents, as on the printed labels), the vendored ZXing decoder reads it (Chromium
on Linux has no BarcodeDetector), and the stocktake counts the device."""
import base64
import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from lending.models import Stocktake, StocktakeScan
from portal.documents import code128_data_uri

from ..factories import DeviceFactory
from .test_two_step_and_audit import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 640, 480


def _y4m_of_barcode(tag: str, path) -> None:
    """A few frames of video (YUV4MPEG2, 4:2:0) showing the barcode of ``tag`` on white."""
    uri, _width_mm = code128_data_uri(tag, module_mm=0.5)
    bars = Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("L")
    bars = bars.resize((min(560, bars.width), 160))
    frame = Image.new("L", (WIDTH, HEIGHT), 255)
    frame.paste(bars, ((WIDTH - bars.width) // 2, (HEIGHT - bars.height) // 2))
    luma = frame.tobytes()
    chroma = bytes([128]) * (WIDTH // 2 * HEIGHT // 2)
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F5:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(5):
            video.write(b"FRAME\n" + luma + chroma + chroma)


@pytest.fixture
def camera_page(browser_type, browser_type_launch_args, tmp_path):
    video = tmp_path / "label.y4m"
    _y4m_of_barcode("LT-0042", video)
    browser = browser_type.launch(**{**browser_type_launch_args, "args": [
        *browser_type_launch_args["args"], "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"]})
    context = browser.new_context(permissions=["camera"])
    yield context.new_page()
    context.close()
    browser.close()


def test_the_camera_reads_the_labels_barcode_into_the_stocktake(live_server, camera_page, coordinator_a, school_a):
    page = camera_page
    device = DeviceFactory(school=school_a, asset_tag="LT-0042")
    count = Stocktake.objects.create(school=school_a)
    refused = []
    page.on("console", lambda message: refused.append(message.text) if "Refused" in message.text else None)
    log_in(page, live_server, coordinator_a, f"/desk/stocktake/{count.pk}/")
    expect(page).to_have_url(f"{live_server.url}/desk/stocktake/{count.pk}/")
    assert page.evaluate("'BarcodeDetector' in window") is False  # so the vendored decoder does the work
    button = page.locator("[data-camera-scan]")
    expect(button).to_be_visible()
    button.click()
    expect(page.locator(".alert-success")).to_contain_text("LT-0042", timeout=20_000)
    assert StocktakeScan.objects.filter(stocktake=count, device=device).exists()
    assert refused == []  # the decoder ran under the content security policy
