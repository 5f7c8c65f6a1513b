"""Shaping query frames for the statistics: pairs, latest reviews, milestones (pandas only).

Nothing here computes a statistic; these functions only pick and align rows, vectorised.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

SCALE_KEY = ["stay", "questionnaire", "scale"]
DAYS_PER_YEAR = 365.25
#: Months after admission for cohort outcomes, with how far (days) a measurement may lie from
#: the milestone to count for it: about half the distance to the neighbouring milestones.
MILESTONES: tuple[tuple[int, int], ...] = ((3, 45), (6, 60), (12, 90), (24, 150))


def between(frame: pd.DataFrame, start: date, end: date, column: str = "date") -> pd.DataFrame:
    """Rows whose `column` lies in [start, end]."""
    values = frame[column]
    return frame[(values >= pd.Timestamp(start)) & (values <= pd.Timestamp(end))]


def _first_last(frame: pd.DataFrame, keep: str) -> pd.DataFrame:
    ordered = frame.sort_values("date", kind="stable")
    return ordered.drop_duplicates(SCALE_KEY, keep=keep)


def _join_pairs(first: pd.DataFrame, last: pd.DataFrame) -> pd.DataFrame:
    pairs = first[[*SCALE_KEY, "date", "value"]].merge(
        last[[*SCALE_KEY, "date", "value"]], on=SCALE_KEY, suffixes=("_pre", "_post")
    )
    pairs = pairs[pairs["date_post"] > pairs["date_pre"]]
    return pairs.rename(
        columns={
            "value_pre": "pre",
            "value_post": "post",
            "date_pre": "pre_date",
            "date_post": "post_date",
        }
    ).reset_index(drop=True)


def period_pairs(scores: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """First and latest score in [start, end] per stay and scale (stays measured twice or more).

    Columns: stay, questionnaire, scale, pre, post, pre_date, post_date.
    """
    inside = between(scores, start, end)
    return _join_pairs(_first_last(inside, "first"), _first_last(inside, "last"))


def admission_pairs(scores: pd.DataFrame, latest_from: date | None, end: date) -> pd.DataFrame:
    """Baseline (admission) score and the latest later score per stay and scale.

    The latest score is taken from [latest_from, end], or up to `end` when `latest_from` is
    None (status at the end of the period). Same columns as `period_pairs`.
    """
    baseline = _first_last(scores[scores["baseline"]], "first")
    window = scores[scores["date"] <= pd.Timestamp(end)]
    if latest_from is not None:
        window = window[window["date"] >= pd.Timestamp(latest_from)]
    return _join_pairs(baseline, _first_last(window, "last"))


def latest_reviews(reviews: pd.DataFrame) -> pd.DataFrame:
    """The latest review of each goal (one row per goal)."""
    ordered = reviews.sort_values(["date", "goal"], kind="stable")
    return ordered.drop_duplicates("goal", keep="last").reset_index(drop=True)


def years_since_admission(frame: pd.DataFrame, stays: pd.DataFrame) -> pd.Series:
    """Years from the stay's start to each row's date (rows carry `stay` and `date`)."""
    start = frame["stay"].map(stays.set_index("stay")["start"])
    return (frame["date"] - start).dt.days / DAYS_PER_YEAR


def milestone_pairs(
    scores: pd.DataFrame, stays: pd.DataFrame, months: int, tolerance_days: int
) -> pd.DataFrame:
    """Baseline and the score nearest to `months` after admission (within the tolerance).

    Columns: stay, questionnaire, scale, pre, post.
    """
    if scores.empty or stays.empty:  # pandas cannot map dates onto an empty set of stays
        return pd.DataFrame(columns=[*SCALE_KEY, "pre", "post"])
    target_days = round(months * DAYS_PER_YEAR / 12)
    later = scores[~scores["baseline"]].copy()
    start = later["stay"].map(stays.set_index("stay")["start"])
    later["distance"] = ((later["date"] - start).dt.days - target_days).abs()
    later = later[later["distance"] <= tolerance_days]
    nearest = later.sort_values(["distance", "date"], kind="stable").drop_duplicates(
        SCALE_KEY, keep="first"
    )
    baseline = _first_last(scores[scores["baseline"]], "first")
    pairs = baseline[[*SCALE_KEY, "value"]].merge(
        nearest[[*SCALE_KEY, "value"]], on=SCALE_KEY, suffixes=("_pre", "_post")
    )
    return pairs.rename(columns={"value_pre": "pre", "value_post": "post"})


def quarter_labels(dates: pd.Series) -> pd.Series:
    """ "2026Q3"-style keys for dates."""
    return dates.dt.year.astype(str) + "Q" + dates.dt.quarter.astype(str)
