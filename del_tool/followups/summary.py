"""A stored follow-up as the read-only page shows it: reviews, answers and scores with bands."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from del_tool.auth.models import User
from del_tool.citizens.access import Actor, get_citizen
from del_tool.citizens.models import Citizen, Stay
from del_tool.followups.context import get_followup
from del_tool.followups.models import Assessment, AssessmentScore, FollowUp, GoalReview
from del_tool.goals.models import Goal
from del_tool.organisation.models import Unit
from del_tool.questionnaires import QuestionnaireDefinition, Registry, UnknownQuestionnaireError


@dataclass(frozen=True, slots=True)
class ScoreLine:
    """A scale score with its title and band label."""

    title: str
    value: float | None
    band: str | None
    higher_is_better: bool


@dataclass(frozen=True, slots=True)
class AnswerLine:
    """One item's answer with the option's label."""

    number: int
    text: str
    answer: str | None


@dataclass(slots=True)
class AssessmentSummary:
    """An assessment with its definition's texts (None when the version is no longer loaded)."""

    assessment: Assessment
    title: str
    scores: list[ScoreLine] = field(default_factory=list)
    answers: list[AnswerLine] = field(default_factory=list)


@dataclass(slots=True)
class FollowUpSummary:
    """Everything the follow-up page shows."""

    follow_up: FollowUp
    citizen: Citizen
    unit_name: str
    recorded_by: str | None
    editable: bool
    reviews: list[tuple[Goal, GoalReview]]
    assessments: list[AssessmentSummary]


def load_summary(
    *, session: Session, actor: Actor, follow_up_id: int, registry: Registry, lang: str
) -> FollowUpSummary:
    """A follow-up of a citizen in scope, with everything resolved for display."""
    follow_up = get_followup(session, actor, follow_up_id)
    citizen = get_citizen(session, actor, follow_up.citizen_id)
    stay = session.get(Stay, follow_up.stay_id)
    unit = session.get(Unit, stay.unit_id) if stay else None
    recorder = session.get(User, follow_up.recorded_by_id) if follow_up.recorded_by_id else None
    reviews = session.exec(
        select(Goal, GoalReview)
        .join(GoalReview, col(GoalReview.goal_id) == Goal.id)
        .where(col(GoalReview.follow_up_id) == follow_up.id)
        .order_by(col(Goal.start_date), col(Goal.id))
    ).all()
    assessments = session.exec(
        select(Assessment)
        .where(col(Assessment.follow_up_id) == follow_up.id)
        .order_by(col(Assessment.questionnaire_id))
    ).all()
    return FollowUpSummary(
        follow_up=follow_up,
        citizen=citizen,
        unit_name=unit.name if unit else "",
        recorded_by=recorder.display_name if recorder else None,
        editable=stay is not None and actor.allows_unit(stay.unit_id),
        reviews=[(goal, review) for goal, review in reviews],
        assessments=[_assessment(session, a, registry, lang) for a in assessments],
    )


def _assessment(
    session: Session, assessment: Assessment, registry: Registry, lang: str
) -> AssessmentSummary:
    scores = session.exec(
        select(AssessmentScore)
        .where(col(AssessmentScore.assessment_id) == assessment.id)
        .order_by(col(AssessmentScore.id))
    ).all()
    try:
        definition: QuestionnaireDefinition | None = registry.get(
            assessment.questionnaire_id, assessment.questionnaire_version
        )
    except UnknownQuestionnaireError:
        definition = None
    if definition is None:
        return AssessmentSummary(
            assessment,
            assessment.questionnaire_id,
            [ScoreLine(s.scale_id, s.value, None, True) for s in scores],
        )
    lines = []
    for score in scores:
        scale = next((s for s in definition.scales if s.id == score.scale_id), None)
        band = scale.band_for(score.value) if scale is not None else None
        lines.append(
            ScoreLine(
                scale.title(lang) if scale else score.scale_id,
                score.value,
                band.label(lang) if band else None,
                scale.higher_is_better if scale else True,
            )
        )
    answers = []
    for item in definition.items:
        value = assessment.answers.get(item.id)
        option = next((o for o in item.options if o.value == value), None)
        answers.append(
            AnswerLine(item.number, item.text(lang), option.label(lang) if option else None)
        )
    return AssessmentSummary(assessment, definition.title(lang), lines, answers)
