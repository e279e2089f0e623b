"""Timing and query counting for one measurement; prints medians, never asserts them."""
import math
import statistics
import time
import tracemalloc
from dataclasses import dataclass

from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext


@dataclass
class Result:
    name: str
    median_ms: float
    p90_ms: float
    runs: int
    queries: int | None = None
    peak_kib: int | None = None
    note: str = ""
    floor_ms: float | None = None  # the same data with one hand-written SQL statement


def timings_of(action, *, runs, warmup):
    """Milliseconds of each of ``runs`` calls of ``action``, after ``warmup`` unmeasured ones."""
    for _ in range(warmup):
        action()
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def median_of(action, *, runs, warmup=1):
    """Median milliseconds of ``action`` (for the bare-SQL floors)."""
    return statistics.median(timings_of(action, runs=runs, warmup=warmup))


def measure(name, action, *, runs=15, warmup=2, count_queries=True, trace_memory=False, note="", floor=None):
    timings = timings_of(action, runs=runs, warmup=warmup)
    queries = None
    if count_queries:
        with CaptureQueriesContext(connection) as captured:
            action()
        queries = len(captured.captured_queries)
        reset_queries()
    peak = None
    if trace_memory:
        tracemalloc.start()
        action()
        peak = tracemalloc.get_traced_memory()[1] // 1024
        tracemalloc.stop()
    timings.sort()
    p90 = timings[math.ceil(len(timings) * 0.9) - 1]  # nearest rank: never below the median
    floor_ms = median_of(floor, runs=runs) if floor else None
    return Result(name, statistics.median(timings), p90, runs, queries, peak, note, floor_ms)


def print_table(results, out):
    width = max([44] + [len(r.name) for r in results])
    out.write(f"{'measurement':<{width}} {'median ms':>10} {'p90 ms':>9} {'SQL floor':>10} {'runs':>5} "
              f"{'queries':>8} {'peak KiB':>9}\n")
    out.write("-" * (width + 58) + "\n")
    for r in results:
        queries = "-" if r.queries is None else str(r.queries)
        peak = "-" if r.peak_kib is None else str(r.peak_kib)
        floor = "-" if r.floor_ms is None else f"{r.floor_ms:.1f}"
        out.write(f"{r.name:<{width}} {r.median_ms:>10.1f} {r.p90_ms:>9.1f} {floor:>10} {r.runs:>5} "
                  f"{queries:>8} {peak:>9}\n")
        if r.note:
            out.write(f"    {r.note}\n")
