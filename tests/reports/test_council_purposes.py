"""The council summary's table of goals linked to the municipality's action plan (#21 item 5):
counted and judged as the goal shares are, suppressed below k and COUNCIL_MIN_N_STATISTICS, and
registered as cells of the union audit."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from del_tool.citizens.models import Stay, StayPurpose
from del_tool.followups.models import FollowUp, GoalReview
from del_tool.goals.models import Goal
from del_tool.reports.common.model import Hidden
from del_tool.reports.common.period import parse_period
from del_tool.reports.council.report import council_parts, council_report
from del_tool.reports.council.results import PURPOSE_TABLE
from del_tool.reports.council.union import cell_specs
from tests.reports.world import TODAY

PERIOD = parse_period("2026Q2")


def _link_goals_of(session, municipality: str) -> None:
    """One purpose per stay of the municipality; every goal of the stay serves it."""
    stays = session.exec(select(Stay).where(Stay.municipality_code == municipality)).all()
    for stay in stays:
        purpose = StayPurpose(stay_id=stay.id, text="Syntetisk formål")
        session.add(purpose)
        session.flush()
        for goal in session.exec(select(Goal).where(Goal.stay_id == stay.id)):
            goal.purpose_id = purpose.id
            session.add(goal)
    session.commit()


def _expected(session, municipality: str) -> tuple[int, float | None]:
    """Linked goals active in the period and the share of them met at their latest review up
    to the period's end, straight from the records."""
    goals = session.exec(
        select(Goal)
        .join(Stay, col(Stay.id) == Goal.stay_id)
        .where(
            Stay.municipality_code == municipality,
            col(Goal.purpose_id).is_not(None),
            col(Stay.start_date) <= PERIOD.end,
            (col(Stay.end_date).is_(None)) | (col(Stay.end_date) >= PERIOD.start),
            col(Goal.start_date) <= PERIOD.end,
            (col(Goal.closed_on).is_(None)) | (col(Goal.closed_on) >= PERIOD.start),
        )
    ).all()
    met = []
    for goal in goals:
        latest = session.exec(
            select(GoalReview.level)
            .join(FollowUp, col(FollowUp.id) == GoalReview.follow_up_id)
            .where(GoalReview.goal_id == goal.id, col(FollowUp.followup_date) <= PERIOD.end)
            .order_by(col(FollowUp.followup_date).desc(), col(GoalReview.id).desc())
        ).first()
        if latest is not None:
            met.append(latest <= goal.target_level)
    return len(goals), (sum(met) / len(met) if met else None)


@pytest.fixture
def parts(session, world):
    _link_goals_of(session, "461")
    return council_parts(session=session, municipality_code="461", period=PERIOD, today=TODAY)


def test_the_table_counts_the_linked_goals_and_the_share_met(app, session, parts):
    with app.test_request_context():
        report = council_report(parts)
    table = report.table(PURPOSE_TABLE)
    (row,) = table.rows
    goals, share = _expected(session, "461")
    assert goals >= 5
    assert row[1] == goals
    assert share is not None and row[2] == pytest.approx(round(share, 2))  # shown: n >= 10
    # Only the municipality's goals are linked: the region counts the same ones.
    assert row[3] == goals and row[4] == row[2]


def test_the_cells_are_registered_in_the_union_audit(app, session, parts):
    with app.test_request_context():
        specs = cell_specs(
            PERIOD.key,
            parts.ctx.reference_date,
            parts.ours,
            parts.region,
            parts.cells,
            parts.ctx.units()["name"].to_dict(),
            "461",
        )
    by_key = {spec.key: spec for spec in specs}
    count = by_key[f"{PERIOD.key}/ours/purpose_goals/n"]
    share = by_key[f"{PERIOD.key}/ours/purpose_goals"]
    goals, _share = _expected(session, "461")
    assert len(count.members) == goals and count.family == "count:goal"
    assert share.family == by_key[f"{PERIOD.key}/ours/goals"].family  # one family: no difference
    assert set(share.members) <= set(by_key[f"{PERIOD.key}/ours/goals"].members)
    assert share.spots == (("table", PURPOSE_TABLE, 0, "share"),)
    assert f"{PERIOD.key}/region/purpose_goals" in by_key


def test_a_municipality_without_linked_goals_shows_nothing_countable(app, session, world):
    parts = council_parts(session=session, municipality_code="561", period=PERIOD, today=TODAY)
    with app.test_request_context():
        (row,) = council_report(parts).table(PURPOSE_TABLE).rows
    assert isinstance(row[1], Hidden) and isinstance(row[2], Hidden)
