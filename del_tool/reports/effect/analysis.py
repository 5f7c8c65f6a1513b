"""Effect per questionnaire scale (DEL question 1): paired change, reliable change, trajectory.

Comparisons per stay (a citizen's course in one unit):
- in the period: the first and the latest score within the period (stays measured twice there);
- since admission: the baseline score and the latest score in the window (the period, or up to
  its end for status reports such as the council summary).
Reliable change (Jacobson & Truax) uses the since-admission pairs. Trajectories (linear mixed
model over every score from admission to the end of the period of the stays measured in the
period, time in years since admission) are fitted for scales of two or more items; single-item
0-4 ratings are too coarse for a linear growth model.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pandas as pd
from sqlmodel import Session

from del_tool.questionnaires import Registry
from del_tool.reports.common import frames, score_queries
from del_tool.reports.common.context import MAX_TRAJECTORY_GROUPS
from del_tool.reports.common.labels import Text, fmt
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.queries import StaySelection
from del_tool.reports.common.scales import ScaleInfo, ordered_scales, reliability_for
from del_tool.stats import (
    PairedChange,
    ReliableChange,
    ScaleReliability,
    Trajectory,
    paired_change,
    reliable_change,
    trajectory,
)

#: DEL's vectorised REML fit first (del_tool.stats.reml: milliseconds where statsmodels, which
#: loops over groups in Python, takes seconds), then statsmodels' BFGS and L-BFGS as fallbacks.
OPTIMIZERS = ("reml", "bfgs", "lbfgs")


@dataclass(frozen=True, slots=True)
class ScaleEffect:
    """Everything the reports show about one scale."""

    info: ScaleInfo
    in_period: PairedChange
    since_admission: PairedChange
    reliability: ScaleReliability
    reliable: ReliableChange | None
    reliable_reason: Any
    cutoff_source: Any
    pairs: pd.DataFrame
    trajectory: Trajectory | None
    trajectory_reason: Any
    trajectory_groups: tuple[int, int]
    trajectory_data: pd.DataFrame | None = None


def analyse_scales(
    session: Session,
    sel: StaySelection,
    scores: pd.DataFrame,
    stays: pd.DataFrame,
    registry: Registry,
    *,
    latest_from: date | None,
    trajectories: bool = True,
    max_groups: int = MAX_TRAJECTORY_GROUPS,
) -> list[ScaleEffect]:
    """Analyse every scale with scores in the frame, in report order."""
    in_period = frames.period_pairs(scores, sel.start, sel.end)
    admission = frames.admission_pairs(scores, latest_from, sel.end)
    keys = scores[["questionnaire", "scale"]].drop_duplicates()
    infos = ordered_scales(registry, zip(keys["questionnaire"], keys["scale"], strict=True))
    by_scale_period = dict(tuple(in_period.groupby(["questionnaire", "scale"])))
    by_scale_admission = dict(tuple(admission.groupby(["questionnaire", "scale"])))
    cache: dict[str, pd.DataFrame] = {}
    empty = admission.iloc[0:0]
    effects = [
        _scale_effect(
            info,
            by_scale_period.get((info.definition.id, info.scale.id), empty),
            by_scale_admission.get((info.definition.id, info.scale.id), empty),
            reliability_for(session, sel, info, cache),
        )
        for info in infos
    ]
    if not trajectories:
        return effects
    window = frames.between(scores, sel.start, sel.end)
    return _add_trajectories(session, sel, window, stays, effects, max_groups)


def _add_trajectories(
    session: Session,
    sel: StaySelection,
    window: pd.DataFrame,
    stays: pd.DataFrame,
    effects: list[ScaleEffect],
    max_groups: int,
) -> list[ScaleEffect]:
    """Fit each multi-item scale's trajectory over all scores of (a sample of) its stays.

    The stays are those measured on the scale in the period; their scores from admission to the
    end of the period are read for at most `max_groups` stays drawn at random per scale.
    """
    samples: dict[tuple[str, str], tuple[Any, int]] = {}
    for effect in effects:
        if effect.info.multi_item:
            key = (effect.info.definition.id, effect.info.scale.id)
            measured = window.loc[
                (window["questionnaire"] == key[0]) & (window["scale"] == key[1]), "stay"
            ]
            samples[key] = frames.sample_ids(measured.unique(), max_groups)
    chosen = {int(i) for ids, _ in samples.values() for i in ids}
    history = score_queries.score_history(session, chosen, list(samples), sel.end)
    out = []
    for effect in effects:
        key = (effect.info.definition.id, effect.info.scale.id)
        if key in samples:
            ids, total = samples[key]
            rows = history[
                (history["questionnaire"] == key[0])
                & (history["scale"] == key[1])
                & history["stay"].isin(ids)
            ].sort_values(["stay", "date"], kind="stable")  # SQL gives no order; the fit sees one
            fitted, reason, data = _trajectory(rows, stays, len(ids), total)
            effect = replace(
                effect,
                trajectory=fitted,
                trajectory_reason=reason,
                trajectory_groups=(len(ids), total),
                trajectory_data=data,
            )
        out.append(effect)
    return out


def _scale_effect(
    info: ScaleInfo,
    period_pairs: pd.DataFrame,
    admission_pairs: pd.DataFrame,
    reliability: ScaleReliability,
) -> ScaleEffect:
    cutoff, cutoff_source = info.cutoff()
    pairs = admission_pairs[["stay", "pre", "post"]].reset_index(drop=True)
    reliable: ReliableChange | None = None
    reason: Any = None
    if reliability.value is None:
        reason = no_reliability_reason(info, reliability)
    elif pairs.empty:
        reason = _l("Ingen forløb har både en baseline-måling og en senere måling.")
    else:
        reliable = reliable_change(
            pairs["pre"],
            pairs["post"],
            reliability=reliability.value,
            higher_is_better=info.higher_is_better,
            sd_pre=info.reference_sd,
            cutoff=cutoff,
        )
        pairs = pairs.assign(category=reliable.category, rc=reliable.rc)
        if reliable.s_diff is None:
            reason = _l("Pålidelig ændring kan ikke beregnes: %(why)s", why=reliable.reason or "")
    return ScaleEffect(
        info=info,
        in_period=paired_change(period_pairs["pre"], period_pairs["post"]),
        since_admission=paired_change(pairs["pre"], pairs["post"]),
        reliability=reliability,
        reliable=reliable,
        reliable_reason=reason,
        cutoff_source=cutoff_source,
        pairs=pairs,
        trajectory=None,
        trajectory_reason=_l("Forløbsmodel vises for skalaer med mindst to spørgsmål."),
        trajectory_groups=(0, 0),
    )


def no_reliability_reason(info: ScaleInfo, reliability: ScaleReliability) -> Text:
    """Why no reliability is available for the scale, in the reader's language."""
    if not info.multi_item:
        return _l(
            "Ingen pålidelig ændring: skalaen har ét spørgsmål, og definitionen angiver ingen "
            "reliabilitet."
        )
    alpha = reliability.alpha.alpha if reliability.alpha is not None else None
    if alpha is not None and alpha < 0:
        return _l(
            "Ingen pålidelig ændring: definitionen angiver ingen reliabilitet, og Cronbachs alfa "
            "af baseline-svarene er negativ (%(alpha)s), så den kan ikke bruges.",
            alpha=fmt(alpha, 2),
        )
    return _l(
        "Ingen pålidelig ændring: definitionen angiver ingen reliabilitet, og Cronbachs alfa "
        "kan ikke beregnes af de %(n)s baseline-svar (for få eller uden variation).",
        n=reliability.n or 0,
    )


def _trajectory(
    rows: pd.DataFrame, stays: pd.DataFrame, used: int, total: int
) -> tuple[Trajectory | None, Any, pd.DataFrame | None]:
    if rows.empty:
        return None, _l("Ingen målinger i perioden."), None
    years = frames.years_since_admission(rows, stays)
    data = pd.DataFrame({"stay": rows["stay"], "score": rows["value"], "years": years})
    fitted = trajectory(data, time="years", score="score", group="stay", optimizers=OPTIMIZERS)
    reason = None
    if used < total:
        reason = _l(
            "Modellen er tilpasset på en tilfældig stikprøve af %(used)s af %(total)s forløb "
            "for at holde beregningstiden nede.",
            used=used,
            total=total,
        )
    if fitted.slope is None:
        reason = _l("Modellen kunne ikke tilpasses: %(why)s", why=fitted.reason or "")
    return fitted, reason, data


def improved_count(effect: ScaleEffect) -> tuple[int, int] | None:
    """(reliably improved incl. recovered, classified) or None without reliable change."""
    if effect.reliable is None or effect.reliable.s_diff is None:
        return None
    counts = effect.reliable.counts
    better = (counts.get("improved") or 0) + (counts.get("recovered") or 0)
    return better, int(counts.get("n") or 0)
