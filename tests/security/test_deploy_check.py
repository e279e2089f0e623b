"""Production settings pass Django's deployment check, and the HTTPS headers are really sent."""
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def production_env():
    # A clean environment: only what a production container gets (conftest sets test-only variables).
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env.update(DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="uitleen.example.be",
               CSRF_TRUSTED_ORIGINS="https://uitleen.example.be", DATABASE_URL="sqlite:///:memory:",
               SMS_URL="twilio://AC123:token@?from=%2B32460000000", EMAIL_URL="brevo://xkeysib-key@")
    return env


def run_check(env):
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_check_deploy_reports_nothing_with_production_settings():
    result = run_check(production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_does_fail_on_an_insecure_setting():
    """The check above can fail: switching secure cookies off is reported."""
    result = run_check({**production_env(), "SECURE_COOKIES": "false"})
    assert result.returncode != 0
    assert "security.W012" in result.stderr + result.stdout


@pytest.mark.parametrize("variable, value, code", [
    ("SMS_URL", "log://", "portal.E001"), ("SMS_URL", "locmem://", "portal.E001"),
    ("EMAIL_URL", "consolemail://", "portal.E002")])
def test_check_deploy_refuses_families_unreached(variable, value, code):
    """Production with a log-only SMS backend or a console mailer would reach no family."""
    result = run_check({**production_env(), variable: value})
    assert result.returncode != 0
    assert code in result.stderr + result.stdout


@pytest.mark.django_db
def test_https_headers_behind_the_proxy(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    plain = client.get("/accounts/login/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    # The health probe comes over plain HTTP from inside the stack: never redirected.
    assert client.get("/healthz").status_code == 200
    secure = client.get("/accounts/login/", headers={"X-Forwarded-Proto": "https"})
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert secure["X-Frame-Options"] == "DENY"
    assert secure["Referrer-Policy"] == "same-origin"
    assert secure["X-Content-Type-Options"] == "nosniff"


def test_cookie_flags_follow_debug():
    from django.conf import settings

    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
