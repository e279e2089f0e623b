"""Staff sessions end after SESSION_IDLE_HOURS without a request (they lasted 14 days, idle or not).

The session's own expiry (SESSION_COOKIE_AGE, set to the same hours) moves on whenever the session is
saved, so the time of the last request is written into it, every few minutes rather than on every
request (no database write per page), and checked here first: an idle session is logged out before
the view runs. A password change ends the user's other sessions (Django's session hash does that).
"""
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

LAST_REQUEST_KEY = "last_request_at"
TOUCH_EVERY_SECONDS = 300


def _now() -> int:
    return int(timezone.now().timestamp())


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now, last = _now(), request.session.get(LAST_REQUEST_KEY)
            if last is not None and now - last > settings.SESSION_IDLE_HOURS * 3600:
                logout(request)  # the view sees an anonymous visitor and sends them to the login page
            elif last is None or now - last >= TOUCH_EVERY_SECONDS:
                request.session[LAST_REQUEST_KEY] = now
        return self.get_response(request)


@receiver(user_logged_in, dispatch_uid="portal.idle_clock_on_login")
def note_the_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[LAST_REQUEST_KEY] = _now()
