"""The helpers behind `make run` and `make test`."""
import os
import socket
import subprocess
import sys
import threading

import pytest
from django.core.management import CommandError, call_command

from config import devservices
from portal import syslibs


def test_system_library_check_passes_here(capsys):
    call_command("check_system_libraries")
    assert "OK" in capsys.readouterr().out


def test_missing_libraries_name_the_debian_packages(monkeypatch):
    monkeypatch.setattr(syslibs.ctypes.util, "find_library", lambda name: None)
    with pytest.raises(CommandError) as error:
        call_command("check_system_libraries")
    message = str(error.value)
    assert "apt-get install" in message
    for package in ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"):
        assert package in message


def _serve_once(reply: bytes):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def answer():
        connection, _ = server.accept()
        connection.recv(64)
        connection.sendall(reply)
        connection.close()
        server.close()

    threading.Thread(target=answer, daemon=True).start()
    return server.getsockname()[1]


def test_devservices_recognises_a_redis_by_its_pong():
    assert devservices.answers("127.0.0.1", _serve_once(b"+PONG\r\n"), b"PING\r\n", b"+PONG")
    assert not devservices.answers("127.0.0.1", _serve_once(b"-ERR\r\n"), b"PING\r\n", b"+PONG")


def test_devservices_leaves_configured_urls_alone():
    env = {**os.environ, "DATABASE_URL": "postgres://elsewhere/db", "REDIS_URL": "redis://elsewhere/0"}
    result = subprocess.run([sys.executable, "-m", "config.devservices"], env=env, capture_output=True, text=True)
    assert result.stdout == ""
    assert "elsewhere/db" in result.stderr
