"""Undoing an import (#18 item 5): by the leader who made it, as a whole, while nothing else has
changed its records since.

"Nothing else" is read from two places: each record's version (`Versioned`) must be the one the
commit left (`ImportBatch.result["versions"]`), and the change history must have no later event
on those records or on their citizens (a follow-up, a goal, an edit, a merge, a later import); a
stay the import created must have no goals, purposes, follow-ups, special services or referrals,
a purpose it created no goals, a goal or follow-up it created no reviews or assessments, that
the import did not make itself. When something changed, the undo is refused with a message
naming what. Otherwise, in the caller's transaction: the records it updated get their values
from before (the old values of its own "update" events in the history), those it created are
removed (each before what it belongs to: scale scores, assessments, reviews, follow-ups, goals,
purposes, stays, citizens), each with its history entry as a form's change writes it, the
references go back to what they were, and one event "import_undone" names the batch and lists
what was removed and restored. The chain check (`del-tool audit verify`) accepts these as any
other events: they are appended through `audit.services`. The checks are in `undo_checks`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Date, DateTime
from sqlalchemy import Enum as SAEnum
from sqlmodel import Session, SQLModel, col, select

from del_tool.audit.models import AuditEvent
from del_tool.audit.services import record_change, snapshot
from del_tool.citizens import history
from del_tool.citizens.access import Actor
from del_tool.imports.models import ImportBatch, ImportReference, ImportState
from del_tool.imports.undo_checks import MODELS, NAMED, changed, chunks, citizen_of, records
from del_tool.modelbase import utcnow

#: The history action of an undo.
UNDO_ACTION = "import_undone"


class UndoRefusedError(ValueError):
    """The import cannot be undone; the message (translated) says why."""


def undo_batch(session: Session, batch: ImportBatch, *, actor: Actor) -> int:
    """Undo `batch` for `actor` (its maker); flushes, never commits. How many records were
    removed or restored. Raises UndoRefusedError (nothing changed) when it cannot be undone."""
    session.refresh(batch, with_for_update=True)
    if batch.user_id != actor.user_id:
        raise UndoRefusedError(_("Kun den, der lavede indlæsningen, kan fortryde den."))
    if batch.state != ImportState.DONE or batch.undone_at is not None or not batch.result:
        raise UndoRefusedError(_("Kun en gemt indlæsning, der ikke er fortrudt, kan fortrydes."))
    if not all(actor.allows_unit(unit_id) for unit_id in batch.unit_ids):
        raise UndoRefusedError(_("Indlæsningen gælder tilbud, du ikke længere har adgang til."))
    result = batch.result
    rows = records(session, result)
    changes = changed(session, result, rows)
    if changes:
        named = "; ".join(changes[:NAMED])
        more = len(changes) - NAMED
        text = _(
            "Indlæsningen kan ikke fortrydes, for der er ændret noget siden: %(changes)s.",
            changes=named,
        )
        if more > 0:
            text += " " + _("Og %(count)s ændringer mere.", count=more)
        raise UndoRefusedError(text)
    restored = _restore(session, actor, result, rows)
    removed = _remove(session, actor, result, rows)
    _references(session, result)
    record_change(
        session=session,
        user_id=actor.user_id,
        action=UNDO_ACTION,
        entity=ImportBatch.__tablename__,
        entity_id=batch.id,
        citizen_id=None,
        changes={"removed": [None, removed], "restored": [None, restored]},
    )
    batch.state, batch.undone_at = ImportState.UNDONE.value, utcnow()
    session.add(batch)
    session.flush()
    return sum(len(v) for v in removed.values()) + sum(len(v) for v in restored.values())


def _restore(
    session: Session, actor: Actor, result: dict[str, Any], rows: dict[str, dict[int, Any]]
) -> dict[str, list[int]]:
    """Give the records the import updated their values from before (its history events)."""
    restored: dict[str, list[int]] = {}
    span = (int(result["history"]["after"]), int(result["history"]["import"]))
    for kind, ids in result["updated"].items():
        restored[kind] = []
        for chunk in chunks(sorted(ids)):
            events = session.exec(
                select(AuditEvent)
                .where(
                    col(AuditEvent.id) > span[0],
                    col(AuditEvent.id) < span[1],
                    col(AuditEvent.entity) == kind,
                    col(AuditEvent.action) == "update",
                    col(AuditEvent.entity_id).in_([str(i) for i in chunk]),
                )
                .order_by(col(AuditEvent.id).desc())
            ).all()
            before: dict[int, dict[str, Any]] = {}
            for event in events:  # newest first, so the oldest value wins
                values = before.setdefault(int(event.entity_id), {})
                values.update({name: change[0] for name, change in event.changes.items()})
            for entity_id, values in sorted(before.items()):
                row = rows[kind][entity_id]
                typed = {name: _typed(type(row), name, value) for name, value in values.items()}
                citizen_id = citizen_of(session, kind, row)
                history.update(session, actor, row, typed, citizen_id=citizen_id)
                restored[kind].append(entity_id)
    return restored


def _typed(model: type[SQLModel], name: str, value: Any) -> Any:
    """A history value (JSON) as the column's Python value."""
    if value is None:
        return None
    column_type = model.__table__.columns[name].type  # type: ignore[attr-defined]
    if isinstance(column_type, SAEnum) and column_type.enum_class is not None:
        return column_type.enum_class(value)
    if isinstance(column_type, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(column_type, Date):
        return date.fromisoformat(value)
    return value


def _remove(
    session: Session, actor: Actor, result: dict[str, Any], rows: dict[str, dict[int, Any]]
) -> dict[str, list[int]]:
    """Remove what the import created, each record before those it belongs to (scores before
    assessments, ..., goals before purposes, stays before citizens), each with its history
    entry."""
    removed: dict[str, list[int]] = {}
    for kind in MODELS:
        if kind not in result["created"]:
            continue
        removed[kind] = []
        for entity_id in sorted(result["created"][kind]):
            row = rows[kind][entity_id]
            citizen_id = citizen_of(session, kind, row)
            record_change(
                session=session,
                user_id=actor.user_id,
                action="delete",
                entity=kind,
                entity_id=entity_id,
                citizen_id=citizen_id,
                changes={k: [v, None] for k, v in snapshot(row).items()},
            )
            session.delete(row)
            removed[kind].append(entity_id)
        session.flush()
    return removed


def _references(session: Session, result: dict[str, Any]) -> None:
    """The references the import created go; those it changed get their earlier state."""
    created = sorted(result["references"]["created"])
    for chunk in chunks(created):
        for ref in session.exec(
            select(ImportReference).where(col(ImportReference.id).in_(chunk))
        ).all():
            session.delete(ref)
    for key, (row_hash, import_id) in result["references"]["updated"].items():
        changed = session.get(ImportReference, int(key))
        if changed is not None:
            changed.row_hash, changed.import_id = row_hash, import_id
            session.add(changed)
    session.flush()
