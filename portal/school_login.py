"""Log in with the school's Microsoft 365 or Google Workspace account (django-allauth, OpenID Connect).

Nobody gets an account this way: the provider's verified e-mail address must be the address of an
invitation opened in this browser (the invitation is then taken, as with a password), or of an account
on the portal (which is then linked to this provider account, and found by it from then on). An
unknown address and an account that is switched off are refused with a page that says why. A password
the account has stays as it is.

A multi-tenant Microsoft app ("organizations") gets ID tokens whose issuer names the school's own tenant;
the callback here checks the issuer with that tenant filled in, as Microsoft documents.
"""
import logging

import jwt
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.internal.datakit import parse_bool_safely
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import render

from . import invitations
from .audit import record
from .models import AuditEvent

logger = logging.getLogger(__name__)
BACKEND = "django.contrib.auth.backends.ModelBackend"
TENANT_PLACEHOLDER = "{tenantid}"


class NoSignupAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        return False  # accounts come from invitations only


def verified_email(sociallogin) -> str:
    """The provider's e-mail address if the provider vouches for it: Google's ``email_verified``, or
    Microsoft's ``xms_edov`` (the domain is verified in the tenant; an optional claim to switch on)."""
    data = sociallogin.account.extra_data or {}
    claims = {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}
    email = (claims.get("email") or "").strip().lower()
    vouched = parse_bool_safely(claims.get("email_verified")) or parse_bool_safely(claims.get("xms_edov"))
    return email if email and vouched else ""


def _refuse(request, reason: str, email: str):
    logger.info("school login refused: %s", reason)  # never the address: it may be a pupil's
    return ImmediateHttpResponse(render(request, "registration/school_login_refused.html",
                                        {"reason": reason, "email": email}, status=403))


class SchoolLoginAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin):
        return False

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        # What went wrong, for whoever reads the log; never a code or a token.
        logger.warning("school login failed: provider=%s error=%s exception=%r", getattr(provider, "id", provider),
                       error, exception)

    def pre_social_login(self, request, sociallogin):
        email = verified_email(sociallogin)
        user = sociallogin.user if sociallogin.is_existing else (
            get_user_model().objects.filter(email__iexact=email).first() if email else None)
        invitation = invitations.remembered(request)
        if invitation is not None and invitations.state_of(invitation) == "ok" and email == invitation.email:
            if user is None or user.email.lower() == email:
                user = invitations.invitation_accept(invitation=invitation, user=user, via=sociallogin.account.provider)
                invitations.forget(request)
        if user is None:
            raise _refuse(request, "unknown", email)
        if not user.is_active:
            raise _refuse(request, "disabled", email)
        if not sociallogin.is_existing:
            sociallogin.user = user
            sociallogin.save(request, connect=True)
            record(actor=user, action=AuditEvent.Action.SCHOOL_LOGIN_LINKED, instance=user,
                   after={"provider": sociallogin.account.provider})
        # The password backends stay first in AUTHENTICATION_BACKENDS; this login needs no password check.
        sociallogin.user.backend = BACKEND


class TenantAwareOIDCAdapter(OpenIDConnectOAuth2Adapter):
    """Checks the ID token's issuer with the token's own tenant in place of Microsoft's {tenantid}."""

    def _decode_id_token(self, app, id_token: str) -> dict:
        issuer = self.openid_config["issuer"]
        if TENANT_PLACEHOLDER in issuer:
            tenant = jwt.decode(id_token, options={"verify_signature": False}).get("tid", "")
            issuer = issuer.replace(TENANT_PLACEHOLDER, str(tenant))
        return jwtkit.verify_and_decode(
            credential=id_token, keys_url=self.openid_config["jwks_uri"], issuer=issuer, audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk, verify_signature=not self.did_fetch_access_token)


def callback(request, provider_id):
    """allauth's OpenID Connect callback, with the tenant-aware ID token check."""
    try:
        return OAuth2CallbackView.adapter_view(TenantAwareOIDCAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist:
        raise Http404 from None
