"""Tariff development against the price and wage index (the zero-growth rule).

The framework agreement between a region and its municipalities lets a tariff rise from one year
to the next by at most the year's price and wage index (pris- og lønfremskrivning, PL). Each
tariff (unit, legal section, level) is compared year on year at the same day:

    growth_Y = (tariff in force on 1 January Y / tariff in force on 1 January Y-1 - 1) x 100

and set beside the index percent of year Y. A tariff is marked as rising more than the index
when its growth, rounded to two decimals (the precision the index is given in), exceeds the
index: a tariff raised by exactly the index and rounded to whole øre is not marked. A year
without a tariff in force on one of the two days, or without an index, is shown without a
comparison, and ``reason`` says why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

KEYS = ["unit", "section", "level"]


@dataclass(frozen=True, slots=True)
class TariffGrowth:
    """One row per tariff (unit, section, level) and year; see `tariff_growth`."""

    table: pd.DataFrame
    n_above: int
    method: str


def tariff_on(tariffs: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    """The tariff of each (unit, section, level) in force on `day` (the latest start if two)."""
    valid_from = pd.to_datetime(tariffs["valid_from"]).dt.normalize()
    valid_to = pd.to_datetime(tariffs["valid_to"]).dt.normalize()
    live = (valid_from <= day) & (valid_to.isna() | (valid_to >= day))
    rows = tariffs[live].assign(_from=valid_from[live]).sort_values("_from", kind="stable")
    return rows.drop_duplicates(KEYS, keep="last").drop(columns="_from").set_index(KEYS)


def tariff_growth(tariffs: pd.DataFrame, index: pd.DataFrame, years: Iterable[int]) -> TariffGrowth:
    """Year-on-year growth of every tariff on 1 January of each of `years`, beside the index.

    ``tariffs`` has unit, section, level, valid_from, valid_to and daily_rate (extra columns,
    such as occupancy_basis, are carried along); ``index`` has year and percent. The table has
    unit, section, level, year, rate (1 January of the year), previous (1 January of the year
    before), growth (per cent), index (per cent), above (bool) and reason.
    """
    percent = dict(zip(index["year"].astype(int), index["percent"].astype(float), strict=True))
    frames = []
    for year in sorted(set(years)):
        now = tariff_on(tariffs, pd.Timestamp(year, 1, 1))
        before = tariff_on(tariffs, pd.Timestamp(year - 1, 1, 1))
        if now.empty:
            continue
        frame = now.rename(columns={"daily_rate": "rate"}).drop(
            columns=["valid_from", "valid_to"], errors="ignore"
        )
        frame["previous"] = before["daily_rate"].reindex(frame.index)
        frame["year"] = year
        frames.append(frame.reset_index())
    if not frames:
        empty = pd.DataFrame(
            columns=[*KEYS, "year", "rate", "previous", "growth", "index", "above", "reason"]
        )
        return TariffGrowth(empty, 0, _METHOD)
    table = pd.concat(frames, ignore_index=True)
    previous = table["previous"].astype(float)
    rate = table["rate"].astype(float)
    growth = ((rate / previous.where(previous > 0)) - 1) * 100
    table["growth"] = growth
    table["index"] = table["year"].map(percent).astype(float)
    compared = growth.notna() & table["index"].notna()
    table["above"] = compared & (np.round(growth, 2) > table["index"] + 1e-9)
    reason = pd.Series("", index=table.index, dtype=object)
    reason[table["index"].isna()] = "no price index for the year"
    reason[previous.isna()] = "no tariff on 1 January of the year before"
    reason[previous.notna() & ~(previous > 0)] = "the year before's tariff is 0"
    table["reason"] = reason
    table = table.sort_values([*KEYS, "year"], kind="stable").reset_index(drop=True)
    return TariffGrowth(table, int(table["above"].sum()), _METHOD)


_METHOD = (
    "tariff in force on 1 January vs 1 January the year before; growth in per cent, rounded to "
    "two decimals, above the year's price and wage index is marked"
)
