"""Records of operations that happen outside the web (the history's verification, scheduled
backups, restore drills), kept in the shared store so every web process's `/metrics` shows the
last of each, whichever machine or command made it. Times and counts only; an erasure's
emptying of the store keeps them (`store.OPERATIONS_KEYS`). Writing one never fails the
command that reports it: a store that cannot be reached is logged.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from flask import Flask

log = logging.getLogger(__name__)

HISTORY, BACKUP, DRILL = "ops:history", "ops:backup", "ops:drill"

#: Each record's gauges on /metrics: (record key, metric prefix, ((field, help), ...)).
OPERATIONS_GAUGES: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        HISTORY,
        "del_history_verification",
        (
            ("timestamp_seconds", "When `del-tool audit verify` last checked the history."),
            ("problems", "Problems the last verification found (0: the history is intact)."),
            ("events", "Events the last verification checked."),
        ),
    ),
    (
        BACKUP,
        "del_backup_last",
        (
            ("success_timestamp_seconds", "When the last scheduled backup was written."),
            ("size_bytes", "The size of the last scheduled backup."),
            ("failure_timestamp_seconds", "When a scheduled backup last failed."),
            ("kept", "DEL's backup files in BACKUP_DIR after the retention policy ran."),
        ),
    ),
    (
        DRILL,
        "del_restore_drill_last",
        (
            ("timestamp_seconds", "When a restore drill (backup verify) last ran."),
            ("problems", "Problems the last restore drill found (0: the backup was sound)."),
        ),
    ),
)


def read_record(key: str, *, app: Flask | None = None) -> dict[str, Any]:
    """The record under `key` ({} when there is none)."""
    from del_tool.store import get_store

    record = get_store(app).backend.get(key)  # not counted as a store hit or miss
    if record is None:
        return {}
    value = json.loads(record)
    return value if isinstance(value, dict) else {}


def _update(key: str, fields: dict[str, float], app: Flask | None) -> None:
    from del_tool.store import OPERATIONS_TTL, get_store

    try:
        record = {**read_record(key, app=app), **fields}
        get_store(app).put_json(key, record, ttl=OPERATIONS_TTL)
    except Exception:
        log.warning("could not record %s in the shared store", key, exc_info=True)


def record_history_verification(
    *, problems: int, events: int, at: float | None = None, app: Flask | None = None
) -> None:
    """`del-tool audit verify` checked `events` events and found `problems` problems."""
    now = time.time() if at is None else at
    fields = {"timestamp_seconds": now, "problems": problems, "events": events}
    _update(HISTORY, {k: float(v) for k, v in fields.items()}, app)


def record_backup(
    *,
    ok: bool,
    size: int = 0,
    kept: int | None = None,
    at: float | None = None,
    app: Flask | None = None,
) -> None:
    """A scheduled backup was written (`size` bytes, `kept` files after pruning), or failed."""
    now = time.time() if at is None else at
    if not ok:
        _update(BACKUP, {"failure_timestamp_seconds": now}, app)
        return
    fields = {"success_timestamp_seconds": now, "size_bytes": float(size)}
    if kept is not None:
        fields["kept"] = float(kept)
    _update(BACKUP, fields, app)


def record_drill(*, problems: int, at: float | None = None, app: Flask | None = None) -> None:
    """A restore drill (`backup verify` / `restore --drill`) found `problems` problems."""
    now = time.time() if at is None else at
    _update(DRILL, {"timestamp_seconds": now, "problems": float(problems)}, app)
