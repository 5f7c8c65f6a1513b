"""The effect report's opening page in plain words: what changed for the citizens, how sure we
are, how it compares with the region and the previous period, and what it cost.

The sentences come from `common.verdict` (one set of rules); this module gathers the figures:
the functioning profile's mean and WHO-5 since admission for the report's stays, the same for
the whole region (when the report covers less) and for the previous period of the same length,
the share of goals met, and tariff x days.
"""

from __future__ import annotations

from typing import Any

from del_tool.reports.common import queries, score_queries
from del_tool.reports.common.context import ReportContext
from del_tool.reports.common.labels import fmt, period_label
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import Section
from del_tool.reports.common.period import Period, previous_period
from del_tool.reports.common.scales import FUNCTIONING, FUNCTIONING_MEAN, WELLBEING
from del_tool.reports.common.verdict import (
    NO_CAUSE,
    VERDICT_INTRO,
    Change,
    compare,
    cost_sentence,
    judge,
)
from del_tool.reports.effect.analysis import ScaleEffect, analyse_scales
from del_tool.reports.effect.goals import GoalResults

HEADLINE_SCALES = ((FUNCTIONING, FUNCTIONING_MEAN), WELLBEING)
LABELS = {
    (FUNCTIONING, FUNCTIONING_MEAN): _l("Funktionsevnen (0-4)"),
    WELLBEING: _l("Trivslen (WHO-5, 0-100)"),
}


def as_change(effect: ScaleEffect | None, key: tuple[str, str]) -> Change:
    """The since-admission change of a scale as the verdict rules take it."""
    label = LABELS.get(key, key[1])
    if effect is None:
        return Change(label, 0, None, None, True)
    change = effect.since_admission
    ci = (change.ci_low, change.ci_high)
    return Change(
        label,
        change.n,
        change.mean_diff,
        ci if None not in ci else None,  # type: ignore[arg-type]
        effect.info.higher_is_better,
        change.d_z,
        decimals=1 if key == WELLBEING else 2,
    )


def headline_changes(
    ctx: ReportContext, unit_ids: frozenset[int] | None, period: Period
) -> dict[tuple[str, str], Change]:
    """The headline scales' changes for other stays (the region, an earlier period)."""
    sel = queries.StaySelection(unit_ids, period.start, period.end, ctx.filters)
    scores = score_queries.scores(
        ctx.session,
        sel,
        since=period.start,
        questionnaires=[q for q, _ in HEADLINE_SCALES],
        scales=[s for _, s in HEADLINE_SCALES],
    )
    effects = analyse_scales(
        ctx.session,
        sel,
        scores,
        queries.stays(ctx.session, sel),
        ctx.registry,
        latest_from=period.start,
        trajectories=False,
    )
    found = {(e.info.definition.id, e.info.scale.id): e for e in effects}
    return {key: as_change(found.get(key), key) for key in HEADLINE_SCALES}


def verdict_section(
    ctx: ReportContext, effects: list[ScaleEffect], goals: GoalResults, min_n: int
) -> Section:
    """The opening page: one paragraph per headline scale, goals, and cost."""
    section = Section("verdict", _l("Resumé"), intro=VERDICT_INTRO)
    found = {(e.info.definition.id, e.info.scale.id): e for e in effects}
    ours = {key: as_change(found.get(key), key) for key in HEADLINE_SCALES}
    region = None
    if ctx.scope.level != "region":
        region = headline_changes(ctx, None, ctx.period)
    earlier_period = previous_period(ctx.period)
    earlier = headline_changes(ctx, ctx.scope.unit_ids, earlier_period)
    for key, change in ours.items():
        if change.n == 0:
            continue
        judgement = judge(change, min_n=min_n)
        if judgement.category == "too_few":  # nothing to compare
            section.messages.append(judgement.sentence)
            continue
        parts: list[Any] = [judgement.sentence]
        if region is not None:
            parts.append(compare(change, region[key], _l("regionen"), min_n=min_n))
        parts.append(
            compare(
                change,
                earlier[key],
                _l("perioden før (%(period)s)", period=period_label(earlier_period)),
                min_n=min_n,
            )
        )
        section.messages.append(_joined(parts))
    section.messages.append(_goal_sentence(goals, min_n))
    section.messages.append(_cost(ctx))
    section.messages.append(NO_CAUSE)
    return section


def _goal_sentence(goals: GoalResults, min_n: int) -> Any:
    share = goals.attainment.overall
    if share.n < min_n or share.share is None:
        return _l("Mål: for få opfulgte mål til at sige noget sikkert (n = %(n)s).", n=share.n)
    return _l(
        "Mål: %(share)s %% af de opfulgte mål er nået (95 %% sikkerhedsinterval %(low)s til "
        "%(high)s %%, n = %(n)s mål).",
        share=fmt(100 * share.share),
        low=fmt(100 * (share.ci_low or 0.0)),
        high=fmt(100 * (share.ci_high or 0.0)),
        n=share.n,
    )


def _cost(ctx: ReportContext) -> Any:
    from del_tool.reports.economy.costs import load_costs

    costs = load_costs(ctx)
    total = costs.summary("all")
    per_year = None
    if not total.empty and total["cost_per_citizen_year"].notna().iloc[0]:
        per_year = float(total["cost_per_citizen_year"].iloc[0])
    return cost_sentence(costs.total_cost, costs.costs.total_days, per_year)


def _joined(parts: list[Any]) -> Any:
    from del_tool.reports.common.labels import Text

    return Text(lambda: " ".join(str(p) for p in parts))
