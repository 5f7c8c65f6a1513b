"""Expected figures computed straight from the world's records with the stats functions."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from tests.reports.world import StayRecord


def overlapping(stays: list[StayRecord], start: date, end: date) -> list[StayRecord]:
    """Stays in progress at some time in [start, end]."""
    return [s for s in stays if s.start <= end and (s.end is None or s.end >= start)]


def admission_pairs(
    stays: list[StayRecord], scale: tuple[str, str], start: date | None, end: date
) -> tuple[list[float], list[float]]:
    """Baseline score and the latest later score in [start, end] (or up to end), per stay."""
    pre, post = [], []
    for stay in stays:
        base = next((m for m in stay.measurements if m.kind == "baseline"), None)
        if base is None or base.scores.get(scale) is None:
            continue
        later = [
            m
            for m in stay.measurements
            if m.day <= end
            and (start is None or m.day >= start)
            and m.day > base.day
            and m.scores.get(scale) is not None
        ]
        if later:
            pre.append(base.scores[scale])
            post.append(later[-1].scores[scale])
    return pre, post


def period_pairs(
    stays: list[StayRecord], scale: tuple[str, str], start: date, end: date
) -> tuple[list[float], list[float]]:
    """First and latest score inside [start, end], per stay measured twice there."""
    pre, post = [], []
    for stay in stays:
        inside = [
            m
            for m in stay.measurements
            if start <= m.day <= end and m.scores.get(scale) is not None
        ]
        if len(inside) >= 2:
            pre.append(inside[0].scores[scale])
            post.append(inside[-1].scores[scale])
    return pre, post


def baseline_items(
    stays: list[StayRecord], questionnaire: str, items: list[str], end: date
) -> pd.DataFrame:
    """Baseline item answers of the stays (one row per stay)."""
    rows = [
        m.answers[questionnaire]
        for stay in stays
        for m in stay.measurements
        if m.kind == "baseline" and m.day <= end and questionnaire in m.answers
    ]
    return pd.DataFrame(rows, columns=items).astype(float)


def baseline_scores(stays: list[StayRecord], scale: tuple[str, str]) -> list[float]:
    """Every stay's baseline score on the scale (the reliable-change reference population)."""
    out = []
    for stay in stays:
        base = next((m for m in stay.measurements if m.kind == "baseline"), None)
        if base is not None and base.scores.get(scale) is not None:
            out.append(base.scores[scale])
    return out


def trajectory_frame(
    stays: list[StayRecord], scale: tuple[str, str], start: date, end: date
) -> pd.DataFrame:
    """Every score up to `end` of the stays measured on the scale in [start, end]."""
    rows = []
    for stay in stays:
        if not any(
            start <= m.day <= end and m.scores.get(scale) is not None for m in stay.measurements
        ):
            continue
        for m in stay.measurements:
            if m.day <= end and m.scores.get(scale) is not None:
                rows.append(
                    {
                        "stay": stay.stay_id,
                        "years": (m.day - stay.start).days / 365.25,
                        "score": m.scores[scale],
                    }
                )
    return pd.DataFrame(rows).sort_values(["stay", "years"], kind="stable").reset_index(drop=True)


def latest_reviews(stays: list[StayRecord], start: date | None, end: date) -> pd.DataFrame:
    """The latest review in the window of each goal of the stays."""
    rows: list[dict[str, Any]] = []
    for stay in stays:
        for goal in stay.goals:
            inside = [r for r in goal.reviews if r[0] <= end and (start is None or r[0] >= start)]
            if inside:
                _day, level, gas, motivation = inside[-1]
                rows.append(
                    {
                        "stay": stay.stay_id,
                        "citizen": stay.citizen_id,
                        "theme": goal.theme,
                        "direction": goal.direction,
                        "level": level,
                        "target": goal.target,
                        "gas": gas,
                        "weight": goal.weight,
                        "motivation": motivation,
                    }
                )
    return pd.DataFrame(rows)


def close(value: Any, expected: Any, rel: float = 1e-9) -> bool:
    """Numbers equal up to rounding noise (None matches None)."""
    if expected is None or (isinstance(expected, float) and np.isnan(expected)):
        return value is None
    return value is not None and bool(
        np.isclose(float(value), float(expected), rtol=rel, atol=1e-12)
    )
