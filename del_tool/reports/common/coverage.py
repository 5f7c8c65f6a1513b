"""Documentation coverage: goals, baseline profiles, follow-ups on time and overdue (pandas only).

Overdue is the caseload's rule (`del_tool.citizens.caseload`), so the report and the caseload
count the same stays: the next follow-up is due one follow-up interval (the unit's) after the
last one, a stay without any follow-up needs its baseline from the start of the stay, and a stay
is overdue once that day has passed. A follow-up that was done counts as on time when it came at
most `TOLERANCE_DAYS` after it was due (the baseline: within `BASELINE_DAYS` of admission).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

BASELINE_DAYS = 30
TOLERANCE_DAYS = 14


@dataclass(frozen=True, slots=True)
class Coverage:
    """Per-stay documentation flags and per-follow-up timeliness."""

    stays: pd.DataFrame
    follow_ups: pd.DataFrame
    overdue: pd.DataFrame


def coverage(
    stays: pd.DataFrame,
    follow_ups: pd.DataFrame,
    goals: pd.DataFrame,
    baseline_stays: set[int],
    intervals: pd.Series,
    *,
    start: date,
    reference: date,
) -> Coverage:
    """Flags per stay (has_goal, has_baseline, overdue) and timeliness of follow-ups.

    `follow_ups` holds every follow-up of the stays up to the period end; `intervals` maps unit
    id to its follow-up interval in days; `reference` is the day "overdue" is judged on.
    """
    per_stay = stays[["stay", "citizen", "unit", "municipality", "section", "start", "end"]].copy()
    per_stay["interval"] = per_stay["unit"].map(intervals).astype(float)
    per_stay["has_goal"] = per_stay["stay"].isin(goals["stay"])
    per_stay["has_baseline"] = per_stay["stay"].isin(baseline_stays)
    timed = _timeliness(follow_ups, per_stay, start)
    overdue = _overdue(follow_ups, per_stay, reference)
    per_stay["overdue"] = per_stay["stay"].isin(overdue["stay"])
    return Coverage(per_stay, timed, overdue)


def _timeliness(follow_ups: pd.DataFrame, per_stay: pd.DataFrame, start: date) -> pd.DataFrame:
    """Follow-ups in the period with their due date and whether they came on time."""
    info = per_stay.set_index("stay")
    ordered = follow_ups.sort_values(["stay", "date"], kind="stable").copy()
    if ordered.empty:
        # No follow-ups (e.g. a municipality paying for no stay in the period): mapping an empty
        # column of stay ids onto the empty start dates raises in pandas.
        return ordered.assign(due=ordered["date"], on_time=False, unit=ordered["stay"])
    previous = ordered.groupby("stay")["date"].shift(1)
    interval = pd.to_timedelta(ordered["stay"].map(info["interval"]), unit="D")
    admission = ordered["stay"].map(info["start"])
    due = (previous + interval).where(
        previous.notna(), admission + pd.Timedelta(days=BASELINE_DAYS)
    )
    ordered["due"] = due
    ordered["on_time"] = ordered["date"] <= due + pd.Timedelta(days=TOLERANCE_DAYS)
    ordered["unit"] = ordered["stay"].map(info["unit"])
    return ordered[ordered["date"] >= pd.Timestamp(start)].reset_index(drop=True)


def _overdue(follow_ups: pd.DataFrame, per_stay: pd.DataFrame, reference: date) -> pd.DataFrame:
    """Stays in progress on `reference` whose next follow-up is past its due day."""
    day = pd.Timestamp(reference)
    active = per_stay[
        (per_stay["start"] <= day) & (per_stay["end"].isna() | (per_stay["end"] >= day))
    ].copy()
    if active.empty:  # as in _timeliness: pandas cannot map onto an empty set of stays
        return active.assign(last=active["start"], due=active["start"], days_overdue=0)
    done = follow_ups[follow_ups["date"] <= day].groupby("stay")["date"].max()
    # No follow-ups at all: pandas cannot map onto an empty datetime column (as above).
    active["last"] = active["stay"].map(done) if len(done) else pd.NaT
    interval = pd.to_timedelta(active["interval"], unit="D")
    active["due"] = (active["last"] + interval).where(active["last"].notna(), active["start"])
    late = active[day > active["due"]].copy()
    late["days_overdue"] = (day - late["due"]).dt.days
    return late.sort_values("days_overdue", ascending=False).reset_index(drop=True)


def share(mask: pd.Series) -> float | None:
    """The share of True in a boolean column, None when empty."""
    return float(mask.mean()) if len(mask) else None
