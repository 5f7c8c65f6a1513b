"""Change beyond a fixed threshold: the percentage-change and anchor-based (MID) approaches.

Both put each person in the categories of ``jacobson_truax.reliable_change`` (improved,
unchanged, deteriorated, and recovered/harmed when a cutoff is given) but judge the change by a
threshold instead of by measurement error:

- percentage change: the change relative to the pre score, (post - pre) / pre; improved when it
  reaches ``improvement`` (a fraction: 0.5 = 50 %) in the better direction, deteriorated when it
  reaches ``deterioration`` in the worse direction. The approach presumes a ratio scale with a
  meaningful zero (a symptom count or sum score starting at 0): a pre score of 0 or below has no
  relative change, and such a person is left unclassified (counted in ``n_undefined``). Used
  e.g. as "response" (a 50 % reduction) in depression trials; as in the R package
  clinicalsignificance, ``cs_percentage`` (Claus, Wager & Bonnet 2024).
- anchor-based: the raw change against a minimal important difference (MID) established by an
  external anchor (Jaeschke, Singer & Guyatt 1989): improved when the change in the better
  direction is at least ``mid``, deteriorated when it is at least ``mid_deterioration`` (default
  ``mid``) in the worse direction; as clinicalsignificance's ``cs_anchor`` at the individual
  level.

Thresholds are inclusive (a change exactly at the threshold counts), as in the sources. With a
numeric ``cutoff``, an improvement from the dysfunctional side (not strictly beyond the cutoff
in the better direction) to the functional side is "recovered", a deterioration the other way
"harmed", as in ``reliable_change``.

References
----------
Claus, B. B., Wager, J., & Bonnet, U. (2024). clinicalsignificance: Clinical significance
analyses of intervention studies in R. Journal of Statistical Software, 111(1), 1-39.
Jaeschke, R., Singer, J., & Guyatt, G. H. (1989). Measurement of health status: ascertaining the
minimal clinically important difference. Controlled Clinical Trials, 10, 407-415.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from del_tool.stats._results import BoolArray, FloatArray, StrArray, paired_arrays
from del_tool.stats.jacobson_truax import CATEGORIES


@dataclass(frozen=True, slots=True)
class ThresholdChange:
    """Per-person change against a threshold, category and counts per category."""

    n: int
    n_dropped: int
    n_undefined: int
    change: FloatArray
    category: StrArray
    counts: dict[str, int | None]
    method: str
    reason: str | None


def percentage_change(
    pre: Any,
    post: Any,
    *,
    improvement: float,
    higher_is_better: bool,
    deterioration: float | None = None,
    cutoff: float | None = None,
) -> ThresholdChange:
    """Classify each person by the change relative to the pre score; see the module docstring.

    ``change`` holds (post - pre) / pre (NaN where undefined). ``improvement`` and
    ``deterioration`` (default ``improvement``) are positive fractions; other values raise
    ValueError.
    """
    imp = _positive(improvement, "improvement")
    det = imp if deterioration is None else _positive(deterioration, "deterioration")
    pre_arr, post_arr, complete = paired_arrays(pre, post)
    defined = complete & (pre_arr > 0)
    change = np.full(pre_arr.size, np.nan)
    change[defined] = (post_arr[defined] - pre_arr[defined]) / pre_arr[defined]
    n_undefined = int((complete & ~defined).sum())
    reason = (
        f"{n_undefined} pre score(s) of 0 or below: no relative change, left unclassified"
        if n_undefined
        else None
    )
    method = (
        f"percentage change, improvement >= {imp:.0%}, deterioration >= {det:.0%}, "
        f"{_direction(higher_is_better)}"
    )
    return _classified(
        pre_arr,
        post_arr,
        defined,
        change,
        (imp, det),
        higher_is_better,
        cutoff,
        method,
        reason,
        n_undefined,
    )


def anchor_change(
    pre: Any,
    post: Any,
    *,
    mid: float,
    higher_is_better: bool,
    mid_deterioration: float | None = None,
    cutoff: float | None = None,
) -> ThresholdChange:
    """Classify each person's raw change against the minimal important difference ``mid``.

    ``change`` holds post - pre. ``mid`` and ``mid_deterioration`` (default ``mid``) are positive
    numbers in scale points; other values raise ValueError.
    """
    imp = _positive(mid, "mid")
    det = imp if mid_deterioration is None else _positive(mid_deterioration, "mid_deterioration")
    pre_arr, post_arr, complete = paired_arrays(pre, post)
    change = np.where(complete, post_arr - pre_arr, np.nan)
    method = (
        f"anchor-based, minimal important difference {imp:g} (deterioration {det:g}), "
        f"{_direction(higher_is_better)}"
    )
    return _classified(
        pre_arr, post_arr, complete, change, (imp, det), higher_is_better, cutoff, method, None, 0
    )


def _classified(
    pre: FloatArray,
    post: FloatArray,
    usable: BoolArray,
    change: FloatArray,
    thresholds: tuple[float, float],
    higher_is_better: bool,
    cutoff: float | None,
    method: str,
    reason: str | None,
    n_undefined: int,
) -> ThresholdChange:
    """Categories from ``change`` against the thresholds, with recovered/harmed by the cutoff."""
    sign = 1.0 if higher_is_better else -1.0
    with np.errstate(invalid="ignore"):
        better = usable & (sign * change >= thresholds[0])
        worse = usable & (sign * change <= -thresholds[1])
    recovered = np.zeros(pre.size, dtype=bool)
    harmed = np.zeros(pre.size, dtype=bool)
    if cutoff is not None:
        cut = float(cutoff)
        if not np.isfinite(cut):
            raise ValueError(f"cutoff must be finite, got {cutoff!r}")
        functional_pre = sign * pre > sign * cut
        functional_post = sign * post > sign * cut
        recovered = better & ~functional_pre & functional_post
        harmed = worse & functional_pre & ~functional_post
        method += f", cutoff {cut:g}"
    conditions = [
        recovered,
        better & ~recovered,
        usable & ~better & ~worse,
        worse & ~harmed,
        harmed,
    ]
    category = np.select(conditions, list(CATEGORIES), default="").astype("<U12")
    counts: dict[str, int | None] = {
        name: int(mask.sum()) for name, mask in zip(CATEGORIES, conditions, strict=True)
    }
    if cutoff is None:
        counts["recovered"] = counts["harmed"] = None
    n_complete = int((np.isfinite(pre) & np.isfinite(post)).sum())
    counts["n"] = int(usable.sum())
    if not usable.any() and reason is None:
        reason = "no complete pairs"
    return ThresholdChange(
        n=n_complete,
        n_dropped=int(pre.size - n_complete),
        n_undefined=n_undefined,
        change=change,
        category=category,
        counts=counts,
        method=method,
        reason=reason,
    )


def _positive(value: float, name: str) -> float:
    """A finite positive threshold, or ValueError."""
    if value is None or isinstance(value, bool) or not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def _direction(higher_is_better: bool) -> str:
    return "higher is better" if higher_is_better else "lower is better"
