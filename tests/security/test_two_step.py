"""Two-step login with a real authenticator code (TOTP, computed as the phone app would)."""
import time

import pytest
import time_machine
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.models import AuditEvent

from ..factories import PASSWORD

pytestmark = pytest.mark.django_db
SETTINGS_URL, CODE_URL = "/accounts/two-step/", "/accounts/two-step/code/"


def code_for(device, offset=0):
    """The code an authenticator app shows now (+ offset seconds)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + offset
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device):
    right = code_for(device)
    return f"{(int(right) + 1) % 10**6:06d}"


def switch_on(client, user):
    client.force_login(user)
    page = client.get(SETTINGS_URL)
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    return page, device


def login(client, user, next_url="/school/"):
    client.logout()
    response = client.post(f"/accounts/login/?next={next_url}", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response


def test_setting_up_shows_a_qr_code_and_needs_a_right_code(coordinator_a, client):
    page, device = switch_on(client, coordinator_a)
    html = page.content.decode()
    assert "data:image/svg+xml;base64," in html and "two-step-secret" in html
    from base64 import b32encode

    assert b32encode(device.bin_key).decode() in html  # the key to type by hand
    refused = client.post(SETTINGS_URL, {"code": wrong_code(device)})
    assert refused.status_code == 200 and "invalid-feedback" in refused.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    # After a wrong code the device waits a moment (django-otp throttling); then the next code works.
    with time_machine.travel(time.time() + 30):
        assert client.post(SETTINGS_URL, {"code": code_for(device)}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="two_step.enabled", actor=coordinator_a).exists()
    assert client.get("/school/").status_code == 200  # this session is verified already


def test_after_the_password_every_page_wants_the_code(coordinator_a, client):
    _page, device = switch_on(client, coordinator_a)
    client.post(SETTINGS_URL, {"code": code_for(device)})
    login(client, coordinator_a)
    for url in ("/school/", "/devices/", SETTINGS_URL, "/school/audit/"):
        gate = client.get(url)
        assert gate.status_code == 302 and gate["Location"].startswith(CODE_URL), url
    assert client.get(CODE_URL + "?next=/devices/").status_code == 200
    assert client.post(CODE_URL, {"code": wrong_code(device), "next": "/devices/"}).status_code == 200
    assert client.get("/school/").status_code == 302
    with time_machine.travel(time.time() + 30):  # the next 30-second step: a code not used before
        passed = client.post(CODE_URL, {"code": code_for(device), "next": "/devices/"})
    assert passed.status_code == 302 and passed["Location"] == "/devices/"
    assert client.get("/school/").status_code == 200


def test_a_code_cannot_be_used_twice(coordinator_a, client):
    _page, device = switch_on(client, coordinator_a)
    code = code_for(device)
    client.post(SETTINGS_URL, {"code": code})
    login(client, coordinator_a)
    assert client.post(CODE_URL, {"code": code}).status_code == 200  # replayed: refused
    assert client.get("/school/").status_code == 302


def test_the_admin_wants_the_code_too(admin_user, client):
    _page, device = switch_on(client, admin_user)
    client.post(SETTINGS_URL, {"code": code_for(device)})
    login(client, admin_user, next_url="/admin/")
    gate = client.get("/admin/")
    assert gate.status_code == 302 and gate["Location"].startswith(CODE_URL)
    with time_machine.travel(time.time() + 30):
        client.post(CODE_URL, {"code": code_for(device), "next": "/admin/"})
    assert client.get("/admin/").status_code == 200


def test_switching_off_needs_a_code(coordinator_a, client):
    _page, device = switch_on(client, coordinator_a)
    client.post(SETTINGS_URL, {"code": code_for(device)})
    refused = client.post("/accounts/two-step/off/", {"code": wrong_code(device)})
    assert refused.status_code == 400
    assert TOTPDevice.objects.filter(user=coordinator_a, confirmed=True).exists()
    with time_machine.travel(time.time() + 30):
        assert client.post("/accounts/two-step/off/", {"code": code_for(device)}).status_code == 302
    assert not TOTPDevice.objects.filter(user=coordinator_a).exists()
    assert AuditEvent.objects.filter(action="two_step.disabled", actor=coordinator_a).exists()
    login(client, coordinator_a)
    assert client.get("/school/").status_code == 200  # password only again


def test_without_two_step_nothing_changes(coordinator_a, client):
    login(client, coordinator_a)
    assert client.get("/school/").status_code == 200
    assert client.get(CODE_URL).status_code == 302  # nothing to verify: on to the portal


def test_the_code_page_sends_nobody_to_another_site(coordinator_a, client):
    _page, device = switch_on(client, coordinator_a)
    client.post(SETTINGS_URL, {"code": code_for(device)})
    login(client, coordinator_a)
    with time_machine.travel(time.time() + 30):
        response = client.post(CODE_URL, {"code": code_for(device), "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_a_device_removed_by_the_admin_does_not_lock_the_session_in_a_loop(coordinator_a, client):
    _page, device = switch_on(client, coordinator_a)
    client.post(SETTINGS_URL, {"code": code_for(device)})
    login(client, coordinator_a)
    TOTPDevice.objects.filter(user=coordinator_a).delete()
    response = client.get("/school/", follow=True)
    assert response.status_code == 200 and response.redirect_chain[-1][0] == "/school/"
