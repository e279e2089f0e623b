"""Who may give which role where: nobody grants a role above their own or outside their own scope.

    admin (superuser)   LOP staff of any LOP; directors and coordinators of any school
    LOP staff           directors of the schools in their own LOP
    director            directors and coordinators of their own school (and may take those roles away)
    coordinator         no roles; registers staff members who borrow a device (no login)

Every invitation, resend, withdrawal and removal asks here first (portal/invitations.py, portal/people.py).
"""
from .models import Lop, Role, School

Kind = Role.Kind


def _held(user) -> list[Role]:
    if not hasattr(user, "_held_roles"):
        user._held_roles = list(user.roles.all())
    return user._held_roles


def is_director_of(user, school: School) -> bool:
    return _directs(user, school.pk)


def _directs(user, school_id: int | None) -> bool:
    return any(role.kind == Kind.DIRECTOR and role.school_id == school_id for role in _held(user))


def is_lop_staff_of(user, lop_id: int | None) -> bool:
    return lop_id is not None and any(role.kind == Kind.LOP_STAFF and role.lop_id == lop_id for role in _held(user))


def works_at(user, school: School) -> bool:
    return any(role.school_id == school.pk for role in _held(user) if role.kind in Role.SCHOOL_KINDS)


def may_grant(user, *, kind: str, school: School | None = None, lop: Lop | None = None) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if kind == Kind.LOP_STAFF:
        return lop is not None and school is None and user.is_superuser
    if kind not in Role.SCHOOL_KINDS or school is None or lop is not None:
        return False
    if user.is_superuser or is_director_of(user, school):
        return True
    return kind == Kind.DIRECTOR and is_lop_staff_of(user, school.lop_id)


def grantable_kinds(user, school: School) -> list[str]:
    return [kind for kind in Role.SCHOOL_KINDS if may_grant(user, kind=kind, school=school)]


def may_remove(user, role: Role) -> bool:
    """Directors take away school roles at their school, admins any role; nobody their own role here
    (a school is never left without the director who is doing the removing)."""
    if not user.is_authenticated or not user.is_active or role.user_id == user.pk:
        return False
    if user.is_superuser:
        return True
    return role.kind in Role.SCHOOL_KINDS and _directs(user, role.school_id)


def may_manage_invitation(user, invitation) -> bool:
    return may_grant(user, kind=invitation.kind, school=invitation.school, lop=invitation.lop)


def may_register_borrowers(user, school: School) -> bool:
    return user.is_authenticated and user.is_active and (user.is_superuser or works_at(user, school))
