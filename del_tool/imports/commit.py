"""Writing a planned import (issue #18 item 4): citizens and stays (then goals, follow-ups,
reviews and answers, `commit_records`), each with its entry in the change history under the
importing user as a form save writes it; one more history entry, action "import", names the
batch and every record it created or updated (the import as their source). The checks are the
dry run's (`plan`), which apply the stay form's rules to the import's unit scope: the
services' own scope rule would refuse a history of stays that ended long ago.

The commit comes in two steps so that the write lock is held only for a short one.
`prepare_commit` only reads (a read session will do): it makes every new row with its
defaults and a guessed id, every update with the record as read, every history event with its
covered content, in memory (`bulk.Staging`; about 180 MB for 100,000 rows). `publish`, in the
write transaction, takes the real ids (shifting the rows and events that used guessed ones when
someone else inserted meanwhile), inserts each table's rows in one executemany or COPY, checks
and writes the updates, appends the events to the chain (only their MACs are computed under
its lock), and the references; what changed since the preparation (a record to update gone or
at another version, the same rows imported meanwhile) is a ConflictError with nothing written.
`commit_plan` does both in one session.

Each written row's `ImportReference` (source, sheet, external reference -> record, row hash)
is created or brought up to date, so the same file imported again writes nothing. What was
written is kept on the batch (`ImportBatch.result`: the records created and updated with their
versions, the references created and the earlier state of those updated, the span of the
history events), so the import can be undone (`undo`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from del_tool.audit.models import AuditEvent
from del_tool.audit.services import record_change
from del_tool.citizens.access import Actor
from del_tool.citizens.models import Citizen, Stay
from del_tool.citizens.services import CitizenData
from del_tool.errors import ConflictError
from del_tool.imports.bulk import Staging, insert_rows, load_fresh
from del_tool.imports.commit_records import MODELS, SCORES, scores_written, write_records
from del_tool.imports.models import ImportBatch, ImportReference, ImportState
from del_tool.imports.plan import Plan, PlannedRow, _references
from del_tool.imports.plan_parents import load
from del_tool.imports.sheets import CitizenRow, Kind, StayRow
from del_tool.modelbase import utcnow

#: The history action of an import.
IMPORT_ACTION = "import"
#: The progress callback is called after every this many rows.
PROGRESS_EVERY = 250
#: History events on these records may change any plan (duplicates, overlaps, the scope).
INDEPENDENT_OF_NOTHING = frozenset({Citizen.__tablename__, Stay.__tablename__})


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

    def settle(
        self,
        bulk: Staging,
        rows: list[tuple[PlannedRow, str]],
        versions: dict[tuple[str, int], int],
    ) -> None:
        """Note the records the written `rows` created and updated (after `bulk.publish`: the
        real ids), with the versions of the versioned ones."""
        seen: set[tuple[str, int]] = set()
        for planned, table in rows:
            if planned.kind is Kind.ANSWERS or planned.action not in ("create", "update"):
                continue  # an assessment is noted once, by `commit_records`
            entity_id = bulk.real_id(table, _id(planned.entity_id))
            created = planned.action == "create"
            if (table, entity_id) in seen:
                continue
            seen.add((table, entity_id))
            (self.created if created else self.updated).setdefault(table, []).append(entity_id)
            if "version" in MODELS[table].__table__.columns:
                version = 1 if created else versions[(table, entity_id)]
                self.versions.setdefault(table, {})[str(entity_id)] = int(version)
        answers = Kind.ANSWERS.value
        if answers in self.created:
            self.created[answers] = [bulk.real_id(answers, i) for i in self.created[answers]]

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


@dataclass(slots=True)
class Prepared:
    """An import's writes, prepared without writing (`prepare_commit`), for `publish`."""

    plan: Plan
    actor: Actor
    staging: Staging
    written: Written
    #: The rows of the file written: (row, table of its record); their references follow.
    rows: list[tuple[PlannedRow, str]]
    #: The stored citizens the import writes records of or for (a change of theirs since
    #: the preparation makes it stale: `changed_since`).
    citizens: set[int]
    #: The rows prepared so far, as the progress counts them.
    done: int = 0


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
    into `batch` (default: a new one), which is DONE after; flushes, never commits: the
    preparation (`prepare_commit`) and the publish step (`publish`) in one session.

    `progress(rows)` is called now and then with the rows prepared so far. Raises
    ConflictError when a record imported before is gone or changed since the plan was made
    (the caller rolls back).
    """
    if all_or_nothing and plan.refused:
        raise CommitRefusedError("refused rows")
    prepared = prepare_commit(session, plan, actor=actor, progress=progress)
    return publish(
        session,
        prepared,
        file_name=file_name,
        digest=digest,
        all_or_nothing=all_or_nothing,
        batch=batch,
        progress=progress,
    )


def prepare_commit(
    session: Session,
    plan: Plan,
    *,
    actor: Actor,
    progress: Callable[[int], None] | None = None,
) -> Prepared:
    """Prepare the writes of the accepted rows of `plan`, only reading `session` (so a read
    session does, and no write lock is held): every new row with its defaults and a guessed
    id, every update with the record as it was read, every history event with its content
    (`bulk.Staging`), and the references to write. Sets each accepted row's `entity_id`
    (a guessed id for a new record). `progress(rows)` is called every PROGRESS_EVERY rows.
    Raises ConflictError when a record imported before is gone since the plan was made.
    """
    written = Written(kinds=shown_kinds(plan))
    for kind in Kind:
        updates = [r.data.external_ref for r in plan.accepted(kind) if r.action == "update"]
        if updates:
            found = _references(session, plan.source, kind, updates)
            written.known.update({(kind, ref): row for ref, row in found.items()})
    bulk = Staging(session, actor.user_id)
    prepared = Prepared(plan, actor, bulk, written, [], set())

    def step(rows: int = 1) -> None:
        before = prepared.done
        prepared.done += rows
        if progress is not None and before // PROGRESS_EVERY != prepared.done // PROGRESS_EVERY:
            progress(prepared.done)

    citizens: dict[str, int] = _earlier_citizens(session, plan)
    rows = plan.accepted(Kind.CITIZENS)
    new = [r for r in rows if r.action == "create"]
    values = [asdict(_citizen(r.data)) for r in new]
    for planned, entity_id in zip(new, bulk.insert(Citizen, values), strict=True):
        planned.entity_id = entity_id
    updates = [r for r in rows if r.action == "update"]
    stored = _stored(session, Citizen, updates)
    for planned in updates:
        citizen = stored[_id(planned.entity_id)]
        bulk.update(citizen, asdict(_citizen(planned.data)), citizen_id=citizen.id)
        prepared.citizens.add(_id(citizen.id))
    for planned in rows:
        assert planned.entity_id is not None  # noqa: S101 - created or imported before
        citizens[planned.data.external_ref] = planned.entity_id
    step(len(rows))
    stays = [r for r in plan.accepted(Kind.STAYS) if r.action != "unchanged"]
    new = [r for r in stays if r.action == "create"]
    owners = [citizens[r.data.citizen_ref] for r in new]
    values = [{"citizen_id": c, **_stay_values(r.data)} for r, c in zip(new, owners, strict=True)]
    for planned, entity_id in zip(new, bulk.insert(Stay, values, owners), strict=True):
        planned.entity_id = entity_id
    updates = [r for r in stays if r.action == "update"]
    stored = _stored(session, Stay, updates)
    for planned in updates:
        stay = stored[_id(planned.entity_id)]
        bulk.update(stay, _stay_values(planned.data), citizen_id=citizens[planned.data.citizen_ref])
    step(len(plan.accepted(Kind.STAYS)))
    write_records(session, plan, actor=actor, written=written, bulk=bulk, step=step)
    for planned in plan.rows:
        if planned.action != "unchanged" and planned.entity_id is not None:
            prepared.rows.append((planned, MODELS[planned.kind.value].__tablename__))
    prepared.citizens |= {
        int(e.fields["citizen_id"]) for e in bulk.events if e.fields["citizen_id"] is not None
    }
    prepared.citizens -= set(bulk.owners.get(Citizen.__tablename__, {}))
    if progress is not None:
        progress(prepared.done)
    return prepared


def publish(
    session: Session,
    prepared: Prepared,
    *,
    file_name: str,
    digest: str,
    all_or_nothing: bool,
    batch: ImportBatch | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportBatch:
    """Write what `prepare_commit` prepared, in the caller's write transaction (the short
    step that holds the write lock): the batch, the real ids, the rows, the checked updates,
    the history events, the references and the "import" event; `batch` (default: a new one)
    is DONE after. Flushes, never commits.

    Raises ConflictError, with nothing written, when something changed since the
    preparation: a record to update gone or changed (its version moved), a reference of a
    row to create already there (the same file imported meanwhile), a record pointed to gone.
    """
    plan, actor, bulk, written = prepared.plan, prepared.actor, prepared.staging, prepared.written
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
    dialect = session.get_bind().dialect
    driver: Any = dialect.dbapi
    refused: tuple[type[BaseException], ...] = (IntegrityError, driver.IntegrityError)
    try:
        with session.begin_nested():
            versions = bulk.publish(session)
            _write_references(session, prepared, batch_id)
            written.settle(bulk, prepared.rows, versions)
            for planned, _table in prepared.rows:
                planned.entity_id = bulk.real_id(_table, _id(planned.entity_id))
            if Kind.ANSWERS in plan.kinds:
                scores = scores_written(session, after=history_after, user_id=actor.user_id)
                written.created[SCORES], written.updated[SCORES] = (
                    scores["create"],
                    scores["update"],
                )
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
    except refused as exc:
        raise ConflictError(f"import: {type(exc).__name__} since the dry run") from exc
    batch.result = written.as_result((history_after, _id(event.id)))
    batch.state = ImportState.DONE.value
    batch.message = None
    batch.finished_at = utcnow()
    session.add(batch)
    session.flush()
    if progress is not None:
        progress(prepared.done)
    return batch


def changed_since(session: Session, newest: int, prepared: Prepared) -> bool:
    """Whether the change history has an event after `newest` (the plan's snapshot) that the
    plan may depend on: any not on a record of one citizen (organisation, users, another
    import), any on a citizen or a stay (a likely duplicate, a stay that now overlaps or
    brings a citizen into the scope), any on a stored citizen the import writes for. A
    follow-up, goal or assessment saved meanwhile for another citizen is not such an event."""
    query = select(AuditEvent.entity, AuditEvent.citizen_id).where(col(AuditEvent.id) > newest)
    for entity, citizen_id in session.exec(query).all():
        if citizen_id is None or entity in INDEPENDENT_OF_NOTHING:
            return True
        if int(citizen_id) in prepared.citizens:
            return True
    return False


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


def _stored(session: Session, model: Any, rows: list[PlannedRow]) -> dict[int, Any]:
    """The records earlier imports wrote that `rows` update (the plan saw them; one erased
    since is a conflict)."""
    stored = load(session, model, [_id(r.entity_id) for r in rows])
    for planned in rows:
        if planned.entity_id not in stored:
            raise ConflictError(
                f"{model.__tablename__} {planned.entity_id}: gone since the dry run"
            )
    return stored


def _write_references(session: Session, prepared: Prepared, batch_id: int) -> None:
    """Bring the written rows' references up to date (those imported before, read while
    preparing into `written.known`, checked unchanged since) and add the new rows' (a new row
    has none: the plan saw to that, and the table's uniqueness refuses one added since), in a
    few INSERTs; their ids go to `written.new_references`."""
    plan, bulk, written = prepared.plan, prepared.staging, prepared.written
    new: list[dict[str, Any]] = []
    known: list[tuple[ImportReference, PlannedRow]] = []
    for planned, kind_table in prepared.rows:
        ref = written.known.get((planned.kind, planned.data.external_ref))
        if ref is not None:
            known.append((ref, planned))
            continue
        new.append(
            {
                "source": plan.source,
                "sheet": planned.kind.value,
                "external_ref": planned.data.external_ref,
                "entity": planned.kind.value,  # the record's table
                "entity_id": bulk.real_id(kind_table, _id(planned.entity_id)),
                "row_hash": planned.row_hash,
                "import_id": batch_id,
            }
        )
    stored = load_fresh(session, ImportReference, [_id(ref.id) for ref, _p in known])
    for ref, planned in known:
        now = stored.get(_id(ref.id))
        if now is None or (now.row_hash, now.import_id) != (ref.row_hash, ref.import_id):
            raise ConflictError(f"import reference {ref.id}: changed since the dry run")
        written.old_references[str(ref.id)] = [ref.row_hash, ref.import_id]
        now.row_hash, now.import_id = planned.row_hash, batch_id
        session.add(now)
    session.flush()
    table: Any = ImportReference.__table__  # type: ignore[attr-defined]
    written.new_references += insert_rows(session, table, new)
