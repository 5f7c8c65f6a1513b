"""Medians of repeated timings."""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Timing:
    """Wall-clock seconds of several runs of one task (after a warm-up run)."""

    median: float
    minimum: float
    maximum: float
    runs: int

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


def time_runs(task: Callable[[], object], runs: int, *, warmup: int = 1) -> Timing:
    """Run `task` `warmup` times untimed, then `runs` times timed; the median and range."""
    for _ in range(warmup):
        task()
    times = []
    for _ in range(max(1, runs)):
        start = time.perf_counter()
        task()
        times.append(time.perf_counter() - start)
    return Timing(statistics.median(times), min(times), max(times), len(times))


def percentile(values: list[float], share: float) -> float:
    """The `share` quantile (0-1) of `values` by the nearest-rank method; NaN when empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = min(len(ordered), max(1, math.ceil(share * len(ordered))))
    return ordered[rank - 1]
