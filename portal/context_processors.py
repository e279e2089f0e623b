from django.conf import settings

from .access import lops_for, role_at_school, school_roles


def school_logins() -> list[dict]:
    """The "Log in with ..." buttons: one per configured OpenID Connect app (config/settings.py)."""
    return [{"id": app["provider_id"], "name": app["name"]}
            for app in settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"]]


def navigation(request):
    context = {"STAFF_LANGUAGES": settings.STAFF_LANGUAGES, "SCHOOL_LOGINS": school_logins()}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    role = role_at_school(request)
    context.update(
        nav_school=role.school if role else None,
        nav_role=role,
        nav_school_roles=school_roles(user),
        nav_is_lop_staff=not user.is_superuser and lops_for(user).exists(),
    )
    return context
