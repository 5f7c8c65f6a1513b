"""Undoing an import (#18 item 5): by the leader who made it, as a whole, while nothing else has
changed its records since.

"Nothing else" is read from two places: each record's version (`Versioned`) must be the one the
commit left (`ImportBatch.result["versions"]`), and the change history must have no later event
on those records or on their citizens (a follow-up, a goal, an edit, a merge, a later import); a
stay the import created must have no goals, follow-ups, special services or referrals, a goal or
follow-up it created no reviews or assessments, that the import did not make itself. When
something changed, the undo is refused with a message naming what. Otherwise, in the caller's
transaction: the records it updated get their values from before (the old values of its own
"update" events in the history), those it created are removed (each before what it belongs to:
scale scores, assessments, reviews, follow-ups, goals, stays, citizens), each with its history
entry as a form's change writes it, the references go back to what they were, and one event
"import_undone" names the batch and lists what was removed and restored. The chain check (`del-
tool audit verify`) accepts these as any other events: they are appended through
`audit.services`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Date, DateTime
from sqlalchemy import Enum as SAEnum
from sqlmodel import Session, SQLModel, col, or_, select

from del_tool.audit.models import AuditEvent
from del_tool.audit.services import record_change, snapshot
from del_tool.citizens import history
from del_tool.citizens.access import Actor
from del_tool.citizens.models import Citizen, Stay, StayService
from del_tool.followups.models import Assessment, AssessmentScore, FollowUp, GoalReview
from del_tool.goals.models import Goal
from del_tool.i18n import format_day
from del_tool.imports.commit_records import SCORES
from del_tool.imports.models import ImportBatch, ImportReference, ImportState
from del_tool.imports.sheets import Kind
from del_tool.modelbase import LOCAL_TIMEZONE, utcnow
from del_tool.organisation.models import Referral

#: The history action of an undo.
UNDO_ACTION = "import_undone"
#: At most this many changes are named in a refusal.
NAMED = 5
#: Ids are looked up in chunks of this many (the bound-parameter limit of SQLite).
CHUNK = 500
#: The records an import writes, by their table, in the order an undo removes them.
MODELS: dict[str, type[Any]] = {
    SCORES: AssessmentScore,
    Kind.ANSWERS.value: Assessment,
    Kind.REVIEWS.value: GoalReview,
    Kind.FOLLOWUPS.value: FollowUp,
    Kind.GOALS.value: Goal,
    Kind.STAYS.value: Stay,
    Kind.CITIZENS.value: Citizen,
}


class UndoRefusedError(ValueError):
    """The import cannot be undone; the message (translated) says why."""


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


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
    rows = _records(session, result)
    changed = _changed(session, result, rows)
    if changed:
        named = "; ".join(changed[:NAMED])
        more = len(changed) - NAMED
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


def _records(session: Session, result: dict[str, Any]) -> dict[str, dict[int, Any]]:
    """The records the import created or updated, as they are now (gone ones absent)."""
    found: dict[str, dict[int, Any]] = {}
    for kind, model in MODELS.items():
        ids = sorted(set(result["created"].get(kind, [])) | set(result["updated"].get(kind, [])))
        found[kind] = {}
        for chunk in _chunks(ids):
            for row in session.exec(select(model).where(col(model.id).in_(chunk))).all():
                found[kind][int(row.id)] = row
    return found


def _changed(
    session: Session, result: dict[str, Any], rows: dict[str, dict[int, Any]]
) -> list[str]:
    """What changed since the import, one short phrase each (empty: it can be undone)."""
    changes: list[str] = []
    for kind, versions in result["versions"].items():
        for key, version in versions.items():
            row = rows[kind].get(int(key))
            if row is None:
                changes.append(_("%(record)s er slettet", record=_name(kind, int(key))))
            elif int(row.version) != int(version):
                changes.append(_("%(record)s er ændret", record=_name(kind, int(key))))
    for model, parent, kind, label in (
        (Goal, "stay_id", Kind.STAYS, _("et eller flere mål")),
        (FollowUp, "stay_id", Kind.STAYS, _("opfølgninger")),
        (StayService, "stay_id", Kind.STAYS, _("særydelser")),
        (Referral, "stay_id", Kind.STAYS, _("en henvendelse")),
        (GoalReview, "goal_id", Kind.GOALS, _("målvurderinger")),
        (GoalReview, "follow_up_id", Kind.FOLLOWUPS, _("målvurderinger")),
        (Assessment, "follow_up_id", Kind.FOLLOWUPS, _("skemaer")),
    ):
        # Records under what the import created that the import did not create itself.
        own = set(result["created"].get(model.__tablename__, []))
        parents = sorted(result["created"].get(kind.value, []))
        for chunk in _chunks(parents):
            for child_id, parent_id in session.exec(
                select(model.id, getattr(model, parent)).where(
                    col(getattr(model, parent)).in_(chunk)
                )
            ).all():
                if child_id not in own:
                    changes.append(
                        _(
                            "%(record)s har nu %(what)s",
                            record=_name(kind.value, parent_id),
                            what=label,
                        )
                    )
    changes += _later_events(session, result, rows)
    return list(dict.fromkeys(changes))


def _later_events(
    session: Session, result: dict[str, Any], rows: dict[str, dict[int, Any]]
) -> list[str]:
    """History events after the import on its records or their citizens."""
    citizens = {
        _citizen_of(session, kind, row) for kind, found in rows.items() for row in found.values()
    }
    entities = [
        (
            kind,
            [
                str(i)
                for i in sorted(
                    set(result["created"].get(kind, [])) | set(result["updated"].get(kind, []))
                )
            ],
        )
        for kind in MODELS
    ]
    after = int(result["history"]["import"])
    conditions: list[Any] = [
        col(AuditEvent.citizen_id).in_(chunk) for chunk in _chunks(sorted(citizens))
    ]
    for kind, ids in entities:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            conditions.append(
                (col(AuditEvent.entity) == kind) & col(AuditEvent.entity_id).in_(chunk)
            )
    if not conditions:
        return []
    events = session.exec(
        select(AuditEvent)
        .where(col(AuditEvent.id) > after, or_(*conditions))
        .order_by(col(AuditEvent.id))
        .limit(50)
    ).all()
    return [
        _(
            "%(record)s: %(action)s %(day)s",
            record=_name(e.entity, e.entity_id),
            action=_action(e.action),
            day=format_day(e.occurred_at.astimezone(LOCAL_TIMEZONE).date()),
        )
        for e in events
    ]


def _name(entity: str, entity_id: Any) -> str:
    labels = {
        "citizens": _("borger"),
        "stays": _("ophold"),
        "goals": _("mål"),
        "follow_ups": _("opfølgning"),
        "goal_reviews": _("målvurdering"),
        "assessments": _("skema"),
        SCORES: _("skemascore"),
    }
    return f"{labels.get(entity, entity)} {entity_id}"


def _action(action: str) -> str:
    labels = {
        "create": _("oprettet"),
        "update": _("ændret"),
        "delete": _("slettet"),
        "merge": _("lagt sammen"),
        "import": _("indlæst igen"),
        "anonymise": _("anonymiseret"),
    }
    return labels.get(action, action)


def _restore(
    session: Session, actor: Actor, result: dict[str, Any], rows: dict[str, dict[int, Any]]
) -> dict[str, list[int]]:
    """Give the records the import updated their values from before (its history events)."""
    restored: dict[str, list[int]] = {}
    span = (int(result["history"]["after"]), int(result["history"]["import"]))
    for kind, ids in result["updated"].items():
        restored[kind] = []
        for chunk in _chunks(sorted(ids)):
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
                citizen_id = _citizen_of(session, kind, row)
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
    assessments, ..., stays before citizens), each with its history entry."""
    removed: dict[str, list[int]] = {}
    for kind in MODELS:
        if kind not in result["created"]:
            continue
        removed[kind] = []
        for entity_id in sorted(result["created"][kind]):
            row = rows[kind][entity_id]
            citizen_id = _citizen_of(session, kind, row)
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


def _citizen_of(session: Session, kind: str, row: Any) -> int:
    """The citizen a record belongs to (reviews, assessments and scores via their follow-up)."""
    if kind == Kind.CITIZENS.value:
        return int(row.id)
    if hasattr(row, "citizen_id"):
        return int(row.citizen_id)
    if hasattr(row, "assessment_id"):
        row = session.get(Assessment, row.assessment_id)
    follow_up = session.get(FollowUp, row.follow_up_id)
    assert follow_up is not None  # noqa: S101 - a foreign key
    return int(follow_up.citizen_id)


def _references(session: Session, result: dict[str, Any]) -> None:
    """The references the import created go; those it changed get their earlier state."""
    created = sorted(result["references"]["created"])
    for chunk in _chunks(created):
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
