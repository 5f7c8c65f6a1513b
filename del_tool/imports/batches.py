"""Imports uploaded on the web: the planned batch (its file and what its dry run showed), its
fingerprint, the step to the queue, the commit's progress, and the plans left unconfirmed.

An upload is planned at once (`plan_upload`) and kept as an `ImportBatch` in state PLANNED with
its file in `ImportFile` (server-side, never in the session cookie) and a record of what the dry
run showed (`plan_record`): counts, refusals with their translated reasons, and the likely
duplicates as citizen ids only (their names are read from DEL when the page is shown, so the
record holds no one's personal data). The record's fingerprint covers every row's action,
record and hash, every refusal and every duplicate: the commit plans again and writes only when
the fingerprint is the same (`tasks.commit_import`).
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from del_tool.auth.scope import Scope
from del_tool.citizens.access import Actor, ident
from del_tool.imports.commit import file_hash, shown_kinds, vars_of
from del_tool.imports.conflicts import Conflict
from del_tool.imports.models import ImportBatch, ImportFile, ImportState
from del_tool.imports.plan import Plan, plan_import
from del_tool.imports.sheets import SHEETS
from del_tool.modelbase import utcnow
from del_tool.store import get_store

#: At most this many refusals are kept for the page (all count in the fingerprint).
MAX_REFUSALS_SHOWN = 1000
#: A planned import not confirmed within this many hours is dropped (with its file).
PLAN_HOURS = 24
#: Seconds the commit's progress is kept in the shared store.
PROGRESS_SECONDS = 24 * 3600


def fingerprint(plan: Plan) -> str:
    """SHA-256 of what the plan would do: each accepted row's kind, reference, action, record
    and hash, each refusal's place, each likely duplicate."""
    rows = [
        [
            r.kind.value,
            r.data.external_ref,
            "conflict" if r.conflict else r.action,  # whichever way the user chooses
            r.entity_id,
            r.row_hash,
        ]
        for r in plan.rows
    ]
    refusals = sorted([r.sheet, r.row, r.column] for r in plan.refusals)
    duplicates = sorted([d.sheet, d.row, d.similar.citizen_id] for d in plan.duplicates)
    text = json.dumps([rows, refusals, duplicates], separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def plan_record(plan: Plan) -> dict[str, Any]:
    """What the page shows of a dry run (reasons translated now, in the uploader's language)."""
    refusals = [
        {"sheet": r.sheet, "row": r.row, "column": r.column, "reason": str(r.reason)}
        for r in plan.refusals[:MAX_REFUSALS_SHOWN]
    ]
    return {
        "counts": {k.value: vars_of(plan.counts[k]) for k in shown_kinds(plan)},
        "refusals": refusals,
        "conflicts": [conflict_record(c) for c in plan.conflicts[:MAX_REFUSALS_SHOWN]],
        "conflict_count": len(plan.conflicts),
        "refusal_count": len(plan.refusals),
        "duplicates": [
            {"sheet": d.sheet, "row": d.row, "citizen_id": d.similar.citizen_id}
            for d in plan.duplicates
        ],
        "ignored_columns": [list(pair) for pair in plan.ignored_columns],
        "ignored_sheets": list(plan.ignored_sheets),
        "rows": len(plan.rows),
        "fingerprint": fingerprint(plan),
    }


def conflict_record(conflict: Conflict) -> dict[str, Any]:
    """A conflict as the dry run's page shows it: where, the record, and per column the file's
    value and DEL's. The values are citizen data: `strip_conflicts` drops them once the import
    is decided, as its file is dropped."""
    spec = SHEETS[conflict.kind]
    return {
        "key": conflict.choice_key,
        "sheet": conflict.sheet,
        "row": conflict.row,
        "citizen_id": conflict.citizen_id,
        "fields": [
            [str(spec.column(name).header), ours, theirs] for name, ours, theirs in conflict.fields
        ],
    }


def strip_conflicts(batch: ImportBatch) -> None:
    """Drop the conflicts' values from a decided import's record (their places stay)."""
    listed = batch.plan.get("conflicts")
    if listed:
        kept = [{k: v for k, v in c.items() if k != "fields"} for c in listed]
        batch.plan = {**batch.plan, "conflicts": kept}


def plan_upload(
    session: Session,
    *,
    user_id: int,
    file_name: str,
    data: bytes,
    scope: frozenset[int],
    all_or_nothing: bool,
) -> ImportBatch:
    """Plan an uploaded file for `scope` and keep it as a PLANNED batch with its file; flushes.

    Raises ReadError (nothing kept) when the file cannot be read at all.
    """
    plan = plan_import(session, [(file_name, data)], scope=scope, user_id=user_id)
    batch = ImportBatch(
        user_id=user_id,
        file_name=file_name[:200],
        file_hash=file_hash(data),
        source=plan.source,
        summary={k.value: vars_of(plan.counts[k]) for k in shown_kinds(plan)},
        state=ImportState.PLANNED.value,
        unit_ids=sorted(scope),
        all_or_nothing=all_or_nothing,
        plan=plan_record(plan),
    )
    session.add(batch)
    session.flush()
    session.add(ImportFile(batch_id=ident(batch.id), data=data))
    session.flush()
    return batch


def own_batch(session: Session, batch_id: int, *, user_id: int) -> ImportBatch | None:
    """The batch `batch_id` if `user_id` made it (anyone else's is None: a 404)."""
    batch = session.get(ImportBatch, batch_id)
    if batch is None or batch.user_id != user_id:
        return None
    return batch


def batches_of(session: Session, *, user_id: int) -> list[ImportBatch]:
    """The user's imports, newest first."""
    return list(
        session.exec(
            select(ImportBatch)
            .where(col(ImportBatch.user_id) == user_id)
            .order_by(col(ImportBatch.id).desc())
        ).all()
    )


def can_commit(batch: ImportBatch) -> bool:
    """Whether a planned batch would write anything when confirmed."""
    plan = batch.plan
    if batch.all_or_nothing and plan.get("refusal_count"):
        return False
    return bool(plan.get("rows"))


def mark_queued(session: Session, batch: ImportBatch) -> bool:
    """Move a PLANNED batch to QUEUED (once: a second confirmation finds it queued); flushes."""
    moved = session.execute(
        update(ImportBatch)
        .where(col(ImportBatch.id) == batch.id, col(ImportBatch.state) == ImportState.PLANNED)
        .values(state=ImportState.QUEUED.value)
    )
    session.flush()
    session.refresh(batch)
    return bool(getattr(moved, "rowcount", 0))


def drop_expired(session: Session) -> int:
    """Delete planned batches older than PLAN_HOURS, with their files; how many."""
    before = utcnow() - timedelta(hours=PLAN_HOURS)
    ids = list(
        session.exec(
            select(ImportBatch.id).where(
                col(ImportBatch.state) == ImportState.PLANNED,
                col(ImportBatch.created_at) < before,
            )
        ).all()
    )
    if ids:
        session.execute(delete(ImportFile).where(col(ImportFile.batch_id).in_(ids)))
        session.execute(delete(ImportBatch).where(col(ImportBatch.id).in_(ids)))
        session.flush()
    return len(ids)


def progress_key(batch_id: int) -> str:
    """Where the commit's progress is kept in the shared store."""
    return f"import-progress:{batch_id}"


def record_progress(batch_id: int, done: int, total: int) -> None:
    """Note that `done` of `total` rows are written (read by the waiting page), and when: the
    sweep of stalled imports reads that as the job's last sign of life."""
    get_store().put_json(
        progress_key(batch_id),
        {"done": done, "total": total, "at": utcnow().timestamp()},
        PROGRESS_SECONDS,
    )


def read_progress(batch_id: int) -> dict[str, int] | None:
    """The commit's progress ({"done", "total"}), or None before it starts."""
    found = get_store().get_json(progress_key(batch_id))
    return found if isinstance(found, dict) else None


def batch_actor(session: Session, batch: ImportBatch) -> Actor | None:
    """The batch's maker as an Actor scoped to the batch's units, or None when the maker is
    gone, inactive, or no longer reaches every one of those units."""
    from del_tool.auth.models import User

    user = session.get(User, batch.user_id) if batch.user_id is not None else None
    if user is None or not user.active:
        return None
    actor = Actor.of(user, session=session)
    units = frozenset(batch.unit_ids)
    if not actor.has_citizen_access or not all(actor.allows_unit(u) for u in units):
        return None
    return Actor(user_id=actor.user_id, scope=Scope(unit_ids=units))
