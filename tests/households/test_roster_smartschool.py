"""The Smartschool roster sync over HTTP, against the local stub of the V3 webservice (tests/stubs.py):
the button, pupils with their classes and co-accounts through the same check and confirmation as a
file, leavers for a whole school, a rerun, and every way the platform can fail without changing anything."""
import json
import time
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from households.models import Guardian, Household, Pupil
from portal import messages, smartschool
from portal.models import AuditEvent

from ..factories import PupilFactory
from ..portal.test_smartschool import connected_school as connected  # noqa: F401
from ..portal.test_smartschool import platform  # noqa: F401
from ..stubs import SmartschoolSchool, smartschool_account

pytestmark = pytest.mark.django_db

MOTHER = ("Fatima", "El Amrani", "fatima@example.be", "0470 12 34 56", "Moeder")
FATHER = ("Karim", "El Amrani", "", "0486 11 22 33", "Vader")


@pytest.fixture(autouse=True)
def media(settings, tmp_path, request):
    if "celery_worker" not in request.fixturenames:  # the worker reads the MEDIA_ROOT it started with
        settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):
        yield


@pytest.fixture
def coordinator(client_as, coordinator_a):
    client = client_as(coordinator_a)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def tree(platform, school_a):
    """A primary school's platform: pupils under "Leerlingen" by stage, official classes 5A and 6A; a care
    group that also holds a teacher; the staff in a group of their own."""
    school = SmartschoolSchool(platform)
    school.group("leerlingen", name="Leerlingen")
    school.group("lager", parent="leerlingen", name="Lagere school")
    for code in ("5A", "6A"):
        school.group(code, parent="lager", kind="K", official=True, institute=school_a.instellingsnummer)
    school.group("zorg", parent="leerlingen", name="Zorggroep")
    school.group("personeel", name="Personeel")
    school.add("personeel", smartschool_account("", "Els", "Juf", role="13"))
    return school


def synced(client, follow=False):
    return client.post(reverse("pupil_import_smartschool"), follow=follow)


def checked(client):
    """Read Smartschool, then open the check page it leads to."""
    synced(client)
    return client.get(reverse("pupil_import_check"))


def confirm(client, response, **extra):
    form = response.context["confirm_form"]
    data = {name: form[name].value() for name in form.fields if name != "mark_leavers"}
    return client.post(reverse("pupil_import_confirm"), {**data, **extra})


def test_the_button_shows_only_for_a_school_connected_to_smartschool(coordinator, school_a, platform):
    assert 'id="roster-smartschool-read"' not in coordinator.get(reverse("pupil_import")).content.decode()
    refused = synced(coordinator)
    assert refused["Location"] == reverse("pupil_import") and platform.calls == []
    smartschool.school_connect(school=school_a, platform=platform.platform, access_code="ws-code-123")
    page = coordinator.get(reverse("pupil_import")).content.decode()
    assert 'id="roster-smartschool-read"' in page and platform.platform.removeprefix("http://") in page
    assert coordinator.get(reverse("pupil_import_smartschool"))["Location"] == reverse("pupil_import")


def test_pupils_classes_and_co_accounts_come_through_the_same_check(coordinator, connected, tree, platform,
                                                                    django_capture_on_commit_callbacks):
    sara = tree.add("5A", smartschool_account("1001", "Sara", "El Amrani", born="2014-3-5",
                                              coaccounts=(MOTHER, None, FATHER)))
    tree.add("zorg", sara)  # in a second group too: read once
    tree.add("6A", smartschool_account("1002", "Emre", "Yılmaz", role="leerling", born="0000-00-00", coaccounts=(
        ("Ayşe", "Yılmaz", "ayse@example.be", "", "Moeder"),)))
    tree.add("5A", smartschool_account("1009", "Old", "Account", status="uitgeschakeld"))
    tree.add("zorg", smartschool_account("", "Mia", "Zorgjuf", role="13"))

    answer = synced(coordinator)
    assert answer["Location"] == reverse("pupil_import_check")
    # One read of the tree, then the pupils' top group with every group below it.
    assert [(c["operation"], c.get("code"), c.get("recursive")) for c in platform.calls] == [
        ("getAllGroupsAndClasses", None, None), ("getAllAccountsExtended", "leerlingen", "1")]
    assert {c["accesscode"] for c in platform.calls} == {"ws-code-123"}

    response = coordinator.get(reverse("pupil_import_check"))
    page = response.content.decode()
    assert ("Read from Smartschool: pupils: 2; left out: switched-off accounts: 1, accounts that are not pupils: 1, "
            "pupils of another school: 0.") in page
    assert f"Smartschool ({connected.smartschool_platform})" in page
    summary = response.context["summary"]
    assert (summary.created, summary.households_created, summary.guardians_created) == (2, 2, 3)
    assert Pupil.objects.count() == 0  # nothing before the confirmation

    assert confirm(coordinator, response)["Location"] == reverse("pupil_list")
    sara_row = Pupil.objects.get(school=connected, internal_number="1001")
    assert (sara_row.first_name, sara_row.class_name, sara_row.grade, sara_row.date_of_birth) == (
        "Sara", "5A", 5, date(2014, 3, 5))
    assert Pupil.objects.get(internal_number="1002").date_of_birth is None
    guardians = {g.name: g for g in sara_row.household.guardians.all()}
    assert {name: (g.relation, g.email, g.phone, g.smartschool_coaccount) for name, g in guardians.items()} == {
        "Fatima El Amrani": ("mother", "fatima@example.be", "+32470123456", 1),
        "Karim El Amrani": ("father", "", "+32486112233", 3)}
    event = AuditEvent.objects.get(action=AuditEvent.Action.ROSTER_IMPORTED)
    assert event.after["source"] == f"Smartschool ({connected.smartschool_platform})" and event.after["created"] == 2

    # The co-account numbers are where Smartschool messages go: both parents, on Sara's account.
    household = sara_row.household
    household.contact_channel = Household.Channel.SMARTSCHOOL
    household.save(update_fields=["contact_channel"])
    with django_capture_on_commit_callbacks(execute=True):
        messages.notify_household(household=household, template="emails/agreement_link_sms.txt",
                                  context={"url": "http://testserver/s/x/", "school": connected})
    assert sorted((c["userIdentifier"], c["coaccount"]) for c in platform.calls.named("sendMsg")) == [
        ("1001", "1"), ("1001", "3")]


def test_a_double_click_on_the_button_keeps_one_list_and_imports_once(coordinator, connected, tree, settings):
    tree.add("5A", smartschool_account("1001", "Sara", "El Amrani", coaccounts=(MOTHER,)))
    first = checked(coordinator)
    second = checked(coordinator)
    assert len(list((settings.MEDIA_ROOT / "roster-imports").iterdir())) == 1  # the first read was replaced
    assert confirm(coordinator, first)["Location"] == reverse("pupil_import")  # its list is gone: nothing written
    assert Pupil.objects.count() == 0
    confirm(coordinator, second)
    confirm(coordinator, second)
    assert Pupil.objects.count() == 1 and Guardian.objects.count() == 1


def test_a_second_sync_changes_nothing_and_a_changed_co_account_moves(coordinator, connected, tree):
    sara = tree.add("5A", smartschool_account("1001", "Sara", "El Amrani", coaccounts=(MOTHER, None, FATHER)))
    confirm(coordinator, checked(coordinator))

    again = checked(coordinator).context["summary"]
    assert (again.created, again.updated, again.unchanged, again.guardians_created) == (0, 0, 1, 0)

    # The father moved to co-account 2 on the platform: his guardian follows, nobody is added.
    sara.update({f"{key}_coaccount2": sara[f"{key}_coaccount3"] for key in ("voornaam", "naam", "email", "mobielnummer",
                                                                            "type")})
    sara.update({"voornaam_coaccount3": "", "naam_coaccount3": "", "mobielnummer_coaccount3": "", "type_coaccount3": 0})
    response = checked(coordinator)
    assert response.context["summary"].guardians_created == 0
    confirm(coordinator, response)
    assert dict(Guardian.objects.values_list("name", "smartschool_coaccount")) == {
        "Fatima El Amrani": 1, "Karim El Amrani": 2}


def test_siblings_keep_the_co_accounts_of_the_pupil_messages_go_through(coordinator, connected, tree, platform):
    """Co-account numbers belong to one pupil's account: a family's messages go through its first pupil."""
    tree.add("5A", smartschool_account("1001", "Sara", "El Amrani", coaccounts=(MOTHER, FATHER)))
    tree.add("6A", smartschool_account("1003", "Adam", "El Amrani", coaccounts=(FATHER, MOTHER)))
    response = checked(coordinator)
    assert response.context["summary"].households_created == 1
    confirm(coordinator, response)
    assert dict(Guardian.objects.values_list("name", "smartschool_coaccount")) == {
        "Fatima El Amrani": 1, "Karim El Amrani": 2}
    first = Pupil.objects.filter(school=connected).order_by("pk").first()
    assert first.internal_number == "1001"


def test_a_whole_school_sync_proposes_leavers_and_marks_them_only_as_confirmed(coordinator, connected, tree):
    for number, name, class_name in (("1001", "Sara", "5A"), ("1002", "Emre", "6A"), ("1003", "Lotte", "5A"),
                                     ("1004", "Jonas", "6A"), ("1005", "Vertrokken", "6A")):
        PupilFactory(school=connected, internal_number=number, first_name=name, last_name="Test",
                     class_name=class_name, grade=int(class_name[0]))
        if name != "Vertrokken":
            tree.add(class_name, smartschool_account(number, name, "Test"))
    response = checked(coordinator)
    page = response.content.decode()
    assert "This list is read as the whole school." in page
    assert [p.first_name for p in response.context["leavers"]] == ["Vertrokken"]
    assert 'id="roster-leavers"' in page and "Vertrokken Test" in page

    # Not ticked: nobody leaves.
    confirm(coordinator, response)
    assert not Pupil.objects.filter(active=False).exists()
    # Ticked, with the count the page stated: the one pupil leaves, today.
    response = checked(coordinator)
    assert confirm(coordinator, response, mark_leavers="on")["Location"] == reverse("pupil_list")
    leaver = Pupil.objects.get(internal_number="1005")
    assert (leaver.active, leaver.left_on) == (False, timezone.localdate())
    assert Pupil.objects.filter(active=True).count() == 4


def test_a_sync_that_would_mark_many_pupils_as_left_asks_twice(coordinator, connected, tree):
    for n in range(4):
        PupilFactory(school=connected, internal_number=str(2000 + n), class_name="5A", grade=5)
    tree.add("5A", smartschool_account("2000", "Sara", "Test"))
    synced(coordinator)
    coordinator.post(reverse("pupil_import_scope"), {"whole_school": "1"})
    response = coordinator.get(reverse("pupil_import_check"))
    assert len(response.context["leavers"]) == 3
    second = confirm(coordinator, response, mark_leavers="on")
    assert second.status_code == 200 and "more than a quarter" in second.content.decode()
    assert not Pupil.objects.filter(active=False).exists()


def test_a_pupil_without_an_official_class_is_named_and_nothing_can_be_imported(coordinator, connected, tree):
    tree.add("5A", smartschool_account("1001", "Sara", "El Amrani"))
    tree.add("zorg", smartschool_account("1002", "Noor", "Zonderklas"))
    tree.add("5A", smartschool_account("", "Geen", "Nummer"))
    response = checked(coordinator)
    page = response.content.decode()
    assert "The list has 2 problems; nothing will be imported." in page
    assert "(Noor Zonderklas): “officiële klas” is empty" in page
    assert "(Geen Nummer): “internnummer” is empty" in page
    assert "confirm_form" not in response.context and Pupil.objects.count() == 0


def test_another_school_on_the_same_platform_is_left_out(coordinator, connected, tree):
    tree.group("1A", parent="leerlingen", kind="K", official=True, institute="999999")
    tree.add("5A", smartschool_account("1001", "Sara", "El Amrani"))
    tree.add("1A", smartschool_account("7001", "Secundair", "Leerling"))
    response = checked(coordinator)
    assert "pupils of another school: 1." in response.content.decode()
    assert [p.internal_number for p in response.context["new_pupils"]] == ["1001"]


def test_a_platform_without_official_classes_reads_its_classes(coordinator, connected, platform):
    """The stub's first tree: class 5A, not marked official, beside a group; 5A itself is read, and its
    accounts name it among their groups."""
    platform.answers["getAllAccountsExtended"] = json.dumps([
        {**smartschool_account(number, name, "Test", role="leerling"), "groups": [{"code": "5A", "name": "5A"}]}
        for number, name in (("1001", "Sara"), ("1002", "Emre"))])
    assert synced(coordinator)["Location"] == reverse("pupil_import_check")
    assert platform.calls.named("getAllAccountsExtended")[0]["code"] == "5A"
    rows = coordinator.get(reverse("pupil_import_check")).context["new_pupils"]
    assert sorted(p.internal_number for p in rows) == ["1001", "1002"]


# --- the platform fails: a clear message, and nothing changes -------------------------------------

def a_pending_file(client):
    upload = SimpleUploadedFile("leerlingen.csv", b"leerlingnummer;voornaam;naam;klas\r\n1;Jan;Claes;5A\r\n")
    client.post(reverse("pupil_import"), {"file": upload, "preset": "generic"})
    client.post(reverse("pupil_import_columns"), {"internal_number": "leerlingnummer", "first_name": "voornaam",
                                                  "last_name": "naam", "class_name": "klas"})


def refused(client, pupils_before=1):
    """The sync's answer: back on the upload page with the reason; the file checked before is still there."""
    response = synced(client, follow=True)
    assert response.redirect_chain == [(reverse("pupil_import"), 302)]
    check = client.get(reverse("pupil_import_check")).content.decode()
    assert "leerlingen.csv" in check and Pupil.objects.count() == pupils_before
    return " ".join(str(m) for m in response.context["messages"])


@pytest.mark.parametrize("answers, message", [
    ({"getAllGroupsAndClasses": 3}, "Smartschool refused to give the pupils (error 3)"),
    ({"getAllAccountsExtended": 12}, "Smartschool refused to give the pupils (error 12)"),
    ({"getAllAccountsExtended": "[]"}, "Smartschool gave no pupils"),
    ({"getAllAccountsExtended": 19}, "Smartschool gave no pupils"),
    ({"getAllAccountsExtended": '{"not": "a list"}'}, "Smartschool refused to give the pupils (an answer the portal"),
    ({"getAllGroupsAndClasses": "PGdyb3Vwcy8+"}, "Smartschool has no classes"),  # base64 of <groups/>
])
def test_refusals_and_empty_answers_change_nothing(coordinator, connected, platform, answers, message):
    PupilFactory(school=connected, internal_number="0500")
    a_pending_file(coordinator)
    platform.answers.update(answers)
    text = refused(coordinator)
    assert message in text and "Nothing has changed" in text and "ws-code-123" not in text


def test_an_unreachable_platform_changes_nothing(coordinator, school_a):
    smartschool.school_connect(school=school_a, platform="http://127.0.0.1:9", access_code="ws-code-123")
    a_pending_file(coordinator)
    assert "Smartschool cannot be reached now" in refused(coordinator, pupils_before=0)


def test_no_answer_in_time_changes_nothing(coordinator, connected, platform, monkeypatch):
    monkeypatch.setattr(smartschool, "ANSWER_TIMEOUT", 0.3)
    platform.slow_seconds = 0.8
    platform.answers["getAllGroupsAndClasses"] = "slow"
    a_pending_file(coordinator)
    assert "Smartschool did not answer in time" in refused(coordinator, pupils_before=0)
    time.sleep(0.6)  # let the stub finish its slow answer before the server stops


@pytest.mark.parametrize("size", [3, 30])
def test_the_sync_runs_the_same_number_of_queries_at_any_size(coordinator, connected, tree, size,
                                                              django_assert_max_num_queries):
    for n in range(size):
        tree.add("5A", smartschool_account(str(3000 + n), f"Kind{n}", "Test", coaccounts=(MOTHER,)))
    with django_assert_max_num_queries(6):
        assert synced(coordinator)["Location"] == reverse("pupil_import_check")
    with django_assert_max_num_queries(14):
        assert coordinator.get(reverse("pupil_import_check")).context["summary"].created == size


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_large_sync_is_written_by_the_worker_with_its_co_accounts(celery_worker, settings, coordinator, connected,
                                                                    tree):
    from portal.models import Job

    from ..portal.test_jobs_worker import follow_progress

    settings.IMPORT_ROWS_IN_REQUEST = 3
    for n in range(8):
        tree.add("6A", smartschool_account(str(4000 + n), f"Kind{n}", f"Gezin{n}", coaccounts=(
            None, (f"Ouder{n}", f"Gezin{n}", f"ouder{n}@example.be", "", "Moeder"))))
    answer = confirm(coordinator, checked(coordinator))
    job = Job.objects.get(kind=Job.Kind.ROSTER_IMPORT)
    assert answer["Location"] == reverse("document_detail", args=[job.pk])
    assert follow_progress(coordinator, job.pk)[-1]["status"] == "done"
    assert Pupil.objects.filter(school=connected, active=True, class_name="6A").count() == 8
    assert sorted(set(Guardian.objects.values_list("relation", "smartschool_coaccount"))) == [("mother", 2)]
    assert Guardian.objects.count() == 8
