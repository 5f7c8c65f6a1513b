"""The SELECT floor of a report: its own queries, replayed with the bare driver.

While a report is built once, every SELECT it sends is recorded with its parameters. The floor
is the time to send the same statements again through the DB-API cursor and fetch all rows into
memory as tuples: no ORM, no result processing, no pandas, no statistics. A report can hardly
be faster than that, so report time / floor time is what the report adds on top of reading.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event


@dataclass(slots=True)
class Statement:
    """One recorded SELECT with its parameters, and what a replay of it gave."""

    sql: str
    parameters: Any
    rows: int = 0
    seconds: float = 0.0


@dataclass(slots=True)
class Recording:
    """The SELECTs one build sent, in order."""

    statements: list[Statement] = field(default_factory=list)


@contextmanager
def recording(engine: Engine) -> Iterator[Recording]:
    """Record every SELECT sent through `engine` while the block runs."""
    found = Recording()

    def before(
        _conn: Any, _cursor: Any, sql: str, parameters: Any, _context: Any, executemany: bool
    ) -> None:
        head = sql.lstrip()[:6].upper()
        if not executemany and (head == "SELECT" or head.startswith("WITH")):
            found.statements.append(Statement(sql, parameters))

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", before)


def replay(engine: Engine, statements: list[Statement]) -> float:
    """Send the statements again with the bare DB-API cursor, fetching every row; seconds."""
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        started = time.perf_counter()
        for statement in statements:
            begun = time.perf_counter()
            cursor.execute(statement.sql, statement.parameters)
            statement.rows = len(cursor.fetchall())
            statement.seconds = time.perf_counter() - begun
        total = time.perf_counter() - started
        cursor.close()
        connection.rollback()
    finally:
        connection.close()
    return total


def record(engine: Engine, build: Callable[[], object]) -> Recording:
    """Run `build` once and return the SELECTs it sent."""
    with recording(engine) as found:
        build()
    return found
