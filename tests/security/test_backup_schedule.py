"""Issue #20 item 5: scheduled backups with a retention policy, run by the job worker."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from del_tool import ConfigError, create_app
from del_tool.db import get_db
from del_tool.jobs import get_jobs
from del_tool.metrics.operations import BACKUP, read_record
from del_tool.security.backup_schedule import (
    Policy,
    backups_in,
    parse_schedule,
    retained,
    run_backup,
    scheduled_slot,
)
from tests.conftest import make_config
from tests.security.helpers import db_session
from tests.security.test_history import add_citizen

CPH = "Europe/Copenhagen"
#: Daily backups at 01:00 UTC from 1 October to 4 December 2026 (65 files); a run on 5 December.
EXISTING = [datetime(2026, 10, 1, 1, 0, tzinfo=UTC) + timedelta(days=i) for i in range(65)]
NOW = datetime(2026, 12, 5, 1, 0, tzinfo=UTC)


def test_the_policy_keeps_the_newest_of_each_day_week_and_month():
    """Worked by hand, daily 7, weekly 4, monthly 3, backups every day 1 Oct - 5 Dec 2026:
    - days: 5, 4, 3, 2, 1 December, 30 and 29 November;
    - ISO weeks (Monday to Sunday): week 49 (30 Nov - 6 Dec) -> Sat 5 Dec, week 48 -> Sun 29
      Nov, week 47 -> Sun 22 Nov, week 46 -> Sun 15 Nov;
    - months: December -> 5 Dec, November -> 30 Nov, October -> 31 Oct.
    Together ten backups; the other 56 go."""
    kept = retained([*EXISTING, NOW], Policy(daily=7, weekly=4, monthly=3, timezone=CPH))
    assert sorted(t.date() for t in kept) == [
        date(2026, 10, 31),
        date(2026, 11, 15),
        date(2026, 11, 22),
        *(date(2026, 11, d) for d in (29, 30)),
        *(date(2026, 12, d) for d in range(1, 6)),
    ]


def test_periods_without_a_backup_do_not_count():
    """A worker stopped from 11 November to 4 December: 'the last 7 days' are the 7 newest
    days that have a backup (5 Dec, then 10 back to 5 Nov), so coming back deletes little."""
    stopped = [t for t in EXISTING if t.date() <= date(2026, 11, 10)]
    kept = retained([*stopped, NOW], Policy(daily=7, weekly=0, monthly=0, timezone=CPH))
    assert sorted(t.date() for t in kept) == [
        *(date(2026, 11, d) for d in range(5, 11)),
        date(2026, 12, 5),
    ]
    assert retained([NOW], Policy(0, 0, 0)) == {NOW}  # the newest always stays


def huey_time(*fields: int) -> datetime:
    """A time as huey's scheduler gives it: UTC without a time zone."""
    return datetime(*fields, tzinfo=UTC).replace(tzinfo=None)


def test_a_daily_time_is_local_time_summer_and_winter():
    due = parse_schedule("02:30", CPH)
    assert due(huey_time(2026, 1, 15, 1, 30))  # 02:30 CET
    assert due(huey_time(2026, 7, 15, 0, 30))  # 02:30 CEST
    assert not due(huey_time(2026, 1, 15, 2, 30))
    weekdays = parse_schedule("30 2 * * 1-5", CPH)
    assert weekdays(huey_time(2026, 12, 7, 1, 30))  # Monday
    assert not weekdays(huey_time(2026, 12, 6, 1, 30))  # Sunday
    assert parse_schedule("  ", CPH) is None
    # Every copy of a slot's job, however late, names the same slot.
    assert scheduled_slot(due, datetime(2026, 1, 15, 3, 10, 42, tzinfo=UTC)) == datetime(
        2026, 1, 15, 1, 30, tzinfo=UTC
    )


@pytest.mark.parametrize("schedule", ["25:00", "2:30 daily", "61 2 * * *", "x 2 * * *"])
def test_a_schedule_that_cannot_be_read_stops_the_start_in_one_line(databases, schedule):
    url = databases.fresh("seeded")
    try:
        with pytest.raises(ConfigError, match="BACKUP_SCHEDULE") as refused:
            create_app(make_config(url, BACKUP_SCHEDULE=schedule))
    finally:
        databases.drop(url)
    assert "\n" not in str(refused.value)


def _name(moment: datetime, suffix: str) -> str:
    return f"del-{moment.strftime('%Y%m%dT%H%M%SZ')}.{suffix}"


def test_a_scheduled_run_writes_a_backup_and_prunes_by_the_policy(app, runner, tmp_path):
    """The run on 5 December (clock injected) writes its backup beside 65 older ones and keeps
    the ten of the worked example; files that are not DEL's backups are never touched."""
    with db_session(app) as db:
        add_citizen(db, name="Planlagt Petersen")
    folder = tmp_path / "backups"
    folder.mkdir()
    suffix = "sqlite3" if "sqlite" in app.config["DATABASE_URL"] else "pgdump"
    for moment in EXISTING:
        (folder / _name(moment, suffix)).write_bytes(b"an older backup")
    foreign = [folder / "notes.txt", folder / "del-manual.sqlite3", folder / "del-2026.pgdump"]
    for path in foreign:
        path.write_text("not DEL's", encoding="utf-8")
    app.config.update(
        BACKUP_DIR=str(folder), BACKUP_KEEP_DAILY=7, BACKUP_KEEP_WEEKLY=4, BACKUP_KEEP_MONTHLY=3
    )
    with app.app_context():
        run = run_backup(app, now=NOW)
        record = read_record(BACKUP)
    assert run.path == folder / _name(NOW, suffix)
    assert len(run.kept) == 10 and len(run.deleted) == 56
    assert sorted(t.date() for t in backups_in(folder)) == sorted(
        t.date() for t in retained([*EXISTING, NOW], Policy(7, 4, 3, CPH))
    )
    assert all(path.exists() for path in foreign)
    assert oct(run.path.stat().st_mode)[-3:] == "600"
    assert record["success_timestamp_seconds"] == NOW.timestamp()
    assert record["size_bytes"] == run.path.stat().st_size and record["kept"] == 10
    result = runner.invoke(args=["backup", "verify", str(run.path)])
    assert result.exit_code == 0 and "citizens 1" in result.output, result.output


def test_the_job_runs_only_when_scheduled_and_once_per_slot(databases, tmp_path):
    url = databases.fresh("seeded")
    plain = create_app(make_config(url))
    scheduled = create_app(
        make_config(url, BACKUP_SCHEDULE="02:30", BACKUP_DIR=str(tmp_path / "b"))
    )
    try:
        assert "scheduled_backup" not in get_jobs(plain).tasks
        huey = get_jobs(scheduled).huey  # what the worker's scheduler asks every minute:
        due = {task.name for task in huey.read_periodic(huey_time(2026, 1, 15, 1, 30))}
        assert "scheduled_backup" in due
        later = {task.name for task in huey.read_periodic(huey_time(2026, 1, 15, 1, 31))}
        assert "scheduled_backup" not in later
        with scheduled.app_context():
            get_jobs(scheduled).enqueue("scheduled_backup")  # run at once (memory queue)
            get_jobs(scheduled).enqueue("scheduled_backup")  # a second worker's copy
        assert len(backups_in(tmp_path / "b")) == 1
    finally:
        get_db(plain).dispose()
        get_db(scheduled).dispose()
        databases.drop(url)


def test_backup_run_does_what_the_schedule_does(app, runner, tmp_path):
    app.config["BACKUP_DIR"] = str(tmp_path / "now")
    result = runner.invoke(args=["backup", "run"])
    assert result.exit_code == 0, result.output
    assert "Retention: 1 kept, 0 deleted." in result.output
    assert len(backups_in(tmp_path / "now")) == 1


def test_a_cut_off_backup_leaves_no_plain_copy_behind(tmp_path):
    """A worker killed while encrypting leaves its private folder (with a plain copy): the next
    run removes DEL's own such folders once they are an hour old, and nothing else."""
    import os

    from del_tool.security.backup_schedule import remove_leftovers

    old, fresh, other = tmp_path / ".del-backup-old", tmp_path / ".del-backup-new", tmp_path / "x"
    for folder in (old, fresh, other):
        folder.mkdir()
        (folder / "plain").write_bytes(b"SQLite format 3")
    os.utime(old, (0, 0))
    os.utime(other, (0, 0))
    assert remove_leftovers(tmp_path) == [old]
    assert fresh.exists() and other.exists() and not old.exists()
