"""The latest scores before a follow-up's date, shown behind "Vis seneste" in the form.

Per goal the latest review (level, GAS, the citizen's rating, motivation, note) and per
questionnaire the latest assessment's scale scores, each with the date of its follow-up. The
form keeps them closed by default so that a new rating is not anchored on the old one, and
never shows them for a questionnaire the citizen answers about themself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from del_tool.followups.models import Assessment, AssessmentScore, FollowUp, GoalReview


@dataclass(frozen=True, slots=True)
class LastReview:
    """A goal's latest review before the date."""

    day: date
    level: int
    gas_score: int | None
    citizen_rating: int | None
    motivation: int | None
    note: str


@dataclass(frozen=True, slots=True)
class LastAssessment:
    """A questionnaire's latest assessment before the date: its scores by scale id."""

    day: date
    scores: dict[str, float | None]


def last_reviews(
    session: Session, goal_ids: Sequence[int], *, before: date
) -> dict[int, LastReview]:
    """Each goal's latest review in a follow-up dated before `before`."""
    if not goal_ids:
        return {}
    rows = session.exec(
        select(col(FollowUp.followup_date), GoalReview)
        .join(FollowUp, col(FollowUp.id) == GoalReview.follow_up_id)
        .where(col(GoalReview.goal_id).in_(goal_ids), col(FollowUp.followup_date) < before)
        .order_by(col(FollowUp.followup_date))
    ).all()
    return {
        review.goal_id: LastReview(
            day=day,
            level=review.level,
            gas_score=review.gas_score,
            citizen_rating=review.citizen_rating,
            motivation=review.motivation,
            note=review.note,
        )
        for day, review in rows  # later rows overwrite earlier ones
    }


def last_assessments(
    session: Session, citizen_id: int, questionnaire_ids: Sequence[str], *, before: date
) -> dict[str, LastAssessment]:
    """Each questionnaire's latest assessment of the citizen dated before `before`."""
    if not questionnaire_ids:
        return {}
    latest = session.exec(
        select(col(FollowUp.followup_date), col(Assessment.id), col(Assessment.questionnaire_id))
        .join(FollowUp, col(FollowUp.id) == Assessment.follow_up_id)
        .where(
            col(FollowUp.citizen_id) == citizen_id,
            col(FollowUp.followup_date) < before,
            col(Assessment.questionnaire_id).in_(questionnaire_ids),
        )
        .order_by(col(FollowUp.followup_date))
    ).all()
    chosen = {qid: (day, assessment_id) for day, assessment_id, qid in latest}
    if not chosen:
        return {}
    ids = [assessment_id for _day, assessment_id in chosen.values()]
    scores: dict[int | None, dict[str, float | None]] = {}
    for row in session.exec(
        select(AssessmentScore).where(col(AssessmentScore.assessment_id).in_(ids))
    ).all():
        scores.setdefault(row.assessment_id, {})[row.scale_id] = row.value
    return {
        qid: LastAssessment(day=day, scores=scores.get(assessment_id, {}))
        for qid, (day, assessment_id) in chosen.items()
    }
