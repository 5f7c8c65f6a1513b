"""What the follow-up form for one citizen and date is made of: stay, goals, questionnaires.

`new_context` and `edit_context` check scope (citizen in scope; for changes the stay's unit) and
collect the goals active on the date, the questionnaires the unit uses (for a stored follow-up:
the versions it was answered with) and the stored answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, col, select

from del_tool.auth.access import NotFoundError
from del_tool.citizens.access import (
    Actor,
    ensure_stay_editable,
    ensure_stay_visible,
    get_by_id,
    get_citizen,
)
from del_tool.citizens.models import Citizen, Stay
from del_tool.errors import RuleError
from del_tool.followups.models import Assessment, FollowUp, FollowUpKind, GoalReview
from del_tool.followups.previous import LastAssessment, LastReview, last_assessments, last_reviews
from del_tool.goals.models import Goal
from del_tool.goals.services import stay_for_date
from del_tool.organisation.models import UnitQuestionnaire
from del_tool.questionnaires import QuestionnaireDefinition, Registry

#: A stay ending within this many days of a follow-up makes it a discharge by default.
DISCHARGE_WINDOW = timedelta(days=14)


@dataclass(slots=True)
class FollowUpContext:
    """What the form for one citizen and date needs: stay, goals, questionnaires, stored data."""

    citizen: Citizen
    stay: Stay
    day: date
    goals: list[Goal]
    definitions: list[QuestionnaireDefinition]
    last_reviews: dict[int, LastReview] = field(default_factory=dict)
    last_assessments: dict[str, LastAssessment] = field(default_factory=dict)
    existing: FollowUp | None = None
    reviews: dict[int, GoalReview] = field(default_factory=dict)
    answers: dict[str, dict[str, int | None]] = field(default_factory=dict)
    default_kind: FollowUpKind = FollowUpKind.FOLLOW_UP


def get_followup(session: Session, actor: Actor, follow_up_id: int) -> FollowUp:
    """A follow-up of a citizen in scope, of a stay the actor sees (404 / 403 otherwise)."""
    follow_up = get_by_id(session, FollowUp, follow_up_id)
    if follow_up is None:
        raise NotFoundError(f"follow-up {follow_up_id}")
    ensure_stay_visible(session, actor, follow_up.citizen_id, follow_up.stay_id)
    return follow_up


def get_editable_followup(session: Session, actor: Actor, follow_up_id: int) -> FollowUp:
    """A follow-up whose stay is in a unit of the actor's scope (for changes)."""
    follow_up = get_followup(session, actor, follow_up_id)
    stay = session.get(Stay, follow_up.stay_id)
    if stay is None:
        raise NotFoundError(f"stay {follow_up.stay_id}")
    ensure_stay_editable(actor, stay)
    return follow_up


def new_context(
    *, session: Session, actor: Actor, citizen_id: int, day: date, registry: Registry
) -> FollowUpContext:
    """The form context for a new follow-up of a citizen on `day` (RuleError without a stay)."""
    citizen = get_citizen(session, actor, citizen_id)
    stay = stay_for_date(session, actor, citizen_id, day)
    if stay is None:
        raise RuleError(
            "followup_date", _l("Borgeren har intet ophold i dine tilbud på denne dato.")
        )
    context = FollowUpContext(
        citizen=citizen,
        stay=stay,
        day=day,
        goals=_goals_on(session, stay, day, reviewed=()),
        definitions=_unit_definitions(session, stay.unit_id, registry, answered={}),
    )
    context.default_kind = _default_kind(session, stay, day)
    return _with_previous(session, context)


def edit_context(
    *, session: Session, actor: Actor, follow_up_id: int, registry: Registry
) -> FollowUpContext:
    """The form context for editing a stored follow-up (its goals and questionnaire versions)."""
    follow_up = get_editable_followup(session, actor, follow_up_id)
    citizen = get_citizen(session, actor, follow_up.citizen_id)
    stay = session.get(Stay, follow_up.stay_id)
    assert stay is not None  # noqa: S101 - get_editable_followup checked it
    reviews = {
        r.goal_id: r
        for r in session.exec(
            select(GoalReview).where(col(GoalReview.follow_up_id) == follow_up.id)
        ).all()
    }
    stored = _stored_assessments(session, follow_up.id)
    context = FollowUpContext(
        citizen=citizen,
        stay=stay,
        day=follow_up.followup_date,
        goals=_goals_on(session, stay, follow_up.followup_date, reviewed=reviews),
        definitions=_unit_definitions(session, stay.unit_id, registry, answered=stored),
        existing=follow_up,
        reviews=reviews,
        answers={qid: answers for qid, (_version, answers) in stored.items()},
        default_kind=follow_up.kind,
    )
    return _with_previous(session, context)


def _with_previous(session: Session, context: FollowUpContext) -> FollowUpContext:
    """Add the latest reviews and staff-rated scores before the context's date."""
    context.last_reviews = last_reviews(
        session, [g.id for g in context.goals if g.id], before=context.day
    )
    staff_rated = [d.id for d in context.definitions if d.perspective == "staff"]
    context.last_assessments = last_assessments(
        session,
        context.citizen.id,  # type: ignore[arg-type]
        staff_rated,
        before=context.day,
    )
    return context


def _goals_on(
    session: Session, stay: Stay, day: date, *, reviewed: dict[int, GoalReview] | tuple[()]
) -> list[Goal]:
    """Goals of the stay active on `day`, and any goal already reviewed in this follow-up."""
    goals = session.exec(
        select(Goal)
        .where(col(Goal.stay_id) == stay.id)
        .order_by(col(Goal.start_date), col(Goal.id))
    ).all()
    return [
        g
        for g in goals
        if (g.start_date <= day and (g.closed_on is None or g.closed_on >= day)) or g.id in reviewed
    ]


def _default_kind(session: Session, stay: Stay, day: date) -> FollowUpKind:
    earlier = session.exec(
        select(FollowUp.id)
        .where(col(FollowUp.stay_id) == stay.id, col(FollowUp.followup_date) < day)
        .limit(1)
    ).first()
    if earlier is None:
        return FollowUpKind.BASELINE
    if stay.end_date is not None and stay.end_date - day <= DISCHARGE_WINDOW:
        return FollowUpKind.DISCHARGE
    return FollowUpKind.FOLLOW_UP


def _unit_definitions(
    session: Session,
    unit_id: int,
    registry: Registry,
    *,
    answered: dict[str, tuple[str, dict[str, int | None]]],
) -> list[QuestionnaireDefinition]:
    """The unit's questionnaires (current versions) and those already answered (their versions).

    Staff-rated instruments come first, then self-reports; ids the registry does not know are
    left out (a unit may list an instrument a deployment has removed).
    """
    used = session.exec(
        select(UnitQuestionnaire.questionnaire_id).where(col(UnitQuestionnaire.unit_id) == unit_id)
    ).all()
    definitions = {}
    for qid in set(used) | set(answered):
        if qid not in registry:
            continue
        version = answered[qid][0] if qid in answered else None
        definitions[qid] = registry.get(qid, version)
    return sorted(definitions.values(), key=lambda d: (d.perspective != "staff", d.id))


def _stored_assessments(
    session: Session, follow_up_id: int | None
) -> dict[str, tuple[str, dict[str, int | None]]]:
    rows = session.exec(
        select(Assessment).where(col(Assessment.follow_up_id) == follow_up_id)
    ).all()
    return {a.questionnaire_id: (a.questionnaire_version, dict(a.answers)) for a in rows}
