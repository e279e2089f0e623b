"""Local support: the LOP's directory of organisations and the school's referrals."""
import pytest
from django.urls import reverse

from households.models import Referral, SupportOrganisation
from portal.models import AuditEvent

from ..factories import HouseholdFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def centre(lop_a):
    return SupportOrganisation.objects.create(lop=lop_a, municipality="Gent", name="Digipunt Rabot",
                                              kind="centre", phone="09 123 45 67")


def test_lop_staff_add_and_edit_organisations_of_their_lop(client_as, lop_staff_a, lop_a, school_a):
    client = client_as(lop_staff_a)
    url = reverse("support_organisations", args=[lop_a.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"name": "Bibliotheek De Krook", "kind": "library", "municipality": "Gent",
                                 "helps_with": "Computerles voor ouders", "active": "on"})
    assert response.status_code == 302
    organisation = SupportOrganisation.objects.get(name="Bibliotheek De Krook")
    assert organisation.lop == lop_a
    client.post(url, {"organisation": organisation.pk, "name": "Bibliotheek De Krook", "kind": "library",
                      "municipality": "Gent", "phone": "09 000 00 00", "website": "dekrook.be"})
    organisation.refresh_from_db()
    assert organisation.phone == "09 000 00 00" and organisation.active is False
    assert organisation.website == "https://dekrook.be"  # typed without a scheme, as people do
    assert AuditEvent.objects.filter(action__startswith="support_organisation.").count() == 2


def test_lop_staff_of_another_lop_and_coordinators_cannot_edit(client_as, lop_staff_a, coordinator_a, lop_b):
    other = SupportOrganisation.objects.create(lop=lop_b, municipality="Antwerpen", name="Digipunt Noord")
    url = reverse("support_organisations", args=[lop_b.pk])
    assert client_as(lop_staff_a).post(url, {"organisation": other.pk, "name": "x", "kind": "other",
                                             "municipality": "Antwerpen"}).status_code == 404
    assert client_as(coordinator_a).get(url).status_code == 403
    other.refresh_from_db()
    assert other.name == "Digipunt Noord"


def test_coordinator_refers_a_family_and_follows_up(client_as, coordinator_a, school_a, centre):
    household = HouseholdFactory(school=school_a)
    client = client_as(coordinator_a)
    assert "Digipunt Rabot" in client.get(reverse("support_directory")).content.decode()
    client.post(reverse("referral_add", args=[household.pk]), {"organisation": centre.pk, "reason": "skills",
                                                               "note": "Mama wil leren mailen"})
    referral = Referral.objects.get(household=household)
    assert (referral.reason, referral.status, referral.created_by) == ("skills", "open", coordinator_a)
    client.post(reverse("referral_edit", args=[referral.pk]), {"status": "done", "note": "Geholpen"})
    referral.refresh_from_db()
    assert referral.status == "done" and referral.closed_at is not None
    detail = client.get(reverse("household_detail", args=[household.pk])).content.decode()
    assert "Digipunt Rabot" in detail


def test_other_schools_referrals_are_404(client_as, coordinator_a, school_b, lop_b):
    organisation = SupportOrganisation.objects.create(lop=lop_b, municipality="Antwerpen", name="Digipunt Zuid")
    household = HouseholdFactory(school=school_b)
    referral = Referral.objects.create(household=household, organisation=organisation, reason="technical")
    client = client_as(coordinator_a)
    assert client.get(reverse("referral_edit", args=[referral.pk])).status_code == 404
    assert client.post(reverse("referral_add", args=[household.pk]), {"organisation": organisation.pk,
                                                                      "reason": "software"}).status_code == 404
    assert "Digipunt Zuid" not in client.get(reverse("support_directory")).content.decode()
    assert Referral.objects.count() == 1
