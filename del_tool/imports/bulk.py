"""Writing an import's records in bulk (issue #18 item 6): the rows of a kind in a few
executemany INSERTs instead of one INSERT and one flush per row, and their change history in
one append under one chain lock (`audit.services.record_changes`).

The history events are the ones a form save writes through `del_tool.citizens.history`: for a
new record every column as [None, value] (its id, version and created_at included), for an
update the columns whose value changed (not the version). New rows get the columns' defaults
as the model would set them (one `created_at` for the whole import: it is one transaction).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select, text
from sqlmodel import Session, SQLModel

from del_tool.audit.services import change_of, insert_many, record_changes, snapshot
from del_tool.modelbase import utcnow


def new_ids(session: Session, table: Any, count: int) -> list[int]:
    """`count` ids for new rows of `table` (an integer `id` key), as the database would give
    them: from the table's sequence on PostgreSQL (taken, so no one else gets them), after the
    largest id on SQLite (where the caller's write transaction holds the database's lock)."""
    if count == 0:
        return []
    if session.get_bind().dialect.name == "postgresql":
        sequence = session.execute(
            text("SELECT pg_get_serial_sequence(:table, 'id')"), {"table": table.name}
        ).scalar_one()
        taken = session.execute(
            text("SELECT nextval(:sequence) FROM generate_series(1, :count)"),
            {"sequence": sequence, "count": count},
        ).scalars()
        return sorted(int(i) for i in taken)
    largest = session.execute(select(func.max(table.c.id))).scalar()
    first = int(largest or 0) + 1
    return list(range(first, first + count))


def insert_rows(session: Session, table: Any, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert `rows` into `table` with new ids (`new_ids`) in multi-row INSERTs; the ids, in
    the order of the rows. What the session holds is flushed first."""
    session.flush()
    ids = new_ids(session, table, len(rows))
    given = [{**row, "id": entity_id} for row, entity_id in zip(rows, ids, strict=True)]
    insert_many(session, table, given)
    return ids


class BulkWriter:
    """The inserts and updates of one commit, and the history events they owe."""

    def __init__(self, session: Session, user_id: int | None) -> None:
        self.session = session
        self.user_id = user_id
        self.now = utcnow()
        self.events: list[dict[str, Any]] = []
        self._updates: list[tuple[SQLModel, dict[str, Any], int | None]] = []

    def insert(
        self,
        model: type[SQLModel],
        rows: Sequence[dict[str, Any]],
        citizen_ids: Sequence[int | None] | None = None,
    ) -> list[int]:
        """Insert new records of `model` (`rows`: their values; the other columns get their
        defaults), each with its "create" event for the citizen beside it (None: the records
        are citizens, each its own); their ids, in order."""
        if not rows:
            return []
        table: Any = model.__table__  # type: ignore[attr-defined]
        columns = list(table.columns.keys())
        names = [name for name in columns if name != "id"]
        template = model(**rows[0])
        defaults = {name: getattr(template, name) for name in names if name not in rows[0]}
        if "created_at" in defaults:
            defaults["created_at"] = self.now
        full = [{**defaults, **row} for row in rows]
        ids = insert_rows(self.session, table, full)
        owners = ids if citizen_ids is None else citizen_ids
        for entity_id, values, citizen_id in zip(ids, full, owners, strict=True):
            after = {name: entity_id if name == "id" else values[name] for name in columns}
            event = change_of(
                user_id=self.user_id,
                table=table.name,
                entity_id=entity_id,
                citizen_id=citizen_id,
                after=after,
            )
            assert event is not None  # noqa: S101 - a create is always an event
            self.events.append(event)
        return ids

    def update(self, row: SQLModel, values: dict[str, Any], *, citizen_id: int | None) -> None:
        """Set `values` on a stored record; its "update" event follows at `flush`."""
        before = snapshot(row, values.keys())
        for name, value in values.items():
            setattr(row, name, value)
        self.session.add(row)
        self._updates.append((row, before, citizen_id))

    def flush(self) -> None:
        """Write the pending updates (their versions move on) and note their events."""
        if not self._updates:
            return
        self.session.flush()
        for row, before, citizen_id in self._updates:
            event = change_of(
                user_id=self.user_id,
                obj=row,
                entity_id=getattr(row, "id", None),
                citizen_id=citizen_id,
                after=snapshot(row, before.keys()),
                before=before,
            )
            if event is not None:
                self.events.append(event)
        self._updates.clear()

    def write_history(self) -> None:
        """Append every event noted so far to the change history (one chain lock)."""
        self.flush()
        record_changes(self.session, self.events, occurred_at=self.now)
        self.events.clear()
