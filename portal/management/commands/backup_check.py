"""`manage.py backup_check postgres://.../portal_restore [--checksums]`: after pg_restore, compare
the restored database with this one (row counts per table, sequences, optionally row checksums)."""
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from psycopg.conninfo import make_conninfo

from portal.backup_check import differences, fingerprint


def _dsn(settings_dict) -> str:
    parts = {"dbname": settings_dict["NAME"], "host": settings_dict.get("HOST") or "",
             "port": settings_dict.get("PORT") or "", "user": settings_dict.get("USER") or "",
             "password": settings_dict.get("PASSWORD") or ""}
    return make_conninfo(**{key: value for key, value in parts.items() if value})


class Command(BaseCommand):
    help = "Compare this database with a restored copy: row counts of every table and sequences."

    def add_arguments(self, parser):
        parser.add_argument("restored_url", help="postgres://user@host:5432/name of the restored copy")
        parser.add_argument("--checksums", action="store_true", help="also compare an md5 of every row (slow)")

    def handle(self, restored_url, checksums, **options):
        if connection.vendor != "postgresql":
            raise CommandError("backup_check compares PostgreSQL databases; DATABASE_URL is not PostgreSQL")
        source = fingerprint(_dsn(connection.settings_dict), checksums=checksums)
        target = fingerprint(restored_url, checksums=checksums)
        tables = [name for name in source if not name.startswith("sequence ")]
        rows = sum(value[0] for name, value in source.items() if name in tables)
        problems = differences(source, target)
        if problems:
            for line in problems:
                self.stderr.write(line)
            raise CommandError(f"{len(problems)} of {len(source)} tables/sequences differ")
        self.stdout.write(f"Same: {len(tables)} tables, {rows:,} rows, "
                          f"{len(source) - len(tables)} sequences{', row checksums' if checksums else ''}.")
