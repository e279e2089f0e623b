"""Password reset limited per address and per client address, with the same work for any address;
staff sessions that end when idle and on a password change (issue 15)."""
import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.tasks import send_password_reset

from ..factories import PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture(autouse=True)
def fresh_counters():
    """The counters live in the cache (Redis when the suite runs on it): start and leave it empty."""
    cache.clear()
    yield
    cache.clear()


def ask(client, email, ip="203.0.113.7"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)


def test_the_limit_per_address_holds(client, coordinator_a, settings, django_capture_on_commit_callbacks):
    assert settings.PASSWORD_RESET_PER_ADDRESS == 3
    answers = []
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(26):  # the attack: 26 requests in a minute for one address
            answers.append(ask(client, coordinator_a.email).status_code)
    assert answers == [302] * 3 + [429] * 23
    assert len(mail.outbox) == 3 and {tuple(message.to) for message in mail.outbox} == {(coordinator_a.email,)}
    limited = ask(client, coordinator_a.email.upper())  # the address's case buys nothing
    assert limited.status_code == 429 and "Too many requests" in limited.content.decode()


def test_the_limit_per_client_address_holds(client, settings, django_capture_on_commit_callbacks):
    assert settings.PASSWORD_RESET_PER_IP == 10
    with django_capture_on_commit_callbacks(execute=True) as queued:
        answers = [ask(client, f"person{n}@example.be").status_code for n in range(11)]
        other_client = ask(client, "person0@example.be", ip="198.51.100.20").status_code
    assert answers == [302] * 10 + [429]
    assert other_client == 302
    assert len(queued) == 11


def _scrubbed(html):
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_known_and_unknown_addresses_get_the_same_work_and_answer(coordinator_a, django_capture_on_commit_callbacks):
    """Counted, not timed: the same queries, one queued task each, the same page. Django's own form looked
    the address up, made a token and rendered the mail in the request for known addresses only."""
    seen = {}
    for email in (coordinator_a.email, "nobody@devlieger.test"):
        client = Client()
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks() as queued:
            response = client.post(reverse("password_reset"), {"email": email}, follow=True)
        seen[email] = {
            "queries": [re.sub(r"'[^']*'|\d+", "?", query["sql"]) for query in queries.captured_queries],
            "queued": len(queued),
            "page": (response.redirect_chain, _scrubbed(response.content.decode())),
        }
    known, unknown = seen.values()
    assert known == unknown
    assert known["queued"] == 1
    assert not any("portal_user" in query for query in known["queries"])  # nobody is looked up in the request


def test_the_worker_mails_accounts_only(coordinator_a):
    assert send_password_reset(email=coordinator_a.email.upper(), domain="uitleen.example.be", use_https=True,
                               language="nl") == 1
    assert send_password_reset(email="nobody@devlieger.test", domain="uitleen.example.be", use_https=True,
                               language="nl") == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [coordinator_a.email]
    assert "https://uitleen.example.be/accounts/reset/" in message.body
    assert "Kies een nieuw wachtwoord met deze link:" in message.body  # in the language the request was in


# --- sessions ------------------------------------------------------------------------------------


def test_a_staff_session_ends_after_eight_idle_hours(client, coordinator_a, settings):
    assert settings.SESSION_IDLE_HOURS == 8 and settings.SESSION_COOKIE_AGE == 8 * 3600
    with time_machine.travel("2026-11-23 08:00 +0100", tick=False) as clock:
        client.force_login(coordinator_a)
        assert client.get(reverse("school_dashboard")).status_code == 200
        # A working day with pauses under eight hours: still in.
        for pause in (timedelta(hours=3), timedelta(hours=7, minutes=59)):
            clock.shift(pause)
            assert client.get(reverse("school_dashboard")).status_code == 200
        clock.shift(timedelta(hours=8, minutes=1))
        response = client.get(reverse("school_dashboard"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
        # Logged out for good, not just this once.
        assert client.get(reverse("school_dashboard")).status_code == 302


def test_a_session_is_not_written_on_every_request(client, coordinator_a):
    with time_machine.travel("2026-11-23 08:00 +0100", tick=False) as clock:
        client.force_login(coordinator_a)
        with CaptureQueriesContext(connection) as first:
            client.get(reverse("household_list"))
        clock.shift(timedelta(minutes=6))
        with CaptureQueriesContext(connection) as later:
            client.get(reverse("household_list"))
    writes = [[query["sql"] for query in run.captured_queries if query["sql"].startswith("UPDATE \"django_session\"")]
              for run in (first, later)]
    assert writes[0] == [] and len(writes[1]) == 1  # the idle clock moves every five minutes, not every page


def test_a_password_change_ends_the_other_sessions(coordinator_a):
    office, home = Client(), Client()
    office.force_login(coordinator_a)
    home.force_login(coordinator_a)
    assert home.get(reverse("school_dashboard")).status_code == 200
    changed = office.post(reverse("password_change"), {"old_password": PASSWORD, "new_password1": "een-nieuw-wachtwoord-42",
                                                        "new_password2": "een-nieuw-wachtwoord-42"})
    assert changed.status_code == 302
    assert office.get(reverse("school_dashboard")).status_code == 200  # the one that changed it goes on
    ended = home.get(reverse("school_dashboard"))
    assert ended.status_code == 302 and ended["Location"].startswith(reverse("login"))
