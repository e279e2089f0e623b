"""`make bench-uploads`: the worst uploads, each read in a fresh process, against the reading limits.

    python -m bench.uploads            # all files; prints one table and the worst time and memory
    python -m bench.uploads --one FILE # internal: read one file, print one JSON line

Each file is read the way the roster upload reads it (households.roster_file.read_table: CSV or XLSX,
the whole file, within portal/read_limits.py), which is the most a web worker does for an upload. The
shapes are the ones the attack of issue 15 used (tests/hostile_files.py), plus the largest honest
files the limits allow. Peak memory is the process's resident high-water mark during the read minus
its size just before (Linux /proc, reset through clear_refs), so C libraries count too. Time is the
read's CPU seconds (what IMPORT_MAX_SECONDS bounds) and its wall-clock seconds, which a busy machine
stretches. Nothing is asserted: the figures are printed beside their bound.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

# The memory one upload may take in a web worker, on top of the worker itself: a project target (a
# gunicorn process of the portal runs at about 120 MiB), not a setting. The time bound is the setting.
MEMORY_BUDGET_MIB = 200


def files() -> dict[str, bytes]:
    from tests import hostile_files as hostile

    nul, _line = hostile.csv_with_nul_after(4 * 1024 * 1024)
    return {
        "grid claim A1:XFD1048576 (issue's 1.5 kB XLSX)": hostile.xlsx_dimension_bomb(),
        "CSV, 290,000 rows (issue's 4.5 MB)": hostile.csv_rows(290_000),
        "XLSX, 880,000 tiny rows (as the issue's)": hostile.xlsx_many_tiny_rows(880_000),
        "XLSX, one row of 1,000,000 cells": hostile.xlsx_wide_row(1_000_000),
        "XLSX, 300 MB of shared strings zipped": hostile.xlsx_zip_bomb(300),
        "XLSX, 19,000 rows and no size claimed": hostile.xlsx_without_size(19_000),
        "CSV, a NUL 4 MB into the file": nul,
        "CSV, 20,000 pupils (the row limit)": hostile.csv_rows(20_000),
        "XLSX, 20,000 pupils (the row limit)": hostile.xlsx_many_rows(20_000),
    }


def _kib(field: str) -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field + ":"))


def read_one(path: str) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.utils import translation

    from households.roster_file import read_table
    from portal.csvfiles import ImportRejected

    data = Path(path).read_bytes()
    read_table(b"a;b\n1;2\n")  # imports and first use are the process's, not the upload's
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        pass
    base = _kib("VmRSS")
    started, work_started = time.perf_counter(), time.thread_time()
    with translation.override("en"):
        try:
            outcome = f"read {len(read_table(data).rows):,} rows"
        except ImportRejected as refused:
            outcome = "refused: " + str(refused.errors[0])[:90]
    return {"seconds": time.thread_time() - work_started, "wall": time.perf_counter() - started,
            "peak_mib": max(0, _kib("VmHWM") - base) / 1024, "outcome": outcome}


def main():
    parser = argparse.ArgumentParser(prog="python -m bench.uploads")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(read_one(args.one)))
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, data in files().items():
            path = Path(folder) / "upload"
            path.write_bytes(data)
            done = subprocess.run([sys.executable, "-m", "bench.uploads", "--one", str(path)], check=True,
                                  capture_output=True, text=True, cwd=Path(__file__).resolve().parent.parent)
            rows.append((name, len(data), json.loads(done.stdout.strip().splitlines()[-1])))
    print(f"\nUploads read on {platform.node()} ({os.cpu_count()} cores, Python {platform.python_version()}), "
          f"{date.today()}; limits: {settings.IMPORT_MAX_ROWS:,} rows, {settings.IMPORT_MAX_COLUMNS} columns, "
          f"{settings.IMPORT_MAX_CELL_CHARS} characters a cell, {settings.IMPORT_MAX_CELLS:,} cells, "
          f"{settings.IMPORT_MAX_SECONDS:g} s\n")
    width = max(len(name) for name, _size, _result in rows)
    print(f"{'file':<{width}} {'size':>9} {'CPU s':>6} {'wall s':>7} {'peak MiB':>9}  outcome")
    print("-" * (width + 108))
    for name, size, result in rows:
        print(f"{name:<{width}} {size / 1024:>8.0f}k {result['seconds']:>6.2f} {result['wall']:>7.2f} "
              f"{result['peak_mib']:>9.1f}  {result['outcome']}")
    slowest = max(rows, key=lambda row: row[2]["seconds"])
    largest = max(rows, key=lambda row: row[2]["peak_mib"])
    print(f"\nworst time:   {slowest[2]['seconds']:.2f} s of work, {slowest[2]['wall']:.2f} s on the clock ({slowest[0]}); "
          f"bound {settings.IMPORT_MAX_SECONDS:g} s of work (IMPORT_MAX_SECONDS)")
    print(f"worst memory: {largest[2]['peak_mib']:.1f} MiB ({largest[0]}); budget {MEMORY_BUDGET_MIB} MiB")


if __name__ == "__main__":
    main()
