"""'Log in with Microsoft / Google' end to end against a local OpenID Connect provider (tests/oidc.py):
the portal's real allauth views, the provider's real authorize, token, userinfo and keys endpoints."""
from urllib.parse import urlsplit

import jwt
import pytest
from allauth.socialaccount.models import SocialAccount
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from portal.models import AuditEvent, Invitation, Role
from portal.school_login import TenantAwareOIDCAdapter

from .factories import PASSWORD
from .oidc import oidc_provider, school_login, sign_in_at_provider  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
User = get_user_model()


def log_out(client):
    """Log out and keep reading English: logging out drops the test client's cookies, the language's too."""
    client.logout()
    client.cookies["django_language"] = "en"


def log_in_with(client, provider: str, username: str):
    """Press "Log in with ...", sign in at the provider, come back; the portal's last response."""
    start = client.post(reverse("openid_connect_login", kwargs={"provider_id": provider}))
    assert start.status_code == 302, start.content.decode()[:500]
    callback = sign_in_at_provider(start["Location"], username)
    parts = urlsplit(callback)
    assert parts.netloc == "testserver" and parts.path == f"/accounts/school/oidc/{provider}/login/callback/"
    return client.get(f"{parts.path}?{parts.query}")


def test_the_login_page_offers_the_configured_accounts(client, school_login):
    page = client.get(reverse("login")).content.decode()
    assert "Log in with Microsoft" in page and "Log in with Google" in page


def test_without_configuration_there_are_no_buttons(client):
    assert "Log in with" not in client.get(reverse("login")).content.decode()


@pytest.mark.parametrize("provider", ["microsoft", "google"])
def test_an_existing_account_logs_in_and_is_linked(client, school_login, coordinator_a, provider):
    response = log_in_with(client, provider, "coordinator")
    assert response["Location"] == reverse("home")
    assert client.get(reverse("school_dashboard")).status_code == 200
    account = SocialAccount.objects.get()
    assert (account.user, account.provider) == (coordinator_a, provider)
    assert AuditEvent.objects.filter(action="user.school_login_linked", actor=coordinator_a).count() == 1
    coordinator_a.refresh_from_db()
    assert coordinator_a.check_password(PASSWORD)  # the password login stays

    log_out(client)
    again = log_in_with(client, provider, "coordinator")  # found by the linked account this time
    assert again["Location"] == reverse("home") and SocialAccount.objects.count() == 1


def test_an_unknown_address_is_refused(client, school_login):
    response = log_in_with(client, "microsoft", "stranger")
    assert response.status_code == 403
    assert "There is no account on the portal for onbekend@elders.test" in response.content.decode()
    assert not User.objects.filter(email="onbekend@elders.test").exists()
    assert not client.session.get("_auth_user_id")


def test_a_switched_off_account_is_refused(client, school_login, coordinator_a):
    User.objects.filter(pk=coordinator_a.pk).update(is_active=False)
    response = log_in_with(client, "google", "coordinator")
    assert response.status_code == 403 and "switched off" in response.content.decode()
    assert not client.session.get("_auth_user_id")


def test_an_address_the_provider_does_not_vouch_for_is_refused(client, school_login, director_a):
    response = log_in_with(client, "microsoft", "unverified-director")  # directie@devlieger.test, unverified
    assert response.status_code == 403 and "did not give a verified e-mail address" in response.content.decode()
    assert not SocialAccount.objects.exists()


def test_an_invitation_is_taken_with_the_school_account(client, school_login, admin_user, school_a,
                                                        django_capture_on_commit_callbacks):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin_people"), {"email": "directeur@nieuweschool.test", "kind": "director",
                                              "school_number": school_a.instellingsnummer})
    link = mail.outbox[-1].body.split("http://testserver", 1)[1].split()[0]
    log_out(client)
    client.get(link)
    assert "Log in with Microsoft" in client.get(reverse("invitation_accept")).content.decode()

    response = log_in_with(client, "microsoft", "new-director")

    assert response["Location"] == reverse("home")
    user = User.objects.get(email="directeur@nieuweschool.test")
    assert not user.has_usable_password()
    assert list(user.roles.values_list("kind", "school")) == [("director", school_a.pk)]
    assert Invitation.objects.get().accepted_by == user
    assert client.get(reverse("school_people")).status_code == 200


def test_without_the_invitation_link_the_same_address_is_refused(client, school_login, admin_user, school_a):
    Invitation.objects.create(email="directeur@nieuweschool.test", kind="director", school=school_a)
    response = log_in_with(client, "google", "new-director")
    assert response.status_code == 403
    assert not Role.objects.filter(user__email="directeur@nieuweschool.test").exists()


def test_a_multi_tenant_issuer_is_checked_with_the_tokens_own_tenant(rf, settings):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    tenant = "9188040d-6c67-4c5b-b112-36a304b66dad"
    claims = {"iss": f"https://login.microsoftonline.com/{tenant}/v2.0", "aud": "client", "tid": tenant,
              "sub": "abc", "exp": 4102444800, "iat": 1700000000}
    token = jwt.encode(claims, key, algorithm="RS256")
    adapter = TenantAwareOIDCAdapter.__new__(TenantAwareOIDCAdapter)
    adapter._openid_config = {"issuer": "https://login.microsoftonline.com/{tenantid}/v2.0", "jwks_uri": "unused"}
    adapter.did_fetch_access_token = True  # straight from the token endpoint over TLS: no signature check
    app = type("App", (), {"client_id": "client"})()
    assert adapter._decode_id_token(app, token)["tid"] == tenant
    forged = jwt.encode({**claims, "iss": "https://login.microsoftonline.com/other-tenant/v2.0"}, key, algorithm="RS256")
    with pytest.raises(Exception, match="Invalid id_token"):
        adapter._decode_id_token(app, forged)


def test_the_environment_makes_the_buttons_and_opens_the_form_action_to_the_providers():
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {**os.environ, "MICROSOFT_LOGIN_CLIENT_ID": "m-id", "MICROSOFT_LOGIN_SECRET": "m-secret",
           "MICROSOFT_LOGIN_TENANT": "devlieger.onmicrosoft.com", "GOOGLE_LOGIN_CLIENT_ID": "g-id",
           "GOOGLE_LOGIN_SECRET": "g-secret"}
    code = ("import json; from config import settings as s; print(json.dumps({'apps': [[a['provider_id'], "
            "a['client_id'], a['settings']['server_url']] for a in s.SOCIALACCOUNT_PROVIDERS['openid_connect']['APPS']], "
            "'form_action': s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']}))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parent.parent).stdout
    found = json.loads(out)
    assert found["apps"] == [
        ["microsoft", "m-id", "https://login.microsoftonline.com/devlieger.onmicrosoft.com/v2.0"],
        ["google", "g-id", "https://accounts.google.com"]]
    assert found["form_action"] == ["'self'", "https://accounts.google.com", "https://login.microsoftonline.com"]
