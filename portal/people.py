"""The people of a school: their roles (taken away here, given through invitations) and the staff
members who borrow a device without a login. Every change writes an audit row."""
from django.core.exceptions import PermissionDenied
from django.db import transaction

from . import grants
from .audit import record, snapshot
from .models import AuditEvent, Invitation, Role, School, StaffMember

STAFF_FIELDS = ["name", "email", "active"]


def role_remove(*, role: Role, by) -> None:
    """Take a role away. An account left without any role is switched off, so a colleague who left
    can no longer log in, with a password or a school account; a new invitation switches it on again."""
    if not grants.may_remove(by, role):
        raise PermissionDenied
    with transaction.atomic():
        role = Role.objects.select_for_update().select_related("user").get(pk=role.pk)
        user, school = role.user, role.school
        about = {"user": user.pk, "kind": role.kind, "school": role.school_id, "lop": role.lop_id}
        record(actor=by, action=AuditEvent.Action.ROLE_REMOVED, instance=role, school=school, before=about)
        role.delete()
        if not user.is_superuser and not user.roles.exists() and user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
            record(actor=by, action=AuditEvent.Action.USER_DISABLED, instance=user, school=school,
                   after={"user": user.pk})


def school_people(school: School) -> dict:
    """Roles, open invitations and borrowing staff members of a school, a fixed number of queries."""
    return {
        "roles": list(Role.objects.filter(school=school).select_related("user").order_by("kind", "user__email")),
        "invitations": list(Invitation.objects.filter(school=school, accepted_at__isnull=True,
                                                      revoked_at__isnull=True).select_related("invited_by")),
        "staff_members": list(StaffMember.objects.filter(school=school).order_by("-active", "name")),
    }


def staff_member_create(*, school: School, name: str, email: str = "", by) -> StaffMember:
    if not grants.may_register_borrowers(by, school):
        raise PermissionDenied
    with transaction.atomic():
        member = StaffMember.objects.create(school=school, name=name.strip(), email=email.strip().lower())
        record(actor=by, action=AuditEvent.Action.STAFF_MEMBER_CREATED, instance=member, school=school,
               after=snapshot(member, STAFF_FIELDS))
    return member


def staff_member_update(*, staff_member: StaffMember, by, **values) -> StaffMember:
    if not grants.may_register_borrowers(by, staff_member.school):
        raise PermissionDenied
    with transaction.atomic():
        member = StaffMember.objects.select_for_update().get(pk=staff_member.pk)
        before = snapshot(member, STAFF_FIELDS)
        changed = [name for name in STAFF_FIELDS if name in values and getattr(member, name) != values[name]]
        for name in changed:
            setattr(member, name, values[name])
        if changed:
            member.save(update_fields=changed)
            record(actor=by, action=AuditEvent.Action.STAFF_MEMBER_UPDATED, instance=member, school=member.school,
                   before={k: before[k] for k in changed}, after=snapshot(member, changed))
    return member
