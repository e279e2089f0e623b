"""A believable demo: one LOP (Gent) with ten real schools, pupils, families, devices and
loans in every state. Deterministic and idempotent: a school that already has pupils is left alone."""
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from households.models import Guardian, Household, Pupil
from lending.models import Agreement, Device, Incident, Loan, Repair, ReturnReceipt
from portal.languages import household_language
from portal.models import Lop, Role, School, StaffMember, User
from portal.school_import import import_schools

SAMPLE_SCHOOLS = Path(__file__).resolve().parent / "data" / "schools-flanders-sample.csv"

# Gent: primary and secondary, mainstream and special needs, three networks.
DEMO_LOP_NAME = "LOP Gent"
DEMO_SCHOOL_NUMBERS = [
    "21766", "103549", "26815", "26856", "26881", "26914", "27326", "28191", "43307", "46871",
]
DEMO_EMAIL_DOMAIN = "demo.uitleenportaal.be"

FIRST_NAMES = [
    "Emma", "Noah", "Lina", "Adam", "Olivia", "Mohamed", "Louise", "Arthur", "Yasmine", "Jules",
    "Elif", "Lucas", "Amira", "Victor", "Zoë", "Rayan", "Nora", "Finn", "Hiba", "Milan",
    "Oksana", "Mateo", "Sara", "Ilias", "Julia", "Kacper", "Fien", "Ayoub", "Marie", "Andrei",
]
LAST_NAMES = [
    "Peeters", "Janssens", "Maes", "El Amrani", "Yilmaz", "De Smet", "Claes", "Nowak", "Vermeulen",
    "Bouzid", "Wouters", "Popescu", "Goossens", "Demir", "Van den Broeck", "Kowalenko", "Mertens",
    "Benali", "De Vos", "Dubois",
]
# Weighted like a Gent school population: most families Dutch-speaking, many others.
LANGUAGES = ["nl"] * 10 + ["fr"] * 2 + ["ar"] * 2 + ["tr"] * 2 + ["en", "pl", "ro", "uk"]
MODELS = {
    Device.Kind.LAPTOP: ["Lenovo ThinkPad L14", "HP ProBook 440", "Dell Latitude 3440"],
    Device.Kind.CHROMEBOOK: ["Acer Chromebook 314", "Lenovo 300e Chromebook"],
    Device.Kind.TABLET: ["Apple iPad 10.2", "Samsung Galaxy Tab A9"],
}
VALUES = {Device.Kind.LAPTOP: Decimal("649.00"), Device.Kind.CHROMEBOOK: Decimal("329.00"),
          Device.Kind.TABLET: Decimal("389.00")}


@dataclass
class DemoLogins:
    password: str
    accounts: list[tuple[str, str]] = field(default_factory=list)


def seed_demo(*, today: date | None = None) -> DemoLogins:
    today = today or timezone.localdate()
    import_schools(data=SAMPLE_SCHOOLS.read_bytes())
    with transaction.atomic():
        lop, _created = Lop.objects.update_or_create(
            name=DEMO_LOP_NAME, defaults={"level": Lop.Level.BOTH, "area": "Gent"}
        )
        schools = list(School.objects.filter(instellingsnummer__in=DEMO_SCHOOL_NUMBERS).order_by("name"))
        School.objects.filter(pk__in=[s.pk for s in schools]).update(lop=lop)
        logins = _demo_users(lop, schools)
        for school in schools:
            if not school.pupils.exists():
                _fill_school(school, today=today, rng=random.Random(int(school.instellingsnummer)))
    return logins


def _user(email, *, password, superuser=False, **names):
    user, _created = User.objects.get_or_create(email=email, defaults=names)
    user.set_password(password)
    user.is_superuser = user.is_staff = superuser
    user.save()
    return user


def _demo_users(lop, schools) -> DemoLogins:
    password = settings.DEMO_PASSWORD
    logins = DemoLogins(password=password)
    admin = _user(f"admin@{DEMO_EMAIL_DOMAIN}", password=password, superuser=True, first_name="Admin")
    logins.accounts.append(("admin", admin.email))
    lop_user = _user(f"lop.gent@{DEMO_EMAIL_DOMAIN}", password=password, first_name="Lotte", last_name="LOP")
    Role.objects.get_or_create(user=lop_user, kind=Role.Kind.LOP_STAFF, lop=lop)
    logins.accounts.append(("LOP staff", lop_user.email))
    director = _user(f"directie.{schools[0].instellingsnummer}@{DEMO_EMAIL_DOMAIN}", password=password,
                     first_name="Dirk", last_name="Directeur")
    Role.objects.get_or_create(user=director, kind=Role.Kind.DIRECTOR, school=schools[0])
    logins.accounts.append((f"director, {schools[0].name}", director.email))
    for school in schools:
        coordinator = _user(f"ict.{school.instellingsnummer}@{DEMO_EMAIL_DOMAIN}", password=password,
                            first_name="ICT", last_name=school.name[:40])
        Role.objects.get_or_create(user=coordinator, kind=Role.Kind.COORDINATOR, school=school)
        logins.accounts.append((f"ICT coordinator, {school.name}", coordinator.email))
    return logins


def _grades(school):
    # In scope: 5th and 6th year of primary, every year of secondary; a few younger pupils too.
    return [3, 4, 5, 5, 6, 6] if school.level == "primary" else [1, 2, 3, 4, 5, 6]


def _fill_school(school, *, today, rng):
    households = _households(school, rng)
    pupils = _pupils(school, households, rng)
    devices = _devices(school, rng)
    staff = StaffMember.objects.bulk_create(
        [StaffMember(school=school, name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}") for _ in range(3)]
    )
    coordinator = User.objects.filter(roles__school=school, roles__kind=Role.Kind.COORDINATOR).first()
    _loans(school, pupils, staff, devices, today=today, rng=rng, coordinator=coordinator)


def _households(school, rng):
    households = []
    for _n in range(rng.randint(20, 34)):
        channel = rng.choices([Household.Channel.EMAIL, Household.Channel.SMS, Household.Channel.PAPER], weights=[6, 3, 2])[0]
        households.append(Household(
            school=school, name=f"{rng.choice(LAST_NAMES)}", preferred_language=rng.choice(LANGUAGES),
            contact_channel=channel,
            device_at_home=rng.choices(list(Household.Access), weights=[3, 2, 3, 6])[0],
            internet_at_home=rng.choices(list(Household.Access), weights=[3, 1, 2, 8])[0],
        ))
    Household.objects.bulk_create(households)
    guardians = []
    for household in households:
        name = f"{rng.choice(FIRST_NAMES)} {household.name}"
        slug = name.lower().replace(" ", ".")
        has_mail = household.contact_channel == Household.Channel.EMAIL
        guardians.append(Guardian(
            household=household, name=name, relation=rng.choice(["mother", "father", "guardian"]),
            email=f"{slug}@example.org" if has_mail else "",
            phone=f"+32 470 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
        ))
    Guardian.objects.bulk_create(guardians)
    return households


def _pupils(school, households, rng):
    pupils = []
    grades = _grades(school)
    count = len(households) + rng.randint(8, 14)  # some households have two children here
    for n in range(count):
        household = households[n % len(households)]
        grade = rng.choice(grades)
        lacks_device = household.device_at_home in (Household.Access.NONE, Household.Access.SHARED)
        pupils.append(Pupil(
            school=school, household=household, first_name=rng.choice(FIRST_NAMES), last_name=household.name,
            grade=grade, class_name=f"{grade}{rng.choice('ABC')}", internal_number=f"{school.instellingsnummer}-{n + 1:04d}",
            needs_device=lacks_device and grade >= 5 or school.level == "secondary" and lacks_device,
            needs_internet=household.internet_at_home == Household.Access.NONE,
            active=n != count - 1,  # one pupil left the school this year
        ))
    return Pupil.objects.bulk_create(pupils)


def _devices(school, rng):
    devices = []
    kinds = [Device.Kind.LAPTOP] * 5 + [Device.Kind.CHROMEBOOK] * 3 + [Device.Kind.TABLET] * 2
    for n in range(rng.randint(26, 40)):
        kind = rng.choice(kinds)
        funding = rng.choices(list(Device.Funding), weights=[10, 4, 2, 3, 1])[0]
        devices.append(Device(
            school=school, asset_tag=f"S{school.instellingsnummer}-{n + 1:03d}",
            serial_number=f"SN{rng.randint(10**8, 10**9 - 1)}", kind=kind, make_model=rng.choice(MODELS[kind]),
            funding_source=funding, purchase_value=VALUES[kind],
            accessories=["charger", "sleeve"] if kind != Device.Kind.TABLET else ["charger"],
        ))
    return Device.objects.bulk_create(devices)


def _aware(day, hour=9):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _school_year_end(today):
    year = today.year if today.month >= 9 else today.year - 1
    return date(year + 1, 8, 31)


# Pupils who need a device and wait for it on hand-out day, at every demo school.
WAITING = 4


def _needy(pupils, rng):
    """The pupils who need a device, at least WAITING + 6 of them, so every school has a queue."""
    needy = [p for p in pupils if p.needs_device and p.active]
    for pupil in [p for p in pupils if not p.needs_device and p.active][:max(0, WAITING + 6 - len(needy))]:
        pupil.needs_device = True
        needy.append(pupil)
    Pupil.objects.bulk_update(needy, ["needs_device"])
    return needy


def _loans(school, pupils, staff, devices, *, today, rng, coordinator=None):
    """Loans in every state: open (some overdue, one of a pupil who left), returned with a receipt,
    transferred, lost; agreements dated with their loans; a queue for hand-out day; repairs."""
    needy = _needy(pupils, rng)
    # The last WAITING needy pupils get nothing yet: they are the hand-out day queue.
    borrowers = needy[:-WAITING] + [p for p in pupils if not p.needs_device and p.active][:4]
    free = list(devices)
    year_end = _school_year_end(today)
    loans, agreements = [], []
    agreement_states = [
        (Agreement.Status.SIGNED, Agreement.Method.ONLINE), (Agreement.Status.SIGNED, Agreement.Method.PAPER),
        (Agreement.Status.SIGNED, Agreement.Method.DESK), (Agreement.Status.SENT, ""),
        (Agreement.Status.QUESTION, ""), (Agreement.Status.DRAFT, ""),
    ]
    for index, pupil in enumerate(borrowers[:14]):
        device = free.pop()
        overdue = index % 7 == 6
        started = today - timedelta(days=rng.randint(20, 200))
        loan = Loan(device=device, pupil=pupil, started_at=_aware(started), due_policy=Loan.DuePolicy.END_OF_SCHOOL_YEAR,
                    due_on=today - timedelta(days=9) if overdue else year_end, accessories_out=device.accessories)
        status, method = agreement_states[index % len(agreement_states)]
        loans.append(loan)
        agreements.append((loan, status, method, started))
        device.status = Device.Status.ON_LOAN
    closed = [
        (Loan.Status.RETURNED, Device.Status.AVAILABLE, Loan.Condition.GOOD),
        (Loan.Status.RETURNED, Device.Status.IN_REPAIR, Loan.Condition.DAMAGED),
        (Loan.Status.TRANSFERRED, Device.Status.RETIRED, ""),
        (Loan.Status.LOST, Device.Status.LOST, ""),
    ]
    for (status, device_status, condition_in), pupil in zip(closed, borrowers[14:] + pupils[-4:], strict=False):
        device = free.pop()
        started = today - timedelta(days=rng.randint(250, 400))
        loans.append(Loan(device=device, pupil=pupil, status=status, started_at=_aware(started),
                          due_policy=Loan.DuePolicy.END_OF_SCHOOL_YEAR, due_on=started + timedelta(days=300),
                          returned_at=_aware(started + timedelta(days=240)), condition_in=condition_in,
                          accessories_out=device.accessories,
                          accessories_in=device.accessories if status == Loan.Status.RETURNED else [],
                          received_by=coordinator if status == Loan.Status.RETURNED else None))
        agreements.append((loans[-1], Agreement.Status.ENDED, Agreement.Method.ONLINE, started))
        device.status = device_status
    for member in staff[:2]:
        device = free.pop()
        loans.append(Loan(device=device, staff_member=member, started_at=_aware(today - timedelta(days=60)),
                          due_policy=Loan.DuePolicy.END_OF_CAREER, due_on=today + timedelta(days=3 * 365)))
        device.status = Device.Status.ON_LOAN
    Loan.objects.bulk_create(loans)
    Device.objects.bulk_update(devices, ["status"])
    made = Agreement.objects.bulk_create([
        Agreement(loan=loan, text_version="demo-1", language=household_language(loan.pupil.household),
                  status=status, signed_method=method,
                  signed_at=_aware(started + timedelta(days=2)) if method else None)
        for loan, status, method, started in agreements
    ])
    # Dated with their loans (created_at is set to "now" on insert).
    for agreement, (loan, _status, _method, _started) in zip(made, agreements, strict=True):
        agreement.created_at = loan.started_at
    Agreement.objects.bulk_update(made, ["created_at"])
    _year_events(school, loans, today=today)


def _year_events(school, loans, *, today):
    """What a school year leaves to see: a receipt per return (to print: the demo sends no mail), the
    damaged return's incident and its repair (one sent too long ago), and a pupil who left with a device."""
    returned = [loan for loan in loans if loan.status == Loan.Status.RETURNED]
    ReturnReceipt.objects.bulk_create([
        ReturnReceipt(loan=loan, language=loan.pupil.household.preferred_language, channel="paper",
                      status=ReturnReceipt.Status.PAPER) for loan in returned])
    for loan in returned:
        if loan.device.status == Device.Status.IN_REPAIR:
            incident = Incident.objects.create(device=loan.device, loan=loan, kind=Incident.Kind.DAMAGE,
                                               description="Scherm gebarsten", reported_at=loan.returned_at)
            Repair.objects.create(device=loan.device, incident=incident, supplier="PC Hersteldienst Gent",
                                  sent_at=_aware(today - timedelta(days=school.repair_too_long_days + 9)))
    open_pupil_loans = [loan for loan in loans if loan.status == Loan.Status.ACTIVE and loan.pupil_id]
    if open_pupil_loans:
        leaver = open_pupil_loans[0].pupil
        Pupil.objects.filter(pk=leaver.pk).update(active=False, left_on=today - timedelta(days=12))
