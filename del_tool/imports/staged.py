"""Writing an import with the write lock held only to publish: the flow that both the web
import's job (`tasks.commit_import`) and `del-tool import` (`cli`) follow.

The plan (reading and checking every row) and the commit's preparation
(`commit.prepare_commit`: every row, id, history event and reference made ready) are made in a
read session, on one snapshot noted by the history's newest event (`Ahead`). The write
transaction then takes the write lock and the history's lock and publishes what was prepared
(`commit.publish`, a few seconds for 100,000 rows) while the history has no event since that
snapshot that the plan depends on (`commit.changed_since`: a follow-up saved meanwhile for
another citizen does not count), so no save by staff waits for the plan or the preparation.
Otherwise it plans once more outside the lock, and after that under it, where the plan the
write checks is surely current. What the plan must be to be written (the one the user saw:
its `batches.fingerprint`) and what the write does around `publish` is the caller's (`Steps`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import func
from sqlmodel import Session, select

from del_tool.audit.models import AuditEvent
from del_tool.audit.services import lock_history
from del_tool.citizens.access import Actor
from del_tool.db import get_db, write_session
from del_tool.imports.batches import fingerprint
from del_tool.imports.commit import Prepared, changed_since, prepare_commit
from del_tool.imports.plan import Plan

#: Plans made outside the write lock before the last one is made under it.
OFF_LOCK_PLANS = 2


@dataclass(slots=True)
class Ahead:
    """A plan made and prepared (`commit.prepare_commit`) on one snapshot of DEL's data."""

    #: The newest history event's id when the plan was made.
    newest: int
    #: The plan's `batches.fingerprint`, taken before the preparation guessed new rows' ids.
    fingerprint: str
    plan: Plan
    #: None when the plan is not to be written (the caller's `wanted` said no).
    prepared: Prepared | None


class Steps(Protocol):
    """What a caller of `run_staged` does in each step."""

    def plan(self, session: Session) -> Ahead | None:
        """The plan and its preparation (`ahead_of`) in `session`: a read session, or the
        write transaction at the last try. None when there is nothing to plan (`begin`, in
        the write transaction, decides what then)."""

    def begin(self, session: Session) -> bool:
        """The write transaction's first step, before the history's lock is taken: False
        when the commit ends here (decided, and written if at all, by `begin` itself)."""

    def publish(self, session: Session, ahead: Ahead) -> None:
        """Write `ahead`, which is current, in the write transaction (`commit.publish`)."""


def newest_event(session: Session) -> int:
    """The id of the change history's newest event (0 when it has none)."""
    return int(session.exec(select(func.max(AuditEvent.id))).one() or 0)


def ahead_of(
    session: Session,
    make_plan: Callable[[Session], Plan],
    *,
    actor: Actor,
    wanted: Callable[[Plan, str], bool],
    progress: Callable[[int], None] | None = None,
) -> Ahead:
    """Plan in `session` (with the newest history event's id read first, so an event made
    while planning counts as made after the plan) and, when `wanted(plan, fingerprint)`,
    prepare its commit for `actor` (`progress(rows)` now and then while preparing)."""
    newest = newest_event(session)
    plan = make_plan(session)
    seen = fingerprint(plan)  # before the preparation gives new rows their (guessed) ids
    prepared = None
    if wanted(plan, seen):
        prepared = prepare_commit(session, plan, actor=actor, progress=progress)
    return Ahead(newest, seen, plan, prepared)


def run_staged(steps: Steps, *, first: Ahead | None = None) -> None:
    """Plan and prepare outside the write lock (a read session; `first` when the caller has
    made that plan already), then publish in one short write transaction if the history has
    no event since the plan's snapshot that the plan depends on; when it has, plan once more
    outside the lock, and after that under it. Each write transaction commits when its step
    returns (`db.write_session`) and rolls back when it raises."""
    for attempt in range(OFF_LOCK_PLANS + 1):
        final = attempt == OFF_LOCK_PLANS
        ahead = first if attempt == 0 else None
        if ahead is None and not final:
            with get_db().session(write=False) as reading:
                ahead = steps.plan(reading)
        with write_session() as session:
            if write_once(session, steps, ahead, final=final):
                return


def write_once(session: Session, steps: Steps, ahead: Ahead | None, *, final: bool) -> bool:
    """One write transaction's work (what holds the write lock): publish `ahead` while it is
    current (or, when `final`, as planned and prepared now, under the lock); False when the
    plan is stale and another try is due."""
    if not steps.begin(session):
        return True
    lock_history(session)  # PostgreSQL: no change slips in between this check and the write
    if not is_current(session, ahead):
        if not final:
            return False
        ahead = steps.plan(session)
        if ahead is None:
            raise RuntimeError("import: nothing to plan under the write lock")
    assert ahead is not None  # noqa: S101 - is_current or steps.plan saw to it
    steps.publish(session, ahead)
    return True


def is_current(session: Session, ahead: Ahead | None) -> bool:
    """Whether the plan made ahead still holds: no history event since its snapshot, or none
    it depends on (read under the history's lock)."""
    if ahead is None:
        return False
    if newest_event(session) == ahead.newest:
        return True
    return ahead.prepared is not None and not changed_since(session, ahead.newest, ahead.prepared)
