"""Named people the tests act as: two schools in two LOPs, and everyone around them."""
import pytest
from django.utils import translation

from portal.models import Role

from . import factories


@pytest.fixture
def lop_a(db):
    return factories.LopFactory(name="LOP Gent")


@pytest.fixture
def lop_b(db):
    return factories.LopFactory(name="LOP Antwerpen", area="Antwerpen")


@pytest.fixture
def school_a(lop_a):
    return factories.SchoolFactory(name="Basisschool De Vlieger", lop=lop_a)


@pytest.fixture
def school_b(lop_b):
    return factories.SchoolFactory(name="Atheneum Zuid", lop=lop_b, level="secondary")


def _user_with_role(email, **role):
    user = factories.UserFactory(email=email)
    Role.objects.create(user=user, **role)
    return user


@pytest.fixture
def coordinator_a(school_a):
    return _user_with_role("ict@devlieger.test", kind=Role.Kind.COORDINATOR, school=school_a)


@pytest.fixture
def coordinator_b(school_b):
    return _user_with_role("ict@atheneumzuid.test", kind=Role.Kind.COORDINATOR, school=school_b)


@pytest.fixture
def director_a(school_a):
    return _user_with_role("directie@devlieger.test", kind=Role.Kind.DIRECTOR, school=school_a)


@pytest.fixture
def lop_staff_a(lop_a):
    return _user_with_role("medewerker@lopgent.test", kind=Role.Kind.LOP_STAFF, lop=lop_a)


@pytest.fixture
def admin_user(db):
    user = factories.UserFactory(email="admin@portal.test", is_staff=True, is_superuser=True)
    return user


@pytest.fixture
def client_as(client):
    """Log the test client in as a persona: client_as(coordinator_a)."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def english(client, settings):
    """Staff pages default to Dutch; tests that read the English msgids choose English like a user
    would (the language cookie for pages) and for code run outside a request (an override)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield
