"""The one way views reach data: every object a school user touches goes through here.

A coordinator or director works inside exactly one school at a time (``request.school``);
anything outside it is a 404, never a 403, so ids of other schools leak nothing. LOP staff
get no school here at all: they reach only the aggregate views of their own LOPs.
"""
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404

from .models import Lop, Role


def school_roles(user):
    if not user.is_authenticated:
        return []
    if not hasattr(user, "_school_roles"):
        user._school_roles = list(
            user.roles.filter(kind__in=Role.SCHOOL_KINDS).select_related("school").order_by("id")
        )
    return user._school_roles


ACTIVE_ROLE_KEY = "active_school_role"


def role_at_school(request):
    """The school role the user works under now: the one chosen in the menu (kept in the
    session), else their first. One school at a time keeps every page about one school."""
    roles = school_roles(request.user)
    chosen = request.session.get(ACTIVE_ROLE_KEY) if hasattr(request, "session") else None
    return next((role for role in roles if role.pk == chosen), roles[0] if roles else None)


def choose_school_role(request, role_id) -> bool:
    """Switch to another of the user's own school roles; any other id changes nothing."""
    if not any(role.pk == role_id for role in school_roles(request.user)):
        return False
    # Work in progress of the other school (an import preview...) must not land in this one.
    for key in [key for key in request.session.keys() if not key.startswith("_")]:
        del request.session[key]
    request.session[ACTIVE_ROLE_KEY] = role_id
    return True


def lops_for(user) -> QuerySet:
    if not user.is_authenticated:
        return Lop.objects.none()
    if user.is_superuser:
        return Lop.objects.all()
    return Lop.objects.filter(roles__user=user, roles__kind=Role.Kind.LOP_STAFF).distinct()


def school_required(view):
    """Run the view only for a school user, with ``request.school`` set to their school."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        role = role_at_school(request)
        if role is None:
            raise PermissionDenied
        request.school = role.school
        request.school_role = role
        return view(request, *args, **kwargs)

    return wrapper


def director_required(view):
    @school_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.school_role.kind != Role.Kind.DIRECTOR:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def lop_staff_required(view):
    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.lops = lops_for(request.user)
        if not request.lops.exists():
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def scoped(source, request) -> QuerySet:
    """Limit a model or queryset to the request's school, following the model's SCHOOL_PATH."""
    queryset = source._default_manager.all() if isinstance(source, type) and issubclass(source, Model) else source
    return queryset.filter(**{queryset.model.SCHOOL_PATH: request.school})


def get_scoped_or_404(source, request, **lookups):
    return get_object_or_404(scoped(source, request), **lookups)
