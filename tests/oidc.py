"""A local OpenID Connect provider (tests/oidc_provider: django-oauth-toolkit in its own process) and a
client that plays the browser at the provider, for the "Log in with Microsoft/Google" tests."""
import json
import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "provider-pass-2026"
CALLBACK = "/accounts/school/oidc/{provider}/login/callback/"
# Entra ID and Google both stand in as clients of one local provider.
CLIENTS = {"microsoft": ("portal-microsoft", "microsoft-secret"), "google": ("portal-google", "google-secret")}
USERS = [
    {"username": "new-director", "email": "directeur@nieuweschool.test", "first_name": "Ines", "last_name": "Maes"},
    {"username": "coordinator", "email": "ict@devlieger.test", "first_name": "Ict", "last_name": "Vlieger"},
    {"username": "stranger", "email": "onbekend@elders.test"},
    {"username": "unverified-director", "email": "directie@devlieger.test"},
]


@dataclass(frozen=True)
class Provider:
    issuer: str
    port: int


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    folder = tmp_path_factory.mktemp("oidc-provider")
    port = _free_port()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    (folder / "key.pem").write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                       serialization.NoEncryption()))
    issuer = f"http://127.0.0.1:{port}/o"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
           "OIDC_TEST_DB": str(folder / "provider.sqlite3"), "OIDC_TEST_KEY": str(folder / "key.pem"),
           "OIDC_TEST_ISSUER": issuer}
    # Any port on 127.0.0.1 (RFC 8252 loopback) for the live server; the test client's host for the rest.
    redirects = {name: [f"http://127.0.0.1{CALLBACK.format(provider=name)}",
                        f"http://testserver{CALLBACK.format(provider=name)}"] for name in CLIENTS}
    spec = {"users": [{**user, "password": PASSWORD} for user in USERS],
            "clients": [{"client_id": client_id, "secret": secret, "redirect_uris": redirects[name]}
                        for name, (client_id, secret) in CLIENTS.items()]}
    subprocess.run([sys.executable, "-m", "tests.oidc_provider.setup_provider", json.dumps(spec)], cwd=ROOT, env=env,
                   check=True)
    log = open(folder / "provider.log", "w+")
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "tests.oidc_provider.wsgi:application",
                                "--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4"],
                               cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=5).ok:
                break
        except requests.RequestException:  # not listening yet, or still importing Django
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.terminate()
            log.seek(0)
            pytest.fail(f"the test OpenID Connect provider did not start:\n{log.read()}")
        time.sleep(0.2)
    yield Provider(issuer=issuer, port=port)
    process.terminate()
    process.wait(timeout=10)
    log.close()


@pytest.fixture
def school_login(settings, oidc_provider):
    """The portal configured with a "Microsoft" and a "Google" app, both at the local provider."""
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    origin = oidc_provider.issuer.rsplit("/", 1)[0]
    settings.CONTENT_SECURITY_POLICY = {**settings.CONTENT_SECURITY_POLICY, "DIRECTIVES": {
        **directives, "form-action": [*directives["form-action"], origin]}}
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": [
        {"provider_id": name, "name": name.capitalize(), "client_id": client_id, "secret": secret,
         "settings": {"server_url": oidc_provider.issuer}}
        for name, (client_id, secret) in CLIENTS.items()]}}
    return oidc_provider


def sign_in_at_provider(authorize_url: str, username: str) -> str:
    """Play the browser at the provider: sign in, and return where it sends the user back (the callback)."""
    browser = requests.Session()
    page = browser.get(authorize_url, timeout=10)  # -> the provider's sign-in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    next_url = re.search(r'name="next" value="([^"]*)"', page.text).group(1).replace("&amp;", "&")
    response = browser.post(page.url, data={"csrfmiddlewaretoken": token, "username": username,
                                            "password": PASSWORD, "next": next_url},
                            headers={"Referer": page.url}, allow_redirects=False, timeout=10)
    provider = "{0.scheme}://{0.netloc}/".format(urlsplit(page.url))
    while response.status_code in (301, 302, 303):
        location = urljoin(response.url, response.headers["Location"])
        if not location.startswith(provider):
            return location
        response = browser.get(location, allow_redirects=False, timeout=10)
    raise AssertionError(f"the provider did not send the user back: {response.status_code} {response.text[:500]}")
