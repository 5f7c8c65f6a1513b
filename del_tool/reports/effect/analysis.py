"""Effect per questionnaire scale (DEL question 1): paired change, reliable change, trajectory.

Comparisons per stay (a citizen's course in one unit):
- in the period: the first and the latest score within the period (stays measured twice there);
- since admission: the baseline score and the latest score in the window (the period, or up to
  its end for status reports such as the council summary).
Reliable change (Jacobson & Truax by default; the effect report passes the deployment's
RELIABLE_CHANGE_METHOD, the other reports keep JT, which their texts name) uses the
since-admission pairs, judged against one reference SD and reliability per scale
(`common.reference`), so a unit's figure is the same in every scope.
Trajectories (linear mixed model over every score from admission to the end of the period of
the stays measured in the period, time in years since admission) are fitted for scales of two or
more items; single-item 0-4 ratings are too coarse for a linear growth model.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pandas as pd
from sqlmodel import Session

from del_tool.questionnaires import Registry
from del_tool.reports.common import frames, score_queries
from del_tool.reports.common.context import FALLBACK_TRAJECTORY_STAYS
from del_tool.reports.common.labels import Text, fmt
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.queries import StaySelection
from del_tool.reports.common.reference import (
    Reference,
    min_baselines,
    retest_days,
    scale_reference,
)
from del_tool.reports.common.scales import ScaleInfo, ordered_scales
from del_tool.reports.effect import model_choice
from del_tool.stats import (
    ModelComparison,
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
    trajectory_data: pd.DataFrame | None = None
    #: The random-intercept / random-slope comparison behind the trajectory model.
    trajectory_choice: ModelComparison | None = None
    #: The SD and reliability behind reliable change: one per scale, whatever the scope.
    reference: Reference | None = None


def analyse_scales(
    session: Session,
    sel: StaySelection,
    scores: pd.DataFrame,
    stays: pd.DataFrame,
    registry: Registry,
    *,
    latest_from: date | None,
    trajectories: bool = True,
    fallback_max_stays: int = FALLBACK_TRAJECTORY_STAYS,
    method: str = "JT",
) -> list[ScaleEffect]:
    """Analyse every scale with scores in the frame, in report order; reliable change by
    ``method`` (see ``del_tool.stats.reliable_change``)."""
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
            scale_reference(session, info, cache),
            method,
        )
        for info in infos
    ]
    if not trajectories:
        return effects
    window = frames.between(scores, sel.start, sel.end)
    return _add_trajectories(session, sel, window, stays, effects, fallback_max_stays)


def _add_trajectories(
    session: Session,
    sel: StaySelection,
    window: pd.DataFrame,
    stays: pd.DataFrame,
    effects: list[ScaleEffect],
    fallback_max_stays: int,
) -> list[ScaleEffect]:
    """Fit each multi-item scale's trajectory over all scores of the stays measured on it.

    The stays are all those measured on the scale in the period; their scores from admission to
    the end of the period are used (a sample only for the statsmodels fallback).
    """
    keys = [_key(e.info) for e in effects if e.info.multi_item]
    if not keys:
        return effects
    history = score_queries.score_history(session, sel, keys, sel.end)
    scores_by_scale = dict(tuple(history.groupby(["questionnaire", "scale"], observed=True)))
    measured = window.groupby(["questionnaire", "scale"], observed=True)["stay"].unique()
    empty = history.iloc[0:0]
    out = []
    for effect in effects:
        key = _key(effect.info)
        if key in keys:
            rows = scores_by_scale.get(key, empty)
            rows = rows[rows["stay"].isin(measured.get(key, []))]
            # SQL gives no order; the fit sees one.
            rows = rows.sort_values(["stay", "date"], kind="stable")
            effect = replace(effect, **_trajectory(rows, stays, fallback_max_stays))
        out.append(effect)
    return out


def _key(info: ScaleInfo) -> tuple[str, str]:
    """(questionnaire id, scale id) of a scale."""
    return (info.definition.id, info.scale.id)


def _scale_effect(
    info: ScaleInfo,
    period_pairs: pd.DataFrame,
    admission_pairs: pd.DataFrame,
    reference: Reference,
    method: str = "JT",
) -> ScaleEffect:
    reliability = reference.reliability
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
            sd_pre=reference.sd,
            cutoff=cutoff,
            method=method,
            # One instrument before and after: NK's post reliability is the same coefficient.
            reliability_post=reliability.value if method == "NK" else None,
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
        reference=reference,
    )


def no_reliability_reason(info: ScaleInfo, reliability: ScaleReliability) -> Text:
    """Why no reliability is available for the scale, in the reader's language."""
    if not info.multi_item:
        return _l(
            "Ingen pålidelig ændring: skalaen har ét spørgsmål, definitionen angiver ingen "
            "reliabilitet, og kun %(n)s forløb har to målinger højst %(d)s dage fra hinanden "
            "(der skal %(m)s til en reliabilitet ud fra gentagne målinger).",
            n=reliability.n or 0,
            d=retest_days(),
            m=min_baselines(),
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


def _trajectory(rows: pd.DataFrame, stays: pd.DataFrame, fallback_max: int) -> dict[str, Any]:
    """The trajectory fields of a ScaleEffect fitted on `rows` (one scale's scores)."""
    if rows.empty:
        none = _l("Ingen målinger i perioden.")
        return {"trajectory": None, "trajectory_reason": none, "trajectory_data": None}
    years = frames.years_since_admission(rows, stays)
    data = pd.DataFrame({"stay": rows["stay"], "score": rows["value"], "years": years})
    choice = model_choice.compare(data)
    fitted = trajectory(
        data,
        time="years",
        score="score",
        group="stay",
        optimizers=OPTIMIZERS,
        fallback_max_groups=fallback_max,
        random_slope=model_choice.wants_slope(choice),
    )
    reason: Text | None = None
    if fitted.sampled_from is not None:
        reason = _l(
            "DELs egen REML-tilpasning konvergerede ikke, så modellen er tilpasset med "
            "statsmodels på en tilfældig stikprøve af %(used)s af %(total)s forløb.",
            used=fitted.n_groups,
            total=fitted.sampled_from,
        )
    if fitted.slope is None:
        reason = _l("Modellen kunne ikke tilpasses: %(why)s", why=fitted.reason or "")
    return {
        "trajectory": fitted,
        "trajectory_reason": reason,
        "trajectory_data": data,
        "trajectory_choice": choice,
    }


def improved_count(effect: ScaleEffect) -> tuple[int, int] | None:
    """(reliably improved incl. recovered, classified) or None without reliable change."""
    if effect.reliable is None or effect.reliable.s_diff is None:
        return None
    counts = effect.reliable.counts
    better = (counts.get("improved") or 0) + (counts.get("recovered") or 0)
    return better, int(counts.get("n") or 0)
