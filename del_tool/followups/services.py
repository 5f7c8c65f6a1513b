"""Follow-ups: record and edit one citizen's follow-up in one transaction, with scores and history.

`record_followup` writes the FollowUp, a GoalReview per reviewed goal, an Assessment per answered
questionnaire (with the definition version it was answered with) and its AssessmentScores
(computed here by `definition.score`), and a history entry for every row. It flushes and never
commits, so a failure anywhere leaves nothing once the caller rolls back. A one-time submission
token makes a repeated POST of the same form find the stored follow-up instead of storing twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.attributes import flag_modified
from sqlmodel import Session, col, select

from del_tool.citizens import history
from del_tool.citizens.access import Actor
from del_tool.errors import ConflictError, RuleError
from del_tool.followups.assessments import AssessmentInput, save_assessments
from del_tool.followups.context import FollowUpContext, edit_context, new_context
from del_tool.followups.models import FollowUp, FollowUpKind, GoalReview
from del_tool.questionnaires import Registry

REVIEW_FIELDS = ("level", "gas_score", "citizen_rating", "motivation", "note")


#: Refused beside the date: one follow-up per citizen and day.
DATE_TAKEN = _l("Der er allerede en opfølgning for borgeren på denne dato. Ret den i stedet.")


class DuplicateSubmissionError(Exception):
    """The form's one-time token was used already: the follow-up is stored (nothing new is)."""

    def __init__(self, follow_up_id: int) -> None:
        super().__init__(f"submission already stored as follow-up {follow_up_id}")
        self.follow_up_id = follow_up_id


@dataclass(frozen=True, slots=True)
class ReviewInput:
    """The review of one goal as entered."""

    goal_id: int
    level: int
    gas_score: int | None = None
    citizen_rating: int | None = None
    motivation: int | None = None
    note: str = ""


@dataclass(frozen=True, slots=True)
class FollowUpInput:
    """A follow-up as entered: date, kind, note, goal reviews and questionnaire answers."""

    followup_date: date
    kind: FollowUpKind
    note: str = ""
    reviews: tuple[ReviewInput, ...] = ()
    assessments: tuple[AssessmentInput, ...] = ()


def find_on_date(session: Session, citizen_id: int, day: date) -> FollowUp | None:
    """The citizen's follow-up on `day`, if one is stored."""
    return session.exec(
        select(FollowUp).where(
            col(FollowUp.citizen_id) == citizen_id, col(FollowUp.followup_date) == day
        )
    ).first()


def find_by_token(session: Session, token: str) -> FollowUp | None:
    """The follow-up stored with this submission token, if any."""
    return session.exec(select(FollowUp).where(col(FollowUp.submission_token) == token)).first()


def record_followup(
    *,
    session: Session,
    actor: Actor,
    citizen_id: int,
    data: FollowUpInput,
    token: str,
    registry: Registry,
) -> FollowUp:
    """Store a new follow-up with its reviews and assessments (one transaction, the caller's).

    Raises DuplicateSubmissionError when `token` was used already, RuleError for input that
    breaks a rule (no stay on the date, a follow-up on that date exists, a goal not in the
    stay, answers that are not options).
    """
    stored = find_by_token(session, token)
    if stored is not None and stored.id is not None:
        raise DuplicateSubmissionError(stored.id)
    context = new_context(
        session=session,
        actor=actor,
        citizen_id=citizen_id,
        day=data.followup_date,
        registry=registry,
    )
    _check_date_free(session, citizen_id, data.followup_date, exclude=None)
    follow_up = FollowUp(
        citizen_id=citizen_id,
        stay_id=context.stay.id,  # type: ignore[arg-type]
        followup_date=data.followup_date,
        kind=data.kind,
        recorded_by_id=actor.user_id,
        note=data.note,
        submission_token=token,
    )
    history.insert(session, actor, follow_up, citizen_id=citizen_id)
    _save_reviews(session, actor, follow_up, context, data.reviews)
    save_assessments(session, actor, follow_up, context.definitions, data.assessments)
    return follow_up


def update_followup(
    *,
    session: Session,
    actor: Actor,
    follow_up_id: int,
    data: FollowUpInput,
    version: int | None,
    registry: Registry,
) -> FollowUp:
    """Change a stored follow-up; ConflictError when someone saved it since the form was read."""
    context = edit_context(
        session=session, actor=actor, follow_up_id=follow_up_id, registry=registry
    )
    follow_up = context.existing
    assert follow_up is not None  # noqa: S101 - edit_context always sets it
    stay = context.stay
    if version is None or version != follow_up.version:
        if _same_as_stored(context, data):
            return follow_up  # the same form posted twice: nothing to change
        raise ConflictError(f"follow-up {follow_up.id}: form version {version}")
    if data.followup_date < stay.start_date or (
        stay.end_date is not None and data.followup_date > stay.end_date
    ):
        raise RuleError("followup_date", _l("Datoen skal ligge inden for opholdet."))
    _check_date_free(session, follow_up.citizen_id, data.followup_date, exclude=follow_up.id)
    # Always UPDATE the follow-up (bumping its version), so that parallel edits of its reviews
    # and answers conflict on the follow-up row even when its own fields did not change.
    flag_modified(follow_up, "note")
    values = {"followup_date": data.followup_date, "kind": data.kind, "note": data.note}
    history.update(session, actor, follow_up, values, citizen_id=follow_up.citizen_id)
    _save_reviews(session, actor, follow_up, context, data.reviews)
    save_assessments(session, actor, follow_up, context.definitions, data.assessments)
    return follow_up


def _same_as_stored(context: FollowUpContext, data: FollowUpInput) -> bool:
    """Whether `data` is exactly what is stored (a repeated POST of an edit)."""
    stored = context.existing
    if stored is None:
        return False
    reviews = {
        goal_id: ReviewInput(goal_id, *(getattr(row, name) for name in REVIEW_FIELDS))
        for goal_id, row in context.reviews.items()
    }
    answers = {a.questionnaire_id: a.answers for a in data.assessments}
    return (
        (stored.followup_date, stored.kind, stored.note)
        == (data.followup_date, data.kind, data.note)
        and reviews == {r.goal_id: r for r in data.reviews}
        and answers == {qid: a for qid, a in context.answers.items() if _any_answer(a)}
    )


def _any_answer(answers: dict[str, int | None]) -> bool:
    return any(value is not None for value in answers.values())


def _check_date_free(session: Session, citizen_id: int, day: date, *, exclude: int | None) -> None:
    other = find_on_date(session, citizen_id, day)
    if other is not None and other.id != exclude:
        raise RuleError("followup_date", DATE_TAKEN)


def _save_reviews(
    session: Session,
    actor: Actor,
    follow_up: FollowUp,
    context: FollowUpContext,
    reviews: tuple[ReviewInput, ...],
) -> None:
    """Insert or update one GoalReview per reviewed goal; every goal must be in the context."""
    goals = {g.id: g for g in context.goals}
    for review in reviews:
        goal = goals.get(review.goal_id)
        if goal is None:
            raise RuleError("followup_date", _l("Et af målene hører ikke til opfølgningen."))
        if review.gas_score is not None and not goal.has_gas:
            raise RuleError(f"goal_{goal.id}.level", _l("Målet har ingen GAS-beskrivelser."))
        values = {name: getattr(review, name) for name in REVIEW_FIELDS}
        row = context.reviews.get(review.goal_id)
        if row is None:
            row = GoalReview(follow_up_id=follow_up.id, goal_id=review.goal_id, **values)  # type: ignore[arg-type]
            history.insert(session, actor, row, citizen_id=follow_up.citizen_id)
        else:
            history.update(session, actor, row, values, citizen_id=follow_up.citizen_id)
