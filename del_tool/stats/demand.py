"""Demand: referrals (henvendelser), waiting time, the waiting list and days bought per period.

Pure functions on frames. A referral frame has one row per referral with the columns
``referred`` (the day of the referral), ``outcome`` ("pending", "admitted", "declined" or
"withdrawn"), ``decided`` (the day of the decision, NaT while pending) and ``admitted`` (the day
the citizen moved in: the linked stay's first day, or the decision day when no stay is linked;
NaT unless admitted). Days are datetime64.

- On a day D a referral is *pending* (on the waiting list) when it was referred on or before D
  and not decided by D; it has then waited D - referred days.
- A decision counts in the period its decision day falls in; a referral "in" a period is one
  pending at some time in it (referred before its end, and not decided before its start).
- Waiting time to admission = admission day - referral day, in days, for the admissions decided
  in the period; declined and withdrawn referrals are not admissions and are counted beside it.
  An admission day before the referral day (only a stay start coarsened to the month by an
  anonymisation can give one) counts as 0 days.
- Median and quartiles interpolate linearly between the order statistics (Hyndman & Fan 1996,
  definition 7; the default of numpy and R).
- Days bought in a period: the days of each stay within it, its first and last day included
  (an open stay runs to the period's end), as the tariffs are charged.

Reference: Hyndman, R. J., & Fan, Y. (1996). Sample quantiles in statistical packages. The
American Statistician, 50(4), 361-365.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

OUTCOMES = ("admitted", "declined", "withdrawn")
QUANTILE_METHOD = "linear interpolation between order statistics (Hyndman & Fan 1996, def. 7)"


@dataclass(frozen=True, slots=True)
class Quartiles:
    """Median and quartiles of n values (None without values)."""

    n: int
    median: float | None
    q1: float | None
    q3: float | None
    method: str = QUANTILE_METHOD


@dataclass(frozen=True, slots=True)
class WaitingTime:
    """Waiting time to admission in a period, with the referrals that were not admissions."""

    days: Quartiles
    admitted: int
    declined: int
    withdrawn: int
    pending_at_end: int
    #: The admitted referrals behind `days` (their index in the referral frame).
    members: tuple[Any, ...] = ()


def quartiles(values: Any) -> Quartiles:
    """Median and first and third quartile (Hyndman & Fan definition 7)."""
    array = np.asarray(values, dtype=float)
    array = array[np.isfinite(array)]
    if array.size == 0:
        return Quartiles(0, None, None, None)
    q1, median, q3 = np.percentile(array, [25, 50, 75], method="linear")
    return Quartiles(int(array.size), float(median), float(q1), float(q3))


def _day(value: Any) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    if pd.isna(stamp):
        raise ValueError("a day is needed")
    return stamp.normalize()


def pending_on(referrals: pd.DataFrame, day: Any) -> pd.Series:
    """True for the referrals on the waiting list at the end of `day`."""
    d = _day(day)
    decided = referrals["decided"]
    return (referrals["referred"] <= d) & (decided.isna() | (decided > d))


def waiting_list(referrals: pd.DataFrame, day: Any) -> pd.DataFrame:
    """The referrals pending on `day`, longest waiting first, with `waited` (days so far)."""
    d = _day(day)
    pending = referrals[pending_on(referrals, d)]
    waited = (d - pending["referred"]).dt.days.astype("int64")
    return pending.assign(waited=waited).sort_values(["referred"], kind="stable")


def in_period(referrals: pd.DataFrame, start: Any, end: Any) -> pd.Series:
    """True for referrals pending at some time in [start, end] (see the module docstring)."""
    first, last = _day(start), _day(end)
    decided = referrals["decided"]
    return (referrals["referred"] <= last) & (decided.isna() | (decided >= first))


def decided_in(referrals: pd.DataFrame, start: Any, end: Any, outcome: str) -> pd.Series:
    """True for the referrals with `outcome` decided in [start, end]."""
    first, last = _day(start), _day(end)
    decided = referrals["decided"]
    return (referrals["outcome"] == outcome) & (decided >= first) & (decided <= last)


def waiting_days(referrals: pd.DataFrame) -> pd.Series:
    """Days from referral to admission (0 where the admission day lies before the referral)."""
    days = (referrals["admitted"] - referrals["referred"]).dt.days
    return days.clip(lower=0)


def waiting_time(referrals: pd.DataFrame, start: Any, end: Any) -> WaitingTime:
    """Waiting time of the admissions decided in [start, end], and the other outcomes."""
    admitted = referrals[decided_in(referrals, start, end, "admitted")]
    return WaitingTime(
        days=quartiles(waiting_days(admitted)),
        admitted=len(admitted),
        declined=int(decided_in(referrals, start, end, "declined").sum()),
        withdrawn=int(decided_in(referrals, start, end, "withdrawn").sum()),
        pending_at_end=int(pending_on(referrals, end).sum()),
        members=tuple(admitted.index),
    )


def outcomes_by_period(
    referrals: pd.DataFrame, starts: Any, ends: Any, labels: Any
) -> pd.DataFrame:
    """Per period: new referrals, decisions by outcome and referrals pending at its end."""
    rows = []
    for start, end, label in zip(starts, ends, labels, strict=True):
        first, last = _day(start), _day(end)
        referred = referrals["referred"]
        row: dict[str, Any] = {
            "period": label,
            "referred": int(((referred >= first) & (referred <= last)).sum()),
        }
        for outcome in OUTCOMES:
            row[outcome] = int(decided_in(referrals, first, last, outcome).sum())
        row["pending_end"] = int(pending_on(referrals, last).sum())
        rows.append(row)
    columns = ["period", "referred", *OUTCOMES, "pending_end"]
    return pd.DataFrame(rows, columns=columns).set_index("period")


def days_per_period(starts: Any, ends: Any, period_starts: Any, period_ends: Any) -> np.ndarray:
    """Days of each stay in each period, both ends included: a (stays x periods) int array.

    A missing end is an open stay (it runs to each period's end); a stay ending before it
    starts has no days. ValueError for a missing start.
    """
    s = pd.to_datetime(pd.Series(starts)).dt.normalize().to_numpy("datetime64[D]")
    e_series = pd.to_datetime(pd.Series(ends)).dt.normalize()
    p0 = pd.to_datetime(pd.Series(period_starts)).to_numpy("datetime64[D]")
    p1 = pd.to_datetime(pd.Series(period_ends)).to_numpy("datetime64[D]")
    if np.isnat(s).any():
        raise ValueError("every stay needs a start day")
    e = e_series.to_numpy("datetime64[D]")
    open_end = np.isnat(e)
    first = np.maximum(s[:, None], p0[None, :])
    last = np.where(open_end[:, None], p1[None, :], np.minimum(e[:, None], p1[None, :]))
    days = (last - first).astype("int64") + 1
    return np.clip(days, 0, None)
