"""Issue #22 item 9: the learning report's agreement of staff and citizen on each goal.

The statistics reproduce their published examples in tests/stats/test_agreement.py; here the
report must put the right pairs into them: the latest review of each goal in the period with
both ratings, the staff's level turned to 5 - level so that 5 is best on both, per unit."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlmodel import col, select

from del_tool.citizens.models import Stay
from del_tool.db import get_db
from del_tool.followups.models import FollowUp, GoalReview
from del_tool.goals.models import Goal
from del_tool.organisation.models import Unit
from del_tool.reports.common.period import parse_period
from del_tool.reports.common.selection import resolve_scope
from del_tool.reports.learning.agreement import AGREEMENT_MIN_PAIRS
from del_tool.reports.learning.report import build_learning_report
from del_tool.stats.agreement import limits_of_agreement, weighted_kappa
from tests.conftest import DEMO_OPTIONS

PERIOD = parse_period("2026H1")


def _reviews(session) -> pd.DataFrame:
    rows = session.exec(
        select(Goal.id, Stay.unit_id, Stay.citizen_id, FollowUp.followup_date, GoalReview)
        .join(Goal, col(Goal.id) == GoalReview.goal_id)
        .join(FollowUp, col(FollowUp.id) == GoalReview.follow_up_id)
        .join(Stay, col(Stay.id) == Goal.stay_id)
        .where(
            col(FollowUp.followup_date) >= PERIOD.start, col(FollowUp.followup_date) <= PERIOD.end
        )
    ).all()
    frame = pd.DataFrame(
        [(g, u, c, d, r.level, r.citizen_rating) for g, u, c, d, r in rows],
        columns=["goal", "unit", "citizen", "date", "level", "rating"],
    )
    latest = frame.sort_values(["date", "goal"]).drop_duplicates("goal", keep="last")
    return latest.dropna(subset=["rating"])


def test_each_unit_compares_the_latest_staff_level_with_the_citizens_rating(demo_app):
    with demo_app.test_request_context(), get_db(demo_app).session(write=False) as session:
        report = build_learning_report(
            session=session,
            scope=resolve_scope("region", session=session),
            period=PERIOD,
            today=DEMO_OPTIONS["today"],
        )
        names = {u.id: u.name for u in session.exec(select(Unit)).all()}
        expected = _reviews(session)
    table = report.section("agreement").tables[0]
    shown = {row[0]: row for row in table.rows}
    checked = 0
    for unit, group in expected.groupby("unit"):
        row = shown[names[unit]]
        assert row[1] == len(group)
        if len(group) < AGREEMENT_MIN_PAIRS or group["citizen"].nunique() < 5:
            assert row[2] is None and row[8] is not None
            continue
        kappa = weighted_kappa(5 - group["level"], group["rating"], categories=(1, 2, 3, 4, 5))
        limits = limits_of_agreement(5 - group["level"], group["rating"])
        assert row[2] == pytest.approx(kappa.kappa) and row[3] == pytest.approx(kappa.ci[0])
        assert row[5] == pytest.approx(limits.bias) and row[7] == pytest.approx(limits.upper)
        checked += 1
    assert checked >= 2, "the demo should give at least two units enough reviews"
    total = shown[next(k for k in shown if str(k) in ("Alle tilbud", "All units"))]
    assert total[1] == len(expected)
    figure = report.section("agreement").figures[0]
    assert figure.value == pytest.approx(total[2])


def test_the_agreement_is_followed_quarter_by_quarter(demo_app):
    with demo_app.test_request_context(), get_db(demo_app).session(write=False) as session:
        report = build_learning_report(
            session=session,
            scope=resolve_scope("region", session=session),
            period=PERIOD,
            today=DEMO_OPTIONS["today"],
        )
    quarters = report.table("learning_agreement_quarters")
    keys = [row[0] for row in quarters.rows]
    assert keys[-1] == "2026Q2" and keys == sorted(keys) and len(keys) == 8
    q2 = quarters.rows[-1]
    assert q2[1] > 0 and (q2[2] is None) == (q2[8] is not None)
