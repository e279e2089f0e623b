"""What django-axes counts a failed login against: the e-mail address typed and the client's IP."""
from django.conf import settings
from django.shortcuts import render


def client_ip(request) -> str:
    """The client's address. Behind TRUSTED_PROXY_COUNT proxies it is the entry those proxies
    appended to X-Forwarded-For (counted from the right), so a client cannot pick its own by
    sending the header; without proxies it is REMOTE_ADDR."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    return forwarded[-proxies] if len(forwarded) >= proxies else remote


def login_name(request, credentials) -> str:
    """The e-mail address as typed, compared without case so `Ict@` and `ict@` share one counter."""
    name = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(name).strip().lower()


def lockout_response(request, original_response=None, credentials=None):
    """The same friendly page whether or not the address belongs to an account (no enumeration)."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return render(request, "registration/locked_out.html", {"cooloff_minutes": minutes}, status=429)
