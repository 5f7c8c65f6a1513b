"""Bulk writing of generated rows: explicit ids, bulk inserts in foreign-key order.

Rows are converted with each column type's own bind processor (so values are stored exactly as
an ORM or Core insert would store them) and written with the driver directly: one
`executemany` per table on SQLite, `COPY ... FROM STDIN` on PostgreSQL. At national scale
(millions of rows) SQLAlchemy's per-row parameter handling would otherwise dominate.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, select, text
from sqlmodel import Session, SQLModel

from del_tool.audit.chain import content_of, event_mac
from del_tool.audit.keys import audit_keys
from del_tool.audit.models import AuditEvent
from del_tool.audit.services import chain_link
from del_tool.citizens.models import Citizen, Stay, StayPurpose
from del_tool.db import insert_rows
from del_tool.followups.models import Assessment, AssessmentScore, FollowUp, GoalReview
from del_tool.goals.models import Goal

#: Tables the generator fills, parents before children.
TABLE_ORDER: tuple[type[SQLModel], ...] = (
    Citizen,
    Stay,
    StayPurpose,
    Goal,
    FollowUp,
    GoalReview,
    Assessment,
    AssessmentScore,
    AuditEvent,
)


class RowBuffer:
    """Collects rows per table with ids assigned up front, and writes them in batches."""

    def __init__(self, session: Session) -> None:
        self.session = session
        # First: starting the current key's segment may itself write an event.
        self.keys = audit_keys()
        self.audit_hash = chain_link(session, self.keys)
        self.rows: dict[type[SQLModel], list[dict[str, Any]]] = defaultdict(list)
        self.next_id = {
            model: (session.execute(select(func.max(model.id))).scalar() or 0) + 1  # type: ignore[attr-defined]
            for model in TABLE_ORDER
        }
        self.counts: dict[str, int] = defaultdict(int)

    def add(self, model: type[SQLModel], row: dict[str, Any]) -> int:
        """Queue a row; returns its id."""
        row_id = self.next_id[model]
        self.next_id[model] = row_id + 1
        row["id"] = row_id
        self.rows[model].append(row)
        return row_id

    def add_audit(self, event: dict[str, Any]) -> None:
        """Queue a history event (AuditEvent fields), chained onto the previous one."""
        key_id = self.keys.current_id
        digest = event_mac(self.keys.current, key_id, self.audit_hash, content_of(event))
        self.add(
            AuditEvent, {**event, "prev_hash": self.audit_hash, "hash": digest, "key_id": key_id}
        )
        self.audit_hash = digest

    def flush(self) -> None:
        """Insert everything queued, parents first."""
        for model in TABLE_ORDER:
            rows = self.rows.pop(model, [])
            if rows:
                insert_rows(self.session.connection(), model.__table__, rows)  # type: ignore[attr-defined]
                self.counts[model.__tablename__] += len(rows)  # type: ignore[index]

    def analyze(self) -> None:
        """Refresh the query planner's statistics of the filled tables.

        A bulk load leaves them missing or stale, and SQLite never gathers them by itself;
        without them it can pick a poor plan (a report query that should take 30 ms took 1 s
        on national-scale demo data).
        """
        for model in TABLE_ORDER:
            self.session.execute(text(f"ANALYZE {model.__tablename__}"))

    def reset_sequences(self) -> None:
        """PostgreSQL: move id sequences past the explicit ids we inserted."""
        if self.session.get_bind().dialect.name != "postgresql":
            return
        for model in TABLE_ORDER:
            table = model.__tablename__
            self.session.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - table names are ours
                    f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
                )
            )
