"""Invitations: how staff get an account and a role without anybody typing users into the admin.

An invitation is an e-mail with a link that works once and expires (INVITATION_VALID_DAYS). The link's
token is made by the worker that sends the mail, right before sending, and only its SHA-256 is stored
(portal/tokens.py), so no token waits in a queue or a table. Sending again makes a new token and the
old link stops working. Someone who already has an account (at another school, say) gets a second
role on the same account, never a second account. Every step writes an audit row.
"""
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import grants, tokens
from .audit import record
from .models import AuditEvent, Invitation, Role

SESSION_KEY = "invitation"


class InvitationError(Exception):
    """A refusal to show as it is (translated)."""


def _scope(invitation) -> dict:
    return {"email": invitation.email, "kind": invitation.kind, "school": invitation.school_id,
            "lop": invitation.lop_id}


def _queue(invitation: Invitation, base_url: str) -> None:
    pk, count = invitation.pk, invitation.send_count
    transaction.on_commit(lambda: send_invitation.delay(pk, count, base_url))


# Transient: the mail server did not answer (OSError covers sockets and SMTP). A retry makes a new link,
# which is fine: the one before it never left.
@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_kwargs={"max_retries": 5}, acks_late=True)
def send_invitation(invitation_id: int, send_count: int, base_url: str) -> bool:
    return invitation_deliver(invitation_id=invitation_id, send_count=send_count, base_url=base_url)


def invitation_create(*, email: str, kind: str, by, base_url: str, school=None, lop=None) -> Invitation:
    """Invite ``email`` to a role; the mail leaves from a worker after commit."""
    if not grants.may_grant(by, kind=kind, school=school, lop=lop):
        raise PermissionDenied
    email = email.strip().lower()
    if Role.objects.filter(user__email__iexact=email, kind=kind, school=school, lop=lop).exists():
        raise InvitationError(_("%(email)s has this role already.") % {"email": email})
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(email=email, kind=kind, school=school, lop=lop, invited_by=by)
            record(actor=by, action=AuditEvent.Action.INVITATION_CREATED, instance=invitation, school=school,
                   after=_scope(invitation))
            _queue(invitation, base_url)
    except IntegrityError:  # a second click, or a colleague who just did the same
        raise InvitationError(_("%(email)s is invited to this role already; send the invitation again if it "
                                "got lost.") % {"email": email}) from None
    return invitation


def invitation_resend(*, invitation: Invitation, by, base_url: str, seen_send_count: int) -> Invitation:
    """A new link (the old one stops working), sent again; ``seen_send_count`` makes a double click send once."""
    if not grants.may_manage_invitation(by, invitation):
        raise PermissionDenied
    with transaction.atomic():
        sent_again = Invitation.objects.filter(
            pk=invitation.pk, send_count=seen_send_count, accepted_at__isnull=True, revoked_at__isnull=True,
        ).update(send_count=F("send_count") + 1, token_hash="", sent_at=None, expires_at=None)
        if not sent_again:
            raise InvitationError(_("This invitation was sent again, accepted or withdrawn meanwhile."))
        invitation.refresh_from_db()
        record(actor=by, action=AuditEvent.Action.INVITATION_RESENT, instance=invitation, school=invitation.school,
               after={**_scope(invitation), "send_count": invitation.send_count})
        _queue(invitation, base_url)
    return invitation


def invitation_revoke(*, invitation: Invitation, by) -> None:
    if not grants.may_manage_invitation(by, invitation):
        raise PermissionDenied
    with transaction.atomic():
        # The hash stays, so the link can say it was withdrawn; it no longer works.
        if Invitation.objects.filter(pk=invitation.pk, accepted_at__isnull=True, revoked_at__isnull=True).update(
                revoked_at=timezone.now()):
            record(actor=by, action=AuditEvent.Action.INVITATION_REVOKED, instance=invitation,
                   school=invitation.school, after=_scope(invitation))


def invitation_deliver(*, invitation_id: int, send_count: int, base_url: str) -> bool:
    """Make the link and send the mail (run by a worker). False when the invitation was sent again,
    accepted or withdrawn since it was queued: then that newer state wins and nothing is sent."""
    token = tokens.new_token()
    expires_at = timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)
    claimed = Invitation.objects.filter(pk=invitation_id, send_count=send_count, accepted_at__isnull=True,
                                        revoked_at__isnull=True).update(token_hash=tokens.hash_token(token),
                                                                        expires_at=expires_at)
    if not claimed:
        return False
    invitation = Invitation.objects.select_related("school", "lop", "invited_by").get(pk=invitation_id)
    url = base_url.rstrip("/") + reverse("invitation_open", kwargs={"token": token})
    has_account = get_user_model().objects.filter(email__iexact=invitation.email).exists()
    context = {"invitation": invitation, "url": url, "has_account": has_account, "scope": invitation.scope_name,
               "settings_days": settings.INVITATION_VALID_DAYS,
               "school_login": bool(settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"])}
    # Nobody knows the new colleague's language yet: the staff language first, then English.
    texts = []
    for language in dict.fromkeys([settings.LANGUAGE_CODE, "en"]):
        with translation.override(language):
            texts.append(render_to_string("emails/invitation.txt", context).strip())
    subject, _newline, body = texts[0].partition("\n")
    body = "\n\n-- English --\n\n".join([body.strip(), *(text.partition("\n")[2].strip() for text in texts[1:])])
    EmailMessage(subject.strip(), body + "\n", None, [invitation.email],
                 headers={"Message-ID": f"<invitation-{invitation.pk}-{send_count}@{settings.ALLOWED_HOSTS[0]}>"}
                 ).send()
    # Only now, with the mail server's yes, is the invitation "sent".
    Invitation.objects.filter(pk=invitation_id, send_count=send_count).update(sent_at=timezone.now())
    return True


# --- the link --------------------------------------------------------------------------------------


def state_of(invitation: Invitation | None) -> str:
    """"ok", "accepted", "withdrawn", "expired", or "unknown"."""
    if invitation is None:
        return "unknown"
    if invitation.revoked_at is not None:
        return "withdrawn"
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.expires_at is None or invitation.expires_at <= timezone.now():
        return "expired"
    return "ok"


def by_token(token: str) -> Invitation | None:
    if not token or len(token) > tokens.LONGEST_TOKEN:
        return None
    return _by_hash(tokens.hash_token(token))


def _by_hash(token_hash: str) -> Invitation | None:
    return Invitation.objects.select_related("school", "lop", "invited_by").filter(token_hash=token_hash).first()


def remember(request, token: str) -> None:
    """Keep the link's hash in the session, so the next pages (and a Microsoft or Google login on the
    way) know the invitation without the token in any further URL."""
    request.session[SESSION_KEY] = tokens.hash_token(token)


def remembered(request) -> Invitation | None:
    token_hash = request.session.get(SESSION_KEY)
    return _by_hash(token_hash) if token_hash else None


def forget(request) -> None:
    request.session.pop(SESSION_KEY, None)


def invitation_accept(*, invitation: Invitation, user=None, password: str | None = None, first_name: str = "",
                      last_name: str = "", via: str = "password"):
    """Take the role. ``user`` is the account that accepts (logged in, or found by a school login), else
    the account with the invited address, else a new one. Returns the user. InvitationError when the link
    is no longer open or the account's address is another one."""
    User = get_user_model()
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update(of=("self",)).select_related("school", "lop").get(
            pk=invitation.pk)
        if state_of(invitation) != "ok":
            raise InvitationError(_("This invitation can no longer be used."))
        if user is not None and user.email.lower() != invitation.email:
            raise InvitationError(_("This invitation is for %(email)s; you are logged in as %(other)s.") % {
                "email": invitation.email, "other": user.email})
        user = user or User.objects.filter(email__iexact=invitation.email).first()
        if user is None:
            user = User.objects.create_user(email=invitation.email, password=password, first_name=first_name,
                                            last_name=last_name)
            if password is None:
                user.set_unusable_password()
                user.save(update_fields=["password"])
        elif not user.is_active:
            # Switched off when their last role was taken away; the invitation is the inviter's decision,
            # and the link proves the mailbox, so a new password may come with it.
            user.is_active = True
            if password is not None:
                user.set_password(password)
            user.save(update_fields=["is_active", "password"])
        role, _created = Role.objects.get_or_create(user=user, kind=invitation.kind, school=invitation.school,
                                                    lop=invitation.lop)
        invitation.accepted_at, invitation.accepted_by = timezone.now(), user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        record(actor=user, action=AuditEvent.Action.INVITATION_ACCEPTED, instance=invitation,
               school=invitation.school, after={**_scope(invitation), "via": via})
        record(actor=user, action=AuditEvent.Action.ROLE_GRANTED, instance=role, school=invitation.school,
               after={"user": user.pk, "kind": role.kind, "school": role.school_id, "lop": role.lop_id,
                      "invited_by": invitation.invited_by_id})
    return user
