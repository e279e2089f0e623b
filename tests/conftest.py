"""Shared fixtures: the database report, personas, a real Celery worker and Chromium."""
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery._state import _set_task_join_will_block
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app

# Live-server browser tests call the ORM from Playwright's event loop thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Tests run tasks in-process unless a test asks for the real worker (see `celery_worker`).
celery_app.conf.task_always_eager = True

# Django's advice for test suites: a fast hasher. PBKDF2's 1,000,000 rounds take 0.56 s here for
# every persona and factory user, minutes of the suite; the production list stays behind it, so a
# hash made by a process with production settings still verifies here.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / ".test-artifacts"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
REQUIRE_SERVICES = IN_CI or os.environ.get("REQUIRE_SERVICES", "") == "1"
pytest_plugins = ["tests.personas"]


def _database_description():
    db = settings.DATABASES["default"]
    vendor = connection.vendor
    if vendor == "sqlite":
        return "SQLite (embedded default)", vendor
    return f"{vendor} at {db.get('HOST') or 'local socket'}:{db.get('PORT') or '-'} (database {db['NAME']})", vendor


def pytest_report_header(config):
    description, _vendor = _database_description()
    redis = settings.REDIS_URL or "none (Celery runs eagerly; worker tests are skipped)"
    return [f"DATABASE: {description}", f"REDIS: {redis}"]


def pytest_sessionstart(session):
    description, vendor = _database_description()
    if REQUIRE_SERVICES and vendor != "postgresql":
        pytest.exit(f"Refusing to run on {description}: CI needs PostgreSQL (set DATABASE_URL).", returncode=3)
    if REQUIRE_SERVICES and not settings.REDIS_URL:
        pytest.exit("Refusing to run without Redis: CI needs REDIS_URL.", returncode=3)


def pytest_terminal_summary(terminalreporter):
    description, vendor = _database_description()
    line = f"TESTS RAN ON DATABASE: {description}"
    terminalreporter.write_sep("=", line, bold=True, yellow=vendor == "sqlite", green=vendor != "sqlite")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "database-used.txt").write_text(vendor + "\n")


# --- a real Celery worker on Redis --------------------------------------------------------------


def _worker_database_url():
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """One worker process for the session, on its own queue so no other worker steals tasks."""
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        message = "a real Celery worker needs REDIS_URL and PostgreSQL"
        if REQUIRE_SERVICES:
            pytest.fail(message)
        pytest.skip(message)
    queue = f"test-{uuid.uuid4().hex[:8]}"
    mail_dir = tmp_path_factory.mktemp("worker-mail")
    env = {
        **os.environ,
        "DATABASE_URL": _worker_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_QUEUE": queue,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "EMAIL_URL": "filemail://",
        "EMAIL_FILE_PATH": str(mail_dir),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    log = open(tmp_path_factory.mktemp("worker-log") / "worker.log", "w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--concurrency=1",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "-Q", queue,
         "-n", f"{queue}@%h", "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    celery_app.conf.task_default_queue = queue
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            pytest.fail(f"Celery worker exited at start:\n{log.read()}")
        if celery_app.control.ping(destination=[f"{queue}@{os.uname().nodename}"], timeout=0.5):
            break
    else:
        process.terminate()
        pytest.fail("Celery worker did not answer a ping within 30 s")
    yield type("Worker", (), {"process": process, "queue": queue, "mail_dir": mail_dir, "log": log})
    process.terminate()
    process.wait(timeout=20)
    log.close()


@pytest.fixture
def celery_worker(celery_worker_process, transactional_db):
    """Send tasks to the real worker for the duration of one test (data must be committed)."""
    celery_app.conf.task_always_eager = False
    try:
        yield celery_worker_process
    finally:
        celery_app.conf.task_always_eager = True
        # Tasks the test's writes queued (a figures refresh after each write) must be done before
        # the database is flushed, or the flush and a task deadlock on their locks.
        _wait_until_idle(celery_worker_process.queue)


def _wait_until_idle(queue, timeout=30.0):
    inspector = celery_app.control.inspect(destination=[f"{queue}@{os.uname().nodename}"], timeout=0.5)
    with celery_app.connection_for_write() as connection:
        client = connection.default_channel.client
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            busy = [task for tasks in (inspector.active() or {}).values() for task in tasks]
            busy += [task for tasks in (inspector.reserved() or {}).values() for task in tasks]
            if not busy and not client.llen(queue):
                return
            time.sleep(0.2)


@pytest.fixture(autouse=True)
def _eager_join_flag_cleared():
    """Celery keeps "inside an eager task" in one flag for the whole process. Two test threads that run
    eager tasks at once (the race tests: each commit queues a figures refresh) can leave it set, and a
    later worker test's result.get() then refuses to wait. Real workers are separate processes."""
    yield
    _set_task_join_will_block(False)


def wait_for(predicate, timeout=20.0, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    return predicate()


# --- headless Chromium ---------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        if REQUIRE_SERVICES:
            pytest.fail("Chromium is missing: install the Debian package 'chromium'")
        pytest.skip("Chromium is not installed")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    }


# --- messages: SMS into a list, like Django's mail.outbox -----------------------------------------

@pytest.fixture(autouse=True)
def sms_outbox(settings):
    """Every test's texts go to portal.sms.outbox (locmem://), emptied before each test."""
    from portal import sms

    settings.SMS_URL = "locmem://"
    sms.outbox.clear()
    return sms.outbox
