"""Benchmark of del_tool.stats: reliable change for 1,000,000 pairs, funnels for 10,000 units.

Run with ``python bench/bench_stats.py``. Prints the median of several runs for each task; it
asserts nothing about time (the issue's target is "well under a second" for each).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np

from del_tool.stats import funnel_means, funnel_proportions, reliable_change

RUNS = 7


def median_seconds(task: Callable[[], object], runs: int = RUNS) -> float:
    """Median wall-clock time of ``task`` over ``runs`` runs, after one warm-up run."""
    task()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        task()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    """Time the tasks and print a small table."""
    rng = np.random.default_rng(20240101)
    n_pairs = 1_000_000
    pre = rng.normal(60, 10, n_pairs).round()
    post = pre + rng.normal(-5, 8, n_pairs).round()
    pre[rng.random(n_pairs) < 0.05] = np.nan

    n_units = 10_000
    denominators = rng.integers(0, 200, n_units)
    numerators = rng.binomial(denominators, 0.3)
    means = rng.normal(50, 5, n_units)
    sds = rng.uniform(5, 15, n_units)

    tasks: list[tuple[str, Callable[[], object]]] = [
        (
            "reliable change, 1,000,000 pairs, no cutoff",
            lambda: reliable_change(pre, post, reliability=0.85, higher_is_better=False),
        ),
        (
            "reliable change, 1,000,000 pairs, cutoff c",
            lambda: reliable_change(
                pre,
                post,
                reliability=0.85,
                higher_is_better=False,
                cutoff="c",
                functional_mean=40,
                functional_sd=8,
            ),
        ),
        ("funnel proportions, 10,000 units", lambda: funnel_proportions(numerators, denominators)),
        (
            "funnel proportions, 10,000 units, additive OD",
            lambda: funnel_proportions(numerators, denominators, overdispersion="additive"),
        ),
        (
            "funnel means, 10,000 units, multiplicative OD",
            lambda: funnel_means(means, sds, denominators, overdispersion="multiplicative"),
        ),
    ]
    width = max(len(name) for name, _ in tasks)
    print(f"{'task'.ljust(width)}  median of {RUNS} (s)")
    for name, task in tasks:
        print(f"{name.ljust(width)}  {median_seconds(task):.4f}")


if __name__ == "__main__":
    main()
