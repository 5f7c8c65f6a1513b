"""Demand for a report: referrals and their outcomes, waiting time, the waiting list, and days
bought per quarter with a forecast of the next four and its back-test.

Read from the database once per report (`demand`), for the report's units and filters:
referrals of the units (the municipality and legal-section filters apply to them; they have no
citizen, so a target-group filter cannot), and the stays behind the days bought. The
definitions are those of `del_tool.stats.demand` and `del_tool.stats.forecast`:

- Quarters: the complete calendar quarters up to the report's reference day (the period's end,
  or today while it runs), from the first quarter with a stay in the selection, at most
  `MAX_QUARTERS` back. Quarters before a unit recorded its stays in DEL count what DEL knows.
- The forecast is made on days per calendar day (days / the quarter's length), so that a
  quarter of 92 days is not read as growth after one of 90, and turned back into days with the
  length of each quarter ahead. Days cannot be negative: forecasts and limits stop at 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlmodel import Session, col

from del_tool.citizens.models import Stay
from del_tool.organisation.models import Referral, UnitPlaces
from del_tool.reports.common import queries
from del_tool.reports.common.context import ReportContext
from del_tool.reports.common.period import Period, quarter_of
from del_tool.reports.common.selection import Filters
from del_tool.stats.demand import (
    Quartiles,
    WaitingTime,
    days_per_period,
    quartiles,
    waiting_list,
    waiting_time,
)
from del_tool.stats.forecast import MIN_OBSERVATIONS, Backtest, Forecast, backtest, ets_forecast

#: How far back the days series reaches (five years of quarters).
MAX_QUARTERS = 20
#: Quarters forecast, and held out in the back-test.
HORIZON = 4
#: Coverage of the prediction intervals.
LEVEL = 0.95
#: Complete quarters a forecast needs.
MIN_QUARTERS = MIN_OBSERVATIONS


def referrals(
    session: Session, unit_ids: frozenset[int] | None, filters: Filters, until: date
) -> pd.DataFrame:
    """The referrals made up to `until` to the units, indexed by referral id.

    Columns: unit, municipality, section (None when not given), referred, outcome, decided
    and admitted (the linked stay's first day, else the decision day; NaT unless admitted).
    """
    statement: Any = (
        select(
            col(Referral.id).label("referral"),
            col(Referral.unit_id).label("unit"),
            col(Referral.municipality_code).label("municipality"),
            queries.as_text(Referral.legal_section, "section"),
            queries.as_days(Referral.referred_on, "referred"),
            queries.as_text(Referral.outcome, "outcome"),
            queries.as_days(Referral.decided_on, "decided"),
            queries.as_days(Stay.start_date, "stay_start"),
        )
        .outerjoin(Stay, col(Stay.id) == col(Referral.stay_id))
        .where(col(Referral.referred_on) <= until)
    )
    if unit_ids is not None:
        statement = statement.where(col(Referral.unit_id).in_(sorted(unit_ids)))
    if filters.municipality_code is not None:
        statement = statement.where(col(Referral.municipality_code) == filters.municipality_code)
    if filters.legal_section is not None:
        statement = statement.where(col(Referral.legal_section) == filters.legal_section)
    frame = queries.read_frame(
        session, statement, dates=("referred", "decided", "stay_start")
    ).set_index("referral")
    admitted = frame["outcome"] == "admitted"
    frame["admitted"] = frame["stay_start"].fillna(frame["decided"]).where(admitted)
    return frame.drop(columns="stay_start")


def places_on(session: Session, unit_ids: frozenset[int] | None, day: date) -> dict[int, int]:
    """Each unit's places (`UnitPlaces`) on `day`; units without a row on or before it are left
    out."""
    newest = (
        select(col(UnitPlaces.unit_id), func.max(UnitPlaces.valid_from).label("valid_from"))
        .where(col(UnitPlaces.valid_from) <= day)
        .group_by(col(UnitPlaces.unit_id))
    )
    if unit_ids is not None:
        newest = newest.where(col(UnitPlaces.unit_id).in_(sorted(unit_ids)))
    latest = newest.subquery()
    rows = session.execute(
        select(col(UnitPlaces.unit_id), col(UnitPlaces.places)).join(
            latest,
            (latest.c.unit_id == col(UnitPlaces.unit_id))
            & (latest.c.valid_from == col(UnitPlaces.valid_from)),
        )
    ).all()
    return {int(unit): int(places) for unit, places in rows}


def complete_quarters(session: Session, ctx: ReportContext) -> list[Period]:
    """The complete quarters of the days series (module docstring); empty when none."""
    end = ctx.reference_date
    last = quarter_of(end)
    if last.end != end:
        last = quarter_of(last.start - timedelta(days=1))
    sel = queries.StaySelection(ctx.scope.unit_ids, date(1980, 1, 1), last.end, ctx.filters)
    earliest = session.execute(select(func.min(col(Stay.start_date))).where(*sel.conditions()))
    first_day = earliest.scalar_one_or_none()
    if first_day is None or first_day > last.end:
        return []
    window = last.quarters(MAX_QUARTERS)
    return [q for q in window if q.end >= first_day]


def next_quarters(last: Period, count: int = HORIZON) -> list[Period]:
    """The `count` quarters after `last`."""
    out = [quarter_of(last.end + timedelta(days=1))]
    while len(out) < count:
        out.append(quarter_of(out[-1].end + timedelta(days=1)))
    return out


def days_by_quarter(stays: pd.DataFrame, quarters: list[Period], by: str) -> pd.DataFrame:
    """Days of the stays in each quarter, summed by the stay column `by` (groups x quarter
    keys); both the first and the last day of a stay count."""
    keys = [q.key for q in quarters]
    if stays.empty or not quarters:
        return pd.DataFrame(columns=keys, dtype="int64")
    days = days_per_period(
        stays["start"], stays["end"], [q.start for q in quarters], [q.end for q in quarters]
    )
    frame = pd.DataFrame(days, columns=keys, index=stays.index)
    return frame.groupby(stays[by].to_numpy()).sum()


@dataclass(frozen=True, slots=True)
class DaysForecast:
    """Days bought per quarter, the forecast of the next quarters and its back-test, in days."""

    quarters: list[Period]
    days: tuple[int, ...]
    ahead: list[Period]
    mean: tuple[float, ...]
    lower: tuple[float, ...] | None
    upper: tuple[float, ...] | None
    reason: str | None
    #: The back-test's forecast of the last `HORIZON` quarters, in days, and how it did.
    tested: tuple[float, ...] = ()
    tested_lower: tuple[float, ...] | None = None
    tested_upper: tuple[float, ...] | None = None
    mape: float | None = None
    inside: tuple[bool, ...] = ()
    test_reason: str | None = None
    level: float = LEVEL
    method: str = ""
    warnings: tuple[str, ...] = field(default_factory=tuple)

    @property
    def available(self) -> bool:
        """Whether there is a forecast."""
        return bool(self.mean)

    @property
    def change(self) -> tuple[int, int, float | None] | None:
        """(days in the last four quarters, in the four before, change in per cent), or None
        with fewer than eight quarters; the per cent is None when the four before had none."""
        if len(self.days) < 2 * HORIZON:
            return None
        recent = sum(self.days[-HORIZON:])
        before = sum(self.days[-2 * HORIZON : -HORIZON])
        return recent, before, (recent - before) / before if before else None


def forecast_days(days: Any, quarters: list[Period]) -> DaysForecast:
    """Forecast the next `HORIZON` quarters of a days series and back-test it (module
    docstring: on days per calendar day, turned back into days)."""
    counts = tuple(int(d) for d in days)
    if not quarters:
        return DaysForecast([], (), [], (), None, None, "no complete quarter yet")
    ahead = next_quarters(quarters[-1])
    lengths = np.array([q.days for q in quarters], dtype=float)
    rates = np.asarray(counts, dtype=float) / lengths
    fc = ets_forecast(rates, horizon=HORIZON, level=LEVEL, floor=0.0)
    future = np.array([q.days for q in ahead], dtype=float)
    tested: Backtest | None = None
    if len(rates) > HORIZON:
        tested = backtest(rates, horizon=HORIZON, level=LEVEL, floor=0.0)
    return DaysForecast(
        quarters=quarters,
        days=counts,
        ahead=ahead,
        mean=_scaled(fc.mean, future),
        lower=_scaled(fc.lower, future) if fc.lower is not None else None,
        upper=_scaled(fc.upper, future) if fc.upper is not None else None,
        reason=fc.reason,
        **_tested(tested, lengths[-HORIZON:], len(rates)),
        method=fc.method,
        warnings=fc.warnings,
    )


def _tested(result: Backtest | None, lengths: np.ndarray, n: int) -> dict[str, Any]:
    if result is None:
        return {"test_reason": f"{n} quarters: too few to hold {HORIZON} out"}
    fc: Forecast = result.forecast
    return {
        "tested": _scaled(fc.mean, lengths),
        "tested_lower": _scaled(fc.lower, lengths) if fc.lower is not None else None,
        "tested_upper": _scaled(fc.upper, lengths) if fc.upper is not None else None,
        "mape": result.mape,
        "inside": result.inside,
        "test_reason": result.reason,
    }


def _scaled(values: Any, lengths: np.ndarray) -> tuple[float, ...]:
    if not values:
        return ()
    return tuple(float(v) for v in np.asarray(values, dtype=float) * lengths)


@dataclass(frozen=True, slots=True)
class Demand:
    """The demand figures of one report (module docstring)."""

    referrals: pd.DataFrame
    waiting: WaitingTime
    waiting_list: pd.DataFrame
    queue: Quartiles
    reference: date
    quarters: list[Period]
    days: pd.DataFrame
    total: DaysForecast
    by_municipality: dict[str, DaysForecast]


def demand(ctx: ReportContext, *, per_municipality: bool = True) -> Demand:
    """Read and compute the demand figures for a report context.

    `per_municipality` forecasts each municipality paying for days in the period besides the
    total (the economy report); the council summary has one municipality, the total.
    """
    session = ctx.session
    found = referrals(session, ctx.scope.unit_ids, ctx.filters, ctx.reference_date)
    listed = waiting_list(found, ctx.reference_date)
    quarters = complete_quarters(session, ctx)
    days = pd.DataFrame(columns=[q.key for q in quarters], dtype="int64")
    if quarters:
        sel = queries.StaySelection(
            ctx.scope.unit_ids, quarters[0].start, quarters[-1].end, ctx.filters
        )
        days = days_by_quarter(queries.stays(session, sel), quarters, "municipality")
    total = forecast_days(
        days.sum(axis=0).to_numpy() if len(days) else [0] * len(quarters), quarters
    )
    forecasts: dict[str, DaysForecast] = {}
    if per_municipality:
        paying = set(ctx.stays()["municipality"])
        for code in sorted(paying & set(days.index)):
            forecasts[code] = forecast_days(days.loc[code].to_numpy(), quarters)
    return Demand(
        referrals=found,
        waiting=waiting_time(found, ctx.period.start, ctx.reference_date),
        waiting_list=listed,
        queue=quartiles(listed["waited"]),
        reference=ctx.reference_date,
        quarters=quarters,
        days=days,
        total=total,
        by_municipality=forecasts,
    )
