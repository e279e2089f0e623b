"""A director's erasure of a family (one code path with retention) and the export for an access request."""
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse

from households.models import Guardian, Household, Pupil
from lending.models import Loan
from portal.models import AuditEvent, Job, School
from privacy import export, retention
from reports.figures import SchoolYear, live_counts, live_months

from ..jobs import downloaded, started_job
from .gdpr_world import family, has_personal_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def report_figures():
    """Every school's figures and monthly trend (what the LOP and Flanders reports show) for three years."""
    schools = School.objects.all()
    years = [SchoolYear(year) for year in (2024, 2025, SchoolYear.current().start_year)]
    return live_counts(schools, years), live_months(schools, years)


# --- erasure ---------------------------------------------------------------------------------------

def test_director_erases_a_family_after_typing_its_name_and_reports_stay(school_a, director_a, client):
    household = family(school_a, active=True)  # still at school: erasure on request does not wait
    before = report_figures()
    client.force_login(director_a)
    url = reverse("household_erase", kwargs={"household_id": household.pk})
    assert "Janssens" in client.get(url).content.decode()

    response = client.post(url, {"confirmation": "Peeters"})
    assert response.status_code == 200 and response.context["form"].errors["confirmation"]
    assert has_personal_data(household)

    response = client.post(url, {"confirmation": "  janssens "}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("household_detail", kwargs={"household_id": household.pk})
    household.refresh_from_db()
    assert household.anonymised_at is not None
    assert not has_personal_data(household)
    assert not Guardian.objects.filter(household=household).exists()
    assert report_figures() == before
    event = AuditEvent.objects.get(action="household.anonymised", object_id=str(household.pk))
    assert event.actor == director_a and event.after == {"reason": "erasure", "pupils": 1}
    assert "Janssens" not in json.dumps([event.before, event.after])
    page = response.content.decode()
    assert 'id="anonymised"' in page and "Janssens" not in page and url not in page
    listing = client.get(reverse("household_list")).content.decode()
    assert reverse("household_detail", kwargs={"household_id": household.pk}) in listing and "Janssens" not in listing


def test_erasure_is_refused_while_a_device_is_on_loan(school_a, director_a, client):
    household = family(school_a, open_loan=True)
    client.force_login(director_a)
    url = reverse("household_erase", kwargs={"household_id": household.pk})
    page = client.get(url).content.decode()
    assert 'id="erase-refused"' in page and 'id="erase-form"' not in page
    assert Loan.objects.get(pupil__household=household, status="active").device.asset_tag in page
    response = client.post(url, {"confirmation": "Janssens"})
    assert response.status_code == 409 and 'id="erase-refused"' in response.content.decode()
    household.refresh_from_db()
    assert household.anonymised_at is None and has_personal_data(household)


def test_erasure_and_export_are_for_the_director_only(school_a, coordinator_a, client):
    household = family(school_a)
    client.force_login(coordinator_a)
    for name in ("household_erase", "household_export_json", "household_export_pdf"):
        assert client.get(reverse(name, kwargs={"household_id": household.pk})).status_code == 403
    assert client.post(reverse("household_erase", kwargs={"household_id": household.pk}),
                       {"confirmation": "Janssens"}).status_code == 403
    assert has_personal_data(household)


# --- export ----------------------------------------------------------------------------------------

FAMILY_MODELS = {"households.household", "households.pupil", "households.guardian"}


def models_about_a_family():
    """Every model with a relation to a household, guardian or pupil, or to a row that has one (transitively)."""
    found = set(FAMILY_MODELS)
    changed = True
    while changed:
        changed = False
        for model in apps.get_models():
            label = model._meta.label_lower
            if label in found:
                continue
            for field in model._meta.get_fields():
                related = getattr(field, "related_model", None)
                if field.concrete and isinstance(field, models.ForeignKey | models.OneToOneField) \
                        and related is not None and related._meta.label_lower in found:
                    found.add(label)
                    changed = True
                    break
    return found


def test_every_model_that_points_at_a_family_is_in_the_export(school_a):
    household = family(school_a)
    data = export.collect(household)
    missing = models_about_a_family() - set(data["records"])
    assert not missing, f"add these to privacy/export.py: {sorted(missing)}"
    records = data["records"]
    for label in models_about_a_family():
        assert records[label], f"the test family has no {label}: extend tests/privacy/gdpr_world.py"
    assert records["portal.auditevent"], "audit rows about the family belong in the export"
    assert records["households.internetcode"][0]["code"] == f"CODE-{household.pk}"
    assert records["lending.agreement"][0]["signer_ip"] == "192.0.2.7"


def test_json_download_holds_everything(school_a, director_a, client):
    household = family(school_a)
    family(school_a, name="Claes")
    client.force_login(director_a)
    response = client.get(reverse("household_export_json", kwargs={"household_id": household.pk}))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    text = response.content.decode()
    data = json.loads(text)
    for word in ("Janssens", "Lotte0", "mama.janssens@example.org", "0470 12 34 56", "lost the charger",
                 "needs help", "Firefox"):
        assert word in text
    assert "Claes" not in text
    assert {row["id"] for row in data["records"]["households.pupil"]} == set(
        Pupil.objects.filter(household=household).values_list("pk", flat=True))
    assert AuditEvent.objects.filter(action="household.exported", object_id=str(household.pk)).exists()


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils is not installed")
def test_pdf_download_names_the_family_and_its_data(school_a, director_a, client):
    household = family(school_a)
    client.force_login(director_a)
    url = reverse("household_export_pdf", kwargs={"household_id": household.pk})
    assert client.get(url).status_code == 200  # a page that says what the PDF is; its button starts it
    job = started_job(client, url)
    assert job.private and job.created_by == director_a
    pdf = downloaded(client, job)
    assert pdf.startswith(b"%PDF")
    text = " ".join(subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True,
                                   check=True).stdout.decode().split())
    for word in ("Janssens", "Lotte0", "mama.janssens@example.org", "192.0.2.7", f"CODE-{household.pk}",
                 "lost the charger", "needs help"):
        assert word in text, word
    # Erasing the family takes the PDF made for its access request with it.
    stored = Path(job.file.path)
    retention.erase_household(household, actor=director_a)
    assert Household.objects.get(pk=household.pk).anonymised_at is not None
    assert not Job.objects.filter(pk=job.pk).exists() and not stored.exists()


@pytest.mark.parametrize("pupils", [1, 4])
def test_export_runs_a_fixed_number_of_queries(school_a, pupils, django_assert_max_num_queries):
    household = Household.objects.select_related("school").get(pk=family(school_a, n=pupils).pk)
    assert Loan.objects.filter(pupil__household=household).count() == pupils
    # One query per kind of row (messages, failing addresses, receipts and hand-overs included), one for the audit rows.
    with django_assert_max_num_queries(19):
        export.collect(household)


def test_the_service_refuses_too_when_the_page_was_opened_before_the_loan(school_a, director_a):
    from privacy import retention

    household = family(school_a, open_loan=True)
    with pytest.raises(retention.ErasureRefused):
        retention.erase_household(household, actor=director_a)
    # The nightly path skips it the same way, under a lock.
    assert retention.anonymise_households([household.pk], reason="retention") == 0
    assert has_personal_data(household)


@pytest.mark.django_db(transaction=True)
def test_erasure_and_a_checkout_at_the_same_moment_never_leave_a_loan_to_an_erased_pupil(school_a, director_a,
                                                                                         coordinator_a):
    from lending import desk
    from privacy import retention

    from ..concurrency import race
    from ..factories import DeviceFactory

    household = family(school_a, active=True, files=False)
    pupil = Pupil.objects.get(household=household)
    device = DeviceFactory(school=school_a)
    outcomes = race(lambda: retention.erase_household(household, actor=director_a),
                    lambda: desk.loan_checkout(device=device, pupil=pupil, by=coordinator_a),
                    refused=(retention.ErasureRefused, desk.DeskError), own_transaction=False)
    assert outcomes == ["created", "refused"]
    household.refresh_from_db()
    open_loans = Loan.objects.filter(pupil=pupil, status=Loan.Status.ACTIVE).count()
    assert (household.anonymised_at is None) == (open_loans == 1)


def test_messages_and_failing_addresses_are_exported_and_lose_the_address_on_erasure(school_a, director_a, client):
    from portal import messages
    from portal.models import FailingAddress, Message

    household = family(school_a, active=True)
    Message.objects.create(school=school_a, household_id=household.pk, channel="email", recipient="gone@example.org",
                           purpose="emails/agreement_link.txt", status="bounced")
    messages.mark_failing(channel="email", address="gone@example.org", reason="bounced", school_id=school_a.pk,
                          household_id=household.pk)
    records = export.collect(household)["records"]
    assert [row["recipient"] for row in records["portal.message"]] == ["gone@example.org"]
    assert [row["address"] for row in records["portal.failingaddress"]] == ["gone@example.org"]
    client.force_login(director_a)
    client.post(reverse("household_erase", kwargs={"household_id": household.pk}), {"confirmation": "Janssens"})
    assert Message.objects.get(household_id=household.pk).recipient == ""
    assert not FailingAddress.objects.filter(household_id=household.pk).exists()
