"""The commit of a confirmed import, as a job (DESIGN §8: the request path does no heavy work).

The job plans the stored file again and writes only when the plan is the one the user saw
(`batches.fingerprint`): when DEL's data changed meanwhile (a record imported before was edited
or erased, a likely duplicate appeared) the batch is REFUSED with a message and nothing is
written. The plan (most of the time: reading and checking every row) and the commit's
preparation (`commit.prepare_commit`: every row, id, history event and reference made ready)
are made in a read session, without the write lock; the write transaction then takes the lock
and publishes what was prepared (`commit.publish`: 3-5 s for 100,000 rows in the benchmark,
against 9-14 s when the whole commit ran under the lock) only while the change history has no
event since the plan's snapshot that the plan depends on (`commit.changed_since`; every change
of citizen and organisation data writes one; a follow-up saved meanwhile for another citizen
does not count), so no save by staff waits for the plan or the preparation. Otherwise it plans
once more outside the lock, and then under it. The publish step re-checks what it writes (a
record to update still at the version read, the file's references not written meanwhile) and
refuses with nothing written. It also marks the batch DONE and drops its file, so a batch is
written once, however often the job runs (a retry, a second worker), and a failure leaves
nothing of it; its progress (the rows prepared) goes to the shared store for the waiting page.
What the job finally fails with is kept on the batch (FAILED), so the page shows a message
instead of waiting for ever.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlmodel import Session, select

from del_tool.audit.models import AuditEvent
from del_tool.audit.services import lock_history
from del_tool.db import get_db, write_session
from del_tool.errors import ConflictError
from del_tool.imports.batches import batch_actor, fingerprint, record_progress, strip_conflicts
from del_tool.imports.commit import Prepared, changed_since, prepare_commit, publish
from del_tool.imports.models import ImportBatch, ImportFile, ImportState
from del_tool.imports.plan import Plan, plan_import
from del_tool.jobs import job
from del_tool.modelbase import utcnow

log = logging.getLogger(__name__)
#: Plans made outside the write lock before the commit plans under it.
OFF_LOCK_PLANS = 2

#: Why a confirmed import wrote nothing (`ImportBatch.message` holds the key).
REFUSALS = {
    "changed": _l(
        "Data i DEL er ændret siden prøvekørslen (en borger eller et ophold fra filen er "
        "ændret, slettet eller oprettet, eller en borger, der ligner en i filen, er kommet "
        "til), så prøvekørslen holder ikke længere. Intet er gemt. Læg filen op igen for en "
        "ny prøvekørsel."
    ),
    "refused_rows": _l("Mindst én række er afvist, og du valgte alle rækker eller ingen."),
    "user": _l(
        "Du har ikke længere adgang til alle de tilbud, indlæsningen gælder. Intet er gemt."
    ),
    "file": _l("Filen er ikke gemt længere. Læg den op igen."),
}


@job(retries=2, retry_delay=10, priority=60)
def commit_import(*, batch_id: int, final_attempt: bool) -> None:
    """Write a confirmed (QUEUED) import; a batch in any other state is left as it is."""
    with write_session() as session:
        batch = session.get(ImportBatch, batch_id)
        if batch is None or batch.state not in (ImportState.QUEUED, ImportState.RUNNING):
            return
        batch.state = ImportState.RUNNING.value
        total = int(batch.plan.get("rows", 0))
    record_progress(batch_id, 0, total)
    try:
        _commit(batch_id, total)
    except Exception as exc:
        if final_attempt:
            log.exception("import %s failed", batch_id)
            _finish(batch_id, ImportState.FAILED, f"{type(exc).__name__}: {exc}")
        raise


@dataclass(slots=True)
class Ahead:
    """A plan made and prepared (`commit.prepare_commit`) on one snapshot of DEL's data."""

    #: The newest history event's id when the plan was made.
    newest: int
    fingerprint: str
    plan: Plan
    #: None when the plan is not to be written (it differs from the one the user saw, or it
    #: refuses rows and the user chose all or nothing).
    prepared: Prepared | None


def _planned(session: Session, batch_id: int, total: int) -> Ahead | str | None:
    """The stored file's plan, read in one snapshot with the newest history event's id, and
    the commit prepared from it; or why the batch is refused (a key of REFUSALS); None when it
    is no longer RUNNING. The preparation's progress goes to the waiting page."""
    batch = session.get(ImportBatch, batch_id)
    if batch is None or batch.state != ImportState.RUNNING:
        return None
    stored = session.get(ImportFile, batch_id)
    if stored is None:
        return "file"
    actor = batch_actor(session, batch)
    if actor is None:
        return "user"
    newest = int(session.exec(select(func.max(AuditEvent.id))).one() or 0)
    plan = plan_import(
        session,
        [(batch.file_name, stored.data)],
        scope=frozenset(batch.unit_ids),
        source=batch.source,
        user_id=batch.user_id,
        overwrite=batch.plan.get("overwrite", False),
    )
    seen = fingerprint(plan)  # before the preparation gives new rows their (guessed) ids
    prepared = None
    if seen == batch.plan.get("fingerprint") and not (batch.all_or_nothing and plan.refused):
        prepared = prepare_commit(
            session, plan, actor=actor, progress=lambda done: record_progress(batch_id, done, total)
        )
    return Ahead(newest, seen, plan, prepared)


def _commit(batch_id: int, total: int) -> None:
    """Plan and prepare outside the write lock (a read session), then publish in one short
    write transaction if DEL's history has no event since the plan's snapshot that the plan
    depends on (`commit.changed_since`); when it has, plan once more outside the lock, and
    after that under it (the plan the write checks is then surely current)."""
    for attempt in range(OFF_LOCK_PLANS + 1):
        final = attempt == OFF_LOCK_PLANS
        ahead: Ahead | str | None = None
        if not final:
            with get_db().session(write=False) as reading:
                ahead = _planned(reading, batch_id, total)
        with write_session() as session:
            if _write(session, batch_id, total, ahead, final=final):
                return


def _current(session: Session, ahead: Ahead | str | None) -> bool:
    """Whether the plan made ahead still holds: no history event since its snapshot, or none
    it depends on (read under the history's lock)."""
    if not isinstance(ahead, Ahead):
        return False
    newest = int(session.exec(select(func.max(AuditEvent.id))).one() or 0)
    if newest == ahead.newest:
        return True
    return ahead.prepared is not None and not changed_since(session, ahead.newest, ahead.prepared)


def _write(
    session: Session,
    batch_id: int,
    total: int,
    ahead: Ahead | str | None,
    *,
    final: bool,
) -> bool:
    """Publish the batch as prepared `ahead` while the history has nothing since that the
    plan depends on (or as planned and prepared now when `final`); False when the plan is
    stale and another try is due."""
    batch = session.exec(
        select(ImportBatch).where(ImportBatch.id == batch_id).with_for_update()
    ).one_or_none()
    if batch is None or batch.state != ImportState.RUNNING:
        return True  # written (or refused) by another run meanwhile
    stored = session.get(ImportFile, batch_id)
    actor = batch_actor(session, batch)
    if stored is None or actor is None:
        _refuse(session, batch, "file" if stored is None else "user")
        return True
    lock_history(session)  # PostgreSQL: no change slips in between this check and the write
    if not _current(session, ahead):
        if not final:
            return False
        ahead = _planned(session, batch_id, total)  # RUNNING, its file and actor are held
        if not isinstance(ahead, Ahead):
            raise RuntimeError(f"import {batch_id}: cannot plan under the lock ({ahead})")
    assert isinstance(ahead, Ahead)  # noqa: S101 - _current or _planned saw to it
    strip_conflicts(batch)  # decided: the conflicts' values go, as the file does
    if ahead.fingerprint != batch.plan.get("fingerprint"):
        _refuse(session, batch, "changed")
        return True
    if ahead.prepared is None:
        _refuse(session, batch, "refused_rows")
        return True
    try:
        with session.begin_nested():
            publish(
                session,
                ahead.prepared,
                file_name=batch.file_name,
                digest=batch.file_hash,
                all_or_nothing=batch.all_or_nothing,
                batch=batch,
                progress=lambda done: record_progress(batch_id, done, total),
            )
    except ConflictError:
        _refuse(session, batch, "changed")
        return True
    session.delete(stored)
    return True


def _refuse(session: Session, batch: ImportBatch, reason: str) -> None:
    """End the batch as REFUSED for `reason` (a key of REFUSALS); its file goes."""
    batch.state, batch.message, batch.finished_at = ImportState.REFUSED.value, reason, utcnow()
    strip_conflicts(batch)
    session.add(batch)
    stored = session.get(ImportFile, batch.id)
    if stored is not None:
        session.delete(stored)


def _finish(batch_id: int, state: ImportState, message: str) -> None:
    """End the batch in `state` with a one-line `message` (its own transaction)."""
    with write_session() as session:
        batch = session.get(ImportBatch, batch_id)
        if batch is None or batch.state not in (ImportState.QUEUED, ImportState.RUNNING):
            return
        batch.state, batch.finished_at = state.value, utcnow()
        strip_conflicts(batch)
        batch.message = message.splitlines()[0][:300] if message else ""
        stored = session.get(ImportFile, batch_id)
        if stored is not None:
            session.delete(stored)
