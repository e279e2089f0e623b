"""The roll-up the reports read equals a live computation from the rows after every kind of write,
because each write refreshes its school after commit (reports/signals.py), with a real Celery worker
too; the nightly job and ``refresh_figures`` rebuild everything."""
from datetime import datetime, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction

from households import codes, roster_source
from households.models import Household, InternetCode, Pupil
from lending import agreements, desk, device_import, inventory
from lending.models import Agreement, Device, Loan
from portal.models import School, SchoolYearFacts
from portal.school_facts import school_facts_set
from reports import rollup
from reports.figures import SchoolYear, live_counts, live_months
from reports.models import SchoolMonthFigures, SchoolYearFigures

from ..conftest import wait_for
from ..factories import DeviceFactory, HouseholdFactory, LoanFactory, PupilFactory, SchoolFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db
BRUSSELS = ZoneInfo("Europe/Brussels")


def stored():
    years = {(row.school_id, row.start_year): row.counts for row in SchoolYearFigures.objects.all()}
    months = {(row.school_id, row.month): {f: getattr(row, f) for f in ("open_pupil", "signed", "issued", "activations")}
              for row in SchoolMonthFigures.objects.all()}
    return years, months


def live():
    schools = School.objects.all()
    return live_counts(schools, SchoolYear.all()), live_months(schools, SchoolYear.all())


def assert_rollup_is_live():
    years, months = stored()
    expected_years, expected_months = live()
    differences = {key: {f: (row.get(f), expected_years.get(key, {}).get(f)) for f in row
                         if row.get(f) != expected_years.get(key, {}).get(f)} for key, row in years.items()}
    assert not {key: d for key, d in differences.items() if d}
    assert years == expected_years
    assert months == expected_months


@pytest.fixture
def world(school_a, coordinator_a, django_capture_on_commit_callbacks):
    with time_machine.travel(datetime(2026, 11, 23, 10, tzinfo=BRUSSELS), tick=False):
        pupils = PupilFactory.create_batch(6, school=school_a, grade=5, needs_device=True)
        devices = DeviceFactory.create_batch(6, school=school_a)
        rollup.refresh()
        assert_rollup_is_live()
        yield {"school": school_a, "by": coordinator_a, "pupils": pupils, "devices": devices,
               "commit": django_capture_on_commit_callbacks}


def _write(world, action):
    with world["commit"](execute=True):
        with transaction.atomic():
            result = action()
    assert_rollup_is_live()
    return result


ROSTER = ("leerlingnummer;voornaam;naam;klas;leerjaar\r\n" + "".join(
    f"R{n};Kind{n};Roster;5A;5\r\n" for n in range(7))).encode()
DEVICES = "inventarisnummer;soort;financiering;aankoopwaarde;in gebruik sinds\r\nX1;laptop;overheid;400;2020-11-20\r\n"


def test_every_kind_of_write_keeps_the_rollup_equal_to_the_rows(world):
    school, by, pupils, devices = world["school"], world["by"], world["pupils"], world["devices"]
    loan = _write(world, lambda: desk.loan_checkout(device=devices[0], pupil=pupils[0], by=by))
    staff_loan = _write(world, lambda: desk.loan_checkout(device=devices[1], staff_member=StaffMemberFactory(
        school=school), by=by))
    agreement = Agreement.objects.get(loan=loan)
    _write(world, lambda: agreements.agreement_sign(agreement=agreement, method="desk", signer_name="A. Ouder",
                                                    language="nl", text_sha256="0" * 64, ip=None, user_agent="t"))
    _write(world, lambda: desk.loan_checkin(loan=Loan.objects.get(pk=staff_loan.pk), by=by, condition_in="good"))
    _write(world, lambda: desk.incident_record(device=Device.objects.get(pk=devices[0].pk),
                                               loan=Loan.objects.get(pk=loan.pk), kind="loss", by=by))
    _write(world, lambda: inventory.device_create(school=school, by=by, asset_tag="NEW1", kind="tablet",
                                                  funding_source="donation", purchase_value=Decimal("200")))
    _write(world, lambda: inventory.device_update(device=Device.objects.get(pk=devices[2].pk), by=by,
                                                  status=Device.Status.RETIRED))
    _write(world, lambda: device_import.import_devices(school=school, data=DEVICES.encode(), by=by))
    assert Device.objects.get(asset_tag="X1").in_use_since.isoformat() == "2020-11-20"
    _write(world, lambda: roster_source.import_roster(school=school, data=ROSTER, filename="r.csv", by=by, columns={
        "internal_number": "leerlingnummer", "first_name": "voornaam", "last_name": "naam", "class_name": "klas",
        "grade": "leerjaar"}))
    household = HouseholdFactory(school=school)
    InternetCode.objects.create(school=school, provider="Telenet", code="Z1", valid_until="2027-06-30")
    code = _write(world, lambda: codes.code_hand_out(school=school, household=household, by=by))
    _write(world, lambda: codes.code_activate(code=code, by=by))
    _write(world, lambda: Household.objects.filter(pk=household.pk).update(internet_at_home="none") and
           Household.objects.get(pk=household.pk).save())
    _write(world, lambda: school_facts_set(school=school, start_year=2026, staff_head_count=24,
                                           digisprong_budget=Decimal("12000"), by=by))
    _write(world, lambda: Pupil.objects.get(pk=pupils[1].pk).delete())
    other = _write(world, lambda: SchoolFactory(lop=school.lop))
    _write(world, lambda: School.objects.filter(pk=other.pk).update(network="ogo") or School.objects.get(
        pk=other.pk).save())
    assert SchoolYearFacts.objects.get(school=school).staff_head_count == 24
    counts = SchoolYearFigures.objects.get(school=school, start_year=2026).counts
    assert counts["staff_head_count"] == 24 and counts["loss"] == 1 and counts["activated"] == 1
    assert counts["devices"] == 6  # 6 + 1 added + 1 imported, less the lost one and the retired one
    assert counts["funding"]["government_2020"] == [1, "400.00"]


def test_the_past_year_follows_in_use_since_and_the_clock_moves_on(world):
    school = world["school"]
    _write(world, lambda: DeviceFactory(school=school, in_use_since="2021-10-01"))
    assert SchoolYearFigures.objects.get(school=school, start_year=2021).counts["devices"] == 1
    assert SchoolYearFigures.objects.get(school=school, start_year=2020).counts["devices"] == 0


def test_the_nightly_job_and_the_command_rebuild_everything(world):
    SchoolYearFigures.objects.all().delete()
    LoanFactory(device=world["devices"][3], pupil=world["pupils"][3])  # no commit hook: only the rebuild sees it
    call_command("refresh_figures")
    assert_rollup_is_live()


def test_the_command_can_fill_only_the_schools_without_figures(world):
    other = SchoolFactory(lop=world["school"].lop)  # no commit hook here: it has no figures yet
    out = StringIO()
    call_command("refresh_figures", "--missing", stdout=out)
    assert out.getvalue().strip() == "1"
    assert SchoolYearFigures.objects.filter(school=other).count() == len(SchoolYear.all())
    assert_rollup_is_live()
    call_command("refresh_figures", "--missing", stdout=out)
    assert out.getvalue().split() == ["1", "0"]  # make run a second time: nothing left to do


@pytest.mark.worker
def test_a_real_worker_refreshes_the_school_after_commit(celery_worker, school_a, coordinator_a):
    pupil = PupilFactory(school=school_a, grade=6, needs_device=True)
    device = DeviceFactory(school=school_a)
    rollup.refresh()
    desk.loan_checkout(device=device, pupil=pupil, by=coordinator_a)

    def up_to_date():
        return stored()[0] == live()[0]

    # Refreshes queued by the earlier writes may still run before the checkout's own: wait for the last.
    assert wait_for(up_to_date, timeout=30)
    assert SchoolYearFigures.objects.get(school=school_a, start_year=SchoolYear.current().start_year
                                         ).counts["open_pupil"] == 1
    assert_rollup_is_live()


def test_a_refresh_never_keeps_a_rolled_back_write(world):
    school = world["school"]
    with world["commit"](execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                DeviceFactory(school=school)
                raise RuntimeError
    assert_rollup_is_live()
    _write(world, lambda: DeviceFactory(school=school) and None)
    assert SchoolYearFigures.objects.get(school=school, start_year=2026).counts["devices"] == 7


def test_month_rows_count_codes_in_the_month_they_were_handed_out_and_activated(world):
    school = world["school"]
    household = HouseholdFactory(school=school)
    at = datetime(2020, 9, 30, 23, 30, tzinfo=BRUSSELS)
    _write(world, lambda: InternetCode.objects.create(
        school=school, provider="P", code="M1", valid_until="2021-06-30", household=household, issued_at=at,
        activated_at=at + timedelta(hours=1)))
    months = {row.month.isoformat(): (row.issued, row.activations) for row in SchoolMonthFigures.objects.filter(
        school=school, issued__gt=0) | SchoolMonthFigures.objects.filter(school=school, activations__gt=0)}
    assert months == {"2020-09-01": (1, 0), "2020-10-01": (0, 1)}  # 23:30 and 00:30 Brussels time
