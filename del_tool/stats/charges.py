"""What a municipality pays beside the tariff: special services per day and year-end settlements.

As with `del_tool.stats.cost`, there is no literature formula beyond the definitions; what needs
care is the day count and the periods, documented here:

- A special service (særydelse) costs its daily amount for every day of its own period that also
  lies in its stay and in the report period, both first and last day counted, as stay days are.
- A year-end settlement (efterregulering) corrects a whole calendar year of a unit with a
  municipality. It is added to a period's cost only when the period covers that calendar year
  from 1 January to 31 December; a period covering part of a year adds none of that year's
  settlement (spreading it pro rata over days would invent a monthly pattern the settlement
  does not have).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd


@dataclass(frozen=True, slots=True)
class ServiceCosts:
    """Days and cost of each special service in a period, and the cost per stay."""

    per_service: pd.DataFrame
    per_stay: pd.Series
    total_cost: float
    method: str


def service_costs(
    services: pd.DataFrame,
    stays: pd.DataFrame,
    *,
    period_start: Any,
    period_end: Any,
) -> ServiceCosts:
    """Cost of each special service within its stay and [period_start, period_end].

    ``services`` has ``stay`` (an index label of ``stays``), ``valid_from``, ``valid_to``
    (missing = open, running to the stay's end) and ``daily_amount`` (DKK per day); ``stays``
    has ``start`` and ``end`` (missing = open, running to the period end). Days are counted
    inclusively. Services of stays not in ``stays`` are left out. ``per_stay`` is indexed like
    ``stays`` (0.0 for a stay without services). Negative or missing amounts and service periods
    ending before they start raise ValueError.
    """
    p0, p1 = _day(period_start, "period_start"), _day(period_end, "period_end")
    if p1 < p0:
        raise ValueError("period_end is before period_start")
    for column in ("stay", "valid_from", "valid_to", "daily_amount"):
        if column not in services:
            raise ValueError(f"services needs a {column!r} column")
    amount = pd.to_numeric(services["daily_amount"]).to_numpy(dtype=float)
    if (~np.isfinite(amount)).any() or (amount < 0).any():
        raise ValueError("daily_amount must be a non-negative number")
    valid_from = pd.to_datetime(services["valid_from"]).dt.normalize()
    valid_to = pd.to_datetime(services["valid_to"]).dt.normalize()
    if valid_from.isna().any():
        raise ValueError("every service needs valid_from")
    if (valid_to.notna() & (valid_to < valid_from)).any():
        raise ValueError("a service period ends before it starts")
    known = services["stay"].isin(stays.index).to_numpy()
    keys = services["stay"][known]
    stay_start = pd.to_datetime(stays["start"]).dt.normalize().loc[keys].to_numpy()
    stay_end = pd.to_datetime(stays["end"]).dt.normalize().fillna(p1).loc[keys].to_numpy()
    # np.maximum/minimum propagate NaT: a stay without a start date gets no service days.
    first = np.maximum(np.maximum(valid_from[known].to_numpy(), stay_start), p0.to_datetime64())
    last = np.minimum(
        np.minimum(valid_to[known].fillna(p1).to_numpy(), stay_end), p1.to_datetime64()
    )
    days = pd.Series((last - first) / np.timedelta64(1, "D") + 1).fillna(0).clip(lower=0)
    days = days.astype(np.int64)
    per_service = pd.DataFrame(
        {
            "stay": keys.to_numpy(),
            "days": days.to_numpy(),
            "daily_amount": amount[known],
            "cost": days.to_numpy(dtype=float) * amount[known],
        },
        index=services.index[known],
    )
    per_stay = per_service.groupby("stay")["cost"].sum().reindex(stays.index, fill_value=0.0)
    return ServiceCosts(
        per_service=per_service,
        per_stay=per_stay.astype(float),
        total_cost=float(per_service["cost"].sum()),
        method="days of the service within its stay and the period x its daily amount",
    )


def whole_years(period_start: date, period_end: date) -> list[int]:
    """The calendar years that lie wholly within [period_start, period_end]."""
    first = period_start.year + (period_start != date(period_start.year, 1, 1))
    last = period_end.year - (period_end != date(period_end.year, 12, 31))
    return list(range(first, last + 1))


def settlements_in_period(
    settlements: pd.DataFrame, period_start: date, period_end: date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(added, left out): settlements of years the period covers wholly, and those of years it
    covers in part (``settlements`` has a ``year`` column; years outside the period are in
    neither)."""
    years = settlements["year"].astype(int)
    inside = years.isin(whole_years(period_start, period_end))
    touched = (years >= period_start.year) & (years <= period_end.year)
    return settlements[inside], settlements[touched & ~inside]


def _day(value: Any, name: str) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    if pd.isna(stamp):
        raise ValueError(f"{name} must be a date")
    return stamp.normalize()
