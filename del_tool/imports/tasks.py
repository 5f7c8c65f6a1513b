"""The commit of a confirmed import, as a job (DESIGN §8: the request path does no heavy work).

The job plans the stored file again and writes only when the plan is the one the user saw
(`batches.fingerprint`): when DEL's data changed meanwhile (a record imported before was edited
or erased, a likely duplicate appeared) the batch is REFUSED with a message and nothing is
written. The plan (most of the time: reading and checking every row) is made in a read session,
without the write lock; the write then takes the lock and goes ahead with that plan only while
the change history has no event newer than the plan's snapshot (every change of citizen and
organisation data writes one), so no save by staff waits for the plan. Otherwise it plans once
more outside the lock, and then under it. The write is `commit.commit_plan` in one transaction
(bulk inserts: 9-14 s for 100,000 rows in the benchmark), which also marks the batch DONE and
drops its file, so a batch is written once, however often the job runs (a retry, a second
worker), and a failure leaves nothing of it; its progress goes to the shared store for the
waiting page. What the job finally fails with is kept on the batch (FAILED), so the page shows
a message instead of waiting for ever.
"""

from __future__ import annotations

import logging

from flask_babel import lazy_gettext as _l
from sqlalchemy import func
from sqlmodel import Session, select

from del_tool.audit.models import AuditEvent
from del_tool.audit.services import lock_history
from del_tool.db import get_db, write_session
from del_tool.errors import ConflictError
from del_tool.imports.batches import batch_actor, fingerprint, record_progress, strip_conflicts
from del_tool.imports.commit import commit_plan
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


def _planned(session: Session, batch_id: int) -> tuple[int, Plan] | str | None:
    """The newest history event's id and the stored file's plan, read in one snapshot; or why
    the batch is refused (a key of REFUSALS); None when it is no longer RUNNING."""
    batch = session.get(ImportBatch, batch_id)
    if batch is None or batch.state != ImportState.RUNNING:
        return None
    stored = session.get(ImportFile, batch_id)
    if stored is None:
        return "file"
    if batch_actor(session, batch) is None:
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
    return newest, plan


def _commit(batch_id: int, total: int) -> None:
    """Plan outside the write lock (a read session), then write in one short transaction if
    DEL's history has no event since the plan's snapshot; when it has, plan once more outside
    the lock, and after that under it (the plan the write checks is then surely current)."""
    for attempt in range(OFF_LOCK_PLANS + 1):
        final = attempt == OFF_LOCK_PLANS
        ahead: tuple[int, Plan] | str | None = None
        if not final:
            with get_db().session(write=False) as reading:
                ahead = _planned(reading, batch_id)
        with write_session() as session:
            if _write(session, batch_id, total, ahead, final=final):
                return


def _write(
    session: Session,
    batch_id: int,
    total: int,
    ahead: tuple[int, Plan] | str | None,
    *,
    final: bool,
) -> bool:
    """Write the batch with the plan made `ahead` while no history event came since (or with
    one made now when `final`); False when the plan is stale and another try is due."""
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
    newest = int(session.exec(select(func.max(AuditEvent.id))).one() or 0)
    if isinstance(ahead, tuple) and ahead[0] == newest:
        plan = ahead[1]
    elif not final:
        return False
    else:
        now = _planned(session, batch_id)  # a plan: RUNNING, its file and actor are held
        if not isinstance(now, tuple):
            raise RuntimeError(f"import {batch_id}: cannot plan under the lock ({now})")
        plan = now[1]
    strip_conflicts(batch)  # decided: the conflicts' values go, as the file does
    if fingerprint(plan) != batch.plan.get("fingerprint"):
        _refuse(session, batch, "changed")
        return True
    if batch.all_or_nothing and plan.refused:
        _refuse(session, batch, "refused_rows")
        return True
    try:
        with session.begin_nested():
            commit_plan(
                session,
                plan,
                actor=actor,
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
