"""The change history's chain: what each event's MAC covers, key segments, and the check.

Each event's `hash` is HMAC-SHA256, under the key named by its `key_id`, over the previous
event's `hash`, its key id and its canonical content (the values replaced by their digest, so
an erasure tombstone keeps the MAC valid). Events written before the history was keyed have no
`key_id` and an unkeyed SHA-256 `hash`: a legacy segment, allowed only at the start and sealed
by the first keyed event. A new key starts a new segment with a "rekey" event that carries an
endorsement: a MAC of the old segment's head and the new key's id under the old key.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlmodel import Session, col, select

from del_tool.audit.keys import AuditKeys, mac, same
from del_tool.audit.models import AuditEvent

GENESIS_HASH = "0" * 64
HASHED_FIELDS = ("occurred_at", "user_id", "action", "entity", "entity_id", "citizen_id", "changes")
#: Key of the tombstone that replaces an erased event's `changes`: {ERASED_KEY: <digest>}.
ERASED_KEY = "_erased"
#: The action of the event that starts a key segment.
REKEY_ACTION = "rekey"


def to_jsonable(value: Any) -> Any:
    """A JSON-safe form of a column value (dates as ISO text, enums as values, Decimal as str)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def canonical(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def changes_digest(changes: Mapping[str, Any]) -> str:
    """SHA-256 of the canonical `changes`; an erased event carries the digest it replaced.

    The chain covers this digest rather than the values, so erasure can replace personal data
    in the history by its digest (a tombstone) and the chain still verifies.
    """
    if set(changes) == {ERASED_KEY}:
        return str(changes[ERASED_KEY])
    return hashlib.sha256(canonical(changes).encode()).hexdigest()


def is_tombstone(changes: Mapping[str, Any]) -> bool:
    """Whether `changes` is an erasure tombstone."""
    return set(changes) == {ERASED_KEY}


def content_of(values: Mapping[str, Any]) -> dict[str, Any]:
    """The covered content of an event given as a mapping of its fields."""
    content = {name: to_jsonable(values[name]) for name in HASHED_FIELDS}
    content["changes"] = changes_digest(values["changes"])
    return content


def event_content(event: AuditEvent) -> dict[str, Any]:
    """The covered content of a stored event."""
    return content_of({name: getattr(event, name) for name in HASHED_FIELDS})


def legacy_hash(prev_hash: str, content: Mapping[str, Any]) -> str:
    """The unkeyed SHA-256 link of events written before the history was keyed."""
    return hashlib.sha256(f"{prev_hash}\n{canonical(content)}".encode()).hexdigest()


def event_mac(key: bytes, key_id: str, prev_hash: str, content: Mapping[str, Any]) -> str:
    """The keyed link: HMAC-SHA256 over the previous link, the key id and the content."""
    return event_mac_text(key, key_id, prev_hash, canonical(content))


def event_mac_text(key: bytes, key_id: str, prev_hash: str, content_text: str) -> str:
    """`event_mac` of a content given as its canonical JSON (`canonical(content_of(...))`),
    so a bulk writer can prepare the text before it takes the chain's lock."""
    return mac(key, f"del-audit-event\n{prev_hash}\n{key_id}\n{content_text}")


def endorsement(old_key: bytes, old_head: str, new_key_id: str) -> str:
    """The old key's MAC over its segment's head and the id of the key that follows it."""
    return mac(old_key, f"del-audit-rekey\n{old_head}\n{new_key_id}")


def rekey_changes(keys: AuditKeys, old_key_id: str | None, old_head: str) -> dict[str, Any]:
    """The `changes` of the event that starts a segment under the current key."""
    old_key = keys.by_id.get(old_key_id) if old_key_id else None
    return {
        "key": [old_key_id, keys.current_id],
        "endorsement": [None, endorsement(old_key, old_head, keys.current_id) if old_key else None],
    }


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing `verify` found: a kind, the events it concerns, and what it means."""

    kind: str
    ids: tuple[int, ...] = ()
    detail: str = ""
    #: A range of ids (first, last) instead of a list.
    span: tuple[int, int] | None = None

    def __str__(self) -> str:
        if self.span is None:
            where = format_ids(self.ids)
        elif self.span[0] == self.span[1]:
            where = f"event {self.span[0]}"
        else:
            where = f"events {self.span[0]}–{self.span[1]}"
        return f"{self.kind}: {where}: {self.detail}"


def format_ids(ids: Iterable[int]) -> str:
    """'event 4', 'events 4–9' or 'events 1–3, 7, 9–12' (runs of consecutive ids)."""
    ordered = sorted(set(ids))
    if not ordered:
        return "no events"
    runs: list[list[int]] = []
    for event_id in ordered:
        if runs and event_id == runs[-1][1] + 1:
            runs[-1][1] = event_id
        else:
            runs.append([event_id, event_id])
    text = ", ".join(f"{a}" if a == b else f"{a}–{b}" for a, b in runs)
    return f"event {text}" if len(ordered) == 1 else f"events {text}"


@dataclass
class ChainWalk:
    """What walking the chain found, collected per kind of problem."""

    problems: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    legacy: list[int] = field(default_factory=list)
    #: For the checkpoint comparison: id -> (events up to and including it, its hash).
    marks: dict[int, tuple[int, str]] = field(default_factory=dict)
    keyed: bool = False
    count: int = 0
    last_id: int = 0
    last_hash: str = GENESIS_HASH

    def add(self, kind: str, detail: str, event_id: int) -> None:
        """Record a problem of `kind` at `event_id`."""
        self.problems.setdefault((kind, detail), []).append(event_id)

    def findings(self) -> list[Finding]:
        """One finding per kind of problem, with every event it concerns."""
        return [Finding(kind, tuple(ids), detail) for (kind, detail), ids in self.problems.items()]

    def legacy_notice(self) -> list[Finding]:
        """The unkeyed events at the start, if any (a notice: they predate the keys)."""
        if not self.legacy:
            return []
        sealed = "sealed by the first keyed event" if self.keyed else "the next change seals them"
        return [
            Finding(
                "unkeyed",
                span=(self.legacy[0], self.legacy[-1]),
                detail=f"written before the history was keyed (SHA-256 only); {sealed}",
            )
        ]


def _events(session: Session, batch_size: int) -> Iterator[AuditEvent]:
    last_id = 0
    while True:
        batch = session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.id) > last_id)
            .order_by(col(AuditEvent.id))
            .limit(batch_size)
        ).all()
        if not batch:
            return
        yield from batch
        last_id = batch[-1].id or 0


def walk_chain(
    session: Session, keys: AuditKeys, *, marks: Iterable[int] = (), batch_size: int = 5000
) -> ChainWalk:
    """Recompute every link and check the key segments; note count and hash at `marks`."""
    walk, wanted = ChainWalk(), set(marks)
    prev_key: str | None = None
    for event in _events(session, batch_size):
        event_id = event.id or 0
        walk.count += 1
        if event.prev_hash != walk.last_hash:
            walk.add("unlinked", "the previous event is missing or was altered", event_id)
        _check_link(walk, keys, event, first=walk.count == 1, prev_key=prev_key)
        prev_key = event.key_id
        walk.last_id, walk.last_hash = event_id, event.hash
        if event_id in wanted:
            walk.marks[event_id] = (walk.count, event.hash)
    return walk


def _check_link(
    walk: ChainWalk, keys: AuditKeys, event: AuditEvent, *, first: bool, prev_key: str | None
) -> None:
    event_id = event.id or 0
    content = event_content(event)
    if event.key_id is None:
        if walk.keyed:
            walk.add("unkeyed", "an unkeyed event after keyed ones (forged)", event_id)
        elif not same(legacy_hash(event.prev_hash, content), event.hash):
            walk.add("altered", "the unkeyed hash does not match the content", event_id)
        else:
            walk.legacy.append(event_id)
        return
    walk.keyed = True
    key = keys.by_id.get(event.key_id)
    if key is None:
        walk.add("unknown-key", f"MAC key {event.key_id} is not configured", event_id)
    elif not same(event_mac(key, event.key_id, event.prev_hash, content), event.hash):
        walk.add("forged", "the MAC does not match (altered, or written without the key)", event_id)
    if not first and event.key_id != prev_key:
        _check_rekey(walk, keys, event, prev_key)


def _check_rekey(walk: ChainWalk, keys: AuditKeys, event: AuditEvent, prev_key: str | None) -> None:
    """A change of key must be a rekey event endorsed by the previous segment's key."""
    event_id = event.id or 0
    changes = event.changes
    if event.action != REKEY_ACTION or changes.get("key") != [prev_key, event.key_id]:
        walk.add("segment", "the key changes without a rekey event", event_id)
        return
    if prev_key is None:
        return  # the legacy segment ends here; reported as a notice
    old_key = keys.by_id.get(prev_key)
    given = (changes.get("endorsement") or [None, None])[1]
    if old_key is None:
        walk.add("unknown-key", f"the endorsement's key {prev_key} is not configured", event_id)
    elif not isinstance(given, str) or not same(
        endorsement(old_key, event.prev_hash, event.key_id or ""), given
    ):
        walk.add("segment", "the new key is not endorsed by the previous key", event_id)
