"""Anonymisation of a citizen: personal data and free text go, scores stay for statistics.

What remains is a tombstone: the citizen row with sex, target group and birth decade, the
stays, goal levels and scores with their dates coarsened to the month (`coarsen`, unless
`ANONYMISE_COARSEN_DATES` is off), and in the history the who/when/what-kind of every event
with its values replaced by their digest, followed by one "anonymise" event. This is
pseudonymisation more than anonymity: unit, payer, sex, birth decade, months and scores stay,
and someone who knows the person's stays could still pick the record out.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, has_app_context
from sqlalchemy import delete, event
from sqlmodel import Session, col, select

from del_tool.audit.integrity import ANONYMISE_ACTION, erase_citizen_history
from del_tool.audit.services import record_change
from del_tool.auth.access import NotFoundError
from del_tool.citizens.models import Citizen, Stay, StayPurpose
from del_tool.followups.models import FollowUp, GoalReview
from del_tool.goals.models import Goal
from del_tool.modelbase import utcnow
from del_tool.security.privacy.coarsen import coarsen_citizen_dates
from del_tool.selfreport.models import SelfReportSession
from del_tool.store import get_store

ANONYMISED_NAME = "Anonymiseret"
ANONYMISED_TITLE = "(anonymiseret)"


@dataclass(frozen=True, slots=True)
class Anonymisation:
    """What one anonymisation changed."""

    citizen_id: int
    already: bool
    history_events_erased: int = 0
    dates_coarsened: bool = False


def anonymise_citizen(
    *, session: Session, citizen_id: int, user_id: int | None, coarsen_dates: bool | None = None
) -> Anonymisation:
    """Remove the citizen's personal data and free text, coarsen their dates to the month
    (`coarsen_dates`, default the `ANONYMISE_COARSEN_DATES` setting); flushes, never commits."""
    citizen = session.get(Citizen, citizen_id)
    if citizen is None:
        raise NotFoundError(f"citizen {citizen_id}")
    if citizen.anonymised_at is not None:
        return Anonymisation(citizen_id, already=True)
    citizen.name = ANONYMISED_NAME
    citizen.case_reference = None
    citizen.birth_year = max(1900, citizen.birth_year // 10 * 10)
    citizen.anonymised_at = utcnow()
    session.add(citizen)
    # The database allows tombstones only for a citizen whose row is anonymised.
    session.flush()
    erased = erase_citizen_history(session, citizen_id)
    for goal in session.exec(select(Goal).where(Goal.citizen_id == citizen_id)):
        goal.title = ANONYMISED_TITLE
        goal.description = ""
        goal.gas_minus2 = goal.gas_minus1 = goal.gas_zero = goal.gas_plus1 = goal.gas_plus2 = None
        session.add(goal)
    stay_ids = select(Stay.id).where(Stay.citizen_id == citizen_id)
    for purpose in session.exec(select(StayPurpose).where(col(StayPurpose.stay_id).in_(stay_ids))):
        purpose.text = ANONYMISED_TITLE
        session.add(purpose)
    follow_ups = session.exec(select(FollowUp).where(FollowUp.citizen_id == citizen_id)).all()
    for follow_up in follow_ups:
        follow_up.note = ""
        session.add(follow_up)
    ids = [f.id for f in follow_ups]
    # The self-report screen's sessions: the answers they carried are in the assessments.
    session.execute(
        delete(SelfReportSession).where(col(SelfReportSession.citizen_id) == citizen_id)
    )
    for review in session.exec(select(GoalReview).where(col(GoalReview.follow_up_id).in_(ids))):
        review.note = ""
        session.add(review)
    session.flush()
    if coarsen_dates is None:
        coarsen_dates = not has_app_context() or bool(
            current_app.config.get("ANONYMISE_COARSEN_DATES", True)
        )
    if coarsen_dates:
        coarsen_citizen_dates(session=session, citizen_id=citizen_id)
    record_change(
        session=session,
        user_id=user_id,
        action=ANONYMISE_ACTION,
        entity="citizens",
        entity_id=citizen_id,
        citizen_id=citizen_id,
        changes={
            "anonymised": [False, True],
            "history_events_erased": [0, erased],
            "dates_coarsened": [False, coarsen_dates],
        },
    )
    event.listen(session, "after_commit", _erase_stored_builds, once=True)
    from del_tool.logs import security_event

    security_event(
        "erasure.anonymised", citizen_id=citizen_id, user_id=user_id, history_events=erased
    )
    return Anonymisation(citizen_id, False, erased, coarsen_dates)


def _erase_stored_builds(_session: Session) -> None:
    """Once the anonymisation is committed, forget every stored build, file and chart: they
    may hold the citizen's name (the privacy version already stops them being served)."""
    if has_app_context():
        get_store().clear()
