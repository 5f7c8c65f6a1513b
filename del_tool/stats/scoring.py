"""Scoring questionnaire scales: reverse items, prorating, sum or mean, multiplier, range checks.

Pure functions on mappings and frames (numpy/pandas only). A scale score is computed as:

1. Reverse-scored items are mirrored inside their own range: ``low + high - value``.
2. With ``n`` items of which ``k`` are answered, a score is given only when ``k >= min_answered``;
   otherwise the result is "no score" (``None``/NaN), never 0.
3. ``raw`` is the mean of the answered items for ``method="mean"``; for ``method="sum"`` it is the
   sum when all items are answered, else the prorated sum ``mean(answered) * n`` (person-mean
   imputation; Bell et al. 2016, BMC Res Notes 9:479, discuss its use and limits).
4. ``value = raw * multiplier`` (e.g. WHO-5: raw 0-25 times 4 gives 0-100).

Every answer must lie inside its item's range and every score inside the scale's range; anything
else raises ``ValueError``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

if TYPE_CHECKING:  # pandas is imported where frames are scored, not when the app starts
    import pandas as pd

__all__ = [
    "ScaleResult",
    "ScaleSpec",
    "band_index",
    "band_indices",
    "reverse_value",
    "score_frame",
    "score_scale",
]

Method = Literal["sum", "mean"]

#: Tolerance for floating-point range checks on prorated and multiplied scores.
_EPSILON = 1e-9


@dataclass(frozen=True)
class ScaleSpec:
    """What scoring one scale needs: its items with their value ranges and the scoring rule."""

    items: tuple[str, ...]
    low: tuple[int, ...]
    high: tuple[int, ...]
    reverse: frozenset[str] = field(default_factory=frozenset)
    method: Method = "sum"
    multiplier: float = 1.0
    min_answered: int | None = None

    def __post_init__(self) -> None:
        """Refuse specifications that cannot give a meaningful score."""
        n = len(self.items)
        if n == 0:
            raise ValueError("a scale needs at least one item")
        if len(set(self.items)) != n:
            raise ValueError("a scale lists an item twice")
        if len(self.low) != n or len(self.high) != n:
            raise ValueError("low and high need one entry per item")
        if any(lo >= hi for lo, hi in zip(self.low, self.high, strict=True)):
            raise ValueError("each item's low value must be below its high value")
        if not self.reverse <= set(self.items):
            raise ValueError("reverse items must be items of the scale")
        if self.method not in ("sum", "mean"):
            raise ValueError(f"unknown method {self.method!r}")
        if not (self.multiplier > 0 and math.isfinite(self.multiplier)):
            raise ValueError("the multiplier must be a positive number")
        if not 1 <= self.needed <= n:
            raise ValueError(f"min_answered must be between 1 and {n}")
        if self.needed < n and (len(set(self.low)) > 1 or len(set(self.high)) > 1):
            # Prorating assumes the missing items are on the same scale as the answered ones.
            raise ValueError("prorating needs items with the same range")

    @property
    def needed(self) -> int:
        """How many answered items a score needs (all items unless min_answered says fewer)."""
        return len(self.items) if self.min_answered is None else self.min_answered

    @property
    def score_range(self) -> tuple[float, float]:
        """The lowest and highest possible score (after the multiplier)."""
        if self.method == "sum":
            lo, hi = float(sum(self.low)), float(sum(self.high))
        else:
            lo, hi = sum(self.low) / len(self.low), sum(self.high) / len(self.high)
        return lo * self.multiplier, hi * self.multiplier


@dataclass(frozen=True)
class ScaleResult:
    """One scale's score: ``value`` and ``raw`` are None when too few items were answered."""

    value: float | None
    raw: float | None
    n_answered: int
    n_items: int
    prorated: bool


def reverse_value(value: int, *, low: int, high: int) -> int:
    """Mirror a reverse-scored answer inside its range: ``low + high - value``."""
    if not low <= value <= high:
        raise ValueError(f"value {value} is outside {low}..{high}")
    return low + high - value


def score_scale(
    answers: Mapping[str, int | np.integer[Any] | None], spec: ScaleSpec
) -> ScaleResult:
    """Score one scale from answers by item id; missing items or None count as unanswered.

    Raises ValueError for an answer outside its item's range.
    """
    values: list[int] = []
    for item, low, high in zip(spec.items, spec.low, spec.high, strict=True):
        answer = answers.get(item)
        if answer is None:
            continue
        if not isinstance(answer, int | np.integer) or isinstance(answer, bool):
            raise ValueError(f"item {item!r}: value {answer!r} is not a whole number")
        if not low <= answer <= high:
            raise ValueError(f"item {item!r}: value {answer!r} is outside {low}..{high}")
        given = int(answer)
        values.append(reverse_value(given, low=low, high=high) if item in spec.reverse else given)
    n_items, n_answered = len(spec.items), len(values)
    if n_answered < spec.needed:
        return ScaleResult(None, None, n_answered, n_items, prorated=False)
    if spec.method == "mean":
        raw = sum(values) / n_answered
    elif n_answered == n_items:
        raw = float(sum(values))
    else:
        raw = sum(values) / n_answered * n_items
    value = raw * spec.multiplier
    _check_in_range(value, spec)
    return ScaleResult(value, raw, n_answered, n_items, prorated=n_answered < n_items)


def score_frame(answers: pd.DataFrame, spec: ScaleSpec) -> pd.DataFrame:
    """Score every row of a frame with one column per item (missing columns count as unanswered).

    Returns a frame on the same index with columns ``value``, ``raw`` (NaN for no score),
    ``n_answered`` and ``prorated``. Raises ValueError for a value outside its item's range.
    """
    import pandas as pd

    n_rows, n_items = len(answers.index), len(spec.items)
    matrix = np.full((n_rows, n_items), np.nan)
    for j, item in enumerate(spec.items):
        if item not in answers.columns:
            continue
        column = pd.to_numeric(answers[item], errors="raise").to_numpy(dtype=float, na_value=np.nan)
        low, high = spec.low[j], spec.high[j]
        bad = ~np.isnan(column) & ((column < low) | (column > high) | (column != np.round(column)))
        if bad.any():
            row = answers.index[int(np.argmax(bad))]
            shown = row.item() if isinstance(row, np.generic) else row
            raise ValueError(f"item {item!r}, row {shown!r}: value outside {low}..{high}")
        matrix[:, j] = low + high - column if item in spec.reverse else column
    answered = ~np.isnan(matrix)
    n_answered = answered.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.nansum(matrix, axis=1) / n_answered
    raw = mean if spec.method == "mean" else mean * n_items
    raw = np.where(n_answered >= spec.needed, raw, np.nan)
    value = raw * spec.multiplier
    lo, hi = spec.score_range
    if np.any((value < lo - _EPSILON) | (value > hi + _EPSILON)):
        raise ValueError("a score fell outside the scale's range")
    return pd.DataFrame(
        {
            "value": value,
            "raw": raw,
            "n_answered": n_answered.astype(int),
            "prorated": (n_answered < n_items) & ~np.isnan(raw),
        },
        index=answers.index,
    )


def band_index(value: float | None, bands: Sequence[tuple[float, float]]) -> int | None:
    """Index of the band a score falls in, or None; bands are ascending ``(from, to)`` pairs.

    A band reaches from its ``from`` up to the next band's ``from``; the last one ends at its
    ``to``. So a prorated score between two integer bands (e.g. 9.5 between 5-9 and 10-14) falls
    in the lower band, matching the "score >= cut-off" reading of published cut-offs.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    for i, (start, end) in enumerate(bands):
        upper = bands[i + 1][0] if i + 1 < len(bands) else end
        last = i + 1 == len(bands)
        if start <= value < upper or (last and start <= value <= end):
            return i
    return None


def band_indices(values: pd.Series, bands: Sequence[tuple[float, float]]) -> pd.Series:
    """Vectorised `band_index`: a nullable integer series (<NA> for no score or no band)."""
    import pandas as pd

    out = pd.Series(pd.NA, index=values.index, dtype="Int64")
    numeric = pd.to_numeric(values, errors="coerce")
    for i, (start, end) in enumerate(bands):
        upper = bands[i + 1][0] if i + 1 < len(bands) else None
        inside = (numeric >= start) & ((numeric < upper) if upper is not None else (numeric <= end))
        out[inside.fillna(False).astype(bool)] = i
    return out


def _check_in_range(value: float, spec: ScaleSpec) -> None:
    """Guard against a score outside the scale's range (a bug, never a user error)."""
    lo, hi = spec.score_range
    if not lo - _EPSILON <= value <= hi + _EPSILON:
        raise ValueError(f"score {value} is outside the scale's range {lo}..{hi}")
