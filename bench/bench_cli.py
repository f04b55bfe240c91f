"""Wall time of `partenariat validate` and `partenariat build` on the corpus, process start included.

Run: .venv/bin/python bench/bench_cli.py [--runs N]
Targets on the 2-core machine: validate under 3 s, build under 6 s (medians).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGETS = {"validate": 3.0, "build": 6.0}


def wall_time(args: list[str]) -> float:
    """Seconds one command takes, from process start to exit; fails loudly if it fails."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "partenariat.cli", *args], check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as out:
        commands = {
            "validate": ["validate"],
            "build": ["build", "--out", str(Path(out) / "build")],
            "build --no-inference": ["build", "--no-inference", "--out", str(Path(out) / "b2")],
        }
        print(f"{'command':<22} {'median s':>9} {'min s':>7} {'max s':>7} {'target s':>9}  verdict")
        failed = False
        for name, args in commands.items():
            times = [wall_time(args) for _ in range(runs)]
            median = statistics.median(times)
            target = TARGETS.get(name)
            verdict = "" if target is None else ("ok" if median < target else "OVER")
            failed |= verdict == "OVER"
            target_text = f"{target:.1f}" if target else "-"
            print(f"{name:<22} {median:>9.2f} {min(times):>7.2f} {max(times):>7.2f} {target_text:>9}  {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
