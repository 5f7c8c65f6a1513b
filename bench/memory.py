"""Peak memory of the report build, measured in a fresh process.

``python -m bench.memory URL`` builds the region's effect report once with tracemalloc on and
prints JSON: the process's resident memory before the build (interpreter, libraries and app),
its peak resident memory (``ru_maxrss``: the number that has to fit in the machine) and the
peak of memory allocated while building (tracemalloc; numpy and pandas report theirs to it).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _probe(url: str) -> dict[str, Any]:
    from bench.data import bench_app
    from bench.report import _effect_builder
    from del_tool.db import get_db

    app = bench_app(url)
    database = get_db(app)
    try:
        with app.app_context():
            build = _effect_builder(database)
            before = _rss_mb()
            tracemalloc.start()
            build()
            _, traced_peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
    finally:
        database.dispose()
    return {
        "rss_before_mb": round(before, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "build_allocated_peak_mb": round(traced_peak / 1024 / 1024, 1),
    }


def measure_memory(url: str, timeout: float = 1800.0) -> dict[str, Any]:
    """Run the probe in a fresh interpreter and return what it measured."""
    completed = subprocess.run(
        [sys.executable, "-m", "bench.memory", url],
        capture_output=True,
        text=True,
        check=True,
        timeout=timeout,
        cwd=ROOT,
    )
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    return result


if __name__ == "__main__":
    print(json.dumps(_probe(sys.argv[1])))
