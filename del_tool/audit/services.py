"""Writing the change history (hash-chained) and the access log, inside the caller's transaction
(a read request's access log in a short transaction of its own: `log_accesses`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, SQLModel, col, select

from del_tool.audit.models import AccessEvent, AuditEvent
from del_tool.db import reads_only, write_session
from del_tool.modelbase import utcnow

GENESIS_HASH = "0" * 64
#: Key of the PostgreSQL advisory lock that serialises appends to the chain.
_CHAIN_LOCK_KEY = 0x44454C  # "DEL"


def to_jsonable(value: Any) -> Any:
    """A JSON-safe form of a column value (dates as ISO text, enums as values, Decimal as str)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(obj: SQLModel, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The current values of `fields` (default: every column) of a model instance."""
    names = fields if fields is not None else obj.__table__.columns.keys()  # type: ignore[attr-defined]
    return {name: to_jsonable(getattr(obj, name)) for name in names}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value changed."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def event_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    """SHA-256 over the previous hash and the canonical JSON of the event's content."""
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


HASHED_FIELDS = ("occurred_at", "user_id", "action", "entity", "entity_id", "citizen_id", "changes")
#: Key of the tombstone that replaces an erased event's `changes`: {ERASED_KEY: <digest>}.
ERASED_KEY = "_erased"


def changes_digest(changes: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical `changes`; an erased event carries the digest it replaced.

    The chain hashes this digest rather than the values, so erasure can replace personal data
    in the history by its digest (a tombstone) and the chain still verifies.
    """
    if set(changes) == {ERASED_KEY}:
        return str(changes[ERASED_KEY])
    canonical = json.dumps(changes, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def content_of(values: Mapping[str, Any]) -> dict[str, Any]:
    """The hashed content of an event given as a mapping of its fields."""
    content = {name: to_jsonable(values[name]) for name in HASHED_FIELDS}
    content["changes"] = changes_digest(values["changes"])
    return content


def event_content(event: AuditEvent) -> dict[str, Any]:
    """The hashed content of a stored event."""
    return content_of({name: getattr(event, name) for name in HASHED_FIELDS})


def _lock_chain(session: Session) -> str:
    """Serialise appends and return the hash of the newest event."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})
    # On SQLite the write transaction (BEGIN IMMEDIATE) already holds the database lock.
    last = session.exec(
        select(AuditEvent.hash).order_by(col(AuditEvent.id).desc()).limit(1)
    ).first()
    return last or GENESIS_HASH


def record_change(
    *,
    session: Session,
    user_id: int | None,
    action: str,
    entity: str,
    entity_id: Any,
    citizen_id: int | None,
    changes: Mapping[str, Any],
) -> AuditEvent:
    """Append one event to the change history in the caller's transaction."""
    event = AuditEvent(
        occurred_at=utcnow(),
        user_id=user_id,
        action=action,
        entity=entity,
        entity_id=str(entity_id),
        citizen_id=citizen_id,
        changes=dict(changes),
        prev_hash="",
        hash="",
    )
    event.prev_hash = _lock_chain(session)
    event.hash = event_hash(event.prev_hash, event_content(event))
    session.add(event)
    session.flush()
    return event


def record_create(
    *, session: Session, user_id: int | None, obj: SQLModel, citizen_id: int | None
) -> AuditEvent:
    """History entry for a new record: every column as [None, value]."""
    values = snapshot(obj)
    return record_change(
        session=session,
        user_id=user_id,
        action="create",
        entity=obj.__tablename__,  # type: ignore[arg-type]
        entity_id=getattr(obj, "id", None),
        citizen_id=citizen_id,
        changes={k: [None, v] for k, v in values.items()},
    )


def record_update(
    *,
    session: Session,
    user_id: int | None,
    obj: SQLModel,
    before: Mapping[str, Any],
    citizen_id: int | None,
) -> AuditEvent | None:
    """History entry for changed columns; None when nothing changed."""
    changes = diff(before, snapshot(obj, before.keys()))
    changes.pop("version", None)
    if not changes:
        return None
    return record_change(
        session=session,
        user_id=user_id,
        action="update",
        entity=obj.__tablename__,  # type: ignore[arg-type]
        entity_id=getattr(obj, "id", None),
        citizen_id=citizen_id,
        changes=changes,
    )


def access_event(
    *, user_id: int | None, action: str, citizen_id: int | None, endpoint: str, detail: str = ""
) -> AccessEvent:
    """A view, search or export of citizen data, not yet written (no free text in `detail`)."""
    return AccessEvent(
        user_id=user_id,
        action=action,
        citizen_id=citizen_id,
        endpoint=endpoint[:100],
        detail=detail[:300],
    )


def log_access(
    *,
    session: Session,
    user_id: int | None,
    action: str,
    citizen_id: int | None,
    endpoint: str,
    detail: str = "",
) -> AccessEvent:
    """Record a view, search or export of citizen data (no free text in `detail`).

    Written as `log_accesses` says: in `session`'s transaction, or at once when it only reads.
    """
    event = access_event(
        user_id=user_id, action=action, citizen_id=citizen_id, endpoint=endpoint, detail=detail
    )
    log_accesses(session, [event])
    return event


def log_accesses(session: Session, events: Sequence[AccessEvent]) -> None:
    """Write access events in `session`'s transaction, or, when `session` only reads (a GET
    request's), in a short write transaction of their own, committed before this returns.

    Writing in a read request's session would upgrade its read snapshot to a write, which SQLite
    refuses outright once another connection has committed since the snapshot began ("database
    is locked"; the busy timeout cannot help). The transaction of their own begins IMMEDIATE on
    SQLite, so it waits its turn instead. If it fails, the error ends the request (the 503 page)
    before the page shows any of the data it logs.
    """
    if not events:
        return
    if not reads_only(session):
        session.add_all(events)
        return
    with write_session() as own:
        own.add_all(events)


def verify_chain(session: Session, *, batch_size: int = 5000) -> list[str]:
    """Recompute the chain; returns one line per broken link (empty when intact)."""
    problems: list[str] = []
    expected_prev = GENESIS_HASH
    last_id = 0
    while True:
        events = session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.id) > last_id)
            .order_by(col(AuditEvent.id))
            .limit(batch_size)
        ).all()
        if not events:
            return problems
        for event in events:
            if event.prev_hash != expected_prev:
                problems.append(f"event {event.id}: previous event missing or altered")
            if event_hash(event.prev_hash, event_content(event)) != event.hash:
                problems.append(f"event {event.id}: content altered")
            expected_prev = event.hash
            last_id = event.id  # type: ignore[assignment]
