"""The stats engineer's benchmark (bench/bench_stats.py), run as it is and its table read back."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "bench_stats.py"
_ROW = re.compile(r"^(?P<task>.+?)\s{2,}(?P<seconds>\d+(?:\.\d+)?)\s*$")


def stats_timings(timeout: float = 600.0) -> dict[str, float]:
    """Median seconds per task, as bench_stats.py prints them."""
    completed = subprocess.run(
        [sys.executable, str(SCRIPT)],
        capture_output=True,
        text=True,
        check=True,
        timeout=timeout,
        cwd=SCRIPT.parent.parent,
    )
    timings: dict[str, float] = {}
    for line in completed.stdout.splitlines()[1:]:
        if match := _ROW.match(line):
            timings[match["task"].strip()] = float(match["seconds"])
    if not timings:
        raise RuntimeError(f"bench_stats.py printed no timings:\n{completed.stdout}")
    return timings
