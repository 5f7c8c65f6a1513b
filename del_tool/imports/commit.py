"""Writing a planned import (issue #18 item 4, first part): citizens and stays in the caller's
transaction (then goals, follow-ups, reviews and answers, `commit_records`), each with its entry
in the change history under the importing user as a form save writes it, in bulk: each sheet's
new rows in a few INSERTs and all the entries in one append (`bulk.BulkWriter`); one more
history entry, action "import", names the batch and
every record it created or updated (the import as their source). The checks are the dry run's
(`plan`), which apply the stay form's rules to the import's unit scope: the services' own scope
rule would refuse a history of stays that ended long ago. Each written row's `ImportReference`
(source, sheet, external reference -> record, row hash) is created or brought up to date, so the
same file imported again writes nothing. What was written is kept on the batch
(`ImportBatch.result`: the records created and updated with their versions, the references
created and the earlier state of those updated, the span of the history events), so the import
can be undone (`undo`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from del_tool.audit.models import AuditEvent
from del_tool.audit.services import record_change
from del_tool.citizens.access import Actor
from del_tool.citizens.models import Citizen, Stay
from del_tool.citizens.services import CitizenData
from del_tool.errors import ConflictError
from del_tool.imports.bulk import BulkWriter, insert_rows
from del_tool.imports.commit_records import MODELS, SCORES, scores_written, write_records
from del_tool.imports.models import ImportBatch, ImportReference, ImportState
from del_tool.imports.plan import Plan, PlannedRow, _references
from del_tool.imports.sheets import CitizenRow, Kind, StayRow
from del_tool.modelbase import utcnow

#: The history action of an import.
IMPORT_ACTION = "import"
#: The progress callback is called after every this many rows.
PROGRESS_EVERY = 250


class CommitRefusedError(ValueError):
    """The plan may not be written as it is (refused rows with all-or-nothing)."""


def shown_kinds(plan: Plan) -> list[Kind]:
    """The kinds an import's counts and result name: citizens and stays, and every other kind
    the files have a sheet of."""
    return [k for k in Kind if k in plan.kinds or k in (Kind.CITIZENS, Kind.STAYS)]


@dataclass(slots=True)
class Written:
    """Ids of the records an import created and updated, per kind (and the scale scores of its
    assessments, `commit_records.SCORES`); the versions of the versioned ones after the write;
    the references it created, and those it changed with their earlier (row hash, import id)."""

    kinds: list[Kind] = field(default_factory=lambda: list(Kind))
    created: dict[str, list[int]] = field(default_factory=dict)
    updated: dict[str, list[int]] = field(default_factory=dict)
    versions: dict[str, dict[str, int]] = field(default_factory=dict)
    new_references: list[int] = field(default_factory=list)
    old_references: dict[str, list[Any]] = field(default_factory=dict)
    #: The references imported before of the rows to update, read at once (kind, ref) -> row.
    known: dict[tuple[Kind, str], ImportReference] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for kind in self.kinds:
            self.created.setdefault(kind.value, [])
            self.updated.setdefault(kind.value, [])
            self.versions.setdefault(kind.value, {})

    def wrote_all(self, session: Session, kind: Kind, rows: list[PlannedRow]) -> None:
        """Note the records `rows` created and updated (written and flushed), with the
        versions of the versioned ones."""
        model = MODELS[kind.value]
        versioned = "version" in model.__table__.columns
        for planned in rows:
            if planned.action not in ("create", "update"):
                continue
            entity_id = _id(planned.entity_id)
            created = planned.action == "create"
            (self.created if created else self.updated).setdefault(kind.value, []).append(entity_id)
            if versioned:
                version = 1 if created else _get(session, model, entity_id).version
                self.versions.setdefault(kind.value, {})[str(entity_id)] = int(version)

    def as_result(self, history: tuple[int, int]) -> dict[str, Any]:
        """The batch's `result`."""
        return {
            "created": self.created,
            "updated": self.updated,
            "versions": self.versions,
            "references": {"created": self.new_references, "updated": self.old_references},
            "history": {"after": history[0], "import": history[1]},
        }


def file_hash(data: bytes) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(data).hexdigest()


def commit_plan(
    session: Session,
    plan: Plan,
    *,
    actor: Actor,
    file_name: str,
    digest: str,
    all_or_nothing: bool,
    batch: ImportBatch | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportBatch:
    """Write the accepted rows of `plan` (none if `all_or_nothing` and any row is refused)
    into `batch` (default: a new one), which is DONE after; flushes, never commits.

    `progress(rows)` is called now and then with the rows written so far. Raises ConflictError
    when a record imported before is gone since the plan was made (the caller rolls back).
    """
    if all_or_nothing and plan.refused:
        raise CommitRefusedError("refused rows")
    if batch is None:
        batch = ImportBatch(
            user_id=actor.user_id, file_name=file_name[:200], file_hash=digest, source=plan.source
        )
    batch.summary = {k.value: vars_of(plan.counts[k]) for k in shown_kinds(plan)}
    batch.all_or_nothing = all_or_nothing
    batch.unit_ids = sorted(plan.scope)
    session.add(batch)
    session.flush()
    batch_id = _id(batch.id)
    newest = session.exec(select(func.max(AuditEvent.id))).one()
    history_after = int(newest or 0)
    written = Written(kinds=shown_kinds(plan))
    for kind in Kind:
        updates = [r.data.external_ref for r in plan.accepted(kind) if r.action == "update"]
        if updates:
            found = _references(session, plan.source, kind, updates)
            written.known.update({(kind, ref): row for ref, row in found.items()})
    done = 0

    def step(rows: int = 1) -> None:
        nonlocal done
        before, done = done, done + rows
        if progress is not None and before // PROGRESS_EVERY != done // PROGRESS_EVERY:
            progress(done)

    bulk = BulkWriter(session, actor.user_id)
    citizens: dict[str, int] = _earlier_citizens(session, plan)
    rows = plan.accepted(Kind.CITIZENS)
    new = [r for r in rows if r.action == "create"]
    values = [asdict(_citizen(r.data)) for r in new]
    for planned, entity_id in zip(new, bulk.insert(Citizen, values), strict=True):
        planned.entity_id = entity_id
    for planned in rows:
        if planned.action == "update":
            citizen = _get(session, Citizen, planned.entity_id)
            bulk.update(citizen, asdict(_citizen(planned.data)), citizen_id=citizen.id)
    bulk.flush()
    for planned in rows:
        assert planned.entity_id is not None  # noqa: S101 - created or imported before
        citizens[planned.data.external_ref] = planned.entity_id
    written.wrote_all(session, Kind.CITIZENS, rows)
    step(len(rows))
    stays = [r for r in plan.accepted(Kind.STAYS) if r.action != "unchanged"]
    new = [r for r in stays if r.action == "create"]
    owners = [citizens[r.data.citizen_ref] for r in new]
    values = [{"citizen_id": c, **_stay_values(r.data)} for r, c in zip(new, owners, strict=True)]
    for planned, entity_id in zip(new, bulk.insert(Stay, values, owners), strict=True):
        planned.entity_id = entity_id
    for planned in stays:
        if planned.action == "update":
            stay = _get(session, Stay, planned.entity_id)
            citizen_id = citizens[planned.data.citizen_ref]
            bulk.update(stay, _stay_values(planned.data), citizen_id=citizen_id)
    bulk.flush()
    written.wrote_all(session, Kind.STAYS, stays)
    step(len(plan.accepted(Kind.STAYS)))
    write_records(session, plan, actor=actor, written=written, bulk=bulk, step=step)
    bulk.write_history()
    _write_references(session, plan, batch_id, written)
    if Kind.ANSWERS in plan.kinds:
        scores = scores_written(session, after=history_after, user_id=actor.user_id)
        written.created[SCORES], written.updated[SCORES] = scores["create"], scores["update"]
    event = record_change(
        session=session,
        user_id=actor.user_id,
        action=IMPORT_ACTION,
        entity=ImportBatch.__tablename__,
        entity_id=batch_id,
        citizen_id=None,
        changes={
            "file_name": [None, batch.file_name],
            "source": [None, batch.source],
            "created": [None, written.created],
            "updated": [None, written.updated],
        },
    )
    session.flush()
    batch.result = written.as_result((history_after, _id(event.id)))
    batch.state = ImportState.DONE.value
    batch.message = None
    batch.finished_at = utcnow()
    session.add(batch)
    session.flush()
    if progress is not None:
        progress(done)
    return batch


def vars_of(counts: Any) -> dict[str, int]:
    """A Counts as a plain dict."""
    return {k: int(getattr(counts, k)) for k in ("create", "update", "unchanged", "refused")}


def _id(value: int | None) -> int:
    if value is None:
        raise RuntimeError("a stored row has no id")
    return value


def _earlier_citizens(session: Session, plan: Plan) -> dict[str, int]:
    """Citizen references of stays whose citizen was imported before (not in this file)."""
    refs = {r.data.citizen_ref for r in plan.accepted(Kind.STAYS)}
    found = session.exec(
        select(ImportReference).where(
            col(ImportReference.source) == plan.source,
            col(ImportReference.sheet) == Kind.CITIZENS.value,
            col(ImportReference.external_ref).in_(sorted(refs)),
        )
    ).all()
    return {r.external_ref: r.entity_id for r in found}


def _citizen(data: CitizenRow) -> CitizenData:
    return CitizenData(
        name=data.name,
        birth_year=data.birth_year,
        sex=data.sex,
        target_group=data.target_group,
        case_reference=data.case_reference,
    )


def _stay_values(data: StayRow) -> dict[str, Any]:
    """The stay's columns from the file (the contact person is DEL's own, left as it is)."""
    return {
        "unit_id": data.unit_id,
        "municipality_code": data.municipality_code,
        "legal_section": data.legal_section,
        "start_date": data.start_date,
        "end_date": data.end_date,
        "tariff_level": data.tariff_level,
    }


def _get(session: Session, model: Any, entity_id: int | None) -> Any:
    """The record an earlier import wrote (the plan saw it; a concurrent erasure is a conflict)."""
    row = session.get(model, entity_id) if entity_id is not None else None
    if row is None:
        raise ConflictError(f"{model.__tablename__} {entity_id}: gone since the dry run")
    return row


def _write_references(session: Session, plan: Plan, batch_id: int, written: Written) -> None:
    """Bring the written rows' references up to date (those imported before, read at once
    into `written.known`) and add the new rows' (a new row has none: the plan saw to that),
    in a few INSERTs; their ids go to `written.new_references`."""
    new: list[dict[str, Any]] = []
    for planned in plan.rows:
        if planned.action == "unchanged" or planned.entity_id is None:
            continue
        ref = written.known.get((planned.kind, planned.data.external_ref))
        if ref is None:
            new.append(
                {
                    "source": plan.source,
                    "sheet": planned.kind.value,
                    "external_ref": planned.data.external_ref,
                    "entity": planned.kind.value,  # the record's table
                    "entity_id": planned.entity_id,
                    "row_hash": planned.row_hash,
                    "import_id": batch_id,
                }
            )
            continue
        written.old_references[str(ref.id)] = [ref.row_hash, ref.import_id]
        ref.row_hash, ref.import_id = planned.row_hash, batch_id
        session.add(ref)
    session.flush()
    table: Any = ImportReference.__table__  # type: ignore[attr-defined]
    written.new_references += insert_rows(session, table, new)
