"""Backup and restore of the whole database.

SQLite: the online backup API of the sqlite3 module (a consistent copy while the app runs).
PostgreSQL: pg_dump in its custom format, and pg_restore (--clean, one transaction), run
without a shell with list arguments. The password travels in PGPASSWORD, never on a command
line other users could read. A restore first checks a scratch copy of the backup
(`restore_checks`) and refuses, replacing nothing, when it is not a sound DEL database.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # nosec B404
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.engine import URL, make_url

from del_tool.security.restore_checks import (
    database_problems,
    postgres_scratch,
    reference_triggers_postgres,
    reference_triggers_sqlite,
    sqlite_scratch,
)

#: The first bytes of every SQLite database file.
SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(RuntimeError):
    """A backup or restore could not be made; the message says why."""


class RestoreRefusedError(BackupError):
    """The backup is readable but not a sound DEL database; `problems` says why, one a line."""

    def __init__(self, problems: list[str]) -> None:
        """Keep the problems; the message counts them."""
        super().__init__(f"the backup has {len(problems)} problem(s); nothing was replaced")
        self.problems = problems


def backup_database(url: str, out: Path) -> None:
    """Write a backup of the database at `url` to `out`."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _copy_sqlite(_sqlite_path(parsed), out)
    else:
        _run_pg("pg_dump", ["--format=custom", "--no-owner", f"--file={out}"], parsed)


#: Tables whose rows a drill reports, so an operator sees the backup holds what it should.
DRILL_TABLES = ("citizens", "stays", "follow_ups", "goals", "audit_events", "users")


def check_backup(url: str, backup: Path) -> tuple[list[str], dict[str, int]]:
    """The problems of `backup` as a DEL database for the deployment at `url`, found on a
    scratch copy (nothing else is touched), and the rows of its main tables.

    Raises BackupError when the file is no backup of this kind of database at all.
    """
    head = backup.read_bytes()[:16] if backup.is_file() else b""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if head != SQLITE_MAGIC:
            raise BackupError(f"{backup} is not an SQLite backup")
        _check_sqlite(backup)
        with sqlite_scratch(backup) as engine:
            return database_problems(engine, reference_triggers_sqlite()), _rows(engine)
    if not head.startswith(PGDUMP_MAGIC):
        raise BackupError(f"{backup} is not a pg_dump custom-format backup")
    with postgres_scratch(parsed) as scratch:
        _run_pg("pg_restore", ["--no-owner", "--single-transaction", str(backup)], scratch)
        engine = create_engine(scratch)
        try:
            return database_problems(engine, reference_triggers_postgres(parsed)), _rows(engine)
        finally:
            engine.dispose()


def _rows(engine: Any) -> dict[str, int]:
    from sqlalchemy import inspect, text

    with engine.connect() as conn:
        present = set(inspect(conn).get_table_names())
        return {
            table: int(conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608 - fixed names
            for table in DRILL_TABLES
            if table in present
        }


def restore_database(url: str, backup: Path, *, force: bool = False) -> list[str]:
    """Replace the database at `url` with the contents of `backup`, once it passes the checks.

    Raises RestoreRefusedError (nothing replaced) when the backup is not a sound DEL database,
    unless `force`; returns the problems that were overridden.
    """
    problems, _rows_found = check_backup(url, backup)
    _refuse_unless(problems, force)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _copy_sqlite(backup, _sqlite_path(parsed))
        return problems
    args = ["--clean", "--if-exists", "--no-owner", "--single-transaction", str(backup)]
    _run_pg("pg_restore", args, parsed)
    return problems


def _refuse_unless(problems: list[str], force: bool) -> None:
    if problems and not force:
        raise RestoreRefusedError(problems)


def _sqlite_path(url: URL) -> Path:
    if url.database in (None, "", ":memory:"):
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def _check_sqlite(path: Path) -> None:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        if conn.execute("PRAGMA integrity_check").fetchone() != ("ok",):
            raise BackupError(f"{path} fails SQLite's integrity check")


def _copy_sqlite(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _run_pg(tool: str, args: list[str], url: URL) -> None:
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(f"{tool} is not installed (PostgreSQL client tools are needed)")
    env = {**os.environ, "PGPASSWORD": url.password or os.environ.get("PGPASSWORD", "")}
    dsn = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    # A fixed executable found on PATH, list arguments, no shell.
    result = subprocess.run(  # noqa: S603  # nosec B603
        [executable, f"--dbname={dsn}", *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(f"{tool} failed: {last}")
