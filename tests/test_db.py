"""Database layer: SQLite pragmas and locking, sessions, the health check."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from del_tool.db import get_db, get_session
from tests.support.databases import postgres_url

sqlite_only = pytest.mark.skipif(postgres_url() is not None, reason="SQLite-specific behaviour")


@sqlite_only
def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(app):
    with get_db(app).engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert (
            conn.execute(text("PRAGMA busy_timeout")).scalar()
            == app.config["SQLITE_BUSY_TIMEOUT_MS"]
        )


@sqlite_only
def test_write_sessions_take_the_lock_at_begin(app):
    """A write transaction holds the lock from BEGIN, so a second writer cannot start."""
    db = get_db(app)
    fast_fail = db.write_engine.execution_options()
    with db.session(write=True) as first:
        first.execute(text("SELECT 1"))  # BEGIN IMMEDIATE happens here
        raw = fast_fail.raw_connection()
        try:
            raw.driver_connection.execute("PRAGMA busy_timeout=0")
            with pytest.raises(Exception, match="locked"):
                raw.driver_connection.execute("BEGIN IMMEDIATE")
        finally:
            raw.close()


def test_request_session_is_closed_after_request(app):
    with app.test_request_context("/"):
        session = get_session()
        assert get_session() is session
    with app.test_request_context("/"):
        assert get_session() is not session


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_reports_unavailable_database(app, monkeypatch):
    def broken(*_args, **_kwargs):
        from sqlalchemy.exc import OperationalError

        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr("sqlalchemy.orm.Session.execute", broken)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unavailable"


def test_ids_beyond_the_integer_range_are_not_found(client, make_user):
    from tests.conftest import login

    user = make_user("staff")
    login(client, user.username)
    for url in (
        "/citizens/2147483648",
        "/citizens/99999999999999999999",
        "/goals/9223372036854775808/edit",
    ):
        assert client.get(url).status_code == 404, url
    assert client.get("/citizens/2147483647").status_code == 404


def test_requests_inside_an_open_app_context_get_their_own_session(app):
    """A test or job with an app context pushed must not share its session with requests."""
    with app.app_context():
        outer = get_session()
        with app.test_request_context("/", method="POST"):
            inner = get_session()
            assert inner is not outer
        assert get_session() is outer
