"""What of a citizen's record a user who sees only some of the stays may read: history, access
log and export are cut to those stays (`del_tool.citizens.access.visible_stay_ids`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, or_, select

from del_tool.auth.models import User, UserUnit
from del_tool.citizens.access import Actor, visible_stay_ids
from del_tool.citizens.models import Stay
from del_tool.followups.models import Assessment, AssessmentScore, FollowUp, GoalReview
from del_tool.goals.models import Goal
from del_tool.organisation.models import Unit


@dataclass(frozen=True, slots=True)
class PartialRecord:
    """The stays an actor sees of a citizen, the rows that belong to them, and whose reads."""

    stay_ids: frozenset[int]
    #: Table name -> ids (as the history stores them) of the rows belonging to those stays.
    rows: dict[str, frozenset[str]]
    #: Users whose reads the actor may see: those working in the actor's units or centre.
    reader_ids: frozenset[int]

    def shows_event(self, entity: str, entity_id: str) -> bool:
        """Whether a history event is about the person or a row of the visible stays."""
        return entity == "citizens" or entity_id in self.rows.get(entity, ())

    def shows_access(self, user_id: int | None) -> bool:
        """Whether a read was made by someone of the actor's own units or centre."""
        return user_id in self.reader_ids


def partial_record(session: Session, actor: Actor, citizen_id: int) -> PartialRecord | None:
    """None when the actor sees the whole record, else what they see of it (403 when nothing)."""
    stay_ids = visible_stay_ids(session, actor, citizen_id)
    if stay_ids is None:
        return None
    return _partial(session, stay_ids, _readers(session, actor))


def operator_record(session: Session, operator: str | None, citizen_id: int) -> PartialRecord:
    """What one operator holds of a citizen (its own offers' stays, and reads by its own
    users): a right-of-access request is answered by each data controller for its part."""
    from del_tool.organisation.operators import operator_units, user_operators

    units = operator_units(session, operator)
    stays = session.exec(
        select(Stay.id).where(Stay.citizen_id == citizen_id, col(Stay.unit_id).in_(sorted(units)))
    ).all()
    readers = frozenset(u for u, code in user_operators(session).items() if code == operator)
    return _partial(session, frozenset(int(i) for i in stays if i is not None), readers)


def _partial(session: Session, stay_ids: frozenset[int], readers: frozenset[int]) -> PartialRecord:
    """The rows of `stay_ids` and the reads of `readers` as a PartialRecord."""
    ids = sorted(stay_ids)
    goals = session.exec(select(Goal.id).where(col(Goal.stay_id).in_(ids))).all()
    follow_ups = session.exec(select(FollowUp.id).where(col(FollowUp.stay_id).in_(ids))).all()
    reviews = session.exec(
        select(GoalReview.id).where(col(GoalReview.follow_up_id).in_(follow_ups))
    ).all()
    assessments = session.exec(
        select(Assessment.id).where(col(Assessment.follow_up_id).in_(follow_ups))
    ).all()
    scores = session.exec(
        select(AssessmentScore.id).where(col(AssessmentScore.assessment_id).in_(assessments))
    ).all()
    rows = {
        "stays": ids,
        "goals": goals,
        "follow_ups": follow_ups,
        "goal_reviews": reviews,
        "assessments": assessments,
        "assessment_scores": scores,
    }
    return PartialRecord(
        stay_ids=stay_ids,
        rows={name: frozenset(str(i) for i in values) for name, values in rows.items()},
        reader_ids=readers,
    )


def _readers(session: Session, actor: Actor) -> frozenset[int]:
    units = sorted(actor.scope.unit_ids or ())
    centres = select(Unit.centre_id).where(col(Unit.id).in_(units))
    staff = select(UserUnit.user_id).where(col(UserUnit.unit_id).in_(units))
    found = session.exec(
        select(User.id).where(or_(col(User.id).in_(staff), col(User.centre_id).in_(centres)))
    ).all()
    return frozenset(int(i) for i in found if i is not None) | {actor.user_id}
