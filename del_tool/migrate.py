"""Schema migrations with Alembic, run on the app's own engine."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlmodel import SQLModel

import del_tool.models  # noqa: F401 - the full metadata for the drift check
from del_tool.db import get_db

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config() -> Config:
    """Alembic configuration pointing at the repository's migrations/."""
    config = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def _run(app: Flask, fn: Any, *args: Any) -> None:
    config = alembic_config()
    with get_db(app).write_engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            _sqlite_foreign_keys(connection, on=False)
        try:
            config.attributes["connection"] = connection
            fn(config, *args)
            if sqlite:
                _check_foreign_keys(connection)
            connection.commit()
        finally:
            if sqlite:
                connection.rollback()
                _sqlite_foreign_keys(connection, on=True)


def _sqlite_foreign_keys(connection: Any, *, on: bool) -> None:
    """Turn SQLite's foreign key enforcement on or off, outside any transaction (inside one the
    pragma does nothing). A batch migration rebuilds a table by copying it, dropping it and
    renaming the copy; with enforcement on, dropping a table other rows refer to fails (issue
    #20: an upgrade with data failed where an empty database passed). Alembic's documented
    remedy is to migrate with enforcement off and check the keys before committing."""
    driver = connection.connection.driver_connection
    driver.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _check_foreign_keys(connection: Any) -> None:
    """Refuse to commit a migration that left rows pointing at nothing."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        tables = sorted({str(row[0]) for row in broken})
        raise RuntimeError(f"the migration left broken foreign keys in {', '.join(tables)}")


def upgrade(app: Flask, revision: str = "head") -> None:
    """Upgrade the app's database to `revision`."""
    _run(app, command.upgrade, revision)


def downgrade(app: Flask, revision: str) -> None:
    """Downgrade the app's database to `revision` ('base' empties it)."""
    _run(app, command.downgrade, revision)


def current_revision(app: Flask) -> str | None:
    """The revision the database is at (None when unversioned)."""
    with get_db(app).engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    """The newest revision in migrations/."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def is_up_to_date(app: Flask) -> bool:
    """Whether the database is at the head revision."""
    return current_revision(app) == head_revision()


def schema_drift(app: Flask) -> list[Any]:
    """Differences between the models and the migrated database (empty when they agree)."""
    with get_db(app).engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        return list(compare_metadata(context, SQLModel.metadata))
