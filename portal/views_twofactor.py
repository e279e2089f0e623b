"""The two-step login pages: set it up with an authenticator app, switch it off, enter a code."""
from base64 import b32encode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from .access import role_at_school
from .audit import record
from .documents import qr_data_uri
from .models import AuditEvent
from .twofactor import SESSION_KEY, confirmed_device


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your app"), max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def __init__(self, *args, device=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if self.device is not None and not self.device.verify_is_allowed()[0]:
            raise forms.ValidationError(_("Too many wrong codes. Wait a few seconds, then type the new code."))
        if self.device is None or not self.device.verify_token(code):
            raise forms.ValidationError(_("This code is not right. Type the 6 digits your app shows now."))
        return code


def _audit(request, device, action):
    role = role_at_school(request)
    record(actor=request.user, action=action, instance=device, school=role.school if role else None)


@login_required
def two_step_settings(request):
    device = confirmed_device(request.user)
    if device is not None:
        return render(request, "registration/two_step_settings.html", {"device": device, "form": CodeForm()})
    pending, _created = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "authenticator"}
    )
    form = CodeForm(request.POST or None, device=pending)
    if request.method == "POST" and form.is_valid():
        pending.confirmed = True
        pending.save(update_fields=["confirmed"])
        otp_login(request, pending)
        request.session[SESSION_KEY] = True
        _audit(request, pending, AuditEvent.Action.TWO_STEP_ENABLED)
        messages.success(request, _("Two-step login is on. From now on you enter a code after your password."))
        return redirect("two_step_settings")
    return render(request, "registration/two_step_settings.html", {
        "form": form, "pending": pending,
        "qr": qr_data_uri(pending.config_url),
        "secret": b32encode(pending.bin_key).decode(),
    })


@login_required
def two_step_disable(request):
    device = confirmed_device(request.user)
    if device is None or request.method != "POST":
        return redirect("two_step_settings")
    form = CodeForm(request.POST, device=device)
    if not form.is_valid():
        return render(request, "registration/two_step_settings.html", {"device": device, "form": form}, status=400)
    _audit(request, device, AuditEvent.Action.TWO_STEP_DISABLED)
    TOTPDevice.objects.filter(user=request.user).delete()
    request.session[SESSION_KEY] = False
    messages.success(request, _("Two-step login is off. You log in with your password only."))
    return redirect("two_step_settings")


@login_required
def two_step_verify(request):
    device = confirmed_device(request.user)
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = "home"
    if device is None:
        # The device was removed (by an admin) since login: nothing to ask, and no redirect loop.
        request.session[SESSION_KEY] = False
        return redirect(target)
    if request.user.is_verified():
        return redirect(target)
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        otp_login(request, device)
        return redirect(target)
    return render(request, "registration/two_step_verify.html", {"form": form, "next": target if target != "home" else ""})
