"""Occupancy of units (belægning): occupied days over place-days, per month, quarter or year.

The sector's definition (belægningsprocent, as used in the regions' framework agreements and on
Tilbudsportalen): occupancy = occupied days / (places x days) x 100. Here

- place-days of a unit in a span = the sum over its days of the places in force that day (a
  change of places takes effect on its ``valid_from`` and holds until the next change);
- an occupied day = a day inside a stay of the unit, the first and the last day both counted
  (as the economy report counts stay days). A citizen occupies one place a day: two stays of
  one citizen in one unit that overlap (a § 107 stay with § 85 support in the same house) count
  that day once;
- vacant places = (place-days - occupied days) / days in the span: the average number of
  places not used (negative when the unit housed more citizens than it has places);
- a span's occupancy needs the places of every day in it: when places are not recorded for
  some day (before a unit's first record), the span's occupancy is not given, and ``reason``
  says so. A span without places (closed, 0 places) has no occupancy either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd

Frequency = Literal["month", "quarter", "year", "whole"]
_DAY = np.timedelta64(1, "D")


@dataclass(frozen=True, slots=True)
class Occupancy:
    """Per unit and span: days, place-days, places, occupied days, occupancy, vacant places.

    ``table`` is indexed by (unit, span) with columns start, end, days, place_days,
    known_days, places (average), occupied_days, occupancy (share, NaN when not given),
    vacant (average vacant places) and reason ("" when the occupancy is given).
    """

    table: pd.DataFrame
    method: str


def spans(start: date, end: date, frequency: Frequency) -> pd.DataFrame:
    """The months, quarters or years overlapping [start, end], clipped to it ("whole": one span).

    Columns: span (label "2026-03", "2026Q1", "2026" or "all"), start, end, days.
    """
    first, last = pd.Timestamp(start), pd.Timestamp(end)
    if last < first:
        raise ValueError("end is before start")
    if frequency == "whole":
        rows = [("all", first, last)]
    else:
        code = {"month": "M", "quarter": "Q", "year": "Y"}[frequency]
        periods = pd.period_range(first.to_period(code), last.to_period(code), freq=code)
        rows = [
            (
                _label(p, frequency),
                max(p.start_time.normalize(), first),
                min(p.end_time.normalize(), last),
            )
            for p in periods
        ]
    out = pd.DataFrame(rows, columns=["span", "start", "end"])
    out["days"] = ((out["end"] - out["start"]) / _DAY + 1).astype(np.int64)
    return out


def _label(p: pd.Period, frequency: Frequency) -> str:
    if frequency == "month":
        return f"{p.year}-{p.month:02d}"
    if frequency == "quarter":
        return f"{p.year}Q{p.quarter}"
    return str(p.year)


def place_days(places: pd.DataFrame, span_frame: pd.DataFrame) -> pd.DataFrame:
    """Place-days and days with known places per (unit, span).

    ``places`` has unit, valid_from and places (0 or more); each row holds from its day until
    the day before the unit's next row, the last one open-ended.
    """
    if (pd.to_numeric(places["places"]) < 0).any():
        raise ValueError("places must not be negative")
    rows = places.assign(valid_from=pd.to_datetime(places["valid_from"]).dt.normalize())
    rows = rows.sort_values(["unit", "valid_from"], kind="stable")
    if rows.duplicated(["unit", "valid_from"]).any():
        raise ValueError("two places records of one unit start on the same day")
    following = rows.groupby("unit")["valid_from"].shift(-1)
    rows = rows.assign(valid_to=following - pd.Timedelta(days=1))
    pieces = _overlap(rows, "valid_from", "valid_to", span_frame)
    pieces["place_days"] = pieces["overlap"] * pd.to_numeric(pieces["places"]).astype(float)
    return (
        pieces.groupby(["unit", "span"])[["place_days", "overlap"]]
        .sum()
        .rename(columns={"overlap": "known_days"})
    )


def occupied_days(stays: pd.DataFrame, span_frame: pd.DataFrame) -> pd.Series:
    """Occupied days per (unit, span): days of the units' stays, one per citizen and day.

    ``stays`` has unit, citizen, start and end (missing = open, running past every span).
    Stays without a start date or ending before they start are left out.
    """
    start = pd.to_datetime(stays["start"]).dt.normalize()
    end = pd.to_datetime(stays["end"]).dt.normalize()
    ok = start.notna() & (end.isna() | (end >= start))
    frame = pd.DataFrame(
        {
            "unit": stays["unit"][ok],
            "citizen": stays["citizen"][ok],
            "start": start[ok],
            "end": end[ok].fillna(pd.Timestamp.max.normalize()),
        }
    )
    merged = _merge_intervals(frame)
    pieces = _overlap(merged, "start", "end", span_frame)
    return pieces.groupby(["unit", "span"])["overlap"].sum().rename("occupied_days")


def occupancy(
    stays: pd.DataFrame,
    places: pd.DataFrame,
    span_frame: pd.DataFrame,
    *,
    units: Any = None,
) -> Occupancy:
    """Occupancy per unit and span (see the module docstring for the definitions).

    ``units`` are the units to report (default: every unit with places or stays); a unit
    without stays in a span has 0 occupied days.
    """
    if units is None:
        units = sorted(set(places["unit"]) | set(stays["unit"]))
    index = pd.MultiIndex.from_product(
        [list(units), list(span_frame["span"])], names=["unit", "span"]
    )
    known = place_days(places, span_frame).reindex(index, fill_value=0.0)
    occupied = occupied_days(stays, span_frame).reindex(index, fill_value=0)
    info = span_frame.set_index("span")
    table = pd.DataFrame(
        {
            "start": info["start"].reindex(index.get_level_values("span")).to_numpy(),
            "end": info["end"].reindex(index.get_level_values("span")).to_numpy(),
            "days": info["days"].reindex(index.get_level_values("span")).to_numpy(),
        },
        index=index,
    )
    table["place_days"] = known["place_days"].astype(float)
    table["known_days"] = known["known_days"].astype(np.int64)
    table["occupied_days"] = occupied.astype(np.int64)
    complete = table["known_days"] == table["days"]
    usable = complete & (table["place_days"] > 0)
    table["places"] = (table["place_days"] / table["days"]).where(complete)
    table["occupancy"] = (table["occupied_days"] / table["place_days"]).where(usable)
    table["vacant"] = ((table["place_days"] - table["occupied_days"]) / table["days"]).where(
        complete
    )
    reason = pd.Series("", index=index, dtype=object)
    reason[complete & ~usable] = "no places in the span"
    reason[~complete] = "places not recorded for every day of the span"
    table["reason"] = reason
    return Occupancy(
        table=table,
        method=(
            "occupied days (one per citizen and day, both ends of a stay counted) / place-days "
            "(places in force each day)"
        ),
    )


def _merge_intervals(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per run of overlapping or touching stays of a citizen in a unit."""
    if frame.empty:
        return frame.assign(run=pd.Series(dtype=np.int64))
    ordered = frame.sort_values(["unit", "citizen", "start"], kind="stable")
    same = (ordered["unit"] == ordered["unit"].shift()) & (
        ordered["citizen"] == ordered["citizen"].shift()
    )
    reach = ordered.groupby(["unit", "citizen"])["end"].cummax().shift()
    new_run = ~same | (ordered["start"] > reach + pd.Timedelta(days=1))
    ordered = ordered.assign(run=new_run.cumsum())
    return ordered.groupby("run").agg(
        unit=("unit", "first"),
        citizen=("citizen", "first"),
        start=("start", "min"),
        end=("end", "max"),
    )


def _overlap(rows: pd.DataFrame, first: str, last: str, span_frame: pd.DataFrame) -> pd.DataFrame:
    """`rows` x spans with the days each row's [first, last] shares with each span (> 0 only).

    A missing `last` is open-ended.
    """
    crossed = rows.merge(span_frame[["span", "start", "end"]].add_prefix("s_"), how="cross")
    lo = np.maximum(crossed[first].to_numpy(), crossed["s_start"].to_numpy())
    ends = crossed[last].fillna(crossed["s_end"]).to_numpy()
    hi = np.minimum(ends, crossed["s_end"].to_numpy())
    days = (hi - lo) / _DAY + 1
    crossed["overlap"] = np.where(days > 0, days, 0).astype(np.int64)
    crossed = crossed.rename(columns={"s_span": "span"})
    return crossed[crossed["overlap"] > 0]
