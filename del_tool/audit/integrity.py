"""Integrity of the change history: the whole check behind `del-tool audit verify`, and erasure.

The keyed chain (`chain.walk_chain`) finds an altered, removed or forged event; the head row
kept by a database trigger (`AuditChainHead`) finds removal of the newest events; the witness's
signed checkpoints (`witness`) find truncation and rewrites of witnessed events even by a
holder of the MAC key; an erased event (its `changes` replaced by a digest) is valid only for a
citizen whose row is anonymised and whose history has a later, MAC'd anonymisation event.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import update
from sqlmodel import Session, col, select

from del_tool.audit.chain import (
    ERASED_KEY,
    ChainWalk,
    Finding,
    changes_digest,
    is_tombstone,
    walk_chain,
)
from del_tool.audit.keys import AuditKeys, audit_keys
from del_tool.audit.models import AuditChainHead, AuditEvent
from del_tool.audit.witness import Checkpoint, compare
from del_tool.citizens.models import Citizen

#: The history action that records an erasure; erased events must precede one for their citizen.
ANONYMISE_ACTION = "anonymise"


@dataclass(frozen=True, slots=True)
class ChainState:
    """What the chain holds: number of events, newest id and hash."""

    event_count: int
    last_id: int
    last_hash: str


@dataclass
class HistoryReport:
    """The chain's state, its problems (each fails `verify`) and notices (which do not)."""

    state: ChainState
    problems: list[Finding] = field(default_factory=list)
    notices: list[Finding] = field(default_factory=list)


def head_problems(session: Session, walk: ChainWalk) -> list[Finding]:
    """Differences between the trigger-kept head and the chain (removed newest events)."""
    head = session.get(AuditChainHead, 1)
    if head is None:
        return [Finding("head", detail="the chain head record is missing")]
    problems = []
    if head.event_count != walk.count:
        problems.append(
            Finding(
                "removed",
                span=(walk.last_id + 1, max(head.last_id, walk.last_id + 1)),
                detail=f"the head records {head.event_count} events but the history holds "
                f"{walk.count}: events were removed",
            )
        )
    elif (head.last_id, head.last_hash) != (walk.last_id, walk.last_hash):
        problems.append(
            Finding(
                "head",
                (head.last_id,),
                f"the newest event should be {head.last_id} ({head.last_hash[:12]}...)",
            )
        )
    return problems


def erasure_problems(session: Session) -> list[Finding]:
    """Erased events without a citizen, or whose citizen is not anonymised, row and history."""
    rows = session.exec(
        select(
            AuditEvent.id, AuditEvent.citizen_id, AuditEvent.action, AuditEvent.changes
        ).order_by(col(AuditEvent.id))
    ).all()
    last_anonymised: dict[int, int] = {}
    erased: list[tuple[int, int | None]] = []
    for event_id, citizen_id, action, changes in rows:
        if action == ANONYMISE_ACTION and citizen_id is not None:
            last_anonymised[citizen_id] = event_id or 0
        elif is_tombstone(changes):
            erased.append((event_id or 0, citizen_id))
    citizen_ids = {c for _e, c in erased if c is not None}
    anonymised = set(
        session.exec(
            select(Citizen.id).where(
                col(Citizen.id).in_(citizen_ids), col(Citizen.anonymised_at).is_not(None)
            )
        ).all()
    )
    found: dict[tuple[str, str], list[int]] = {}
    for event_id, citizen_id in erased:
        if citizen_id is None:
            key = ("erased-without-citizen", "an erased event that belongs to no citizen")
        elif citizen_id not in anonymised:
            key = ("erased-not-anonymised", f"citizen {citizen_id}'s row is not anonymised")
        elif last_anonymised.get(citizen_id, -1) < event_id:
            detail = f"erased without an anonymisation of citizen {citizen_id} after it"
            key = ("erased-without-anonymisation", detail)
        else:
            continue
        found.setdefault(key, []).append(event_id)
    return [Finding(kind, tuple(ids), detail) for (kind, detail), ids in found.items()]


def check_history(
    session: Session,
    *,
    keys: AuditKeys | None = None,
    checkpoints: Sequence[Checkpoint] | None = None,
) -> HistoryReport:
    """Every problem of the history; `checkpoints` None means no witness to compare with."""
    keys = keys or audit_keys()
    marks = [checkpoint.last_id for checkpoint in checkpoints or ()]
    walk = walk_chain(session, keys, marks=marks)
    report = HistoryReport(ChainState(walk.count, walk.last_id, walk.last_hash))
    report.problems = walk.findings() + head_problems(session, walk) + erasure_problems(session)
    report.notices = walk.legacy_notice()
    if checkpoints is not None:
        problems, notices = compare(walk, checkpoints)
        report.problems += problems
        report.notices += notices
    return report


def verify_history(session: Session) -> tuple[ChainState, list[str]]:
    """The chain's state and every integrity problem found without checkpoints (empty: intact)."""
    report = check_history(session)
    return report.state, [str(problem) for problem in report.problems]


def erase_citizen_history(session: Session, citizen_id: int) -> int:
    """Replace the `changes` of every event of a citizen by its digest (a tombstone).

    The citizen's row must already be anonymised (`anonymised_at` set and flushed): the
    database refuses a tombstone otherwise. Returns the number of events erased. The events'
    who, when and what-kind stay, so the history still shows that something happened, and the
    chain still verifies.
    """
    events = session.exec(select(AuditEvent).where(AuditEvent.citizen_id == citizen_id)).all()
    erased = 0
    for event in events:
        if is_tombstone(event.changes):
            continue
        tombstone = {ERASED_KEY: changes_digest(event.changes)}
        session.execute(
            update(AuditEvent).where(col(AuditEvent.id) == event.id).values(changes=tombstone)
        )
        erased += 1
    session.expire_all()
    return erased
