"""An import's writes prepared before the write lock and published in one short step (issue
#18 items 4 and 6).

`Staging` collects, while the commit only reads, every new row of every table (its values with
the model's defaults, bound for the database: `del_tool.db.bind_rows`), every update of a
record imported before (with the version or the values it was read with), and every change
history event as a form save writes it through `del_tool.citizens.history` (for a new record
every column as [None, value], its id, version and created_at included; for an update the
columns whose value changed, not the version), with its canonical covered content ready for
the MAC. New rows get ids *guessed* as the next ones of their table (`guess_first_id`), and the
rows and events that point to them use those.

`Staging.publish`, in the caller's write transaction, takes the real ids (`new_ids`). When a
table's real ids are its guessed ones (nobody inserted into it meanwhile: the usual case) its
rows go as they are; otherwise its rows, the rows pointing to them (foreign keys), the updates
setting a foreign key to one of them (a goal given a new purpose) and their events are shifted
to the real ids (and those events' content made again). Then each table's
rows go in one executemany (COPY on PostgreSQL), the updates are checked (a record gone or
changed since it was read is a ConflictError: nothing is written) and written, and the events
are appended to the chain under its lock (`audit.services.append_bound`: only the MACs, which
need the chain's head, are computed there).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, text
from sqlmodel import Session, SQLModel

from del_tool.audit.chain import canonical, content_of
from del_tool.audit.models import AuditEvent
from del_tool.audit.services import append_bound, change_of, snapshot
from del_tool.db import bind_rows, column_processor, insert_bound
from del_tool.errors import ConflictError
from del_tool.modelbase import utcnow

#: The columns of an event row as `Staging` binds it (the chain's own three come under the lock).
EVENT_COLUMNS = ["occurred_at", "user_id", "action", "entity", "entity_id", "citizen_id", "changes"]
#: Records are read back for their check in chunks of this many (SQLite's parameter limit).
CHUNK = 500


def new_ids(session: Session, table: Any, count: int) -> list[int]:
    """`count` ids for new rows of `table` (an integer `id` key), as the database would give
    them: from the table's sequence on PostgreSQL (taken, so no one else gets them), after the
    largest id on SQLite (where the caller's write transaction holds the database's lock)."""
    if count == 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        taken = session.execute(
            text("SELECT nextval(:sequence) FROM generate_series(1, :count)"),
            {"sequence": _sequence(session, table), "count": count},
        ).scalars()
        return sorted(int(i) for i in taken)
    largest = session.execute(select(func.max(table.c.id))).scalar()
    first = int(largest or 0) + 1
    return list(range(first, first + count))


def guess_first_id(session: Session, table: Any) -> int:
    """The id the next new row of `table` would most likely get (`new_ids`), read without any
    lock: above every id stored now, so a guessed id never names a stored record."""
    largest = int(session.execute(select(func.max(table.c.id))).scalar() or 0)
    if session.get_bind().dialect.name != "postgresql":
        return largest + 1
    last, called = session.execute(
        text(f"SELECT last_value, is_called FROM {_sequence(session, table)}")  # noqa: S608 - from pg_get_serial_sequence
    ).one()
    return max(largest + 1, int(last) + 1 if called else int(last))


def _sequence(session: Session, table: Any) -> str:
    name = session.execute(
        text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}
    ).scalar_one()
    return str(name)


def insert_rows(session: Session, table: Any, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert `rows` into `table` now with new ids (`new_ids`); the ids, in the order of the
    rows. What the session holds is flushed first."""
    session.flush()
    if not rows:
        return []
    ids = new_ids(session, table, len(rows))
    given = [{**row, "id": entity_id} for row, entity_id in zip(rows, ids, strict=True)]
    names = list(given[0])
    dialect = session.get_bind().dialect
    insert_bound(session.connection(), table, names, bind_rows(dialect, table, names, given))
    return ids


@dataclass(slots=True)
class NewRows:
    """The new rows of one table: guessed ids `first`.. in order, values bound for the database."""

    table: Any
    names: list[str]
    first: int
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    #: The real ids, once `publish` has taken them.
    ids: list[int] = field(default_factory=list)

    def real(self, guessed: int) -> int | None:
        """The real id of a guessed one of this table (None: not one of its new rows)."""
        index = guessed - self.first
        return self.ids[index] if 0 <= index < len(self.rows) else None


@dataclass(slots=True)
class Update:
    """A stored record to change: as it was read (its version, or for an unversioned table its
    values before) and the values to set."""

    model: type[SQLModel]
    entity_id: int
    version: int | None
    before: dict[str, Any]
    values: dict[str, Any]


@dataclass(slots=True)
class Event:
    """A history event: its fields (`EVENT_COLUMNS` but the time, plain values), its row
    (`EVENT_COLUMNS`, bound for the database) and its canonical content (the MAC's input but
    for the link)."""

    fields: dict[str, Any]
    content: str
    row: tuple[Any, ...]


class Staging:
    """The new rows, updates and history events of one commit, prepared while it reads."""

    def __init__(self, session: Session, user_id: int | None) -> None:
        self.session = session
        self.user_id = user_id
        self.now = utcnow()
        self.dialect = session.get_bind().dialect
        self.tables: dict[str, NewRows] = {}
        self.updates: list[Update] = []
        self.events: list[Event] = []
        #: The tables whose real ids are not the guessed ones (once `publish` took them).
        self._moved: set[str] = set()
        #: The citizen of each staged record, by table and guessed id.
        self.owners: dict[str, dict[int, int | None]] = {}
        #: Work that only a service can do, run in `publish` after the events (in order).
        self.after: list[Callable[[Session], None]] = []
        #: The tables of the records staged for update, by name.
        self._updated: dict[str, Any] = {}
        events: Any = AuditEvent.__table__  # type: ignore[attr-defined]
        when = bind_rows(self.dialect, events, ["occurred_at"], [{"occurred_at": self.now}])
        self._when = when[0][0]
        self._changes = column_processor(self.dialect, events, "changes")

    # -- preparing (reads only) -------------------------------------------------------------

    def insert(
        self,
        model: type[SQLModel],
        rows: Sequence[dict[str, Any]],
        citizen_ids: Sequence[int | None] | None = None,
    ) -> list[int]:
        """Stage new records of `model` (`rows`: their values; the other columns get their
        defaults), each with its "create" event for the citizen beside it (None: the records
        are citizens, each its own); their guessed ids, in order."""
        if not rows:
            return []
        table: Any = model.__table__  # type: ignore[attr-defined]
        columns = list(table.columns.keys())
        names = [name for name in columns if name != "id"]
        template = model(**rows[0])
        defaults = {name: getattr(template, name) for name in names if name not in rows[0]}
        if "created_at" in defaults:
            defaults["created_at"] = self.now
        staged = self.tables.get(table.name)
        if staged is None:
            first = guess_first_id(self.session, table)
            staged = self.tables[table.name] = NewRows(table, columns, first)
        start = staged.first + len(staged.rows)
        ids = list(range(start, start + len(rows)))
        full = [
            {**defaults, **row, "id": entity_id} for row, entity_id in zip(rows, ids, strict=True)
        ]
        staged.rows += bind_rows(self.dialect, table, columns, full)
        owners = ids if citizen_ids is None else citizen_ids
        self.owners.setdefault(table.name, {}).update(zip(ids, owners, strict=True))
        for entity_id, values, citizen_id in zip(ids, full, owners, strict=True):
            event = change_of(
                user_id=self.user_id,
                table=table.name,
                entity_id=entity_id,
                citizen_id=citizen_id,
                after={name: values[name] for name in columns},
            )
            assert event is not None  # noqa: S101 - a create is always an event
            self._event(event)
        return ids

    def update(self, row: SQLModel, values: dict[str, Any], *, citizen_id: int | None) -> None:
        """Stage setting `values` on a stored record (read now), with its "update" event."""
        before = snapshot(row, values.keys())
        entity_id = int(getattr(row, "id"))  # noqa: B009 - every imported table has an id
        version = getattr(row, "version", None)
        after = {name: values[name] for name in before}
        event = change_of(
            user_id=self.user_id,
            obj=row,
            entity_id=entity_id,
            citizen_id=citizen_id,
            after=after,
            before=before,
        )
        self.updates.append(Update(type(row), entity_id, version, before, dict(values)))
        table: Any = type(row).__table__  # type: ignore[attr-defined]
        self._updated[table.name] = table
        if event is not None:
            self._event(event)

    def _event(self, event: dict[str, Any]) -> None:
        event["entity_id"] = str(event["entity_id"])
        content = canonical(content_of({**event, "occurred_at": self.now}))
        changes = self._changes(event["changes"]) if self._changes else event["changes"]
        self.events.append(Event(event, content, self._row(event, changes)))

    def _row(self, fields: dict[str, Any], changes: Any) -> tuple[Any, ...]:
        return (
            self._when,
            fields["user_id"],
            fields["action"],
            fields["entity"],
            fields["entity_id"],
            fields["citizen_id"],
            changes,
        )

    # -- publishing (under the write lock) ---------------------------------------------------

    def _take_ids(self) -> set[str]:
        """Take the real ids of every staged table; the tables whose ids are not the guessed."""
        moved: set[str] = set()
        for name, staged in self.tables.items():
            staged.ids = new_ids(self.session, staged.table, len(staged.rows))
            if staged.ids != list(range(staged.first, staged.first + len(staged.rows))):
                moved.add(name)
        return moved

    def real_id(self, table: str, value: int) -> int:
        """The real id of `value` in `table` (a guessed id of a new row, or a stored record's)."""
        if table not in self._moved:
            return value  # the guessed ids are the real ones
        found = self.tables[table].real(value)
        return value if found is None else found

    def publish(self, session: Session) -> dict[tuple[str, int], int]:
        """Take the real ids, write the staged rows, updates and events, and run the work
        left for services (`after`), in `session`'s write transaction (the staging may have
        been prepared in another, read, session); the versions of the updated records after
        their update. Then `real_id` gives the real id of each guessed one."""
        self.session = session
        moved = self._moved = self._take_ids()
        for staged in self.tables.values():
            shifted = self._shifted(staged, moved) if moved else staged.rows
            insert_bound(self.session.connection(), staged.table, staged.names, shifted)
        versions = self._write_updates()
        if moved:
            events = [self._shifted_event(e) if self._touches(e, moved) else e for e in self.events]
        else:
            events = self.events
        rows = [event.row for event in events]
        contents = [event.content for event in events]
        append_bound(self.session, EVENT_COLUMNS, rows, contents)
        for work in self.after:
            work(self.session)
        return versions

    def _links(self, table: Any) -> list[tuple[int, str]]:
        """(column index, staged table) of `table`'s id and foreign keys to staged tables."""
        names = list(table.columns.keys())
        out: list[tuple[int, str]] = []
        for index, name in enumerate(names):
            if name == "id":
                out.append((index, table.name))
                continue
            for key in table.c[name].foreign_keys:
                target = key.column.table.name
                if target in self.tables:
                    out.append((index, target))
        return out

    def _shifted(self, staged: NewRows, moved: set[str]) -> list[tuple[Any, ...]]:
        links = [(i, t) for i, t in self._links(staged.table) if t in moved]
        if not links:
            return staged.rows
        out: list[tuple[Any, ...]] = []
        for row in staged.rows:
            values = list(row)
            for index, target in links:
                if values[index] is not None:
                    values[index] = self.real_id(target, values[index])
            out.append(tuple(values))
        return out

    def _table_of(self, event: Event) -> Any | None:
        """The table of the record an event is about, if it is new or updated here."""
        entity = event.fields["entity"]
        if event.fields["action"] == "create":
            staged = self.tables.get(entity)
            return staged.table if staged is not None else None
        return self._updated.get(entity) if event.fields["action"] == "update" else None

    def _touches(self, event: Event, moved: set[str]) -> bool:
        """Whether the event names a new row of a table whose ids moved (as its id, its
        citizen, or a foreign key it sets)."""
        if event.fields["citizen_id"] is not None and "citizens" in moved:
            return True
        table = self._table_of(event)
        if table is None:
            return False
        names = list(table.columns.keys())
        changes = event.fields["changes"]
        return any(t in moved and names[i] in changes for i, t in self._links(table))

    def _shifted_event(self, event: Event) -> Event:
        fields = dict(event.fields)
        if fields["citizen_id"] is not None:
            fields["citizen_id"] = self.real_id("citizens", int(fields["citizen_id"]))
        table = self._table_of(event)
        if table is not None:
            names = list(table.columns.keys())
            changes = dict(fields["changes"])
            for index, target in self._links(table):
                name = names[index]
                if name not in changes:
                    continue  # an update's unchanged column
                old, value = changes[name]
                if value is not None:
                    changes[name] = [old, self.real_id(target, int(value))]
            fields["changes"] = changes
            if fields["action"] == "create":
                fields["entity_id"] = str(changes["id"][1])
        content = canonical(content_of({**fields, "occurred_at": self.now}))
        bound = self._changes(fields["changes"]) if self._changes else fields["changes"]
        return Event(fields, content, self._row(fields, bound))

    def _write_updates(self) -> dict[tuple[str, int], int]:
        """Check each staged update's record (there, at the version or with the values it was
        read with) and write it; a ConflictError when one is gone or changed. The versions of
        the versioned ones after the write, by (table, id)."""
        written: list[Any] = []
        by_model: dict[type[SQLModel], list[Update]] = {}
        for update in self.updates:
            by_model.setdefault(update.model, []).append(update)
        for model, updates in by_model.items():
            stored = load_fresh(self.session, model, [u.entity_id for u in updates])
            table: Any = model.__table__  # type: ignore[attr-defined]
            names = list(table.columns.keys())
            links = {names[i]: t for i, t in self._links(table) if names[i] != "id"}
            for update in updates:
                row = stored.get(update.entity_id)
                name = model.__tablename__
                if row is None:
                    raise ConflictError(f"{name} {update.entity_id}: gone since the dry run")
                if update.version is not None:
                    if getattr(row, "version") != update.version:  # noqa: B009
                        raise ConflictError(f"{name} {update.entity_id}: changed since the dry run")
                elif snapshot(row, update.before.keys()) != update.before:
                    raise ConflictError(f"{name} {update.entity_id}: changed since the dry run")
                for column, value in update.values.items():
                    if column in links and value is not None:
                        value = self.real_id(links[column], int(value))
                    setattr(row, column, value)
                self.session.add(row)
                written.append(row)
        self.session.flush()
        return {
            (row.__tablename__, int(row.id)): int(row.version)
            for row in written
            if hasattr(row, "version")
        }


def load_fresh(session: Session, model: Any, ids: Iterable[int]) -> dict[int, Any]:
    """Records by id, read in chunks, fresh from the database (not the session's copies)."""
    wanted = sorted(set(ids))
    found: dict[int, Any] = {}
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        query = select(model).where(model.id.in_(chunk)).execution_options(populate_existing=True)
        for row in session.scalars(query).all():
            found[int(row.id)] = row
    return found
