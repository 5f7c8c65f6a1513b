"""Status at the end of a period for a group of stays: cost, documentation, goals, change.

Used by the council summary for one municipality's citizens and for the whole region as the
benchmark. "Status" means the latest measurement or goal review up to the end of the period, for
the stays in progress at some time in the period.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlmodel import col, select

from del_tool.goals.models import Goal
from del_tool.reports.common import queries, score_queries
from del_tool.reports.common.context import ReportContext
from del_tool.reports.common.coverage import Coverage, coverage
from del_tool.reports.common.frames import latest_reviews
from del_tool.reports.common.scales import FUNCTIONING, FUNCTIONING_MEAN
from del_tool.reports.economy.costs import Costs, load_costs
from del_tool.reports.effect.analysis import ScaleEffect, analyse_scales
from del_tool.reports.effect.report import WELLBEING, find_effect
from del_tool.stats import GoalAttainment, goal_attainment


@dataclass(frozen=True, slots=True)
class Outcomes:
    """What the council summary shows for one group of stays."""

    citizens: int
    costs: Costs
    coverage: Coverage
    goals: GoalAttainment
    goal_citizens: int
    direction_citizens: dict[str, int]
    functioning: ScaleEffect | None
    wellbeing: ScaleEffect | None
    #: The latest review of each goal by the end of the period (goal, citizen, level, target,
    #: direction): the members behind the goal shares, for the union audit.
    goal_reviews: pd.DataFrame
    #: The goals in the period linked to a purpose of the municipality's action plan (goal,
    #: citizen): the members behind the action-plan table's count.
    purpose_goals: pd.DataFrame

    @property
    def in_progress(self) -> pd.DataFrame:
        """Stays in progress on the reference day (those judged for overdue follow-ups)."""
        return self.coverage.stays[self.coverage.stays["in_progress"]]


def outcomes(ctx: ReportContext) -> Outcomes:
    """Compute the status figures for the context's stays."""
    stays = ctx.stays()
    costs = load_costs(ctx)
    goals = queries.goals(ctx.session, ctx.sel)
    cov = coverage(
        stays,
        queries.follow_ups(ctx.session, ctx.sel),
        goals,
        score_queries.stays_with_baseline(ctx.session, ctx.sel, FUNCTIONING),
        ctx.units()["interval"],
        start=ctx.period.start,
        reference=ctx.reference_date,
    )
    day = pd.Timestamp(ctx.reference_date)
    cov.stays["in_progress"] = (cov.stays["start"] <= day) & (
        cov.stays["end"].isna() | (cov.stays["end"] >= day)
    )
    linked = _purpose_goals(ctx)
    reviews = queries.goal_reviews(ctx.session, ctx.sel, since=None)
    latest = latest_reviews(reviews[reviews["goal"].isin(goals["goal"])])
    citizen_of = stays.set_index("stay")["citizen"]
    latest = latest.assign(citizen=latest["stay"].map(citizen_of))
    scores = score_queries.scores(
        ctx.session,
        ctx.sel,
        since=None,
        questionnaires=[FUNCTIONING, WELLBEING[0]],
        scales=[FUNCTIONING_MEAN, WELLBEING[1]],
    )
    effects = analyse_scales(
        ctx.session, ctx.sel, scores, stays, ctx.registry, latest_from=None, trajectories=False
    )
    return Outcomes(
        citizens=int(stays["citizen"].nunique()),
        costs=costs,
        coverage=cov,
        goals=goal_attainment(latest[["level", "target", "direction"]]),
        goal_citizens=int(latest["citizen"].nunique()),
        direction_citizens=latest.groupby("direction")["citizen"].nunique().astype(int).to_dict(),
        functioning=find_effect(effects, FUNCTIONING, FUNCTIONING_MEAN),
        wellbeing=find_effect(effects, *WELLBEING),
        goal_reviews=latest[["goal", "citizen", "level", "target", "direction"]],
        purpose_goals=pd.DataFrame(
            {
                "goal": goals.loc[goals["goal"].isin(linked), "goal"],
                "citizen": goals.loc[goals["goal"].isin(linked), "stay"].map(citizen_of),
            }
        ).reset_index(drop=True),
    )


def _purpose_goals(ctx: ReportContext) -> set[int]:
    """The goals of the context's stays that serve a purpose of their stay's action plan."""
    rows = ctx.session.exec(
        select(col(Goal.id)).where(
            col(Goal.stay_id).in_(ctx.sel.stay_ids()), col(Goal.purpose_id).is_not(None)
        )
    ).all()
    return {int(goal) for goal in rows if goal is not None}
