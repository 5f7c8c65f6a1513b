"""Alembic environment: runs on the connection `del_tool.migrate` hands over, or builds the app."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import del_tool.models  # noqa: F401 - registers every table on SQLModel.metadata
from del_tool.modelbase import UtcDateTime

target_metadata = SQLModel.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render DEL's column types as the plain SQL types they store, so revisions stand alone."""
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_on(connection: Connection) -> None:
    """Configure the context on `connection` and run the migrations in one transaction."""
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Use the given connection, or connect with the app's configured database."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_on(connection)
        return
    from del_tool import create_app
    from del_tool.db import get_db

    app = create_app()
    with get_db(app).write_engine.connect() as conn:
        run_on(conn)
        conn.commit()


if context.is_offline_mode():
    raise SystemExit("DEL migrations run online only: use 'del-tool db upgrade'.")
run_online()
