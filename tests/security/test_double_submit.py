"""Two posts of the same import at the same moment answer like one (issue 15): no 500, one import."""
import io
import threading

import pytest
from django.conf import settings
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from households.models import InternetCode, Pupil
from lending.models import Device
from portal.models import AuditEvent, Job

pytestmark = pytest.mark.django_db(transaction=True)

CODES = b"provider;code;valid until\nTelenet;TN-AAAA-1111;2030-06-30\nTelenet;TN-BBBB-2222;2030-06-30\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def at_once(*posts):
    """Run the posts from separate threads (each its own database connection), released together."""
    if connection.vendor != "postgresql":
        pytest.skip("races are checked on PostgreSQL, where two real connections block on the index")
    start = threading.Barrier(len(posts), timeout=10)
    answers = [None] * len(posts)

    def run(index, post):
        try:
            start.wait()
            answers[index] = post()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index, post)) for index, post in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return answers


def logged_in(user, *, like=None):
    client = Client(raise_request_exception=False)  # a 500 shows as an answer, not as an exception
    if like is None:
        client.force_login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    else:
        client.cookies = like.cookies  # the same browser: one session, two tabs or a double click
    return client


def code_file():
    upload = io.BytesIO(CODES)
    upload.name = "codes.csv"
    return upload


def test_the_same_code_import_posted_twice_at_once_imports_once_and_answers_alike(coordinator_a, school_a):
    first, second = logged_in(coordinator_a), logged_in(coordinator_a)
    answers = at_once(*(lambda client=client: client.post(reverse("code_import"), {
        "file": code_file(), "upload_key": "one-page"}) for client in (first, second)))
    assert [answer.status_code for answer in answers] == [302, 302]
    assert {answer["Location"] for answer in answers} == {reverse("code_list")}
    assert InternetCode.objects.filter(school=school_a).count() == 2
    assert Job.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.INTERNET_CODES_IMPORTED).count() == 1


def test_the_same_code_file_from_two_pages_at_once_is_a_clean_refusal_not_a_500(coordinator_a, school_a):
    first, second = logged_in(coordinator_a), logged_in(coordinator_a)
    answers = at_once(*(lambda client=client, page=page: client.post(reverse("code_import"), {
        "file": code_file(), "upload_key": page}) for client, page in ((first, "tab-1"), (second, "tab-2"))))
    assert sorted(answer.status_code for answer in answers) == [200, 302]
    refused = next(answer for answer in answers if answer.status_code == 200).content.decode()
    assert "this code was already imported" in refused
    assert InternetCode.objects.filter(school=school_a).count() == 2


def test_a_large_roster_confirmed_from_two_tabs_at_once_makes_one_job(coordinator_a, school_a, settings):
    """Above IMPORT_ROWS_IN_REQUEST rows the list goes to a worker; two tabs confirming at once get the
    same job's page, and only one job exists (its key is the check's)."""
    settings.IMPORT_ROWS_IN_REQUEST = 1
    client = logged_in(coordinator_a)
    data = io.BytesIO(b"leerlingnummer;voornaam;naam;klas\n1;Zo\xc3\xab;Peeters;5A\n2;Noah;Maes;6B\n")
    data.name = "leerlingen.csv"
    client.post(reverse("pupil_import"), {"file": data, "preset": "generic"})
    client.post(reverse("pupil_import_columns"), {
        "internal_number": "leerlingnummer", "first_name": "voornaam", "last_name": "naam", "class_name": "klas"})
    form = client.get(reverse("pupil_import_check")).context["confirm_form"]
    fields = {name: form[name].value() for name in form.fields if name != "mark_leavers"}
    twin = logged_in(coordinator_a, like=client)
    answers = at_once(*(lambda tab=tab: tab.post(reverse("pupil_import_confirm"), fields) for tab in (client, twin)))
    job = Job.objects.get(kind=Job.Kind.ROSTER_IMPORT)
    assert [answer.status_code for answer in answers] == [302, 302]
    assert {answer["Location"] for answer in answers} == {reverse("document_detail", args=[job.pk])}
    # Tests run tasks eagerly after commit (the worker test runs them on a real worker): imported once.
    assert Pupil.objects.filter(school=school_a).count() == 2
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ROSTER_IMPORTED).count() == 1


def test_a_second_device_confirm_after_the_first_answers_the_same(coordinator_a, school_a):
    client = logged_in(coordinator_a)
    upload = io.BytesIO(b"asset_tag;kind;funding_source\nLT-1;laptop;digisprong\nLT-2;tablet;digisprong\n")
    upload.name = "devices.csv"
    assert client.post(reverse("device_import"), {"file": upload, "preset": "generic"})["Location"] == reverse(
        "device_import_check")
    form = client.get(reverse("device_import_check")).context["confirm_form"]
    confirm = {"confirm": "1", **form.initial}
    answers = [client.post(reverse("device_import"), confirm) for _ in range(2)]
    assert [answer.status_code for answer in answers] == [302, 302]
    assert {answer["Location"] for answer in answers} == {reverse("device_list")}
    assert Device.objects.filter(school=school_a).count() == 2
