"""Integrity of the change history: the whole-chain check and erasure tombstones.

The chain (`services.verify_chain`) detects an altered or removed event in the middle; the head
row kept by a database trigger (`AuditChainHead`) detects removal of the newest events; an erased
event (its `changes` replaced by a digest) is valid only when the citizen was anonymised later.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from del_tool.audit.models import AuditChainHead, AuditEvent
from del_tool.audit.services import ERASED_KEY, GENESIS_HASH, changes_digest, verify_chain

#: The history action that records an erasure; erased events must precede one for their citizen.
ANONYMISE_ACTION = "anonymise"


@dataclass(frozen=True, slots=True)
class ChainState:
    """What the chain holds: number of events, newest id and hash."""

    event_count: int
    last_id: int
    last_hash: str


def chain_state(session: Session) -> ChainState:
    """Count, newest id and newest hash of the stored events."""
    count = session.exec(select(func.count()).select_from(AuditEvent)).one()
    last = session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(1)).first()
    if last is None:
        return ChainState(0, 0, GENESIS_HASH)
    return ChainState(int(count), int(last.id or 0), last.hash)


def head_problems(session: Session, state: ChainState) -> list[str]:
    """Differences between the trigger-kept head and the chain (removed newest events)."""
    head = session.get(AuditChainHead, 1)
    if head is None:
        return ["the chain head record is missing"]
    problems = []
    if head.event_count != state.event_count:
        problems.append(
            f"the head records {head.event_count} events but the history holds "
            f"{state.event_count}: events were removed"
        )
    if (head.last_id, head.last_hash) != (state.last_id, state.last_hash):
        problems.append(f"the newest event should be {head.last_id} ({head.last_hash[:12]}...)")
    return problems


def erasure_problems(session: Session) -> list[str]:
    """Erased events whose citizen has no later anonymisation event."""
    rows = session.exec(
        select(AuditEvent.id, AuditEvent.citizen_id, AuditEvent.action, AuditEvent.changes)
        .where(col(AuditEvent.citizen_id).is_not(None))
        .order_by(col(AuditEvent.id))
    ).all()
    last_anonymised: dict[int, int] = {}
    erased: list[tuple[int, int]] = []
    for event_id, citizen_id, action, changes in rows:
        if event_id is None or citizen_id is None:
            continue
        if action == ANONYMISE_ACTION:
            last_anonymised[citizen_id] = event_id
        elif set(changes) == {ERASED_KEY}:
            erased.append((event_id, citizen_id))
    return [
        f"event {event_id}: erased without an anonymisation of its citizen"
        for event_id, citizen_id in erased
        if last_anonymised.get(citizen_id, -1) < event_id
    ]


def verify_history(session: Session) -> tuple[ChainState, list[str]]:
    """The chain's state and every integrity problem found (empty when intact)."""
    state = chain_state(session)
    problems = verify_chain(session) + head_problems(session, state) + erasure_problems(session)
    return state, problems


def erase_citizen_history(session: Session, citizen_id: int) -> int:
    """Replace the `changes` of every event of a citizen by its digest (a tombstone).

    Returns the number of events erased. The events' who, when and what-kind stay, so the
    history still shows that something happened, and the chain still verifies.
    """
    events = session.exec(select(AuditEvent).where(AuditEvent.citizen_id == citizen_id)).all()
    erased = 0
    for event in events:
        if set(event.changes) == {ERASED_KEY}:
            continue
        tombstone = {ERASED_KEY: changes_digest(event.changes)}
        session.execute(
            update(AuditEvent).where(col(AuditEvent.id) == event.id).values(changes=tombstone)
        )
        erased += 1
    session.expire_all()
    return erased
