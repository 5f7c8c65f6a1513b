"""Backup and restore of the whole database.

SQLite: the online backup API of the sqlite3 module (a consistent copy while the app runs).
PostgreSQL: pg_dump in its custom format, and pg_restore (--clean, one transaction), run
without a shell with list arguments. The password travels in PGPASSWORD, never on a command
line other users could read.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # nosec B404
from pathlib import Path

from sqlalchemy.engine import URL, make_url

#: The first bytes of every SQLite database file.
SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


class BackupError(RuntimeError):
    """A backup or restore could not be made; the message says why."""


def backup_database(url: str, out: Path) -> None:
    """Write a backup of the database at `url` to `out`."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        _copy_sqlite(_sqlite_path(parsed), out)
    else:
        _run_pg("pg_dump", ["--format=custom", "--no-owner", f"--file={out}"], parsed)


def restore_database(url: str, backup: Path) -> None:
    """Replace the database at `url` with the contents of `backup`."""
    head = backup.read_bytes()[:16] if backup.is_file() else b""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if head != SQLITE_MAGIC:
            raise BackupError(f"{backup} is not an SQLite backup")
        _check_sqlite(backup)
        _copy_sqlite(backup, _sqlite_path(parsed))
    else:
        if not head.startswith(PGDUMP_MAGIC):
            raise BackupError(f"{backup} is not a pg_dump custom-format backup")
        args = ["--clean", "--if-exists", "--no-owner", "--single-transaction", str(backup)]
        _run_pg("pg_restore", args, parsed)


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
