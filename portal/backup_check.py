"""Compare two PostgreSQL databases table by table: the check at the end of a restore drill.

Row counts of every table in the public schema, the position of every sequence (a restore that
loses them makes the next insert collide), and optionally a checksum of every row.
"""
import psycopg
from psycopg import sql


def _tables(conn) -> list[str]:
    rows = conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
    ).fetchall()
    return [name for (name,) in rows]


def _sequences(conn) -> dict[str, int | None]:
    rows = conn.execute(
        "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1"
    ).fetchall()
    return {f"sequence {name}": value for name, value in rows}


def fingerprint(dsn: str, *, checksums: bool = False) -> dict[str, tuple]:
    """{table: (rows,) or (rows, md5 of all rows in a fixed order)} plus {"sequence x": (last_value,)}."""
    result = {}
    with psycopg.connect(dsn) as conn:
        for table in _tables(conn):
            if checksums:
                query = sql.SQL(
                    "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM {} t"
                ).format(sql.Identifier(table))
            else:
                query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
            result[table] = tuple(conn.execute(query).fetchone())
        result.update({name: (value,) for name, value in _sequences(conn).items()})
    return result


def differences(source: dict, target: dict) -> list[str]:
    """One line per table or sequence that is missing or different; empty when the two agree."""
    lines = []
    for name in sorted(set(source) | set(target)):
        if source.get(name) != target.get(name):
            lines.append(f"{name}: {source.get(name, 'missing')} != {target.get(name, 'missing')}")
    return lines
