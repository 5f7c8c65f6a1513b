"""Cost of stays: days in a period times the daily tariff, split where the tariff changes.

There is no literature formula to cite beyond the definition: cost = sum over the days of a stay
that fall in the period of the tariff valid on that day. What needs care is the day count, tariff
changes inside the period, open stays and days without a tariff; each is documented below.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from del_tool.stats._results import check_choice, join_reasons

DAYS_PER_YEAR = 365.25
DayCount = Literal["inclusive", "exclusive_end"]
_ONE_DAY = pd.Timedelta(days=1)


@dataclass(frozen=True, slots=True)
class StayCosts:
    """Cost per stay in a period, the tariff pieces behind it, and totals."""

    per_stay: pd.DataFrame
    segments: pd.DataFrame
    total_cost: float
    total_days: int
    days_without_tariff: int
    n_stays: int
    method: str
    reason: str | None


def stay_costs(
    stays: pd.DataFrame,
    tariffs: pd.DataFrame,
    *,
    period_start: Any,
    period_end: Any,
    day_count: DayCount = "inclusive",
) -> StayCosts:
    """Cost of each stay within [period_start, period_end] (both dates included).

    ``stays`` has columns ``unit``, ``start`` and ``end`` (missing end = open stay, which runs to
    the period end); other columns are kept for aggregation. ``tariffs`` has ``unit``,
    ``valid_from``, ``valid_to`` (missing = open-ended) and ``daily_rate`` (DKK per day).

    Day count: "inclusive" (default) counts both the first and the last day of a stay, the usual
    reading of a per-day tariff (1-3 March = 3 days); "exclusive_end" does not charge the
    departure day (1-3 March = 2 days; an open stay is charged up to and including the period
    end). A stay is split into pieces where the tariff changes: each piece costs days x rate.

    Days of a stay with no valid tariff are never priced at 0 DKK: they are counted in
    ``days_without_tariff`` (per stay and in total), the stay's ``cost`` is NaN (unknown) while
    ``priced_cost`` holds what its priced days cost, its ``reason`` says so, and the result's
    ``reason`` warns that ``total_cost`` (the sum of ``priced_cost``) covers priced days only.
    Overlapping tariffs for a unit make a stay's cost ambiguous, and a stay without a start date
    or ending before it starts cannot be costed: cost and priced_cost NaN with a reason.
    Negative or missing rates and tariff periods ending before they start raise ValueError.
    """
    check_choice(day_count, "day_count", ("inclusive", "exclusive_end"))
    p0, p1 = _date(period_start, "period_start"), _date(period_end, "period_end")
    if p1 < p0:
        raise ValueError("period_end is before period_start")
    first, last, problem = _stay_window(stays, p0, p1, day_count)
    tariff = _validated_tariffs(tariffs, p1)
    ok = problem == ""
    segments = _segments(stays["unit"][ok], first[ok], last[ok], tariff)
    per_stay = _per_stay(stays.index, first, last, problem, segments)
    missing = int(per_stay["days_without_tariff"].sum())
    note = (
        f"{missing} stay day(s) have no tariff: total_cost covers priced days only"
        if missing
        else None
    )
    broken = int((per_stay["priced_cost"].isna() & (per_stay["reason"] != "")).sum())
    note2 = f"{broken} stay(s) could not be priced (see per_stay.reason)" if broken else None
    return StayCosts(
        per_stay=per_stay,
        segments=segments,
        total_cost=float(per_stay["priced_cost"].sum()),
        total_days=int(per_stay["days"].sum()),
        days_without_tariff=missing,
        n_stays=int((per_stay["days"] > 0).sum()),
        method=f"days in period x daily tariff, split at tariff changes, day count {day_count}",
        reason=join_reasons([note, note2]),
    )


def cost_summary(
    costs: StayCosts,
    stays: pd.DataFrame,
    by: str | list[str],
    *,
    citizen: str | None = "citizen",
    days_per_year: float = DAYS_PER_YEAR,
    extra: pd.Series | None = None,
) -> pd.DataFrame:
    """Cost, days and cost per citizen-year by unit, section, municipality or any stay column.

    citizen_years = stay days in the period / ``days_per_year`` (365.25 by default; overlapping
    stays of one citizen count twice); cost_per_citizen_year = cost / citizen_years (NaN without
    days). ``days_without_tariff`` is carried along so an incomplete cost is never silent.
    ``extra`` is a further cost per stay (indexed like ``stays``: special services), summed
    into ``services`` and added to ``cost``; ``tariff_cost`` is the tariff part alone.
    """
    keys = [by] if isinstance(by, str) else list(by)
    frame = costs.per_stay.join(stays[keys + ([citizen] if citizen in stays else [])])
    frame["services"] = (
        0.0 if extra is None else extra.reindex(frame.index, fill_value=0.0).astype(float)
    )
    frame = frame[frame["days"] > 0]
    grouped = frame.groupby(keys, dropna=False)
    out = grouped.agg(
        tariff_cost=("priced_cost", "sum"),
        services=("services", "sum"),
        days=("days", "sum"),
        days_without_tariff=("days_without_tariff", "sum"),
        stays=("days", "size"),
    )
    out.insert(0, "cost", out["tariff_cost"] + out["services"])
    if citizen is not None and citizen in stays:
        out["citizens"] = grouped[citizen].nunique()
    out["citizen_years"] = out["days"] / days_per_year
    years = out["citizen_years"].where(out["citizen_years"] > 0)
    out["cost_per_citizen_year"] = (out["cost"] / years).where(out["days_without_tariff"] == 0)
    return out


def _date(value: Any, name: str) -> pd.Timestamp:
    """A single calendar date."""
    stamp = pd.Timestamp(value)
    if pd.isna(stamp):
        raise ValueError(f"{name} must be a date")
    return stamp.normalize()


def _stay_window(
    stays: pd.DataFrame, p0: pd.Timestamp, p1: pd.Timestamp, day_count: DayCount
) -> tuple[pd.Series, pd.Series, pd.Series]:
    """First and last charged day of each stay inside the period, and per-stay data problems."""
    for column in ("unit", "start", "end"):
        if column not in stays:
            raise ValueError(f"stays needs a {column!r} column")
    start = pd.to_datetime(stays["start"]).dt.normalize()
    end = pd.to_datetime(stays["end"]).dt.normalize()
    last_day = end - _ONE_DAY if day_count == "exclusive_end" else end
    first = start.where(start > p0, p0)
    last = last_day.fillna(p1).where(last_day.fillna(p1) < p1, p1)
    problem = pd.Series("", index=stays.index, dtype=object)
    problem[start.isna()] = "missing start date"
    problem[start.notna() & end.notna() & (end < start)] = "stay ends before it starts"
    return first, last, problem


def _validated_tariffs(tariffs: pd.DataFrame, p1: pd.Timestamp) -> pd.DataFrame:
    """Tariffs with normalised dates and open ends filled with the period end."""
    for column in ("unit", "valid_from", "valid_to", "daily_rate"):
        if column not in tariffs:
            raise ValueError(f"tariffs needs a {column!r} column")
    valid_from = pd.to_datetime(tariffs["valid_from"]).dt.normalize()
    # An open end runs to the period end, or (for a tariff starting after it, e.g. next year's)
    # to its own first day: it then lies wholly outside the period instead of ending too soon.
    open_end = valid_from.where(valid_from > p1, p1)
    out = pd.DataFrame(
        {
            "unit": tariffs["unit"].to_numpy(),
            "valid_from": valid_from.to_numpy(),
            "valid_to": pd.to_datetime(tariffs["valid_to"])
            .dt.normalize()
            .fillna(open_end)
            .to_numpy(),
            "daily_rate": pd.to_numeric(tariffs["daily_rate"]).to_numpy(dtype=float),
        }
    )
    if out["valid_from"].isna().any():
        raise ValueError("every tariff needs valid_from")
    if (~np.isfinite(out["daily_rate"])).any() or (out["daily_rate"] < 0).any():
        raise ValueError("daily_rate must be a non-negative number")
    if (out["valid_to"] < out["valid_from"]).any():
        raise ValueError("a tariff period ends before it starts")
    return out


def _segments(
    units: pd.Series, first: pd.Series, last: pd.Series, tariff: pd.DataFrame
) -> pd.DataFrame:
    """Stay x tariff pieces with their days and cost (vectorised merge on unit)."""
    windows = pd.DataFrame(
        {
            "stay": units.index,
            "unit": units.to_numpy(),
            "first": first.to_numpy(),
            "last": last.to_numpy(),
        }
    )
    pieces = windows.merge(tariff, on="unit", how="inner")
    start = pieces[["first", "valid_from"]].max(axis=1)
    stop = pieces[["last", "valid_to"]].min(axis=1)
    days = (stop - start).dt.days + 1
    pieces = pieces.assign(start=start, stop=stop, days=days.where(days > 0, 0).fillna(0))
    pieces = pieces[pieces["days"] > 0]
    return pd.DataFrame(
        {
            "stay": pieces["stay"].to_numpy(),
            "unit": pieces["unit"].to_numpy(),
            "from": pieces["start"].to_numpy(),
            "to": pieces["stop"].to_numpy(),
            "days": pieces["days"].to_numpy(dtype=np.int64),
            "daily_rate": pieces["daily_rate"].to_numpy(),
            "cost": pieces["days"].to_numpy(dtype=float) * pieces["daily_rate"].to_numpy(),
        }
    )


def _per_stay(
    index: pd.Index, first: pd.Series, last: pd.Series, problem: pd.Series, segments: pd.DataFrame
) -> pd.DataFrame:
    """Days, priced days, unpriced days, cost and reason per stay."""
    days = ((last - first).dt.days + 1).where(problem == "", 0)
    days = days.where(days > 0, 0).fillna(0).astype(np.int64)
    priced = segments.groupby("stay")["days"].sum().reindex(index, fill_value=0)
    cost = segments.groupby("stay")["cost"].sum().reindex(index, fill_value=0.0)
    overlap = priced > days
    without = (days - priced).where(~overlap, 0)
    reason = problem.copy()
    reason[without > 0] = without[without > 0].astype(str) + " day(s) without a tariff"
    reason[overlap] = "overlapping tariff periods for the unit: cost ambiguous"
    priced_cost = cost.where(~overlap & (problem == ""), np.nan)
    return pd.DataFrame(
        {
            "days": days,
            "days_with_tariff": priced.where(~overlap, days).astype(np.int64),
            "days_without_tariff": without.astype(np.int64),
            "cost": priced_cost.where(without == 0, np.nan),
            "priced_cost": priced_cost,
            "reason": reason,
        },
        index=index,
    )
