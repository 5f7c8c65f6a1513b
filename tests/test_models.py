"""Every model constraint is enforced by the database itself, not only by forms."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import Session, select

from del_tool.auth.models import Role, User
from del_tool.citizens.models import Citizen, Sex, Stay
from del_tool.followups.models import (
    Assessment,
    AssessmentScore,
    FollowUp,
    FollowUpKind,
    GoalReview,
    Perspective,
)
from del_tool.goals.models import Goal, GoalDirection, Theme
from del_tool.organisation.models import LegalSection, Municipality, TargetGroup, Tariff, Unit

D = date(2026, 3, 1)


def base(session: Session) -> dict[str, Any]:
    """A valid citizen with a stay, a goal, a follow-up, a review and an assessment."""
    unit = session.exec(select(Unit)).first()
    citizen = Citizen(
        name="Test Borger", birth_year=1980, sex=Sex.FEMALE, target_group=TargetGroup.AUTISM
    )
    session.add(citizen)
    session.flush()
    stay = Stay(
        citizen_id=citizen.id,
        unit_id=unit.id,
        municipality_code="461",
        legal_section=LegalSection.S107,
        start_date=D,
    )
    session.add(stay)
    session.flush()
    goal = goal_row(citizen.id, stay.id)
    fu = FollowUp(
        citizen_id=citizen.id,
        stay_id=stay.id,
        followup_date=D,
        kind=FollowUpKind.BASELINE,
        submission_token="token-1",
    )
    session.add_all([goal, fu])
    session.flush()
    review = GoalReview(follow_up_id=fu.id, goal_id=goal.id, level=2)
    assessment = Assessment(
        follow_up_id=fu.id,
        questionnaire_id="who5",
        questionnaire_version="1",
        perspective=Perspective.SELF_REPORT,
        answers={},
        completeness=0.0,
    )
    session.add_all([review, assessment])
    session.flush()
    session.add(
        AssessmentScore(assessment_id=assessment.id, questionnaire_id="who5", scale_id="wellbeing")
    )
    session.add(
        Tariff(
            unit_id=unit.id,
            legal_section=LegalSection.S107,
            valid_from=D,
            daily_amount=Decimal("100"),
        )
    )
    session.flush()
    return {
        "unit": unit.id,
        "citizen": citizen.id,
        "stay": stay.id,
        "goal": goal.id,
        "fu": fu.id,
        "assessment": assessment.id,
    }


def goal_row(citizen_id: int, stay_id: int, **changes: Any) -> Goal:
    values = {
        "citizen_id": citizen_id,
        "stay_id": stay_id,
        "theme": Theme.RELATIONS,
        "title": "Mål",
        "direction": GoalDirection.DEVELOP,
        "baseline_level": 3,
        "target_level": 2,
        "start_date": D,
        **changes,
    }
    return Goal(**values)


Case = Callable[[dict[str, Any]], Any]
CASES: dict[str, Case] = {
    "citizen birth year": lambda i: Citizen(
        name="X", birth_year=1850, sex=Sex.MALE, target_group=TargetGroup.AUTISM
    ),
    "stay ends before it starts": lambda i: Stay(
        citizen_id=i["citizen"],
        unit_id=i["unit"],
        municipality_code="461",
        legal_section=LegalSection.S85,
        start_date=D,
        end_date=date(2026, 2, 1),
    ),
    "stay in unknown unit": lambda i: Stay(
        citizen_id=i["citizen"],
        unit_id=99999,
        municipality_code="461",
        legal_section=LegalSection.S85,
        start_date=D,
    ),
    "stay paid by unknown municipality": lambda i: Stay(
        citizen_id=i["citizen"],
        unit_id=i["unit"],
        municipality_code="999",
        legal_section=LegalSection.S85,
        start_date=D,
    ),
    "goal baseline above 4": lambda i: goal_row(
        i["citizen"], i["stay"], baseline_level=5, target_level=4
    ),
    "goal target below 0": lambda i: goal_row(i["citizen"], i["stay"], target_level=-1),
    "develop goal without improvement": lambda i: goal_row(i["citizen"], i["stay"], target_level=3),
    "maintain goal with another target": lambda i: goal_row(
        i["citizen"], i["stay"], direction=GoalDirection.MAINTAIN, target_level=2
    ),
    "limit-loss goal aiming better": lambda i: goal_row(
        i["citizen"], i["stay"], direction=GoalDirection.LIMIT_LOSS, target_level=2
    ),
    "goal weight zero": lambda i: goal_row(i["citizen"], i["stay"], weight=0),
    "goal review before start": lambda i: goal_row(
        i["citizen"], i["stay"], review_date=date(2025, 1, 1)
    ),
    "review level 5": lambda i: GoalReview(follow_up_id=i["fu"], goal_id=_second_goal(i), level=5),
    "review GAS 3": lambda i: GoalReview(
        follow_up_id=i["fu"], goal_id=_second_goal(i), level=2, gas_score=3
    ),
    "review motivation 0": lambda i: GoalReview(
        follow_up_id=i["fu"], goal_id=_second_goal(i), level=2, motivation=0
    ),
    "review citizen rating 6": lambda i: GoalReview(
        follow_up_id=i["fu"], goal_id=_second_goal(i), level=2, citizen_rating=6
    ),
    "second review of a goal at one follow-up": lambda i: GoalReview(
        follow_up_id=i["fu"], goal_id=i["goal"], level=1
    ),
    "second follow-up on the same date": lambda i: FollowUp(
        citizen_id=i["citizen"], stay_id=i["stay"], followup_date=D, kind=FollowUpKind.FOLLOW_UP
    ),
    "reused submission token": lambda i: FollowUp(
        citizen_id=i["citizen"],
        stay_id=i["stay"],
        followup_date=date(2026, 9, 1),
        kind=FollowUpKind.FOLLOW_UP,
        submission_token="token-1",
    ),
    "completeness above 1": lambda i: Assessment(
        follow_up_id=i["fu"],
        questionnaire_id="phq9",
        questionnaire_version="1",
        perspective=Perspective.SELF_REPORT,
        answers={},
        completeness=1.5,
    ),
    "second assessment of a questionnaire": lambda i: Assessment(
        follow_up_id=i["fu"],
        questionnaire_id="who5",
        questionnaire_version="1",
        perspective=Perspective.SELF_REPORT,
        answers={},
        completeness=1.0,
    ),
    "second score of a scale": lambda i: AssessmentScore(
        assessment_id=i["assessment"], questionnaire_id="who5", scale_id="wellbeing"
    ),
    "negative tariff": lambda i: Tariff(
        unit_id=i["unit"], legal_section=LegalSection.S108, valid_from=D, daily_amount=Decimal("-1")
    ),
    "tariff ends before it starts": lambda i: Tariff(
        unit_id=i["unit"],
        legal_section=LegalSection.S108,
        valid_from=D,
        valid_to=date(2026, 1, 1),
        daily_amount=Decimal("1"),
    ),
    "two tariffs from the same day": lambda i: Tariff(
        unit_id=i["unit"], legal_section=LegalSection.S107, valid_from=D, daily_amount=Decimal("5")
    ),
    "municipality code not three digits": lambda i: Municipality(
        code="12", name="Nowhere", region_name="X"
    ),
    "leader without centre": lambda i: User(
        username="l", display_name="L", password_hash="x", role=Role.LEADER
    ),
    "council without municipality": lambda i: User(
        username="c", display_name="C", password_hash="x", role=Role.COUNCIL
    ),
}


def _second_goal(ids: dict[str, Any]) -> int:
    return ids["goal2"]


@pytest.mark.parametrize("case", sorted(CASES))
def test_database_refuses(session, case):
    ids = base(session)
    goal2 = goal_row(ids["citizen"], ids["stay"], theme=Theme.MOBILITY)
    session.add(goal2)
    session.flush()
    ids["goal2"] = goal2.id
    session.commit()
    session.add(CASES[case](ids))
    with pytest.raises(IntegrityError):
        session.commit()


def test_valid_rows_are_accepted(session):
    ids = base(session)
    session.commit()
    assert session.get(Goal, ids["goal"]).version == 1


def test_unit_follow_up_interval_is_bounded(session):
    unit = session.exec(select(Unit)).first()
    unit.followup_interval_days = 5
    session.add(unit)
    with pytest.raises(IntegrityError):
        session.commit()


@pytest.mark.parametrize(
    ("table", "column"), [("citizens", "sex"), ("stays", "legal_section"), ("goals", "direction")]
)
def test_enum_columns_refuse_unknown_values_in_sql(session, table, column):
    ids = base(session)
    session.commit()
    row_id = {"citizens": ids["citizen"], "stays": ids["stay"], "goals": ids["goal"]}[table]
    with pytest.raises(IntegrityError):
        session.execute(
            # short enough for every column's length, so it is the CHECK constraint that refuses
            text(f"UPDATE {table} SET {column} = 'bad' WHERE id = :id"),
            {"id": row_id},
        )


def test_orm_refuses_unknown_enum_value(session):
    base(session)
    session.add(Citizen(name="X", birth_year=1990, sex="robot", target_group=TargetGroup.AUTISM))
    with pytest.raises(StatementError):
        session.flush()


def test_optimistic_locking_refuses_stale_update(app, session):
    from sqlalchemy.orm.exc import StaleDataError

    from del_tool.db import get_db

    ids = base(session)
    session.commit()
    with get_db(app).session(write=False) as other:
        stale = other.get(Goal, ids["goal"])
        other.expunge(stale)
    fresh = session.get(Goal, ids["goal"])
    fresh.title = "Ny titel"
    session.commit()
    assert fresh.version == 2
    session.rollback()  # end the read transaction the refresh opened (it holds SQLite's lock)
    with get_db(app).session(write=True) as late:
        late.add(stale)
        stale.title = "Forældet titel"
        with pytest.raises(StaleDataError):
            late.commit()
