"""`make bench-onboarding`: the "school on board in one morning" journey, timed and counted.

Runs tests/browser/test_onboarding_journey.py (headless Chromium against a live server and the local
OpenID Connect provider) --runs times and prints, per step, the clicks, fields and files a person needs
and the seconds the browser took; beside it the floor: the same writes through the services alone, no
browser and no HTTP. A person reads and types slower than Chromium: the clicks and fields are the figures
to compare between versions, the seconds show what the portal itself adds.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST = "tests/browser/test_onboarding_journey.py"


def run_once(folder: Path) -> tuple[list[dict], float]:
    out = folder / "journey.json"
    result = subprocess.run([sys.executable, "-m", "pytest", TEST, "-q", "-p", "no:cacheprovider"], cwd=ROOT,
                            env={**os.environ, "ONBOARDING_BENCH_OUT": str(out)}, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-2000:])
        raise SystemExit("the onboarding journey failed; nothing to report")
    return json.loads(out.read_text())["steps"], json.loads((folder / "floor.json").read_text())["seconds"]


def main():
    parser = argparse.ArgumentParser(prog="python -m bench.onboarding")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    runs, floors = [], []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as folder:
            steps, floor = run_once(Path(folder))
        runs.append(steps)
        floors.append(floor)
    print(f"\nOnboarding journey on {platform.node()} ({os.cpu_count()} cores, Python {platform.python_version()}), "
          f"{date.today()}, median of {args.runs} runs in headless Chromium\n")
    width = max(len(step["step"]) for step in runs[0])
    print(f"{'step':<{width}} {'clicks':>6} {'fields':>6} {'files':>5} {'seconds':>8}")
    print("-" * (width + 30))
    for index, step in enumerate(runs[0]):
        seconds = statistics.median(run[index]["seconds"] for run in runs)
        print(f"{step['step']:<{width}} {step['clicks']:>6} {step['fields']:>6} {step['files']:>5} {seconds:>8.2f}")
    total = statistics.median(sum(step["seconds"] for step in run) for run in runs)
    clicks = sum(step["clicks"] for step in runs[0])
    fields = sum(step["fields"] for step in runs[0])
    files = sum(step["files"] for step in runs[0])
    print("-" * (width + 30))
    print(f"{'total':<{width}} {clicks:>6} {fields:>6} {files:>5} {total:>8.2f}")
    print(f"{'floor: the same writes through the services, no browser':<{width}} {'':>6} {'':>6} {'':>5} "
          f"{statistics.median(floors):>8.2f}")


if __name__ == "__main__":
    main()
