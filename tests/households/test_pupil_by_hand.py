"""One pupil by hand, and needs marked by hand: the hand-out queue works without a survey."""
import pytest
from django.urls import reverse

from households.models import Guardian, Pupil
from portal.models import AuditEvent

from ..factories import PupilFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NEW = {"internal_number": "00777", "first_name": "Sara", "last_name": "Wouters", "class_name": "L5A",
       "guardian_name": "Ilse Wouters", "guardian_email": "Ilse@Example.be", "guardian_phone": "0470 12 34 56",
       "language": "fr", "needs_device": "on"}


@pytest.fixture
def coordinator(client_as, coordinator_a):
    return client_as(coordinator_a)


def test_a_pupil_added_by_hand_is_in_the_hand_out_queue_at_once(coordinator, coordinator_a, school_a):
    response = coordinator.post(reverse("pupil_create"), NEW)
    pupil = Pupil.objects.get(school=school_a)
    assert response["Location"] == reverse("pupil_detail", kwargs={"pupil_id": pupil.pk})
    assert (pupil.internal_number, pupil.grade, pupil.needs_device, pupil.needs_marked_by) == (
        "777", 5, True, coordinator_a)
    assert pupil.household.preferred_language == "fr"
    assert [(g.name, g.email, g.phone) for g in Guardian.objects.all()] == [
        ("Ilse Wouters", "ilse@example.be", "+32470123456")]  # stored as E.164 (portal.phones)
    queue = coordinator.get(reverse("desk_handout")).context["queue"]
    assert [p.pk for p in queue] == [pupil.pk]
    event = AuditEvent.objects.get(action=AuditEvent.Action.PUPIL_CREATED)
    assert event.actor == coordinator_a and "Sara" not in str(event.after)


def test_a_second_click_on_add_makes_no_second_pupil(coordinator, school_a):
    coordinator.post(reverse("pupil_create"), NEW)
    again = coordinator.post(reverse("pupil_create"), NEW)
    assert again.status_code == 200
    assert "This school has a pupil with number 777 already." in again.content.decode()
    assert Pupil.objects.count() == 1


def test_a_brother_or_sister_joins_the_family_and_an_unknown_number_is_refused(coordinator, school_a, school_b):
    sister = PupilFactory(school=school_a, internal_number="500")
    PupilFactory(school=school_b, internal_number="501")
    coordinator.post(reverse("pupil_create"), {**NEW, "sibling_number": "0500"})
    assert Pupil.objects.get(internal_number="777").household_id == sister.household_id
    refused = coordinator.post(reverse("pupil_create"), {**NEW, "internal_number": "778", "sibling_number": "501"})
    assert "This school has no pupil with this number." in refused.content.decode()


def test_a_class_that_does_not_say_its_grade_needs_one(coordinator, school_a):
    refused = coordinator.post(reverse("pupil_create"), {**NEW, "class_name": "OKAN"})
    assert "The class name does not say the grade: choose it." in refused.content.decode()
    coordinator.post(reverse("pupil_create"), {**NEW, "class_name": "OKAN", "grade": "2"})
    assert Pupil.objects.get().grade == 2


def test_needs_marked_by_hand_record_who_and_when(coordinator, coordinator_a, school_a):
    pupil = PupilFactory(school=school_a, needs_device=False)
    url = reverse("pupil_needs", kwargs={"pupil_id": pupil.pk})
    assert coordinator.post(url, {"needs_device": "on"})["Location"] == reverse(
        "pupil_detail", kwargs={"pupil_id": pupil.pk})
    coordinator.post(url, {"needs_device": "on"})  # a second click changes nothing
    pupil.refresh_from_db()
    assert (pupil.needs_device, pupil.needs_internet, pupil.needs_marked_by) == (True, False, coordinator_a)
    assert pupil.needs_marked_at is not None
    events = AuditEvent.objects.filter(action=AuditEvent.Action.PUPIL_NEEDS_MARKED)
    assert events.count() == 1 and events.get().after["needs_device"] is True
    page = coordinator.get(reverse("pupil_detail", kwargs={"pupil_id": pupil.pk})).content.decode()
    assert f"Marked by hand by {coordinator_a}" in page
    assert [p.pk for p in coordinator.get(reverse("desk_handout")).context["queue"]] == [pupil.pk]

    coordinator.post(url, {})  # both unticked: out of the queue
    pupil.refresh_from_db()
    assert not pupil.needs_device and not coordinator.get(reverse("desk_handout")).context["queue"]


def test_needs_of_another_schools_pupil_cannot_be_marked(client_as, coordinator_b, school_a):
    pupil = PupilFactory(school=school_a)
    response = client_as(coordinator_b).post(reverse("pupil_needs", kwargs={"pupil_id": pupil.pk}),
                                             {"needs_device": "on"})
    assert response.status_code == 404
    pupil.refresh_from_db()
    assert not pupil.needs_device
