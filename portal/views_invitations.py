"""Taking an invitation: the link (used once), then a password or the school's Microsoft or Google account.

The link's page keeps the invitation in the session (its hash) and moves on to /invitation/, so the token
is in one request only; a Microsoft or Google login started from there comes back to the same invitation
(portal/school_login.py).
"""
from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from . import invitations
from .forms_people import AcceptWithPasswordForm
from .models import User

BACKEND = "django.contrib.auth.backends.ModelBackend"


def invitation_open(request, token):
    invitation = invitations.by_token(token)
    state = invitations.state_of(invitation)
    if state != "ok":
        return _problem(request, state)
    invitations.remember(request, token)
    return redirect("invitation_accept")


def _problem(request, state):
    return render(request, "registration/invitation_problem.html", {"state": state},
                  status=404 if state == "unknown" else 410)


def invitation_accept(request):
    invitation = invitations.remembered(request)
    state = invitations.state_of(invitation)
    if state != "ok":
        invitations.forget(request)
        return _problem(request, state)
    account = User.objects.filter(email__iexact=invitation.email).first()
    context = {"invitation": invitation, "account": account}
    if request.user.is_authenticated:
        if request.user.email.lower() != invitation.email:
            context["wrong_user"] = True
            return render(request, "registration/invitation_accept.html", context, status=403)
        if request.method == "POST":
            return _accepted(request, invitations.invitation_accept(invitation=invitation, user=request.user))
        return render(request, "registration/invitation_accept.html", context)
    if account is not None and account.is_active:
        # A second role for an existing account: its owner logs in first, then accepts.
        return render(request, "registration/invitation_accept.html", context)
    context["account"] = None  # a switched-off account comes back with a new password, like a new one
    form = AcceptWithPasswordForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitations.invitation_accept(invitation=invitation, password=form.cleaned_data["password1"],
                                                 first_name=form.cleaned_data["first_name"],
                                                 last_name=form.cleaned_data["last_name"])
        except invitations.InvitationError:
            return _problem(request, invitations.state_of(invitations.remembered(request)))
        login(request, user, backend=BACKEND)
        return _accepted(request, user)
    context["form"] = form
    return render(request, "registration/invitation_accept.html", context)


def _accepted(request, user):
    invitations.forget(request)
    messages.success(request, _("Welcome, %(user)s. Your new role is ready.") % {"user": user})
    return redirect("home")
