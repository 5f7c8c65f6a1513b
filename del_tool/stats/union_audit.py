"""Differencing audit over the union of every cell a reader can see.

Each published cell is a sum over its members (citizens, stays, goals, follow-ups) of one value
per member: 1 for a count, a score change for a mean, 0 or 1 for a share. Cells whose members
carry the same quantity (the same measure at the same reference day: a stay's change since
admission up to 30 June is one number, whether it sits in the second quarter's summary or in the
first half-year's) form a *family*. Where one cell's members include all of another's (the
half-year's citizens include the second quarter's, the region's include the municipality's), a
reader can subtract the two and learn about the members in one but not the other
(differencing; Hundepool et al. 2012, section 5.6, "disclosure by differencing"). The audit
checks every such nested pair in the union of what one reader can see:

- counts of the same breakdown in two publications: the difference is pinned to one whole
  number in 1..k-1 (shown counts are exact, "<k" is [1, k-1], a hidden count at least k);
- sums (a shown mean, with its rounding, times its n): the difference is a group of fewer than
  `min_n` members, and it narrows their mean to less than `protection` of one member's range
  (one citizen's change, or a mean over a group too small to show).

Only nesting every reader knows is used: a cell of a period within a longer period (the second
quarter within the half-year), a municipality within the region. Every n is taken as known.
Counts are compared only across publications of the same breakdown (the complement of a
subgroup within one summary, "28 of 30 citizens have goals", is the ordinary "n of N" a table
shows and is covered by the per-table suppression of `disclosure_audit`). Confidence limits
beside a mean are withheld with it; a standard deviation is never published.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

Interval = tuple[float, float]


@dataclass(frozen=True, slots=True)
class AuditCell:
    """One published number as the reader sees it.

    ``members`` maps each member's token to its value (1.0 in a count). ``known`` is the
    reader's interval for the cell's sum (None when the cell is hidden without a bound);
    ``value_range`` bounds one member's value (a change on a 0-4 scale lies in [-4, 4]).
    """

    key: str
    family: str
    members: Mapping[str, float]
    known: Interval | None
    count: bool = True
    value_range: Interval = (1.0, 1.0)
    #: The period (ISO start, end) and the population ("region/461" lies within "region") the
    #: cell covers: what a reader knows of how member sets nest.
    period: tuple[str, str] = ("", "")
    scope: str = ""

    def within(self, other: AuditCell) -> bool:
        """Whether every reader knows this cell's members to lie among `other`'s."""
        inside = other.period[0] <= self.period[0] and self.period[1] <= other.period[1]
        return inside and (self.scope + "/").startswith(other.scope + "/")

    @property
    def measure(self) -> str:
        """The cell's breakdown without its period: "2026Q2/ours/citizens" -> "ours/citizens"."""
        return self.key.split("/", 1)[-1]

    @property
    def total(self) -> float:
        return float(sum(self.members.values()))


@dataclass(frozen=True, slots=True)
class Finding:
    """A group of fewer than k (counts) or `min_n` (means) members the reader can pin down."""

    family: str
    size: int
    cells: tuple[str, ...]
    low: float
    high: float
    kind: str  # "count" or "value"

    def describe(self) -> str:
        what = "count" if self.kind == "count" else "mean of"
        return (
            f"{self.family}: {what} {self.size} member(s) derivable within "
            f"[{self.low:.3g}, {self.high:.3g}] from {', '.join(self.cells)}"
        )


def audit(
    cells: Iterable[AuditCell], *, k: int, min_n: int, protection: float = 0.5
) -> list[Finding]:
    """Every disclosure the union of `cells` allows by differencing (empty when it is safe)."""
    families: dict[str, list[tuple[AuditCell, frozenset[str]]]] = defaultdict(list)
    for cell in cells:
        if cell.members:
            families[cell.family].append((cell, frozenset(cell.members)))
    findings: list[Finding] = []
    for family in families.values():
        for (big, big_set), (small, small_set) in _nested_pairs(family):
            finding = _difference(big, big_set, small, small_set, k, min_n, protection)
            if finding is not None:
                findings.append(finding)
    return findings


def _nested_pairs(
    family: Sequence[tuple[AuditCell, frozenset[str]]],
) -> Iterator[tuple[tuple[AuditCell, frozenset[str]], tuple[AuditCell, frozenset[str]]]]:
    """Pairs (bigger, smaller), both with a known sum, where the smaller lies within the bigger
    by the period and population they cover and by their members."""
    ordered = sorted(family, key=lambda pair: len(pair[1]))
    for i, small in enumerate(ordered):
        for big in ordered[i + 1 :]:
            if small[0].known is None or big[0].known is None:
                continue
            if len(big[1]) > len(small[1]) and small[0].within(big[0]) and small[1] <= big[1]:
                yield big, small


def _difference(
    big: AuditCell,
    big_set: frozenset[str],
    small: AuditCell,
    small_set: frozenset[str],
    k: int,
    min_n: int,
    protection: float,
) -> Finding | None:
    if big.known is None or small.known is None:
        return None
    low = big.known[0] - small.known[1]
    high = big.known[1] - small.known[0]
    size = len(big_set) - len(small_set)
    if big.count and small.count:
        if big.measure != small.measure:
            return None
        value = _pinned(low, high)
        if value is not None and 1 <= value < k:
            return Finding(big.family, value, (big.key, small.key), low, high, "count")
        return None
    if size >= min_n:
        return None
    lo, hi = big.value_range
    if (high - low) / size < protection * (hi - lo) - 1e-9:
        return Finding(big.family, size, (big.key, small.key), low, high, "value")
    return None


def _pinned(low: float, high: float) -> int | None:
    """The one whole number in [low, high], if there is exactly one."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return None
    first, last = math.ceil(low - 1e-6), math.floor(high + 1e-6)
    return first if first == last else None


def count_interval(shown: int | None, true: int, k: int) -> Interval | None:
    """What a reader knows of a count: exact when shown, [1, k-1] for "<k", else at least k
    (or at least 1 when a small count is hidden without its marker)."""
    if shown is not None:
        return (float(shown), float(shown))
    if 1 <= true < k:
        return (1.0, float(k - 1))
    return (float(k), math.inf) if true >= k else (0.0, math.inf)


def sum_interval(mean: float | None, n: int, decimals: int) -> Interval | None:
    """What a reader knows of a sum from a mean rounded to `decimals` over `n` members."""
    if mean is None or n == 0:
        return None
    half = 0.5 * 10.0**-decimals
    return (n * (mean - half), n * (mean + half))
