import pytest
from django.conf import settings
from django.core.management import call_command

from demo.seed import DEMO_LOP_NAME, DEMO_SCHOOL_NUMBERS
from households.models import Guardian, Household, Pupil
from lending.models import Agreement, Device, Loan
from portal.models import Lop, Role, School, User

pytestmark = pytest.mark.django_db

COUNTED = [School, Lop, User, Role, Household, Guardian, Pupil, Device, Loan, Agreement]


def _counts():
    return {model.__name__: model.objects.count() for model in COUNTED}


def test_seed_demo_builds_a_believable_lop_and_is_idempotent(capsys):
    call_command("seed_demo")
    first = _counts()
    output = capsys.readouterr().out
    call_command("seed_demo")
    assert _counts() == first

    lop = Lop.objects.get(name=DEMO_LOP_NAME)
    schools = School.objects.filter(lop=lop)
    assert schools.count() == len(DEMO_SCHOOL_NUMBERS) == 10
    assert set(schools.values_list("level", flat=True)) == {"primary", "secondary"}
    assert set(schools.values_list("special_needs", flat=True)) == {True, False}
    assert first["School"] == 399  # the whole bundled sample, so reports have Flanders to compare with
    assert first["Pupil"] >= 250 and first["Household"] < first["Pupil"]  # siblings share a household

    assert set(Loan.objects.values_list("status", flat=True)) == set(Loan.Status.values)
    assert set(Agreement.objects.values_list("status", flat=True)) == set(Agreement.Status.values)
    assert set(Device.objects.values_list("status", flat=True)) == set(Device.Status.values)
    assert set(Device.objects.values_list("kind", flat=True)) >= {"laptop", "tablet", "chromebook"}
    assert len(set(Device.objects.values_list("funding_source", flat=True))) >= 4
    assert Loan.objects.filter(staff_member__isnull=False).exists()
    assert Loan.objects.filter(status="active", due_on__lt=__import__("datetime").date.today()).exists()

    # Every printed login works with the printed password.
    for school in schools:
        assert f"ict.{school.instellingsnummer}@" in output
    assert settings.DEMO_PASSWORD in output
    for email in [line.split()[0] for line in output.splitlines() if "@" in line]:
        assert User.objects.get(email=email).check_password(settings.DEMO_PASSWORD)
    kinds = set(Role.objects.values_list("kind", flat=True))
    assert kinds == {"coordinator", "director", "lop_staff"}
    assert User.objects.filter(is_superuser=True).exists()


def test_demo_coordinator_sees_a_filled_dashboard(client):
    call_command("seed_demo")
    coordinator = Role.objects.filter(kind="coordinator").select_related("user").first().user
    client.force_login(coordinator)
    counts = client.get("/school/").context["counts"]
    assert counts["devices_total"] == Device.objects.filter(school__roles__user=coordinator).count() >= 26
    assert counts["open_loans"] > 0 and counts["unsigned_agreements"] > 0


def test_every_demo_school_has_a_queue_and_a_school_year_to_see(client):
    from lending.leavers import leaver_loans
    from lending.models import Repair, ReturnReceipt
    from lending.views_desk import handout_queue

    call_command("seed_demo")
    for school in School.objects.filter(lop__name=DEMO_LOP_NAME):
        assert handout_queue(school).count() >= 4, school
        assert leaver_loans(school=school).exists(), school
        assert ReturnReceipt.objects.filter(loan__device__school=school).exists(), school
        assert Repair.objects.filter(device__school=school, returned_at__isnull=True).exists(), school
    # Agreements are dated with their loans, not with the day the demo was loaded.
    for agreement in Agreement.objects.select_related("loan")[:50]:
        assert agreement.created_at == agreement.loan.started_at
