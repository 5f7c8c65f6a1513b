"""Backup and restore of the whole database.

SQLite: the online backup API of the sqlite3 module (a consistent copy while the app runs).
PostgreSQL: pg_dump in its custom format, and pg_restore (--clean, one transaction), run
without a shell with list arguments. The password travels in PGPASSWORD, never on a command
line other users could read. A restore first checks a scratch copy of the backup
(`restore_checks`) and refuses, replacing nothing, when it is not a sound DEL database.
With an encryption key the backup is written encrypted (`backup_crypto`; pg_dump's output is
encrypted as it streams, an SQLite copy from a private temporary folder), and checks and
restores decrypt it first, into a private temporary folder.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # nosec B404
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.engine import URL, make_url

from del_tool.security.backup_crypto import (
    EncryptionError,
    check_key,
    encrypt_stream,
    private_file,
    private_folder,
    readable,
)
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


def encryption_key(app: Any) -> str | None:
    """BACKUP_ENCRYPTION_KEY, or None when backups are not encrypted; BackupError when it is
    too short."""
    key = app.config.get("BACKUP_ENCRYPTION_KEY") or None
    if key is not None:
        try:
            check_key(str(key))
        except EncryptionError as exc:
            raise BackupError(str(exc)) from None
    return None if key is None else str(key)


def opening_keys(app: Any) -> list[str]:
    """The keys that may open an encrypted backup: the current one, then the retired ones."""
    keys = [app.config.get("BACKUP_ENCRYPTION_KEY"), *app.config.get("BACKUP_RETIRED_KEYS", ())]
    return [str(key) for key in keys if key]


def backup_database(url: str, out: Path, *, key: str | None = None) -> None:
    """Write a backup of the database at `url` to `out`, encrypted when `key` is given."""
    parsed = make_url(url)
    sqlite = parsed.get_backend_name() == "sqlite"
    if key is None:
        if not out.exists():
            private_file(out).close()  # readable by its owner only from the start
        if sqlite:
            _copy_sqlite(_sqlite_path(parsed), out)
        else:
            _run_pg("pg_dump", ["--format=custom", "--no-owner", f"--file={out}"], parsed)
        return
    folder = private_folder(out.parent)
    try:
        partial = folder / "encrypted"
        with private_file(partial) as target:
            if sqlite:
                plain = folder / "plain"
                _copy_sqlite(_sqlite_path(parsed), plain)
                with plain.open("rb") as source:
                    encrypt_stream(source, target, key)
                plain.unlink()
            else:
                _stream_pg_dump(parsed, target, key)
        os.replace(partial, out)
    except EncryptionError as exc:
        raise BackupError(str(exc)) from None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


#: Tables whose rows a drill reports, so an operator sees the backup holds what it should.
DRILL_TABLES = ("citizens", "stays", "follow_ups", "goals", "audit_events", "users")


def check_backup(
    url: str, backup: Path, *, keys: Sequence[str] = ()
) -> tuple[list[str], dict[str, int]]:
    """The problems of `backup` as a DEL database for the deployment at `url`, found on a
    scratch copy (nothing else is touched), and the rows of its main tables; an encrypted
    backup is opened with the first of `keys` that fits.

    Raises BackupError when the file is no backup of this kind of database at all, or cannot
    be decrypted.
    """
    try:
        with readable(backup, keys) as plain:
            return _check_plain(url, plain)
    except EncryptionError as exc:
        raise BackupError(str(exc)) from None


def _check_plain(url: str, backup: Path) -> tuple[list[str], dict[str, int]]:
    head = _head(backup)
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


def restore_database(
    url: str, backup: Path, *, force: bool = False, keys: Sequence[str] = ()
) -> list[str]:
    """Replace the database at `url` with the contents of `backup` (decrypted with the first
    of `keys` that fits, if it is encrypted), once it passes the checks.

    Raises RestoreRefusedError (nothing replaced) when the backup is not a sound DEL database,
    unless `force`; returns the problems that were overridden.
    """
    try:
        with readable(backup, keys) as plain:
            return _restore_plain(url, plain, force=force)
    except EncryptionError as exc:
        raise BackupError(str(exc)) from None


def _head(path: Path) -> bytes:
    if not path.is_file():
        return b""
    with path.open("rb") as handle:
        return handle.read(16)


def _restore_plain(url: str, backup: Path, *, force: bool) -> list[str]:
    problems, _rows_found = _check_plain(url, backup)
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


def _pg_command(tool: str, args: list[str], url: URL) -> tuple[list[str], dict[str, str]]:
    """The command line (a fixed executable found on PATH, list arguments) and environment."""
    executable = shutil.which(tool)
    if executable is None:
        raise BackupError(f"{tool} is not installed (PostgreSQL client tools are needed)")
    env = {**os.environ, "PGPASSWORD": url.password or os.environ.get("PGPASSWORD", "")}
    dsn = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return [executable, f"--dbname={dsn}", *args], env


def _failed(tool: str, stderr: str) -> BackupError:
    last = (stderr.strip().splitlines() or ["no message"])[-1]
    return BackupError(f"{tool} failed: {last}")


def _run_pg(tool: str, args: list[str], url: URL) -> None:
    command, env = _pg_command(tool, args, url)
    # No shell: the command is a list.
    result = subprocess.run(  # noqa: S603  # nosec B603
        command, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise _failed(tool, result.stderr)


def _stream_pg_dump(url: URL, target: Any, key: str) -> None:
    """pg_dump's custom format, encrypted as it comes out of the pipe (never on disk plain)."""
    command, env = _pg_command("pg_dump", ["--format=custom", "--no-owner"], url)
    with tempfile.TemporaryFile() as errors:
        # No shell: the command is a list.
        dump = subprocess.Popen(  # noqa: S603  # nosec B603
            command, env=env, stdout=subprocess.PIPE, stderr=errors
        )
        output = dump.stdout
        if output is None:  # stdout=PIPE always gives one
            raise BackupError("pg_dump gave no output")
        try:
            encrypt_stream(output, target, key)
        finally:
            output.close()
            code = dump.wait()
        if code != 0:
            errors.seek(0)
            raise _failed("pg_dump", errors.read().decode("utf-8", errors="replace"))
