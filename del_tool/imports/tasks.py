"""The commit of a confirmed import, as a job (DESIGN §8: the request path does no heavy work).

The job plans the stored file again and writes only when the plan is the one the user saw
(`batches.fingerprint`): when DEL's data changed meanwhile (a record imported before was edited
or erased, a likely duplicate appeared) the batch is REFUSED with a message and nothing is
written. The plan and the commit's preparation are made in a read session, without the write
lock, and the write transaction only publishes what was prepared (`commit.publish`: 3-5 s for
100,000 rows in the benchmark, against 9-14 s when the whole commit ran under the lock), while
the change history has nothing since the plan's snapshot that the plan depends on; otherwise it
plans again (`staged.run_staged`, the flow `del-tool import` follows too). The publish step
re-checks what it writes (a record to update still at the version read, the file's references
not written meanwhile) and refuses with nothing written. It also marks the batch DONE and drops
its file, so a batch is written once, however often the job runs (a retry, a second worker),
and a failure leaves nothing of it; its progress (the rows prepared) goes to the shared store
for the waiting page. What the job finally fails with is kept on the batch (FAILED), so the
page shows a message instead of waiting for ever.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from huey import crontab
from sqlmodel import Session, col, select

from del_tool.db import get_db, write_session
from del_tool.errors import ConflictError
from del_tool.imports.batches import batch_actor, read_progress, record_progress, strip_conflicts
from del_tool.imports.commit import publish
from del_tool.imports.models import ImportBatch, ImportFile, ImportState
from del_tool.imports.plan import Plan, plan_import
from del_tool.imports.staged import Ahead, ahead_of, run_staged
from del_tool.jobs import job
from del_tool.modelbase import utcnow

log = logging.getLogger(__name__)

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


#: A confirmed import with no sign of life for this long has lost its job (the worker stopped
#: in the middle, or the queue lost the message): the sweep queues its commit again.
STALLED_AFTER = timedelta(minutes=15)


@job(periodic=crontab(minute="*/5"))
def resume_stalled_imports(*, final_attempt: bool = True) -> int:
    """Queue the commit again of every import QUEUED or RUNNING without progress for
    STALLED_AFTER (since its last progress, or its confirmation); how many. A batch is written
    once however often its job runs, so a job that was only slow finds it written, or is
    refused by the batch's state, and costs no more than a plan."""
    from del_tool.jobs import get_jobs

    cutoff = (utcnow() - STALLED_AFTER).timestamp()
    with get_db().session(write=False) as session:
        waiting = session.exec(
            select(ImportBatch.id, ImportBatch.created_at).where(
                col(ImportBatch.state).in_((ImportState.QUEUED.value, ImportState.RUNNING.value))
            )
        ).all()
    stalled = 0
    for found_id, created_at in waiting:
        batch_id = int(found_id or 0)
        progress = read_progress(batch_id) or {}
        if float(progress.get("at", created_at.timestamp())) >= cutoff:
            continue
        log.warning("import %s: no progress for %s, queued again", batch_id, STALLED_AFTER)
        # A sign of life for the next sweep, which waits for this run.
        record_progress(batch_id, int(progress.get("done", 0)), int(progress.get("total", 0)))
        get_jobs().enqueue("commit_import", batch_id=batch_id)
        stalled += 1
    return stalled


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
        run_staged(_Job(batch_id, total))
    except Exception as exc:
        if final_attempt:
            log.exception("import %s failed", batch_id)
            _finish(batch_id, ImportState.FAILED, f"{type(exc).__name__}: {exc}")
        raise


class _Job:
    """The job's steps of `staged.run_staged` for one RUNNING batch."""

    def __init__(self, batch_id: int, total: int) -> None:
        self.batch_id, self.total = batch_id, total
        self.batch: ImportBatch | None = None
        self.stored: ImportFile | None = None

    def progress(self, done: int) -> None:
        """The rows prepared (or published) so far, for the waiting page."""
        record_progress(self.batch_id, done, self.total)

    def plan(self, session: Session) -> Ahead | None:
        """The stored file's plan, and the commit prepared from it when it is the plan the
        user saw; None when the batch is not RUNNING or its file or maker is gone."""
        batch = session.get(ImportBatch, self.batch_id)
        if batch is None or batch.state != ImportState.RUNNING:
            return None
        stored = session.get(ImportFile, self.batch_id)
        actor = batch_actor(session, batch)
        if stored is None or actor is None:
            return None

        def planned(reading: Session) -> Plan:
            return plan_import(
                reading,
                [(batch.file_name, stored.data)],
                scope=frozenset(batch.unit_ids),
                source=batch.source,
                user_id=batch.user_id,
                overwrite=batch.plan.get("overwrite", False),
            )

        def wanted(plan: Plan, seen: str) -> bool:
            return seen == batch.plan.get("fingerprint") and not (
                batch.all_or_nothing and plan.refused
            )

        return ahead_of(session, planned, actor=actor, wanted=wanted, progress=self.progress)

    def begin(self, session: Session) -> bool:
        """Hold the batch (FOR UPDATE); False when another run wrote or refused it
        meanwhile, or when its file or maker is gone (then it is REFUSED)."""
        batch = session.exec(
            select(ImportBatch).where(ImportBatch.id == self.batch_id).with_for_update()
        ).one_or_none()
        if batch is None or batch.state != ImportState.RUNNING:
            return False
        stored = session.get(ImportFile, self.batch_id)
        if stored is None or batch_actor(session, batch) is None:
            _refuse(session, batch, "file" if stored is None else "user")
            return False
        self.batch, self.stored = batch, stored
        return True

    def publish(self, session: Session, ahead: Ahead) -> None:
        """Publish `ahead` into the batch, or refuse it (a plan other than the user saw, a
        refused row with all or nothing, a change the publish step found)."""
        batch, stored = self.batch, self.stored
        if batch is None or stored is None:
            raise RuntimeError(f"import {self.batch_id}: published before it was held")
        strip_conflicts(batch)  # decided: the conflicts' values go, as the file does
        if ahead.fingerprint != batch.plan.get("fingerprint"):
            _refuse(session, batch, "changed")
            return
        if ahead.prepared is None:
            _refuse(session, batch, "refused_rows")
            return
        try:
            with session.begin_nested():
                publish(
                    session,
                    ahead.prepared,
                    file_name=batch.file_name,
                    digest=batch.file_hash,
                    all_or_nothing=batch.all_or_nothing,
                    batch=batch,
                    progress=self.progress,
                )
        except ConflictError:
            _refuse(session, batch, "changed")
            return
        session.delete(stored)


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
