"""Queries behind the leaders' log pages: who looked at which citizen, and the sample review."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from del_tool.audit.models import AccessEvent, AccessReview, AuditEvent
from del_tool.auth.access import AccessDeniedError, NotFoundError
from del_tool.auth.models import User
from del_tool.citizens.access import Actor, citizen_in_scope_clause, get_citizen
from del_tool.citizens.merge import record_ids
from del_tool.citizens.models import Citizen
from del_tool.citizens.record_scope import partial_record
from del_tool.modelbase import utcnow

_system_random = random.SystemRandom()


@dataclass(frozen=True, slots=True)
class CitizenAccessCount:
    """A citizen in scope and how often their data was read in the period."""

    citizen_id: int
    name: str
    accesses: int


def access_counts(session: Session, actor: Actor, *, days: int) -> list[CitizenAccessCount]:
    """Citizens in the actor's scope with reads in the last `days` days, most read first."""
    since = utcnow() - timedelta(days=days)
    rows = session.exec(
        select(Citizen.id, Citizen.name, func.count(col(AccessEvent.id)))
        .join(AccessEvent, col(AccessEvent.citizen_id) == Citizen.id)
        .where(citizen_in_scope_clause(actor), col(AccessEvent.occurred_at) >= since)
        .group_by(col(Citizen.id), col(Citizen.name))
        .order_by(func.count(col(AccessEvent.id)).desc(), col(Citizen.id))
        .limit(500)
    ).all()
    return [CitizenAccessCount(int(i or 0), name, int(n)) for i, name, n in rows]


def citizen_log(session: Session, actor: Actor, citizen_id: int) -> dict[str, Any]:
    """The citizen (in scope), their change history and access log, with user names; cut to
    the stays of a former centre when the actor reaches the citizen only through one. The
    events of records merged into this one are shown with its own (`merge.record_ids`)."""
    citizen = get_citizen(session, actor, citizen_id)
    ids = record_ids(session, citizen_id)
    history = session.exec(
        select(AuditEvent).where(col(AuditEvent.citizen_id).in_(ids)).order_by(col(AuditEvent.id))
    ).all()
    access = session.exec(
        select(AccessEvent)
        .where(col(AccessEvent.citizen_id).in_(ids))
        .order_by(col(AccessEvent.id).desc())
    ).all()
    partial = partial_record(session, actor, citizen_id)
    if partial is not None:
        history = [e for e in history if partial.shows_event(e.entity, e.entity_id)]
        access = [e for e in access if partial.shows_access(e.user_id)]
    user_ids = {e.user_id for e in history if e.user_id is not None}
    user_ids |= {e.user_id for e in access if e.user_id is not None}
    users = session.exec(select(User.id, User.display_name).where(col(User.id).in_(user_ids)))
    return {"citizen": citizen, "history": history, "access": access, "users": dict(users.all())}


def access_sample(
    session: Session, actor: Actor, *, reviewer_id: int, days: int, size: int
) -> list[tuple[AccessEvent, str, str]]:
    """A random sample of recent, unreviewed reads by others of citizens in scope."""
    since = utcnow() - timedelta(days=days)
    reviewed = select(AccessReview.access_event_id)
    candidates = session.exec(
        select(AccessEvent.id)
        .join(Citizen, col(Citizen.id) == AccessEvent.citizen_id)
        .where(
            citizen_in_scope_clause(actor),
            col(AccessEvent.occurred_at) >= since,
            col(AccessEvent.id).not_in(reviewed),
            col(AccessEvent.user_id) != reviewer_id,
        )
    ).all()
    chosen = _system_random.sample(list(candidates), min(size, len(candidates)))
    rows = session.exec(
        select(AccessEvent, Citizen.name, User.display_name)
        .join(Citizen, col(Citizen.id) == AccessEvent.citizen_id)
        .join(User, col(User.id) == AccessEvent.user_id)
        .where(col(AccessEvent.id).in_(chosen))
        .order_by(col(AccessEvent.occurred_at).desc())
    ).all()
    return [(event, name, user) for event, name, user in rows]


def review_access(
    *, session: Session, actor: Actor, access_event_id: int, work_related: bool
) -> AccessReview:
    """Record the leader's verdict on one read of a citizen in scope; flushes, no commit."""
    event = session.get(AccessEvent, access_event_id)
    if event is None or event.citizen_id is None:
        raise NotFoundError(f"access event {access_event_id}")
    get_citizen(session, actor, event.citizen_id)  # raises unless the citizen is in scope
    if event.user_id == actor.user_id:
        raise AccessDeniedError("a leader does not review their own reads")
    existing = session.exec(
        select(AccessReview).where(AccessReview.access_event_id == access_event_id)
    ).first()
    review = existing or AccessReview(
        access_event_id=access_event_id, reviewer_id=actor.user_id, work_related=work_related
    )
    review.reviewer_id, review.work_related, review.reviewed_at = (
        actor.user_id,
        work_related,
        utcnow(),
    )
    session.add(review)
    session.flush()
    return review
