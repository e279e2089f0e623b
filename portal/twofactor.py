"""Two-step login (TOTP, django-otp): once a staff member has confirmed an authenticator app,
every page (the admin too) wants a code from it after the password, once per session.

Whether a code is needed is decided at login and kept in the session, so pages cost no
extra query; the device itself is only read while verifying a code.
"""
from urllib.parse import urlencode

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

SESSION_KEY = "two_step_required"
# Pages an unverified user may still open: the code page itself, logging out, the language.
OPEN_URL_NAMES = ("two_step_verify", "logout", "set_language", "healthz")
OPEN_PREFIXES = ("/static/", "/media/", "/s/", "/q/")


def confirmed_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


@receiver(user_logged_in, dispatch_uid="portal.two_step_on_login")
def remember_whether_a_code_is_needed(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def needs_code(request) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not request.session.get(SESSION_KEY):
        return False
    return not user.is_verified()


class TwoStepGateMiddleware:
    """After django_otp's OTPMiddleware: send an unverified user with a device to the code page."""

    def __init__(self, get_response):
        self.get_response = get_response
        self._open_paths = None

    def open_paths(self):
        if self._open_paths is None:
            self._open_paths = {reverse(name) for name in OPEN_URL_NAMES}
        return self._open_paths

    def __call__(self, request):
        if needs_code(request) and request.path not in self.open_paths() and not request.path.startswith(OPEN_PREFIXES):
            return redirect(f"{reverse('two_step_verify')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
