"""Invitations and roles: self-service, audited, single-use expiring links, nobody above their own role."""
import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from portal import tokens
from portal.invitations import InvitationError, invitation_create, invitation_deliver
from portal.models import AuditEvent, Invitation, Role, StaffMember

from ..factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
User = get_user_model()


def log_out(client):
    """Log out and keep reading English: logging out drops the test client's cookies, the language's too."""
    client.logout()
    client.cookies["django_language"] = "en"
PASSWORD_NEW = "Lange-zin-voor-Vlieger-2026"


def link_in(message) -> str:
    return re.search(r"http://testserver(/invitation/[^/\s]+/)", message.body).group(1)


@pytest.fixture
def invite(client, director_a, django_capture_on_commit_callbacks):
    """The director of school A invites someone through the people page; returns the mailed link."""

    def make(email, kind="coordinator"):
        client.force_login(director_a)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("school_people_invite"), {"email": email, "kind": kind})
        assert response.status_code == 302, response.content.decode()[:2000]
        log_out(client)
        return link_in(mail.outbox[-1])

    return make


def test_a_director_invites_a_coordinator_who_sets_a_password(client, invite, director_a, school_a):
    link = invite("Nieuwe.Collega@School.test")
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.kind, invitation.school, invitation.invited_by) == (
        "nieuwe.collega@school.test", "coordinator", school_a, director_a)
    assert invitation.sent_at is not None and invitation.link_state == "sent"
    message = mail.outbox[-1]
    assert message.to == ["nieuwe.collega@school.test"] and school_a.name in message.subject
    assert "-- English --" in message.body
    # Only the token's hash is kept.
    token = link.split("/")[2]
    assert invitation.token_hash == tokens.hash_token(token) and token not in invitation.token_hash

    assert client.get(link)["Location"] == reverse("invitation_accept")
    page = client.get(reverse("invitation_accept"))
    assert "ICT coordinator" in page.content.decode() and token not in page.content.decode()
    response = client.post(reverse("invitation_accept"), {
        "first_name": "Nele", "last_name": "Claes", "password1": PASSWORD_NEW, "password2": PASSWORD_NEW})
    assert response["Location"] == reverse("home")
    user = User.objects.get(email="nieuwe.collega@school.test")
    assert user.check_password(PASSWORD_NEW) and user.get_full_name() == "Nele Claes"
    assert list(user.roles.values_list("kind", "school")) == [("coordinator", school_a.pk)]
    assert client.get(reverse("school_dashboard")).status_code == 200  # logged in, in the new role
    actions = list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))
    assert actions[-3:] == ["invitation.created", "invitation.accepted", "role.granted"]

    log_out(client)
    used = client.get(link)
    assert used.status_code == 410 and "accepted already" in used.content.decode()  # the link works once


def test_a_link_expires(client, invite, settings):
    link = invite("later@school.test")
    with time_machine.travel(timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS, minutes=1)):
        response = client.get(link)
    assert response.status_code == 410 and "has expired" in response.content.decode()


def test_sending_again_makes_a_new_link_once_and_the_old_one_stops(client, invite, director_a,
                                                                   django_capture_on_commit_callbacks):
    old = invite("kwijt@school.test")
    invitation = Invitation.objects.get()
    client.force_login(director_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("invitation_resend", kwargs={"invitation_id": invitation.pk}), {"send_count": 1})
        client.post(reverse("invitation_resend", kwargs={"invitation_id": invitation.pk}), {"send_count": 1})
    assert len(mail.outbox) == 2  # the double click sent once
    new = link_in(mail.outbox[-1])
    log_out(client)
    assert client.get(old).status_code == 404
    assert client.get(new)["Location"] == reverse("invitation_accept")
    assert AuditEvent.objects.filter(action="invitation.resent").count() == 1


def test_a_withdrawn_invitation_no_longer_works(client, invite, director_a):
    link = invite("weg@school.test")
    client.force_login(director_a)
    client.post(reverse("invitation_revoke", kwargs={"invitation_id": Invitation.objects.get().pk}))
    log_out(client)
    response = client.get(link)
    assert response.status_code == 410 and "withdrawn" in response.content.decode()
    assert AuditEvent.objects.filter(action="invitation.revoked").count() == 1


def test_a_double_click_on_invite_makes_one_invitation(client, director_a, django_capture_on_commit_callbacks):
    client.force_login(director_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("school_people_invite"), {"email": "een@school.test", "kind": "coordinator"})
        again = client.post(reverse("school_people_invite"), {"email": "EEN@school.test", "kind": "coordinator"})
    assert "is invited to this role already" in again.content.decode()
    assert Invitation.objects.count() == 1 and len(mail.outbox) == 1


def test_someone_with_an_account_at_another_school_gets_a_second_role_not_a_second_account(
        client, invite, coordinator_b, school_a, school_b):
    link = invite(coordinator_b.email)
    assert "You already have an account on the portal" in mail.outbox[-1].body
    client.get(link)
    page = client.get(reverse("invitation_accept")).content.decode()
    assert "log in first" in page
    client.post(reverse("login"), {"username": coordinator_b.email, "password": PASSWORD})
    assert client.post(reverse("invitation_accept"))["Location"] == reverse("home")
    assert User.objects.filter(email__iexact=coordinator_b.email).count() == 1
    assert set(coordinator_b.roles.values_list("school", flat=True)) == {school_a.pk, school_b.pk}


def test_an_invitation_cannot_be_taken_by_another_logged_in_account(client, invite, coordinator_b):
    link = invite("iemand@school.test")
    client.force_login(coordinator_b)
    client.get(link)
    response = client.get(reverse("invitation_accept"))
    assert response.status_code == 403 and "Log out first" in response.content.decode()
    assert client.post(reverse("invitation_accept")).status_code == 403
    assert not Invitation.objects.get().accepted_at


def test_the_mail_is_sent_only_when_the_mail_server_takes_it(school_a, director_a, settings):
    invitation = Invitation.objects.create(email="x@school.test", kind="coordinator", school=school_a,
                                           invited_by=director_a)
    settings.EMAIL_BACKEND = "tests.portal.test_invitations.RefusingBackend"
    with pytest.raises(OSError):
        invitation_deliver(invitation_id=invitation.pk, send_count=1, base_url="http://testserver/")
    invitation.refresh_from_db()
    assert invitation.sent_at is None and invitation.link_state == "waiting"
    # A send queued before a newer one does nothing.
    Invitation.objects.filter(pk=invitation.pk).update(send_count=2)
    assert invitation_deliver(invitation_id=invitation.pk, send_count=1, base_url="http://testserver/") is False


class RefusingBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server does not answer")


def test_an_invitation_to_a_role_held_already_is_refused(director_a, coordinator_a, school_a):
    with pytest.raises(InvitationError, match="has this role already"):
        invitation_create(email=coordinator_a.email.upper(), kind="coordinator", school=school_a, by=director_a,
                          base_url="http://testserver/")


# --- nobody above their own role or outside their scope, over every pair ----------------------------


@pytest.fixture
def granters(admin_user, lop_staff_a, director_a, coordinator_a, db):
    return {"admin": admin_user, "lop_staff_a": lop_staff_a, "director_a": director_a,
            "coordinator_a": coordinator_a, "nobody": UserFactory(email="nobody@school.test")}


@pytest.fixture
def targets(school_a, school_b, lop_a, lop_b):
    return {"lop_staff@lop_a": {"kind": "lop_staff", "lop": lop_a},
            "lop_staff@lop_b": {"kind": "lop_staff", "lop": lop_b},
            "director@school_a": {"kind": "director", "school": school_a},
            "director@school_b": {"kind": "director", "school": school_b},
            "coordinator@school_a": {"kind": "coordinator", "school": school_a},
            "coordinator@school_b": {"kind": "coordinator", "school": school_b}}


ALLOWED = {
    "admin": {"lop_staff@lop_a", "lop_staff@lop_b", "director@school_a", "director@school_b",
              "coordinator@school_a", "coordinator@school_b"},
    "lop_staff_a": {"director@school_a"},  # school A is in LOP A; no coordinators, no LOP staff
    "director_a": {"director@school_a", "coordinator@school_a"},
    "coordinator_a": set(),
    "nobody": set(),
}


@pytest.mark.parametrize("granter", list(ALLOWED))
def test_every_role_pair(granter, granters, targets):
    user = granters[granter]
    for target, scope in targets.items():
        try:
            invitation_create(email=f"{granter}.{target}@school.test".replace("@", "-", 1), by=user,
                              base_url="http://testserver/", **scope)
            allowed = True
        except PermissionDenied:
            allowed = False
        assert allowed == (target in ALLOWED[granter]), f"{granter} inviting {target}"
    assert Invitation.objects.count() == len(ALLOWED[granter])


def test_the_pages_hold_the_same_rules(client, coordinator_a, lop_staff_a, director_a, school_b, lop_a):
    client.force_login(coordinator_a)
    assert client.post(reverse("school_people_invite"), {"email": "a@x.test", "kind": "coordinator"}).status_code == 403
    client.force_login(director_a)
    refused = client.post(reverse("school_people_invite"), {"email": "a@x.test", "kind": "lop_staff"})
    assert refused.status_code == 200 and "kind" in refused.context["form"].errors
    client.force_login(lop_staff_a)
    outside = client.post(reverse("lop_people", kwargs={"lop_id": lop_a.pk}), {"school": school_b.pk,
                                                                               "email": "d@x.test"})
    assert "school" in outside.context["form"].errors
    assert client.get(reverse("admin_people")).status_code == 403
    assert not Invitation.objects.exists()


def test_lop_staff_invite_the_director_of_a_school_in_their_lop(client, lop_staff_a, lop_a, school_a,
                                                                django_capture_on_commit_callbacks):
    client.force_login(lop_staff_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("lop_people", kwargs={"lop_id": lop_a.pk}),
                               {"school": school_a.pk, "email": "directie@nieuw.test"})
    assert response["Location"] == reverse("lop_people", kwargs={"lop_id": lop_a.pk})
    assert Invitation.objects.get().kind == "director" and len(mail.outbox) == 1
    page = client.get(reverse("lop_people", kwargs={"lop_id": lop_a.pk})).content.decode()
    assert "directie@nieuw.test" in page


def test_the_admin_invites_lop_staff(client, admin_user, lop_b, django_capture_on_commit_callbacks):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin_people"), {"email": "lop@antwerpen.test", "kind": "lop_staff", "lop": lop_b.pk})
    assert (Invitation.objects.get().lop, len(mail.outbox)) == (lop_b, 1)


# --- taking roles away, staff who borrow ----------------------------------------------------------------


def test_a_director_takes_a_role_away_and_the_account_is_switched_off(client, director_a, coordinator_a):
    role = coordinator_a.roles.get()
    client.force_login(director_a)
    assert client.get(reverse("role_remove", kwargs={"role_id": role.pk})).status_code == 200
    client.post(reverse("role_remove", kwargs={"role_id": role.pk}))
    coordinator_a.refresh_from_db()
    assert not coordinator_a.roles.exists() and not coordinator_a.is_active
    assert {e.action for e in AuditEvent.objects.all()} >= {"role.removed", "user.disabled"}
    log_out(client)
    refused = client.post(reverse("login"), {"username": coordinator_a.email, "password": PASSWORD})
    assert refused.status_code == 200 and not refused.wsgi_request.user.is_authenticated


def test_an_invitation_switches_a_removed_account_on_again(client, invite, director_a, coordinator_a):
    Role.objects.filter(user=coordinator_a).delete()
    User.objects.filter(pk=coordinator_a.pk).update(is_active=False)
    link = invite(coordinator_a.email)
    client.get(link)
    # Switched off, it cannot log in to accept: the link (which proves the mailbox) takes a new password.
    response = client.post(reverse("invitation_accept"), {
        "first_name": "Ict", "last_name": "Vlieger", "password1": PASSWORD_NEW, "password2": PASSWORD_NEW})
    assert response["Location"] == reverse("home")
    coordinator_a.refresh_from_db()
    assert coordinator_a.is_active and coordinator_a.roles.count() == 1 and coordinator_a.check_password(PASSWORD_NEW)
    assert User.objects.filter(email=coordinator_a.email).count() == 1


def test_nobody_takes_their_own_role_or_one_above_it_or_elsewhere(client, director_a, coordinator_a, school_b):
    other = Role.objects.create(user=UserFactory(), kind="director", school=school_b)
    client.force_login(coordinator_a)
    director_role = director_a.roles.get()
    assert client.post(reverse("role_remove", kwargs={"role_id": director_role.pk})).status_code == 403
    client.force_login(director_a)
    assert client.post(reverse("role_remove", kwargs={"role_id": director_role.pk})).status_code == 403
    assert client.post(reverse("role_remove", kwargs={"role_id": other.pk})).status_code == 404
    assert Role.objects.count() == 3


def test_a_coordinator_registers_a_staff_member_who_borrows(client, coordinator_a, school_a):
    client.force_login(coordinator_a)
    client.post(reverse("staff_member_add"), {"name": "Meester Jan", "email": "Jan@School.test"})
    member = StaffMember.objects.get()
    assert (member.school, member.email, member.active) == (school_a, "jan@school.test", True)
    found = client.get(reverse("desk_borrower_search"), {"q": "Meester"}).content.decode()
    assert "Meester Jan" in found
    client.post(reverse("staff_member_edit", kwargs={"staff_member_id": member.pk}),
                {"name": "Meester Jan", "email": "jan@school.test"})  # "active" unticked
    member.refresh_from_db()
    assert not member.active
    assert [e.action for e in AuditEvent.objects.order_by("pk")] == ["staff_member.created", "staff_member.updated"]


@pytest.mark.parametrize("size", [2, 40])
def test_the_people_page_runs_the_same_queries_at_any_size(client, director_a, school_a, size,
                                                           django_assert_max_num_queries):
    for n in range(size):
        Role.objects.create(user=User.objects.create(email=f"u{n}@school.test"), kind="coordinator", school=school_a)
        Invitation.objects.create(email=f"i{n}@school.test", kind="coordinator", school=school_a, invited_by=director_a)
        StaffMember.objects.create(school=school_a, name=f"Staff {n}")
    client.force_login(director_a)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("school_people"))
    assert response.status_code == 200 and len(response.context["roles"]) == size + 1


@pytest.mark.parametrize("size", [2, 30])
def test_the_lop_people_page_runs_the_same_queries_at_any_size(client, lop_staff_a, lop_a, size,
                                                               django_assert_max_num_queries):
    from ..factories import SchoolFactory

    for n in range(size):
        school = SchoolFactory(lop=lop_a)
        Role.objects.create(user=User.objects.create(email=f"d{n}@school.test"), kind="director", school=school)
        Invitation.objects.create(email=f"i{n}@school.test", kind="director", school=school)
    client.force_login(lop_staff_a)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("lop_people", kwargs={"lop_id": lop_a.pk}))
    assert len(response.context["schools"]) == size
