"""What a backup must be before `del-tool restore` puts it in place of the database.

A file that SQLite or pg_restore can read is not yet a DEL database. The backup is opened as a
scratch copy (a temporary SQLite file, or a scratch PostgreSQL database beside the real one)
and checked: the schema revision must be this DEL's alembic head, the schema must match the
models, the triggers that make the history append-only must be there as the migrations write
them (compared with a scratch database migrated to head), and the history must verify as
`del-tool audit verify` checks it. Each problem is one line; nothing is replaced meanwhile.
"""

from __future__ import annotations

import re
import secrets
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, SQLModel

from del_tool.audit.integrity import verify_history
from del_tool.migrate import alembic_config, head_revision

#: The trigger definitions of the history table, by name: (definition, function source).
Triggers = dict[str, str]

_SQLITE_TRIGGERS = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"
_POSTGRES_TRIGGERS = """SELECT t.tgname, pg_get_triggerdef(t.oid) || ' ' || p.prosrc
    FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
    WHERE t.tgrelid = CAST(:t AS regclass) AND NOT t.tgisinternal"""


def database_problems(engine: Engine, reference: Triggers) -> list[str]:
    """Every reason the database behind `engine` is not a sound DEL database at head."""
    with engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
        if "alembic_version" not in tables:
            return ["no schema revision (alembic_version): this is not a DEL database"]
        revision = MigrationContext.configure(conn).get_current_revision()
        head = head_revision()
        if revision != head:
            return [
                f"schema revision {revision}, but this DEL is at {head}: restore it with the "
                "DEL version that made it, or use --force and then `del-tool db upgrade`"
            ]
        problems = [
            f"schema differs from the models: {diff}"
            for diff in compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
        ]
        problems += _trigger_problems(triggers_of(conn), reference)
    if "audit_events" in tables and "audit_chain_head" in tables:
        problems += _history_problems(engine)
    return problems


def triggers_of(conn: Connection) -> Triggers:
    """The triggers on `audit_events` of a connection's database, whitespace normalised."""
    query = _SQLITE_TRIGGERS if conn.dialect.name == "sqlite" else _POSTGRES_TRIGGERS
    rows = conn.execute(text(query), {"t": "audit_events"}).all()
    return {str(name): re.sub(r"\s+", " ", str(sql or "")).strip() for name, sql in rows}


def _trigger_problems(found: Triggers, expected: Triggers) -> list[str]:
    problems = []
    for name in sorted(expected.keys() | found.keys()):
        if name not in found:
            problems.append(f"trigger {name} on audit_events is missing")
        elif name not in expected:
            problems.append(f"trigger {name} on audit_events is not one of DEL's")
        elif found[name] != expected[name]:
            problems.append(f"trigger {name} on audit_events differs from the migrations'")
    return problems


def _history_problems(engine: Engine) -> list[str]:
    try:
        with Session(engine) as session:
            _state, problems = verify_history(session)
    except SQLAlchemyError as exc:
        return [f"history: cannot be read ({type(exc).__name__})"]
    return [f"history: {problem}" for problem in problems]


def migrate_to_head(engine: Engine) -> None:
    """Run every migration on an empty scratch database."""
    config = alembic_config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        connection.commit()


@contextmanager
def sqlite_scratch(source: Path | None = None) -> Iterator[Engine]:
    """An engine on a temporary SQLite file: a copy of `source`, or empty; removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="del-restore-check-"))
    path = folder / "check.sqlite3"
    try:
        if source is not None:
            src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
            dst = sqlite3.connect(path)
            try:
                src.backup(dst)
            finally:
                dst.close()
                src.close()
        engine = create_engine(f"sqlite:///{path}")
        try:
            yield engine
        finally:
            engine.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def postgres_scratch(url: URL) -> Iterator[URL]:
    """A new empty database on the same server as `url` (dropped afterwards)."""
    name = f"{url.database or 'del'}_restore_check_{secrets.token_hex(4)}"[:63]
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield url.set(database=name)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def reference_triggers_sqlite() -> Triggers:
    """The history's triggers as the migrations make them on SQLite."""
    with sqlite_scratch() as engine:
        migrate_to_head(engine)
        with engine.connect() as conn:
            return triggers_of(conn)


def reference_triggers_postgres(url: URL) -> Triggers:
    """The history's triggers as the migrations make them on PostgreSQL (a scratch database)."""
    with postgres_scratch(url) as scratch:
        engine = create_engine(scratch)
        try:
            migrate_to_head(engine)
            with engine.connect() as conn:
                return triggers_of(conn)
        finally:
            engine.dispose()
