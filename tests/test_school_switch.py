"""Staff with roles at two schools choose the school they work in; they never see both at once."""
import pytest
from django.urls import reverse

from lending.models import Device
from portal.models import Role
from tests.factories import DeviceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_school_coordinator(coordinator_a, school_b):
    Role.objects.create(user=coordinator_a, kind=Role.Kind.COORDINATOR, school=school_b)
    return coordinator_a


def test_the_first_school_by_default_and_the_other_after_switching(client_as, two_school_coordinator,
                                                                   school_a, school_b):
    own = DeviceFactory(school=school_a, asset_tag="A-ONLY")
    other = DeviceFactory(school=school_b, asset_tag="B-ONLY")
    client = client_as(two_school_coordinator)
    page = client.get(reverse("device_list")).content.decode()
    assert "A-ONLY" in page and "B-ONLY" not in page
    assert 'id="school-switch"' in page
    role_b = Role.objects.get(user=two_school_coordinator, school=school_b)
    response = client.post(reverse("school_switch"), {"role": role_b.pk})
    assert response.status_code == 302
    page = client.get(reverse("device_list")).content.decode()
    assert "B-ONLY" in page and "A-ONLY" not in page
    assert client.get(reverse("device_detail", kwargs={"device_id": own.pk})).status_code == 404
    assert client.get(reverse("device_detail", kwargs={"device_id": other.pk})).status_code == 200
    assert Device.objects.count() == 2


def test_switching_drops_the_other_schools_work_in_progress(client_as, two_school_coordinator, school_b):
    client = client_as(two_school_coordinator)
    session = client.session
    session["device_import"] = {"sha256": "x"}
    session.save()
    role_b = Role.objects.get(user=two_school_coordinator, school=school_b)
    client.post(reverse("school_switch"), {"role": role_b.pk})
    assert "device_import" not in client.session
    assert client.get(reverse("school_dashboard")).context["school"] == school_b


def test_nobody_switches_into_a_school_they_have_no_role_at(client_as, coordinator_a, school_a, school_b,
                                                            coordinator_b):
    role_b = Role.objects.get(user=coordinator_b, school=school_b)
    client = client_as(coordinator_a)
    assert client.post(reverse("school_switch"), {"role": role_b.pk}).status_code == 400
    assert client.post(reverse("school_switch"), {"role": "nonsense"}).status_code == 400
    assert client.get(reverse("school_dashboard")).context["school"] == school_a
    assert 'id="school-switch"' not in client.get(reverse("school_dashboard")).content.decode()
