"""Scheduled backups (issue #20 item 5): a periodic job of `del-tool worker`, a retention policy,
encryption at rest.

`BACKUP_SCHEDULE` ("02:30" daily, or a five-field cron expression such as "30 2 * * 1-5"), read
in `BABEL_DEFAULT_TIMEZONE`, makes the worker write a backup to `BACKUP_DIR` named by its UTC
time (`del-20261205T013000Z.sqlite3`, `.pgdump`, `.enc` added when encrypted) and then apply the
retention policy to DEL's own backup files there (only names of that form: anything else in the
folder is left alone). The policy is the grandfather-father-son rule of restic's and borg's
`--keep-daily/--keep-weekly/--keep-monthly`: keep the newest backup of each of the last
`BACKUP_KEEP_DAILY` days that have one, of each of the last `BACKUP_KEEP_WEEKLY` ISO weeks and
of each of the last `BACKUP_KEEP_MONTHLY` months, and always the newest; delete the rest.
Counting periods that have a backup, not calendar days back from today, means that a worker
that was stopped for a fortnight does not come back to delete every backup it finds.

Several workers each enqueue the periodic job; a lease in the shared store lets one of them
write the backup of a given minute. `del-tool backup run` does the same at once (for a systemd
timer or cron instead of the worker). Each run is recorded for `/metrics` (`del_backup_last_*`).
"""

from __future__ import annotations

import logging
import re
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from huey import crontab
from sqlalchemy.engine import make_url

from del_tool.jobs import job

log = logging.getLogger(__name__)

#: DEL's own backup files: `del-<UTC time>.<sqlite3|pgdump>[.enc]`.
BACKUP_NAME = re.compile(r"^del-(\d{8}T\d{6}Z)\.(sqlite3|pgdump)(\.enc)?$")
_STAMP = "%Y%m%dT%H%M%SZ"
_DAILY = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
#: A slot's lease outlives any late copy of its job.
LEASE_SECONDS = 2 * 24 * 3600


class ScheduleError(ValueError):
    """A schedule setting (BACKUP_SCHEDULE, REMINDER_SCHEDULE) cannot be read; the message
    says what it should look like."""


def parse_schedule(
    text: str, timezone: str, *, setting: str = "BACKUP_SCHEDULE"
) -> Callable[[datetime], bool] | None:
    """The test huey's scheduler asks every minute (with a naive UTC time), or None when
    `text` is empty. "HH:MM" is a daily time; five fields are a cron expression (minute, hour,
    day, month, day of week with 0 = Sunday), both in `timezone`. ScheduleError (naming
    `setting`) when it is neither."""
    text = text.strip()
    if not text:
        return None
    daily = _DAILY.match(text)
    fields = [daily.group(2), daily.group(1), "*", "*", "*"] if daily else text.split()
    if len(fields) != 5:
        raise ScheduleError(
            f"{setting} {text!r}: give a daily time such as 02:30, or a cron expression "
            "of five fields such as '30 2 * * *'"
        )
    try:
        matches = crontab(*[str(int(f)) if f.isdigit() else f for f in fields])
    except ValueError as exc:
        raise ScheduleError(f"{setting} {text!r}: {exc}") from None
    zone = ZoneInfo(timezone)

    def due(moment: datetime) -> bool:
        utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
        return bool(matches(utc.astimezone(zone).replace(tzinfo=None)))

    return due


def schedule_of(app: Flask) -> Callable[[datetime], bool] | None:
    """This deployment's backup schedule (None: no scheduled backups)."""
    return parse_schedule(
        str(app.config.get("BACKUP_SCHEDULE") or ""),
        str(app.config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Copenhagen"),
    )


@dataclass(frozen=True, slots=True)
class Policy:
    """How many days, ISO weeks and months keep their newest backup."""

    daily: int
    weekly: int
    monthly: int
    timezone: str = "Europe/Copenhagen"

    @classmethod
    def of(cls, app: Flask) -> Policy:
        """The policy in `app`'s configuration."""
        config = app.config
        return cls(
            daily=int(config.get("BACKUP_KEEP_DAILY", 7)),
            weekly=int(config.get("BACKUP_KEEP_WEEKLY", 4)),
            monthly=int(config.get("BACKUP_KEEP_MONTHLY", 0)),
            timezone=str(config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Copenhagen"),
        )


def retained(times: Iterable[datetime], policy: Policy) -> set[datetime]:
    """The backup times `policy` keeps: the newest of each of the newest `daily` days that
    have a backup, of each of the newest `weekly` ISO weeks and `monthly` months (in the
    policy's time zone), and always the newest of all."""
    zone = ZoneInfo(policy.timezone)
    newest_first = sorted(times, reverse=True)
    keep = set(newest_first[:1])
    periods: tuple[tuple[int, Callable[[datetime], object]], ...] = (
        (policy.daily, lambda t: t.astimezone(zone).date()),
        (policy.weekly, lambda t: t.astimezone(zone).isocalendar()[:2]),
        (policy.monthly, lambda t: (t.astimezone(zone).year, t.astimezone(zone).month)),
    )
    for count, period_of in periods:
        seen: list[object] = []
        for moment in newest_first:
            period = period_of(moment)
            if period in seen:
                continue
            if len(seen) >= count:
                break
            seen.append(period)
            keep.add(moment)
    return keep


def backups_in(folder: Path) -> dict[datetime, Path]:
    """DEL's own backup files in `folder`, by the time in their names."""
    found = {}
    for path in folder.iterdir() if folder.is_dir() else ():
        name = BACKUP_NAME.match(path.name)
        if name is not None and path.is_file():
            found[datetime.strptime(name.group(1), _STAMP).replace(tzinfo=UTC)] = path
    return found


def prune(folder: Path, policy: Policy) -> tuple[list[Path], list[Path]]:
    """Apply `policy` to DEL's backups in `folder`: (kept, deleted), newest first."""
    found = backups_in(folder)
    keep = retained(found, policy)
    kept, deleted = [], []
    for moment in sorted(found, reverse=True):
        if moment in keep:
            kept.append(found[moment])
        else:
            found[moment].unlink(missing_ok=True)
            deleted.append(found[moment])
    return kept, deleted


def remove_leftovers(folder: Path, *, older_than: float = 3600) -> list[Path]:
    """Remove the private temporary folders of backups that were cut off (a killed worker):
    they may hold a plain copy. Only DEL's own (`.del-backup-*`), and only old ones."""
    removed = []
    for path in folder.glob(".del-backup-*"):
        if path.is_dir() and path.stat().st_mtime < time.time() - older_than:
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def backup_folder(app: Flask) -> Path:
    """BACKUP_DIR, or `<instance>/backups`."""
    configured = app.config.get("BACKUP_DIR")
    return Path(configured) if configured else Path(app.instance_path) / "backups"


def backup_name(url: str, moment: datetime, *, encrypted: bool) -> str:
    """The file name of a backup made at `moment` (UTC)."""
    kind = "sqlite3" if make_url(url).get_backend_name() == "sqlite" else "pgdump"
    stamp = moment.astimezone(UTC).strftime(_STAMP)
    return f"del-{stamp}.{kind}{'.enc' if encrypted else ''}"


@dataclass(frozen=True, slots=True)
class BackupRun:
    """What a scheduled backup wrote and what the policy deleted."""

    path: Path
    size: int
    kept: list[Path]
    deleted: list[Path]


def run_backup(app: Flask, *, now: datetime) -> BackupRun:
    """Write a backup to BACKUP_DIR as of `now` (encrypted if a key is set), then prune.

    Raises BackupError when the backup cannot be written (nothing is pruned then); the run
    is recorded for /metrics either way.
    """
    from del_tool.metrics.operations import record_backup
    from del_tool.security.backup import backup_database, encryption_key

    folder = backup_folder(app)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    remove_leftovers(folder)
    url = str(app.config["DATABASE_URL"])
    key = encryption_key(app)
    path = folder / backup_name(url, now, encrypted=key is not None)
    try:
        backup_database(url, path, key=key)
        path.chmod(0o600)
    except Exception:
        record_backup(ok=False, at=now.timestamp(), app=app)
        raise
    kept, deleted = prune(folder, Policy.of(app))
    size = path.stat().st_size
    record_backup(ok=True, size=size, kept=len(kept), at=now.timestamp(), app=app)
    log.info(
        "backup written: %s (%d bytes); %d kept, %d deleted",
        path.name,
        size,
        len(kept),
        len(deleted),
    )
    return BackupRun(path, size, kept, deleted)


@job(schedule=schedule_of)
def scheduled_backup(*, final_attempt: bool = True) -> str | None:
    """At BACKUP_SCHEDULE: back up the database to BACKUP_DIR and apply the retention policy
    (one worker per scheduled minute: the others find the lease taken)."""
    from del_tool.store import get_store

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    now = datetime.now(UTC)
    slot = scheduled_slot(schedule_of(app), now)
    lease = f"lease:backup:{slot.strftime(_STAMP)}"
    if not get_store().add_json(lease, {"at": now.isoformat()}, LEASE_SECONDS):
        return None  # another worker's copy of this job has this slot's backup
    return run_backup(app, now=now).path.name


def scheduled_slot(due: Callable[[datetime], bool] | None, now: datetime) -> datetime:
    """The newest minute up to `now` at which the schedule was due (within a day), so every
    copy of one slot's job, however late it runs, takes the same lease; else `now`'s minute."""
    minute = now.astimezone(UTC).replace(second=0, microsecond=0)
    for back in range(24 * 60):
        moment = minute - timedelta(minutes=back)
        if due is not None and due(moment):
            return moment
    return minute
