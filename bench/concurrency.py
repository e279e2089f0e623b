"""Do slow report requests hold every web worker while parents wait? Measured with gunicorn itself.

    python -m bench.concurrency [--slow 2] [--parents 30]   (after make bench-flanders ... --keep)

Starts gunicorn with config/gunicorn.py on the Flanders bench database (127.0.0.1, a free port) and
measures the time of a parent's page (GET /privacy/) alone, then while ``--slow`` clients keep asking
for the heaviest report (the Flanders view's CSV of every school, and the Flanders page) without a
pause. It does so for the production setting (gthread: WEB_CONCURRENCY=2 processes of WEB_THREADS=4
threads) and, for comparison, for 2 plain sync workers, where two slow requests take both.
"""
import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from .setup import start_django

ROOT = Path(__file__).resolve().parent.parent


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url, cookie=None):
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as response:
        response.read()
        assert response.status == 200, (url, response.status)
    return (time.perf_counter() - started) * 1000


def _serve(port, workers, threads, worker_class):
    env = {**os.environ, "WEB_CONCURRENCY": str(workers), "WEB_THREADS": str(threads), "DEBUG": "true",
           "ALLOWED_HOSTS": "127.0.0.1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "--bind", f"127.0.0.1:{port}",
         "--worker-class", worker_class, "--access-logfile", "/dev/null", "config.wsgi"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            _get(f"http://127.0.0.1:{port}/healthz")
            return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    sys.exit("gunicorn did not start")


def _parents(base, count):
    timings = sorted(_get(f"{base}/privacy/") for _ in range(count))
    return statistics.median(timings), timings[max(0, int(len(timings) * 0.9) - 1)], timings[-1]


def measure(port, workers, threads, worker_class, slow, parents, cookie):
    process = _serve(port, workers, threads, worker_class)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(3):
            _get(f"{base}/privacy/")
            _get(f"{base}/reports/flanders/", cookie)
        alone = _parents(base, parents)
        stop, slow_timings = threading.Event(), []

        def hammer(url):
            while not stop.is_set():
                slow_timings.append(_get(url, cookie))

        urls = [f"{base}/reports/flanders/?format=csv", f"{base}/reports/flanders/"]
        threads_ = [threading.Thread(target=hammer, args=(urls[n % 2],)) for n in range(slow)]
        for thread in threads_:
            thread.start()
        time.sleep(1.0)  # every slow client has a request in flight
        loaded = _parents(base, parents)
        stop.set()
        for thread in threads_:
            thread.join()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)
    return alone, loaded, statistics.median(slow_timings) if slow_timings else None


def main():
    parser = argparse.ArgumentParser(prog="python -m bench.concurrency")
    parser.add_argument("--slow", type=int, default=2, help="clients asking for the heaviest report nonstop")
    parser.add_argument("--parents", type=int, default=30, help="parent page requests measured per phase")
    args = parser.parse_args()
    start_django("flanders")
    from django.test import Client

    from portal.models import User

    admin, _ = User.objects.get_or_create(email="bench-admin@bench.test",
                                          defaults={"is_staff": True, "is_superuser": True})
    client = Client()
    client.force_login(admin)
    cookie = f"sessionid={client.cookies['sessionid'].value}; django_language=en"
    print(f"{'setting':<44} {'parent alone: median / p90 / max ms':>38} {'with slow reports: median / p90 / max':>40} "
          f"{'slow report median ms':>22}")
    for label, workers, threads, worker_class in [
        ("gthread, 2 processes x 4 threads (production)", 2, 4, "gthread"),
        ("sync, 2 processes (for comparison)", 2, 1, "sync"),
    ]:
        alone, loaded, slow_ms = measure(_free_port(), workers, threads, worker_class, args.slow, args.parents, cookie)
        print(f"{label:<44} {' / '.join(f'{v:.1f}' for v in alone):>38} {' / '.join(f'{v:.1f}' for v in loaded):>40} "
              f"{slow_ms or 0:>22.1f}")
    print(f"\n{args.slow} clients ask for the Flanders view and its CSV without a pause; {args.parents} parent requests "
          "(GET /privacy/) per phase, one after the other.")


if __name__ == "__main__":
    main()
