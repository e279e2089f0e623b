"""Household pages: list, detail, edit of the household and its guardians, the social tariff."""
import pytest
from django.urls import reverse

from households.models import Guardian, Household
from portal.models import AuditEvent

from ..factories import AgreementFactory, GuardianFactory, HouseholdFactory, LoanFactory, PupilFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_list_is_paged_bounded_and_only_the_own_school(client_as, coordinator_a, school_a, school_b,
                                                       django_assert_max_num_queries):
    for n in range(60):
        household = HouseholdFactory(school=school_a, name=f"Familie A{n:02d}")
        PupilFactory(school=school_a, household=household, needs_device=n % 2 == 0)
        GuardianFactory(household=household)
    HouseholdFactory(school=school_b, name="Familie Van School B")
    client = client_as(coordinator_a)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("household_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Familie A00" in html and "Familie A59" not in html  # 50 per page
    assert "Van School B" not in html
    assert "Familie A59" in client.get(reverse("household_list") + "?page=2").content.decode()
    needs = client.get(reverse("household_list") + "?needs=1").context["page"].paginator.count
    assert needs == 30
    assert client.get(reverse("household_list") + "?q=A07").context["page"].paginator.count == 1


def test_detail_shows_guardians_siblings_loans_and_agreements(client_as, coordinator_a, school_a,
                                                              django_assert_max_num_queries):
    household = HouseholdFactory(school=school_a, name="Familie Janssens")
    GuardianFactory(household=household, name="Mira Janssens", email="mira@example.org", phone="+32470123456",
                    relation="mother")
    loan = LoanFactory(device__school=school_a, pupil__household=household, pupil__first_name="Lotte",
                       pupil__needs_device=True)
    AgreementFactory(loan=loan)
    PupilFactory(school=school_a, household=household, first_name="Bram")
    client = client_as(coordinator_a)
    with django_assert_max_num_queries(18):
        response = client.get(reverse("household_detail", args=[household.pk]))
    html = response.content.decode()
    for text in ("Mira Janssens", "mira@example.org", "+32470123456", "Mother", "Lotte", "Bram",
                 loan.device.asset_tag, f"/desk/handout/?pupil={loan.pupil.pk}"):
        assert text in html, text
    assert 'id="sent-messages"' not in html and "address-failing" not in html


def test_detail_shows_what_became_of_the_messages_and_a_failing_address(client_as, coordinator_a, school_a,
                                                                         school_b, django_assert_max_num_queries):
    from portal import messages
    from portal.models import Message

    household = HouseholdFactory(school=school_a)
    GuardianFactory(household=household, email="Gone@Example.org", phone="0470 12 34 56")
    for n in range(12):
        Message.objects.create(school=school_a, household_id=household.pk, channel="email",
                               recipient="gone@example.org", status="bounced" if n == 11 else "delivered")
    Message.objects.create(school=school_b, household_id=household.pk, channel="sms", recipient="+32499000000")
    messages.mark_failing(channel="email", address="gone@example.org", reason="bounced", household_id=household.pk)
    client = client_as(coordinator_a)
    with django_assert_max_num_queries(18):
        html = client.get(reverse("household_detail", args=[household.pk])).content.decode()
    assert html.count("address-failing") == 1  # the e-mail, not the phone
    rows = html.split('id="sent-messages"')[1].split("</table>")[0]
    assert rows.count("<tr>") == 11  # the heading and the ten newest
    assert "+32499000000" not in html  # another school's message stays there


def test_edit_household_and_guardians_writes_audit_rows(client_as, coordinator_a, school_a):
    household = HouseholdFactory(school=school_a, name="Familie Peeters")
    client = client_as(coordinator_a)
    response = client.post(reverse("household_edit", args=[household.pk]), {
        "name": "Familie Peeters-Dubois", "preferred_language": "fr", "contact_channel": "sms",
        "device_at_home": "none", "internet_at_home": "shared"})
    assert response.status_code == 302
    household.refresh_from_db()
    assert (household.name, household.preferred_language, household.contact_channel) == (
        "Familie Peeters-Dubois", "fr", "sms")
    event = AuditEvent.objects.get(action="household.updated")
    assert event.before["name"] == "Familie Peeters" and event.after["name"] == "Familie Peeters-Dubois"

    client.post(reverse("guardian_add", args=[household.pk]), {
        "name": "Sara Dubois", "relation": "mother", "email": "sara@example.org", "phone": ""})
    guardian = Guardian.objects.get(household=household)
    client.post(reverse("guardian_edit", args=[guardian.pk]), {
        "name": "Sara Dubois", "relation": "mother", "email": "", "phone": "+32470999888"})
    guardian.refresh_from_db()
    assert guardian.phone == "+32470999888" and guardian.email == ""
    assert AuditEvent.objects.filter(action__in=["guardian.created", "guardian.updated"]).count() == 2


def test_forms_ask_nothing_the_job_does_not_need(client_as, coordinator_a, school_a):
    household = HouseholdFactory(school=school_a)
    client = client_as(coordinator_a)
    form = client.get(reverse("household_edit", args=[household.pk])).context["form"]
    assert set(form.fields) == {"name", "preferred_language", "contact_channel", "device_at_home", "internet_at_home"}
    form = client.get(reverse("guardian_add", args=[household.pk])).context["form"]
    # The co-account number is what a Smartschool message needs to reach this parent.
    assert set(form.fields) == {"name", "relation", "email", "phone", "smartschool_coaccount"}


def test_social_tariff_page_and_record(client_as, coordinator_a, school_a):
    household = HouseholdFactory(school=school_a)
    client = client_as(coordinator_a)
    page = client.get(reverse("social_tariff")).content.decode()
    assert "social tariff" in page and "OCMW" in page
    french = client.get(reverse("social_tariff") + "?lang=fr").content.decode()
    assert 'id="social-tariff-text" class="fs-5 reading-width" lang="fr"' in french
    client.post(reverse("household_social_tariff", args=[household.pk]))
    household.refresh_from_db()
    assert household.pointed_to_social_tariff_at is not None
    assert AuditEvent.objects.filter(action="household.social_tariff_pointed").exists()


def test_other_schools_households_are_404(client_as, coordinator_a, school_b):
    household = HouseholdFactory(school=school_b, name="Familie B")
    guardian = GuardianFactory(household=household)
    client = client_as(coordinator_a)
    assert client.get(reverse("household_detail", args=[household.pk])).status_code == 404
    assert client.post(reverse("household_edit", args=[household.pk]), {"name": "x"}).status_code == 404
    assert client.post(reverse("guardian_edit", args=[guardian.pk]), {"name": "x"}).status_code == 404
    assert client.post(reverse("household_social_tariff", args=[household.pk])).status_code == 404
    household.refresh_from_db()
    assert household.name == "Familie B" and household.pointed_to_social_tariff_at is None
    assert Household.objects.filter(name="x").count() == 0


def test_a_guardians_phone_is_stored_as_e164_and_a_wrong_one_is_refused(client_as, coordinator_a, school_a):
    household = HouseholdFactory(school=school_a)
    client = client_as(coordinator_a)
    refused = client.post(reverse("guardian_add", args=[household.pk]), {
        "name": "Sara Dubois", "relation": "mother", "email": "", "phone": "0470 12 34"})
    assert refused.status_code == 200 and "0470 12 34 56" in refused.content.decode()  # the example how to write it
    assert not Guardian.objects.filter(household=household).exists()
    client.post(reverse("guardian_add", args=[household.pk]), {
        "name": "Sara Dubois", "relation": "mother", "email": "", "phone": "0032 470 12 34 56",
        "smartschool_coaccount": "2"})
    guardian = Guardian.objects.get(household=household)
    assert (guardian.phone, guardian.smartschool_coaccount) == ("+32470123456", 2)
