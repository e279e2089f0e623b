"""Used by `make test`: point the suite at local PostgreSQL and Redis when they answer.

Prints shell `export` lines; variables already set in the environment are left alone.
Run as `python -m config.devservices` (it imports nothing from Django).
"""
import os
import socket
import sys

LOCAL_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal"
LOCAL_REDIS_URL = "redis://127.0.0.1:6379/1"


def answers(host: str, port: int, probe: bytes | None = None, expect: bytes | None = None) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1) as sock:
            if probe is None:
                return True
            sock.sendall(probe)
            return sock.recv(64).startswith(expect)
    except OSError:
        return False


def main() -> None:
    exports = {}
    if not os.environ.get("DATABASE_URL") and answers("127.0.0.1", 5432):
        exports["DATABASE_URL"] = LOCAL_DATABASE_URL
    if not os.environ.get("REDIS_URL") and answers("127.0.0.1", 6379, b"PING\r\n", b"+PONG"):
        exports["REDIS_URL"] = LOCAL_REDIS_URL
    for name, value in exports.items():
        print(f"export {name}={value}")
    database = os.environ.get("DATABASE_URL") or exports.get("DATABASE_URL") or "SQLite (nothing answered on 5432)"
    redis = os.environ.get("REDIS_URL") or exports.get("REDIS_URL") or "none (Celery eager)"
    print(f">>> using database: {database.split('@')[-1]}; redis: {redis}", file=sys.stderr)


if __name__ == "__main__":
    main()
