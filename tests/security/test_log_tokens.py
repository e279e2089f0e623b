"""No family's link token in any log (issue 15): a real gunicorn, run as production runs it
(config/gunicorn.py, DEBUG off), serves the parents' links; its access and error logs and the
Django log it writes are read back."""
import logging
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from households.models import Survey, SurveyInvite
from portal.log_redaction import RedactLinkTokens, redact
from portal.tokens import hash_token, new_token

from ..factories import AgreementFactory, HouseholdFactory

ROOT = Path(__file__).resolve().parent.parent.parent


def test_redact_takes_the_token_out_of_paths_and_urls():
    token = new_token()
    line = f'127.0.0.1 "GET /s/{token}/signed.pdf HTTP/1.1" 200 "https://uitleen.example.be/q/{token}/?lang=fr"'
    assert redact(line) == ('127.0.0.1 "GET /s/[token]/signed.pdf HTTP/1.1" 200 '
                            '"https://uitleen.example.be/q/[token]/?lang=fr"')
    assert redact("GET /families/12/ and /static/css/portal.css") == "GET /families/12/ and /static/css/portal.css"


def test_djangos_log_records_are_filtered(caplog):
    token = new_token()
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Not Found: %s", (f"/s/{token}/",), None)
    assert RedactLinkTokens().filter(record) and record.getMessage() == "Not Found: /s/[token]/"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, **headers) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=20) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.django_db(transaction=True)
def test_no_token_in_what_a_real_gunicorn_logs(tmp_path, school_a):
    if connection.vendor != "postgresql":
        pytest.skip("gunicorn runs in its own process and needs the test database on a server")
    now = timezone.now()
    signing = new_token()
    agreement = AgreementFactory(loan__device__school=school_a)
    agreement.signing_links.create(token_hash=hash_token(signing), channel="email", expires_at=now + timedelta(days=7))
    survey_token = new_token()
    survey = Survey.objects.create(school=school_a, title="Computer thuis?", grades=[5])
    SurveyInvite.objects.create(survey=survey, household=HouseholdFactory(school=school_a),
                                token_hash=hash_token(survey_token), channel="email", expires_at=now + timedelta(days=7))
    unknown = new_token()

    db = connection.settings_dict
    port, access_log, error_log, stderr_log = _free_port(), tmp_path / "access.log", tmp_path / "error.log", tmp_path / "stderr.log"
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "test-" + "k" * 60, "ALLOWED_HOSTS": "127.0.0.1",
           "SECURE_SSL_REDIRECT": "false", "SECURE_COOKIES": "false", "REDIS_URL": "", "WEB_CONCURRENCY": "1",
           "WEB_THREADS": "2", "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
           "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"}
    with open(stderr_log, "w") as stderr:
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "--bind", f"127.0.0.1:{port}",
             "--access-logfile", str(access_log), "--error-logfile", str(error_log), "config.wsgi:application"],
            cwd=ROOT, env=env, stdout=stderr, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 30
            while _get_or_none(base + "/healthz") != 200:
                assert server.poll() is None and time.monotonic() < deadline, stderr_log.read_text()
                time.sleep(0.2)
            statuses = {
                "sign": _get(f"{base}/s/{signing}/"),
                "signed pdf": _get(f"{base}/s/{signing}/signed.pdf"),
                "survey": _get(f"{base}/q/{survey_token}/?lang=fr"),
                "unknown": _get(f"{base}/s/{unknown}/"),
                # No view matches: Django's own request log writes "Not Found: <path>".
                "no such page": _get(f"{base}/s/{unknown}/no/such/page/"),
                "static from a family page": _get(f"{base}/static/css/public.css", Referer=f"{base}/s/{signing}/"),
            }
        finally:
            server.terminate()
            server.wait(timeout=30)
    assert statuses["sign"] == 200 and statuses["survey"] == 200 and statuses["unknown"] == 404, statuses
    access, errors, output = access_log.read_text(), error_log.read_text(), stderr_log.read_text()
    logs = access + errors + output
    for token in (signing, survey_token, unknown):
        assert token not in logs
    # The requests are logged, only without their key; Django's own "Not Found" line too.
    assert '"GET /s/[token]/ HTTP/1.1" 200' in access and '"GET /q/[token]/?lang=fr HTTP/1.1" 200' in access
    assert f'"{base}/s/[token]/"' in access  # the Referer of the stylesheet
    assert "Not Found: /s/[token]/no/such/page/" in output


def _get_or_none(url):
    try:
        return _get(url)
    except OSError:
        return None
