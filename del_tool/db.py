"""Database access: one engine per app, one session per request, SQLite made safe for writers.

The engine is built in `init_app` from `DATABASE_URL`, never at import. A request gets one
`Session` (created on first use, closed at teardown, rolled back if it was not committed).
Requests that may write (POST and friends) and CLI commands run their SQLite transactions as
`BEGIN IMMEDIATE`, so concurrent writers queue on the busy timeout instead of failing halfway
with "database is locked"; reads stay deferred so they never wait for a writer (WAL).

A read request's session is marked read-only (`reads_only`) and never writes: SQLite cannot
upgrade a read snapshot to a write once another connection has committed since it began (it
fails at once; the busy timeout cannot help). What a read request must write (the access log)
goes in a short write transaction of its own (`write_session`), on another connection.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import closing, contextmanager
from operator import itemgetter
from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import Connection, Engine, Table, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, SQLModel

#: Constraint names that migrations can refer to (indico's convention).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_EXTENSION_KEY = "del_db"
_REQUEST_KEY = "del.db_session"
_READ_ONLY_KEY = "del_read_only"


class Database:
    """The engines of one application: `engine` for reads, `write_engine` for writes."""

    def __init__(self, url: str, *, echo: bool = False, busy_timeout_ms: int = 30_000) -> None:
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": busy_timeout_ms / 1000}
            if parsed.database in (None, "", ":memory:"):
                kwargs["poolclass"] = StaticPool
        else:
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = _create_engine(url, kwargs)
        if self.is_sqlite:
            _install_sqlite_hooks(self.engine, busy_timeout_ms)
        self.write_engine: Engine = self.engine.execution_options(del_write=True)

    def session(self, *, write: bool) -> Session:
        """Open a new session; `write=True` takes SQLite's write lock at BEGIN.

        A session opened with `write=False` is marked read-only (see `reads_only`).
        """
        bind = self.write_engine if write else self.engine
        return Session(bind=bind, info={_READ_ONLY_KEY: not write})

    def dispose(self) -> None:
        """Close all pooled connections."""
        self.engine.dispose()


def _create_engine(url: str, kwargs: dict[str, Any]) -> Engine:
    from sqlmodel import create_engine

    return create_engine(url, **kwargs)


def _install_sqlite_hooks(engine: Engine, busy_timeout_ms: int) -> None:
    """Pragmas on every connection; explicit BEGIN (IMMEDIATE for writers)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take over transaction control from pysqlite so BEGIN is ours to issue.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        # Deleted and overwritten content is zeroed, not left in free space: erasure erases.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = "IMMEDIATE" if connection.get_execution_options().get("del_write") else "DEFERRED"
        connection.exec_driver_sql(f"BEGIN {mode}")


def init_app(app: Flask) -> None:
    """Create the app's engines from config and close the request session at teardown."""
    app.extensions[_EXTENSION_KEY] = Database(
        app.config["DATABASE_URL"],
        echo=app.config["SQL_ECHO"],
        busy_timeout_ms=app.config["SQLITE_BUSY_TIMEOUT_MS"],
    )
    app.teardown_request(close_request_session)
    app.teardown_appcontext(close_session)


def get_db(app: Flask | None = None) -> Database:
    """The Database of `app` (default: the current app)."""
    database: Database = (app or current_app).extensions[_EXTENSION_KEY]
    return database


def get_session() -> Session:
    """The request's session (or, outside requests, the app context's), opened on first use.

    A request keeps its session on the request itself, not on `g`: a request handled inside an
    app context that is already pushed (a test, a job) shares that context's `g`, and must not
    share its session or its transaction.
    """
    if has_request_context():
        environ = request.environ
        if _REQUEST_KEY not in environ:
            environ[_REQUEST_KEY] = get_db().session(write=request.method not in _READ_METHODS)
        request_session: Session = environ[_REQUEST_KEY]
        return request_session
    if "db_session" not in g:
        g.db_session = get_db().session(write=True)
    session: Session = g.db_session
    return session


def reads_only(session: Session) -> bool:
    """Whether `session` was opened for reading (a GET request's): it must not write."""
    return bool(session.info.get(_READ_ONLY_KEY))


def rollback_request_session() -> None:
    """Roll back the request's session, if it has one, so it can be used again.

    Error pages call this before rendering: after a failed flush the session refuses every query
    (PendingRollbackError) until it is rolled back. A session whose rollback fails too (the
    connection is gone) is closed; it opens a new connection when it is used again.
    """
    if not has_request_context():
        return
    session: Session | None = request.environ.get(_REQUEST_KEY)
    if session is None:
        return
    try:
        session.rollback()
    except SQLAlchemyError:
        session.close()


def close_request_session(_exc: BaseException | None = None) -> None:
    """Close the request's session; uncommitted work is rolled back."""
    session = request.environ.pop(_REQUEST_KEY, None)
    if session is not None:
        session.close()


def close_session(_exc: BaseException | None = None) -> None:
    """Close the app context's session; uncommitted work is rolled back."""
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


@contextmanager
def write_session(app: Flask | None = None) -> Iterator[Session]:
    """A session for a CLI command or job: commits on success, rolls back on error."""
    with get_db(app).session(write=True) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def checkpoint_wal(
    app: Flask | None = None, *, attempts: int = 5, pause: float = 0.5, wait_ms: int = 2000
) -> bool:
    """Fold SQLite's write-ahead log into the database file and empty it (after an erasure,
    so the old pages do not linger in the -wal file); retried while readers hold it.

    Each attempt waits at most `wait_ms` for readers (not the whole busy timeout). True when
    done (always on PostgreSQL, which has no such file), False when readers kept it from
    completing every time.
    """
    database = get_db(app)
    if not database.is_sqlite:
        return True
    for attempt in range(attempts):
        with closing(database.engine.raw_connection()) as connection:
            cursor = connection.cursor()
            usual = cursor.execute("PRAGMA busy_timeout").fetchone()[0]
            cursor.execute(f"PRAGMA busy_timeout={int(wait_ms)}")
            busy = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            cursor.execute(f"PRAGMA busy_timeout={int(usual)}")
            cursor.close()
        if not busy:
            return True
        if attempt + 1 < attempts:
            time.sleep(pause)
    return False


def insert_rows(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert `rows` (dicts with the same keys) into `table` in the connection's transaction,
    in order: each value through its column type's bind processor (stored exactly as a Core
    insert stores it), then the driver directly: one executemany on SQLite, one `COPY ... FROM
    STDIN` on PostgreSQL (SQLAlchemy's and psycopg's per-row handling would dominate). The demo
    writer and the history's bulk append (`audit.services.insert_many`) use it."""
    names = list(rows[0])
    insert_bound(connection, table, names, bind_rows(connection.dialect, table, names, rows))


def bind_rows(
    dialect: Any, table: Table, names: list[str], rows: Sequence[Mapping[str, Any]]
) -> list[tuple[Any, ...]]:
    """The values of `rows` (mappings with every one of `names`) as `insert_bound` takes them:
    each through its column type's bind processor for `dialect`, in the order of `names`. No
    database is touched, so a caller can prepare rows before it takes the write lock."""
    processors = [
        (index, process)
        for index, name in enumerate(names)
        if (process := column_processor(dialect, table, name)) is not None
    ]
    getter = itemgetter(*names)
    values: list[tuple[Any, ...]] = []
    for row in rows:
        row_values = getter(row)
        if len(names) == 1:
            row_values = (row_values,)
        if processors:
            converted = list(row_values)
            for index, process in processors:
                converted[index] = process(converted[index])
            row_values = tuple(converted)
        values.append(row_values)
    return values


def column_processor(dialect: Any, table: Table, name: str) -> Any:
    """The bind processor of a column's type for `dialect` (None when values go as they are)."""
    return table.c[name].type.dialect_impl(dialect).bind_processor(dialect)


def insert_bound(
    connection: Connection, table: Table, names: list[str], values: Sequence[tuple[Any, ...]]
) -> None:
    """Insert rows of bound values (`bind_rows`) for the columns `names` into `table` in the
    connection's transaction, in order: one executemany on SQLite, one COPY on PostgreSQL."""
    if not values:
        return
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    columns = ", ".join(quote(name) for name in names)
    target = dialect.identifier_preparer.format_table(table)
    if dialect.name == "postgresql":
        driver_connection: Any = connection.connection.driver_connection
        with (
            driver_connection.cursor() as cursor,
            cursor.copy(f"COPY {target} ({columns}) FROM STDIN") as copy,
        ):
            for row_values in values:
                copy.write_row(row_values)
        return
    marks = ", ".join("?" if dialect.paramstyle == "qmark" else "%s" for _ in names)
    connection.exec_driver_sql(
        f"INSERT INTO {target} ({columns}) VALUES ({marks})",  # noqa: S608 - names from our metadata
        list(values),
    )
