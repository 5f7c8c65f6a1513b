"""Database layer: SQLite pragmas and locking, sessions, the health check."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event, text
from sqlmodel import select

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


def _leaders_citizen(app) -> int:
    """A citizen in an open stay in the demo leader's centre (a past stay's access ends)."""
    from sqlmodel import select

    from del_tool.auth.models import User
    from del_tool.citizens.models import Stay
    from del_tool.organisation.models import Unit

    with app.app_context(), get_db(app).session(write=False) as db:
        leader = db.exec(select(User).where(User.username == "leader")).one()
        stay = db.exec(
            select(Stay)
            .join(Unit)
            .where(Unit.centre_id == leader.centre_id, Stay.end_date.is_(None))
            .order_by(Stay.id)
        ).first()
        return stay.citizen_id


def _access_events(app, endpoint: str) -> int:
    from sqlmodel import func, select

    from del_tool.audit.models import AccessEvent

    with app.app_context(), get_db(app).session(write=False) as db:
        query = select(func.count()).select_from(AccessEvent)
        return db.exec(query.where(AccessEvent.endpoint == endpoint)).one()


@contextmanager
def _another_writer_commits_after_the_first_read(app) -> Iterator[list[str]]:
    """Once a request's read session ran its first SELECT (its snapshot began), another
    connection commits a write, as another worker saving a follow-up would."""
    db = get_db(app)
    wrote: list[str] = []

    def after_execute(conn, _cursor, statement, *_args) -> None:
        if wrote or conn.get_execution_options().get("del_write"):
            return
        if not statement.lstrip().upper().startswith("SELECT"):
            return
        wrote.append(statement)
        with db.write_engine.begin() as other:
            other.execute(
                text(
                    "INSERT INTO login_events (occurred_at, username, address, success, reason)"
                    " VALUES (CURRENT_TIMESTAMP, 'other-worker', '', false, 'concurrent')"
                )
            )

    event.listen(db.engine, "after_cursor_execute", after_execute)
    try:
        yield wrote
    finally:
        event.remove(db.engine, "after_cursor_execute", after_execute)


@pytest.mark.parametrize(
    ("url", "endpoint"),
    [
        ("/reports/report?kind=documentation&scope=centre:{centre}&period=2026", "reports.show"),
        ("/citizens/{citizen}", "citizens.profile"),
        ("/citizens/", "citizens.caseload"),
        ("/citizens/?q=a", "citizens.caseload"),
        ("/audit/citizens/{citizen}", "audit.citizen"),
        ("/audit/citizens/{citizen}/export.json", "audit.export"),
    ],
)
def test_a_read_page_logs_access_after_another_connection_wrote(demo_app, url, endpoint):
    """A GET that logs access, while another worker commits after the GET's snapshot began,
    must not fail with "database is locked" (SQLite cannot upgrade a stale read snapshot)."""
    from del_tool.auth.models import User
    from tests.conftest import DEMO_PASSWORD, login

    citizen = _leaders_citizen(demo_app)
    with demo_app.app_context(), get_db(demo_app).session(write=False) as db:
        centre = db.exec(select(User.centre_id).where(User.username == "leader")).one()
    client = demo_app.test_client()
    assert login(client, "leader", DEMO_PASSWORD).status_code == 302
    page = url.format(centre=centre, citizen=citizen)
    client.get(page)  # the report is built (and cached) before the race
    before = _access_events(demo_app, endpoint)
    with _another_writer_commits_after_the_first_read(demo_app) as wrote:
        response = client.get(page)
    assert wrote, "the other connection never wrote"
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    assert _access_events(demo_app, endpoint) > before
