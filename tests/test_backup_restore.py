"""The backup and restore drill of the README, on the real server: seed the demo, pg_dump -Fc,
createdb, pg_restore, and the restored copy has the same rows, sequences and row checksums."""
import os
import shutil
import subprocess
import uuid
from io import StringIO

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from demo.seed import seed_demo
from portal.backup_check import differences, fingerprint
from portal.management.commands.backup_check import _dsn


@pytest.fixture
def pg_tools(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("the backup drill is for PostgreSQL")
    missing = [tool for tool in ("pg_dump", "pg_restore", "createdb", "dropdb") if not shutil.which(tool)]
    if missing:
        pytest.fail(f"PostgreSQL client tools missing: {', '.join(missing)} (Debian: postgresql-client)")
    db = connection.settings_dict
    env = {**os.environ, "PGHOST": db.get("HOST") or "127.0.0.1", "PGPORT": str(db.get("PORT") or 5432),
           "PGUSER": db.get("USER") or "postgres"}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return lambda *args: subprocess.run(args, env=env, check=True, capture_output=True, text=True)


@pytest.fixture
def restored_name(pg_tools):
    name = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    yield name
    pg_tools("dropdb", "--if-exists", "--force", name)


def _url(name):
    db = connection.settings_dict
    return psycopg.conninfo.make_conninfo(_dsn(db), dbname=name)


def test_a_dump_of_the_seeded_database_restores_to_the_same_rows(pg_tools, restored_name, tmp_path):
    seed_demo()
    source = fingerprint(_dsn(connection.settings_dict), checksums=True)
    for table in ("portal_school", "lending_device", "lending_loan", "lending_agreement", "households_pupil"):
        assert source[table][0] > 0, f"the demo left {table} empty: the drill would prove nothing"

    dump = tmp_path / "portal.dump"
    pg_tools("pg_dump", "-Fc", "--no-owner", "-d", connection.settings_dict["NAME"], "-f", str(dump))
    pg_tools("createdb", restored_name)
    pg_tools("pg_restore", "--no-owner", "--exit-on-error", "-d", restored_name, str(dump))

    target = fingerprint(_url(restored_name), checksums=True)
    assert differences(source, target) == []
    out = StringIO()
    call_command("backup_check", _url(restored_name), "--checksums", stdout=out)
    assert out.getvalue().startswith("Same: ")

    # The check sees a restore that lost a row.
    with psycopg.connect(_url(restored_name), autocommit=True) as conn:
        conn.execute("DELETE FROM django_migrations WHERE id = (SELECT max(id) FROM django_migrations)")
        conn.execute("UPDATE households_pupil SET first_name = 'X' WHERE id = (SELECT min(id) FROM households_pupil)")
    problems = differences(source, fingerprint(_url(restored_name), checksums=True))
    assert [line.split(":")[0] for line in problems] == ["django_migrations", "households_pupil"]
    with pytest.raises(CommandError, match="^2 of"):
        call_command("backup_check", _url(restored_name), "--checksums", stdout=StringIO(), stderr=StringIO())
    # Without --checksums only the lost row shows.
    with pytest.raises(CommandError, match="^1 of"):
        call_command("backup_check", _url(restored_name), stdout=StringIO(), stderr=StringIO())
