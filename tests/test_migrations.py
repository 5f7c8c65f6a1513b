"""Migrations: upgrade from empty, no drift against the models, a real downgrade, upgrade again."""

from __future__ import annotations

from sqlalchemy import inspect
from sqlmodel import SQLModel

import del_tool.models  # noqa: F401 - the complete metadata
from del_tool import create_app, migrate
from del_tool.db import get_db
from tests.conftest import make_config


def test_upgrade_downgrade_upgrade_round_trip(databases):
    url = databases.empty()
    app = create_app(make_config(url))
    try:
        assert migrate.current_revision(app) is None
        migrate.upgrade(app)
        assert migrate.is_up_to_date(app)
        tables = set(inspect(get_db(app).engine).get_table_names())
        assert set(SQLModel.metadata.tables) <= tables
        assert migrate.schema_drift(app) == []

        migrate.downgrade(app, "base")
        assert migrate.current_revision(app) is None
        remaining = set(inspect(get_db(app).engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()

        migrate.upgrade(app)
        assert migrate.is_up_to_date(app)
        assert migrate.schema_drift(app) == []
    finally:
        get_db(app).dispose()
        databases.drop(url)


def test_drift_check_notices_a_model_change(app):
    """The drift check is not vacuous: a column missing from the database is reported."""
    from sqlalchemy import Column, Integer

    table = SQLModel.metadata.tables["citizens"]
    extra = Column("drift_probe", Integer)
    table.append_column(extra)
    try:
        drift = migrate.schema_drift(app)
    finally:
        table._columns.remove(extra)  # undo the probe so other tests see the real model
    assert any("drift_probe" in str(d) for d in drift)


def test_cli_db_commands(runner):
    result = runner.invoke(args=["db", "current"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.output
    result = runner.invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output
    assert "Models and migrations agree." in result.output


def test_upgrade_removes_unknown_usernames_from_the_login_log(databases):
    """Names typed at login that matched no account (maybe passwords) are not kept."""
    from sqlalchemy import text

    url = databases.empty()
    app = create_app(make_config(url))
    try:
        migrate.upgrade(app, "e68259caf2bd")
        with get_db(app).write_engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO users (version, username, display_name, password_hash, role,"
                    " active, session_version, created_at) VALUES (1, 'anna', 'Anna', 'x',"
                    " 'staff', true, 1, CURRENT_TIMESTAMP)"
                )
            )
            for name in ("anna", "hunter2-typed-as-name"):
                conn.execute(
                    text(
                        "INSERT INTO login_events (occurred_at, username, address, success,"
                        " reason) VALUES (CURRENT_TIMESTAMP, :name, '', false, 'x')"
                    ),
                    {"name": name},
                )
        migrate.upgrade(app)
        with get_db(app).engine.connect() as conn:
            names = conn.execute(text("SELECT username FROM login_events ORDER BY id")).scalars()
            assert list(names) == ["anna", "unknown:"]
    finally:
        get_db(app).dispose()
        databases.drop(url)
