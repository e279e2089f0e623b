from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from households.models import Guardian, Household, Pupil
from lending.models import Agreement, Device, Loan
from portal.models import Lop, Role, School, StaffMember, User

PASSWORD = "correct-horse-battery"


class LopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lop

    name = factory.Sequence(lambda n: f"LOP {n}")
    level = Lop.Level.BOTH
    area = "Gent"


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    instellingsnummer = factory.Sequence(lambda n: str(900000 + n))
    name = factory.Sequence(lambda n: f"Testschool {n}")
    municipality = "Gent"
    postcode = "9000"
    province = "oost-vlaanderen"
    level = "primary"
    network = "go"
    lop = factory.SubFactory(LopFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@school.test")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role

    user = factory.SubFactory(UserFactory)
    kind = Role.Kind.COORDINATOR
    school = factory.SubFactory(SchoolFactory)


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Leerkracht {n}")


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    school = factory.SubFactory(SchoolFactory)
    name = factory.Sequence(lambda n: f"Familie {n}")


class GuardianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardian

    household = factory.SubFactory(HouseholdFactory)
    name = factory.Sequence(lambda n: f"Ouder {n}")
    email = factory.Sequence(lambda n: f"ouder{n}@example.org")


class PupilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pupil

    school = factory.SubFactory(SchoolFactory)
    household = factory.SubFactory(HouseholdFactory, school=factory.SelfAttribute("..school"))
    first_name = factory.Sequence(lambda n: f"Kind{n}")
    last_name = "Peeters"
    grade = 5
    class_name = "5A"
    internal_number = factory.Sequence(lambda n: f"P{n:05d}")


class DeviceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Device

    school = factory.SubFactory(SchoolFactory)
    asset_tag = factory.Sequence(lambda n: f"TAG-{n:05d}")
    kind = Device.Kind.LAPTOP
    funding_source = Device.Funding.DIGISPRONG
    purchase_value = Decimal("500.00")


class LoanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Loan

    device = factory.SubFactory(DeviceFactory)
    pupil = factory.SubFactory(PupilFactory, school=factory.SelfAttribute("..device.school"))
    due_policy = Loan.DuePolicy.END_OF_SCHOOL_YEAR
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=200))


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    loan = factory.SubFactory(LoanFactory)
    text_version = "test-1"
