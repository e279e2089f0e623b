"""Retention: a family's personal data goes RETENTION_MONTHS after its last loan ended and its pupils
left; report figures stay; signature evidence follows its own (legal) clock."""
import json
from datetime import date

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from households.models import Guardian, Household, Pupil
from lending.models import Agreement, Loan, ReturnReceipt, Transfer
from portal.models import AuditEvent, School
from privacy import retention
from reports.figures import SchoolYear, live_counts, live_months

from .gdpr_world import family, has_personal_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.RETENTION_MONTHS = 12
    settings.SIGNATURE_EVIDENCE_MONTHS = 60
    return tmp_path


def files_of(household):
    agreements = Agreement.objects.filter(loan__pupil__household=household)
    names = [n for row in agreements.values_list("pdf", "signed_pdf", "paper_scan", "signature_image") for n in row]
    names += list(Loan.objects.filter(pupil__household=household).values_list("return_photo", flat=True))
    names += list(ReturnReceipt.objects.filter(loan__pupil__household=household).values_list("pdf", flat=True))
    return [name for name in names if name]


def report_figures():
    """Every school's figures and monthly trend (what the LOP and Flanders reports show) for three years."""
    schools = School.objects.all()
    years = [SchoolYear(year) for year in (2024, 2025, SchoolYear.current().start_year)]
    return live_counts(schools, years), live_months(schools, years)


def test_the_day_before_the_limit_nothing_changes(school_a, media):
    household = family(school_a)
    stored = list(media.rglob("*.*"))
    result = retention.apply_retention(date(2026, 3, 9))
    assert result.households == 0
    assert has_personal_data(household)
    assert Guardian.objects.filter(household=household).exists()
    assert list(media.rglob("*.*")) == stored and len(stored) == 6  # photo, 4 agreement files, receipt


def test_the_day_after_the_limit_the_family_is_gone_but_reports_stay(school_a, school_b, media):
    household = family(school_a)
    family(school_b, name="Peeters", active=True)  # another school, still there: a control
    before = report_figures()
    rows_2024 = [row for (_school, year), row in before[0].items() if year == 2024]
    assert sum(row["loans_started"] + row["signed"] + row["issued"] + row["damage"] + row["no_internet"]
               for row in rows_2024) >= 5  # the comparison below compares real figures, not zeros
    on_disk = [media / name for name in files_of(household)]
    assert all(path.exists() for path in on_disk)

    result = retention.apply_retention(date(2026, 3, 11))

    assert result.households == 1
    household.refresh_from_db()
    assert household.anonymised_at is not None and household.name == ""
    assert not has_personal_data(household)
    assert not Guardian.objects.filter(household=household).exists()
    pupil = Pupil.objects.get(household=household)
    assert pupil.internal_number == f"erased-{pupil.pk}" and pupil.first_name == pupil.class_name == ""
    # The unsigned PDF, the return photo and the receipt (it names the pupil) go now; the signature
    # evidence is kept for the legal period. A hand-over's note loses what the school wrote.
    gone = [path for path in on_disk if path.name.startswith(("pdf", "photo", "receipt"))]
    kept = [path for path in on_disk if path not in gone]
    assert len(gone) == 3 and not any(path.exists() for path in gone)
    assert list(Transfer.objects.filter(loan__pupil__household=household).values_list("note", flat=True)) == [""]
    assert len(kept) == 3 and all(path.exists() for path in kept)
    assert sorted(files_of(household)) == sorted(str(path.relative_to(media)) for path in kept)
    assert report_figures() == before


def test_signature_evidence_goes_after_the_legal_period(school_a, media):
    household = family(school_a)
    retention.apply_retention(date(2026, 3, 11))
    agreement = Agreement.objects.get(loan__pupil__household=household)
    kept = [media / name for name in files_of(household)]
    assert agreement.signer_name and agreement.signer_ip and all(path.exists() for path in kept)

    assert retention.apply_retention(date(2030, 3, 9)).agreements == 0
    before = report_figures()
    assert retention.apply_retention(date(2030, 3, 11)).agreements == 1

    agreement.refresh_from_db()
    assert (agreement.signer_name, agreement.signer_ip, agreement.signer_user_agent) == ("", None, "")
    assert not agreement.signed_pdf and not agreement.paper_scan and not agreement.signature_image
    assert agreement.status == Agreement.Status.SIGNED and agreement.signed_at is not None
    assert not any(path.exists() for path in kept)
    assert report_figures() == before


def test_an_open_loan_or_a_pupil_still_at_school_is_never_touched(school_a):
    at_school = family(school_a, name="Claes", active=True)
    on_loan = family(school_a, name="Maes", open_loan=True)
    assert retention.apply_retention(date(2040, 1, 1)).households == 0
    for household in (at_school, on_loan):
        household.refresh_from_db()
        assert household.anonymised_at is None and household.name
        assert Pupil.objects.filter(household=household, anonymised_at__isnull=True).exists()
        assert Guardian.objects.filter(household=household).exists()


def test_a_leaver_without_a_date_gets_today_as_leaving_date(school_a):
    household = family(school_a)
    Pupil.objects.filter(household=household).update(left_on=None)
    assert retention.apply_retention(date(2026, 3, 11)).households == 0
    assert Pupil.objects.get(household=household).left_on == date(2026, 3, 11)
    assert retention.apply_retention(date(2027, 3, 11)).households == 0
    assert retention.apply_retention(date(2027, 3, 12)).households == 1


def test_running_twice_changes_nothing_more_and_audit_rows_hold_no_personal_data(school_a):
    household = family(school_a)
    first = retention.apply_retention(date(2031, 1, 1))
    assert (first.households, first.agreements) == (1, 1)
    events = AuditEvent.objects.count()
    second = retention.apply_retention(date(2031, 1, 1))
    assert (second.households, second.pupils, second.agreements) == (0, 0, 0)
    assert AuditEvent.objects.count() == events
    trail = json.dumps(list(AuditEvent.objects.values("action", "object_type", "object_id", "before", "after")))
    for word in ("Janssens", "Lotte", "example.org", "0470", "192.0.2.7", "Firefox"):
        assert word not in trail
    assert AuditEvent.objects.filter(action=retention.ANONYMISED, object_id=str(household.pk)).count() == 1


def _queries_for(school, families, batch_size):
    for i in range(families):
        family(school, name=f"Fam{i}", files=False)
    with CaptureQueriesContext(connection) as queries:
        result = retention.apply_retention(date(2031, 1, 1), batch_size=batch_size)
    assert result.households == families
    return len(queries)


def test_queries_grow_with_batches_not_with_families(school_a, school_b):
    one_batch_small = _queries_for(school_a, 2, batch_size=10)
    one_batch_large = _queries_for(school_b, 8, batch_size=10)
    assert one_batch_small == one_batch_large


def test_batches_cover_every_family(school_a):
    for i in range(5):
        family(school_a, name=f"Fam{i}", files=False)
    assert retention.apply_retention(date(2031, 1, 1), batch_size=2).households == 5
    assert not Household.objects.filter(anonymised_at__isnull=True).exists()


def test_command_dry_run_writes_nothing_then_the_real_run(school_a, capsys):
    household = family(school_a)
    call_command("apply_retention", "--dry-run", "--date", "2026-03-11")
    out = capsys.readouterr().out
    assert "1 household(s) would be anonymised" in out and "nothing written" in out
    household.refresh_from_db()
    assert household.anonymised_at is None
    call_command("apply_retention", "--date", "2026-03-11")
    household.refresh_from_db()
    assert household.anonymised_at is not None


def test_command_refuses_a_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("apply_retention", "--date", "11/03/2026")


def test_nightly_beat_runs_the_retention_task(settings):
    from privacy.tasks import apply_retention

    entry = settings.CELERY_BEAT_SCHEDULE["retention-nightly"]
    assert entry["task"] == apply_retention.name


@pytest.mark.worker
def test_the_nightly_task_runs_on_a_real_worker(celery_worker, school_a):
    from privacy.tasks import apply_retention

    household = family(school_a, files=False)  # the worker has the session's media folder, not this test's
    first = apply_retention.delay(on="2026-03-11").get(timeout=60)
    again = apply_retention.delay(on="2026-03-11").get(timeout=60)
    assert (first["households"], again["households"]) == (1, 0)
    household.refresh_from_db()
    assert household.anonymised_at is not None and not has_personal_data(household)
