"""Whether the council's share reliably improved depends on the method (issue #22).

The council summary's "Pålidelig forbedring af funktionsevnen" is Jacobson-Truax's. The effect
report's robustness table classifies the same stays by every reliable change index
(`reports.effect.robustness`); when the lowest and the highest share improved (improved or
recovered, of the classified stays) lie more than COUNCIL_METHOD_MARGIN apart, the summary shows
that range in one row, naming the two methods, so a council does not read one method's figure
as the only one. The row needs the same COUNCIL_MIN_N_STATISTICS stays as the share itself, and
both shares are cells of the union audit like every other share (`union.method_range_specs`):
each is a share of the same stays under another rule, so a reader learns nothing about one
citizen from them that the audit would not catch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import Column, Table
from del_tool.reports.council.figures import SHARE_DECIMALS, gate
from del_tool.reports.council.outcomes import Outcomes
from del_tool.reports.effect.robustness import METHOD_NAMES, index_results

#: The shares of two methods must differ by more than this (a share, 0.05 = 5 points).
DEFAULT_MARGIN = 0.05
TABLE_KEY = "council_method_range"
COLUMNS = (
    Column("scale", _l("Skala")),
    Column("low", _l("Laveste andel"), "pct", SHARE_DECIMALS),
    Column("low_method", _l("Metode")),
    Column("high", _l("Højeste andel"), "pct", SHARE_DECIMALS),
    Column("high_method", _l("Metode")),
)


@dataclass(frozen=True, slots=True)
class MethodRange:
    """The lowest and highest share improved over the indices, and each stay's 0/1 under both."""

    n: int
    low_method: str
    low: float
    high_method: str
    high: float
    stays: pd.Series
    low_values: Any
    high_values: Any


def configured_margin() -> float:
    """COUNCIL_METHOD_MARGIN (a share: 0.05 is 5 percentage points)."""
    from flask import current_app

    return float(current_app.config.get("COUNCIL_METHOD_MARGIN", DEFAULT_MARGIN))


def method_range(o: Outcomes, min_n: int, margin: float) -> MethodRange | None:
    """The range of the municipality's share improved in functioning, or None when the
    methods agree within `margin`, fewer than `min_n` stays are classified or none apply."""
    effect = o.functioning
    if effect is None:
        return None
    shares = {}
    first = None
    for method, res in index_results(effect).items():
        if res.s_diff is None:
            continue
        classified = res.category != ""
        first = classified if first is None else first
        if not (classified == first).all():  # every index classifies the complete pairs
            continue
        better = (res.category == "improved") | (res.category == "recovered")
        n = int(classified.sum())
        if n < min_n:
            return None
        shares[method] = (float(better[classified].mean()), better[classified], classified)
    if len(shares) < 2:
        return None
    low = min(shares, key=lambda m: (shares[m][0], m))
    high = max(shares, key=lambda m: (shares[m][0], m))
    if round(shares[high][0] - shares[low][0], 6) <= margin:
        return None
    stays = effect.pairs["stay"][shares[low][2]]
    return MethodRange(
        n=len(stays),
        low_method=low,
        low=shares[low][0],
        high_method=high,
        high=shares[high][0],
        stays=stays,
        low_values=shares[low][1].astype(float),
        high_values=shares[high][1].astype(float),
    )


def method_range_table(found: MethodRange, min_n: int, margin: float) -> Table:
    """One row: the scale, the lowest share and its method, the highest and its method."""
    row = [
        _l("Funktionsevne (0-4)"),
        gate(found.low, found.n, min_n),
        METHOD_NAMES[found.low_method],
        gate(found.high, found.n, min_n),
        METHOD_NAMES[found.high_method],
    ]
    return Table(
        TABLE_KEY,
        _l("Pålidelig forbedring afhænger af metoden"),
        COLUMNS,
        [row],
        note=_l(
            "Andelen af forløb med pålidelig forbedring (eller restitueret) efter den metode, "
            "der giver den laveste, og den, der giver den højeste andel af seks anerkendte "
            "metoder (Jacobson-Truax, Gulliksen-Lord-Novick, Edwards-Nunnally, Hsu-Linn-Lord, "
            "Nunnally-Kotsch, Hageman-Arrindell) for de samme forløb som rækken om pålidelig "
            "forbedring ovenfor, der bruger Jacobson-Truax. Vises kun, når metoderne er mere "
            "end %(margin)s procentpoint fra hinanden.",
            margin=f"{100 * margin:g}",
        ),
    )
