"""Writing the change history (MAC-chained: `chain`) and the access log, inside the caller's
transaction (a read request's access log in a short transaction of its own: `log_accesses`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, SQLModel, col, select

from del_tool.audit.chain import (
    ERASED_KEY,
    GENESIS_HASH,
    HASHED_FIELDS,
    REKEY_ACTION,
    changes_digest,
    content_of,
    event_content,
    event_mac,
    event_mac_text,
    rekey_changes,
    to_jsonable,
    walk_chain,
)
from del_tool.audit.keys import AuditKeys, audit_keys
from del_tool.audit.models import AccessEvent, AuditEvent
from del_tool.db import insert_bound, insert_rows, reads_only, write_session
from del_tool.modelbase import utcnow

#: Key of the PostgreSQL advisory lock that serialises appends to the chain.
_CHAIN_LOCK_KEY = 0x44454C  # "DEL"

__all__ = [
    "ERASED_KEY",
    "GENESIS_HASH",
    "HASHED_FIELDS",
    "changes_digest",
    "content_of",
    "event_content",
    "to_jsonable",
]


def snapshot(obj: SQLModel, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The current values of `fields` (default: every column) of a model instance."""
    names = fields if fields is not None else obj.__table__.columns.keys()  # type: ignore[attr-defined]
    return {name: to_jsonable(getattr(obj, name)) for name in names}


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value changed."""
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def _lock_chain(session: Session) -> tuple[str, str | None] | None:
    """Serialise appends; the newest event's hash and key id (None when the chain is empty)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})
    # On SQLite the write transaction (BEGIN IMMEDIATE) already holds the database lock.
    last = session.exec(
        select(AuditEvent.hash, AuditEvent.key_id).order_by(col(AuditEvent.id).desc()).limit(1)
    ).first()
    return None if last is None else (last[0], last[1])


def lock_history(session: Session) -> None:
    """Take the chain's lock now, for the rest of the caller's transaction: no other session
    appends an event (every change of data writes one) until it ends. On SQLite the write
    transaction (BEGIN IMMEDIATE) holds the database's lock already."""
    _lock_chain(session)


def _append(session: Session, keys: AuditKeys, prev_hash: str, event: AuditEvent) -> AuditEvent:
    event.prev_hash, event.key_id = prev_hash, keys.current_id
    event.hash = event_mac(keys.current, keys.current_id, prev_hash, event_content(event))
    session.add(event)
    session.flush()
    return event


def chain_link(session: Session, keys: AuditKeys) -> str:
    """Lock the chain and return the link the next event under the current key follows.

    When the newest event is under another key (or unkeyed), a rekey event first starts the
    current key's segment, endorsed by the previous key when it is configured.
    """
    last = _lock_chain(session)
    if last is None:
        return GENESIS_HASH
    prev_hash, prev_key = last
    if prev_key == keys.current_id:
        return prev_hash
    rekey = AuditEvent(
        occurred_at=utcnow(),
        user_id=None,
        action=REKEY_ACTION,
        entity="audit_keys",
        entity_id=keys.current_id,
        citizen_id=None,
        changes=rekey_changes(keys, prev_key, prev_hash),
        prev_hash="",
        hash="",
    )
    return _append(session, keys, prev_hash, rekey).hash


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
    """Append one event to the change history in the caller's transaction.

    Raises AuditKeyError when the app has no AUDIT_KEY.
    """
    keys = audit_keys()
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
    return _append(session, keys, chain_link(session, keys), event)


def record_changes(
    session: Session, events: Sequence[Mapping[str, Any]], *, occurred_at: datetime | None = None
) -> int:
    """Append many events to the change history under ONE chain lock, in the caller's
    transaction, in the order given; how many.

    Each event is a mapping of `user_id`, `action`, `entity`, `entity_id`, `citizen_id` and
    `changes`, as `record_change` takes them (`change_of` builds them for a created or updated
    record as `record_create` and `record_update` would). Every event's MAC links to the one
    before it exactly as `record_change` links them, so `verify_chain` and the witness see an
    ordinary chain; they all get the same `occurred_at` (default: now). The rows are inserted
    in one executemany (SQLite) or COPY (PostgreSQL) by `insert_many`, whose ids the database
    assigns in the order of the rows, which is the chain's order.
    Raises AuditKeyError when the app has no AUDIT_KEY.
    """
    if not events:
        return 0
    keys = audit_keys()
    when = occurred_at if occurred_at is not None else utcnow()
    prev_hash = chain_link(session, keys)
    rows: list[dict[str, Any]] = []
    for given in events:
        row = {
            "occurred_at": when,
            "user_id": given["user_id"],
            "action": given["action"],
            "entity": given["entity"],
            "entity_id": str(given["entity_id"]),
            "citizen_id": given["citizen_id"],
            "changes": dict(given["changes"]),
        }
        row["hash"] = event_mac(keys.current, keys.current_id, prev_hash, content_of(row))
        row["prev_hash"], row["key_id"] = prev_hash, keys.current_id
        prev_hash = row["hash"]
        rows.append(row)
    session.flush()  # what the ORM holds goes first, so no later flush reorders the chain
    insert_many(session, AuditEvent.__table__, rows)  # type: ignore[attr-defined]
    return len(rows)


def append_bound(
    session: Session,
    names: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    contents: Sequence[str],
) -> int:
    """Append prepared events to the change history under ONE chain lock, in the caller's
    transaction, in the order given; how many. `rows` are the events' values for the columns
    `names` (not `hash`, `prev_hash`, `key_id`), bound already (`del_tool.db.bind_rows`), and
    `contents` each event's canonical covered content (`canonical(content_of(...))`), so what
    is left under the lock is the MAC of each event over the one before it, exactly as
    `record_changes` links them, and one executemany or COPY.
    Raises AuditKeyError when the app has no AUDIT_KEY.
    """
    if not rows:
        return 0
    keys = audit_keys()
    key, key_id = keys.current, keys.current_id
    prev_hash = chain_link(session, keys)
    linked: list[tuple[Any, ...]] = []
    for row, content in zip(rows, contents, strict=True):
        link = event_mac_text(key, key_id, prev_hash, content)
        linked.append((*row, link, prev_hash, key_id))
        prev_hash = link
    session.flush()  # what the ORM holds goes first, so no later flush reorders the chain
    table: Any = AuditEvent.__table__  # type: ignore[attr-defined]
    insert_bound(session.connection(), table, [*names, "hash", "prev_hash", "key_id"], linked)
    return len(linked)


def insert_many(session: Session, table: Any, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert `rows` (all with the same keys) into `table` in the session's transaction, in
    order, by `del_tool.db.insert_rows` (one executemany on SQLite, one COPY on PostgreSQL, so
    the history head's trigger runs once for the whole statement) after what the ORM holds.
    Ids not given are the table's defaults, in order."""
    if not rows:
        return
    session.flush()
    insert_rows(session.connection(), table, [dict(row) for row in rows])


#: Values `to_jsonable` returns as they are (checked first: a bulk append has many).
_PLAIN = frozenset({str, int, float, bool, type(None)})


def change_of(
    *,
    user_id: int | None,
    obj: SQLModel | None = None,
    table: str | None = None,
    entity_id: Any,
    citizen_id: int | None,
    after: Mapping[str, Any],
    before: Mapping[str, Any] | None = None,
) -> dict[str, Any] | None:
    """The event `record_create` (no `before`) or `record_update` would write for a record of
    `obj`'s table (or `table`) whose columns are now `after` (plain or JSON values); None for
    an update that changed nothing. For `record_changes`."""
    name = table if table is not None else obj.__tablename__  # type: ignore[union-attr]
    if before is None:
        changes = {k: [None, v if type(v) in _PLAIN else to_jsonable(v)] for k, v in after.items()}
        action = "create"
    else:
        changes = diff(before, {k: to_jsonable(after[k]) for k in before})
        changes.pop("version", None)
        if not changes:
            return None
        action = "update"
    return {
        "user_id": user_id,
        "action": action,
        "entity": name,
        "entity_id": entity_id,
        "citizen_id": citizen_id,
        "changes": changes,
    }


def record_create(
    *,
    session: Session,
    user_id: int | None,
    obj: SQLModel,
    citizen_id: int | None,
    fields: Iterable[str] | None = None,
    entity_id: Any = None,
) -> AuditEvent:
    """History entry for a new record: every column (or those of `fields`) as [None, value],
    under the record's `id` unless another `entity_id` (a year, a composite key) is given."""
    values = snapshot(obj, fields)
    return record_change(
        session=session,
        user_id=user_id,
        action="create",
        entity=obj.__tablename__,  # type: ignore[arg-type]
        entity_id=getattr(obj, "id", None) if entity_id is None else entity_id,
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
    entity_id: Any = None,
) -> AuditEvent | None:
    """History entry for changed columns (those `before` holds); None when nothing changed."""
    changes = diff(before, snapshot(obj, before.keys()))
    changes.pop("version", None)
    if not changes:
        return None
    return record_change(
        session=session,
        user_id=user_id,
        action="update",
        entity=obj.__tablename__,  # type: ignore[arg-type]
        entity_id=getattr(obj, "id", None) if entity_id is None else entity_id,
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


def verify_chain(session: Session) -> list[str]:
    """Recompute the chain with the app's keys; one line per problem (empty when intact)."""
    return [str(finding) for finding in walk_chain(session, audit_keys()).findings()]
