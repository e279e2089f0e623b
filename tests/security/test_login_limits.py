"""django-axes: five wrong passwords lock one e-mail address from one IP address, nothing more."""
import pytest
from django.urls import reverse

from ..factories import PASSWORD

pytestmark = pytest.mark.django_db

WRONG = "not-the-password-1"


def attempt(client, email, password, ip="203.0.113.7"):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def fail_five_times(client, email, ip="203.0.113.7"):
    for _ in range(5):
        response = attempt(client, email, WRONG, ip)
    return response


def test_five_wrong_passwords_lock_the_login_even_with_the_right_password(coordinator_a, client):
    for _ in range(4):
        assert attempt(client, coordinator_a.email, WRONG).status_code == 200
    locked = attempt(client, coordinator_a.email, WRONG)
    assert locked.status_code == 429
    right = attempt(client, coordinator_a.email, PASSWORD)
    assert right.status_code == 429
    assert not right.wsgi_request.user.is_authenticated
    page = right.content.decode()
    assert 'id="locked-out"' in page and " 15 " in page  # the friendly page, with the cool-off from settings
    # The case of the address does not buy more attempts.
    assert attempt(client, coordinator_a.email.upper(), PASSWORD).status_code == 429


def test_the_lockout_page_is_in_english_on_request(coordinator_a, client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = fail_five_times(client, coordinator_a.email)
    assert "Too many attempts" in response.content.decode()
    assert "15 minutes" in response.content.decode()


def test_another_user_and_another_address_are_not_locked(coordinator_a, coordinator_b, client):
    fail_five_times(client, coordinator_a.email, ip="203.0.113.7")
    other_user = attempt(client, coordinator_b.email, PASSWORD, ip="203.0.113.7")
    assert other_user.status_code == 302 and other_user.wsgi_request.user == coordinator_b
    client.logout()
    other_address = attempt(client, coordinator_a.email, PASSWORD, ip="198.51.100.20")
    assert other_address.status_code == 302 and other_address.wsgi_request.user == coordinator_a


def test_a_successful_login_resets_the_count(coordinator_a, client):
    for _ in range(4):
        attempt(client, coordinator_a.email, WRONG)
    assert attempt(client, coordinator_a.email, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert attempt(client, coordinator_a.email, WRONG).status_code == 200
    assert attempt(client, coordinator_a.email, PASSWORD).status_code == 302


def test_an_unknown_address_gets_the_same_answers(coordinator_a, client):
    """No user enumeration: the form error and the lockout look the same for unknown addresses."""
    known = attempt(client, coordinator_a.email, WRONG).content.decode().replace(coordinator_a.email, "EMAIL")
    unknown = attempt(client, "nobody@devlieger.test", WRONG).content.decode().replace("nobody@devlieger.test", "EMAIL")
    assert _strip_csrf(known) == _strip_csrf(unknown)
    assert fail_five_times(client, "nobody@devlieger.test").status_code == 429
    assert fail_five_times(client, coordinator_a.email).status_code == 429


def _strip_csrf(html):
    import re

    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_behind_a_proxy_the_forwarded_client_address_counts(coordinator_a, client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(5):
        client.post(reverse("login"), {"username": coordinator_a.email, "password": WRONG},
                    REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7")
    # Same proxy, another client: not locked. A client cannot choose its address by adding its own header.
    ok = client.post(reverse("login"), {"username": coordinator_a.email, "password": PASSWORD},
                     REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.7, 198.51.100.20")
    assert ok.status_code == 302
    client.logout()
    spoofed = client.post(reverse("login"), {"username": coordinator_a.email, "password": PASSWORD},
                          REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.99, 203.0.113.7")
    assert spoofed.status_code == 429
