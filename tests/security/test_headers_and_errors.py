"""SECURITY.md "Security headers on every response, error pages included ... MAX_CONTENT_LENGTH
set" and "Database unavailable: a 503 page and a failing health endpoint, no traceback. Disk
full: the transaction rolls back and the user sees an error; nothing is corrupted"."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, text
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from del_tool import create_app
from del_tool.audit.models import LoginEvent
from del_tool.auth.permissions import public
from del_tool.db import get_db, get_session
from tests.conftest import login, make_config
from tests.security.helpers import db_session, page
from tests.support.databases import postgres_url

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "font-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'none'"
)


def assert_secure_headers(response, *, cacheable=False):
    headers = response.headers
    assert headers["Content-Security-Policy"] == CSP
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    if not cacheable:
        assert headers["Cache-Control"] == "no-store"


def assert_generic_error(response, code):
    body = page(response)
    assert response.status_code == code
    assert f"Fejlkode {code}" in body
    assert "Traceback" not in body and 'File "' not in body and "sqlalchemy" not in body.lower()
    assert_secure_headers(response)


@pytest.fixture
def boom_app(app):
    def boom():
        raise RuntimeError("secret internals /srv/del/app.py line 42")

    app.add_url_rule("/boom", "boom", public(boom))
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def test_headers_on_pages_redirects_and_json(client, make_user):
    user = make_user("staff")
    for response in (client.get("/auth/login"), client.get("/home"), client.get("/healthz")):
        assert_secure_headers(response)
    login(client, user.username)
    assert_secure_headers(client.get("/home"))


def test_static_assets_may_be_cached_but_keep_the_other_headers(client):
    response = client.get("/static/js/del.js")
    response.close()
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert_secure_headers(response, cacheable=True)


def test_no_inline_script_or_style_in_pages(client, make_user):
    user = make_user("staff")
    login(client, user.username)
    for url in ("/auth/login", "/home", "/account/", "/nowhere"):
        body = page(client.get(url))
        assert "<script>" not in body and "<script " not in body.replace("<script src=", "")
        assert " style=" not in body and "<style" not in body and "onclick" not in body


def test_hsts_only_over_tls(client):
    assert "Strict-Transport-Security" not in client.get("/auth/login").headers
    secure = client.get("/auth/login", base_url="https://del.example")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_proxy_fix_trusts_forwarded_proto_when_configured(databases):
    url = databases.fresh("seeded")
    proxied = create_app(make_config(url, PROXY_FIX_X_PROTO=1, PROXY_FIX_X_FOR=1))
    try:
        response = proxied.test_client().get(
            "/auth/login", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.1.2.3"}
        )
        assert "Strict-Transport-Security" in response.headers
    finally:
        get_db(proxied).dispose()
        databases.drop(url)


def test_not_found_and_method_not_allowed(client):
    assert_generic_error(client.get("/no/such/page"), 404)
    assert_generic_error(client.get("/auth/logout"), 405)


def test_unhandled_error_is_a_generic_500(boom_app):
    response = boom_app.test_client().get("/boom")
    assert_generic_error(response, 500)
    assert "secret internals" not in page(response)


def test_too_large_request_is_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    assert app.config["MAX_CONTENT_LENGTH"]
    response = client.post("/auth/login", data={"username": "x" * 5000, "password": "y"})
    assert_generic_error(response, 413)


def test_default_max_content_length_is_set():
    from del_tool.config import DefaultConfig

    assert 0 < DefaultConfig.MAX_CONTENT_LENGTH <= 16 * 1024 * 1024


def test_throttled_login_is_429_with_headers(client):
    for _ in range(5):
        client.post("/auth/login", data={"username": "x", "password": "wrong password"})
    response = client.post("/auth/login", data={"username": "x", "password": "wrong password"})
    assert response.status_code == 429
    assert_secure_headers(response)


def test_csrf_failure_is_a_generic_400(databases):
    url = databases.fresh("seeded")
    strict = create_app(make_config(url, WTF_CSRF_ENABLED=True))
    try:
        response = strict.test_client().post("/auth/login", data={"username": "a", "password": "b"})
        assert_generic_error(response, 400)
        assert "Formularen var udløbet" in page(response)
    finally:
        get_db(strict).dispose()
        databases.drop(url)


def _unreachable_url(tmp_path):
    if postgres_url():
        return "postgresql+psycopg://postgres@127.0.0.1:1/del_nowhere"  # a closed port
    return f"sqlite:///{tmp_path}/missing-directory/del.sqlite3"  # cannot be opened


def test_database_down_gives_503_page_and_failing_healthz(tmp_path):
    down = create_app(make_config(_unreachable_url(tmp_path)))
    client = down.test_client()
    health = client.get("/healthz")
    assert health.status_code == 503 and health.json["database"] == "unavailable"
    assert_secure_headers(health)
    response = client.post("/auth/login", data={"username": "someone", "password": "something"})
    assert_generic_error(response, 503)
    assert "Intet er gemt" in page(response)


@pytest.mark.skipif(postgres_url() is not None, reason="SQLite's max_page_count simulates it")
def test_disk_full_during_a_save_rolls_back_and_tells_the_user(app, client):
    app.config.update(LOGIN_MAX_FAILURES_PER_ACCOUNT=10_000, LOGIN_MAX_FAILURES_PER_ADDRESS=10_000)
    engine = get_db(app).engine
    with engine.connect() as conn:
        pages = conn.execute(text("PRAGMA page_count")).scalar()
    engine.dispose()
    event.listen(engine, "connect", lambda c, _r: c.execute(f"PRAGMA max_page_count={pages}"))

    def count():
        with db_session(app) as db:
            return db.exec(select(func.count()).select_from(LoginEvent)).one()

    fill = text(
        "INSERT INTO login_events (occurred_at, username, address, success, reason) "
        "VALUES ('2026-01-01 00:00:00', :name, '', 0, 'filler')"
    )
    with engine.connect() as conn:  # fill the last free bytes until a write fails
        for attempt in range(10_000):
            try:
                conn.execute(fill, {"name": f"{attempt}-" + "x" * 100})
                conn.commit()
            except OperationalError:
                conn.rollback()
                break
    before = count()
    response = client.post("/auth/login", data={"username": "x" * 150, "password": "y" * 8})
    assert_generic_error(response, 507)
    assert "Intet er gemt" in page(response)
    assert count() == before  # the failed save left nothing behind
    with db_session(app) as db:
        assert db.exec(text("PRAGMA integrity_check")).scalar() == "ok"


def test_the_uploads_are_the_checked_wording_overlay_and_import(repo_root):
    """SECURITY.md "uploads checked by type and size": an administrator's questionnaire wording
    (`admin/wording_views.py`, FileSize and FileAllowed, tested in tests/admin/test_wording.py)
    a leader's import (`imports/views.py`: at most IMPORT_MAX_BYTES read, then its content
    read as XLSX or CSV, anything else refused; tests/imports/test_web_input.py), and an
    administrator's organisation import (`admin/org_import_views.py`: at most MAX_BYTES read,
    then read as XLSX or CSV by the same reader; tests/admin/test_org_import.py). No other module
    or template takes a file (MAX_CONTENT_LENGTH caps every other request body)."""
    package = repo_root / "del_tool"
    uploads = {
        p.relative_to(package).as_posix()
        for p in package.rglob("*.py")
        if "request.files" in p.read_text("utf-8") or "FileField" in p.read_text("utf-8")
    }
    assert uploads == {"admin/wording_views.py", "imports/forms.py", "admin/org_import_forms.py"}
    forms = {
        p.relative_to(package).as_posix()
        for p in package.rglob("*.html")
        if 'type="file"' in p.read_text("utf-8") or "multipart/form-data" in p.read_text("utf-8")
    }
    assert forms <= {
        "admin/templates/admin/wording_upload.html",
        "imports/templates/imports/index.html",
        "admin/templates/admin/org_import.html",
    }
    source = (package / "admin" / "wording_views.py").read_text("utf-8")
    assert "FileSize(" in source and "FileAllowed(" in source  # size and type, both checked
    imports = (package / "imports" / "views.py").read_text("utf-8")
    assert "upload.read(_max_bytes() + 1)" in imports and "except ReadError" in imports
    organisation = (package / "admin" / "org_import_views.py").read_text("utf-8")
    assert "upload.read(MAX_BYTES + 1)" in organisation and "max_bytes=MAX_BYTES" in organisation


def _failing(app, table: str):
    """Make every INSERT into `table` fail as a locked database does; returns the remover."""
    engine = get_db(app).engine

    def refuse(_conn, _cursor, statement, *_args) -> None:
        if statement.lstrip().upper().startswith(f"INSERT INTO {table.upper()}"):
            raise OperationalError(statement, {}, Exception("database is locked"))

    event.listen(engine, "before_cursor_execute", refuse)
    return lambda: event.remove(engine, "before_cursor_execute", refuse)


def _staff_with_citizen(app, make_user) -> tuple[str, int, str]:
    from datetime import date

    from del_tool.auth.models import User
    from del_tool.citizens import services as citizens
    from del_tool.citizens.access import Actor
    from del_tool.citizens.models import Sex
    from del_tool.organisation.models import LegalSection, Unit

    with db_session(app) as db:
        unit = db.exec(select(Unit).order_by(Unit.id)).first()
        unit_id, target_group = unit.id, unit.target_group
    user = make_user("staff", unit_ids=[unit_id])
    with db_session(app) as db:
        citizen = citizens.create_citizen(
            session=db,
            actor=Actor.of(db.get(User, user.id), session=db),
            citizen=citizens.CitizenData(
                name="Fejlside Borger", birth_year=1980, sex=Sex.MALE, target_group=target_group
            ),
            stay=citizens.StayData(
                unit_id=unit_id,
                municipality_code="461",
                legal_section=LegalSection.S107,
                start_date=date(2024, 1, 1),
            ),
        )
        return user.username, citizen.id, target_group.value


@pytest.mark.parametrize("language", ["da", "en"])
def test_a_failed_access_log_write_hides_the_data_behind_a_translated_503(
    app, client, make_user, language
):
    username, citizen_id, _group = _staff_with_citizen(app, make_user)
    login(client, username)
    with client.session_transaction() as browser:
        browser["lang"] = language
    stop = _failing(app, "access_events")
    try:
        response = client.get(f"/citizens/{citizen_id}")
    finally:
        stop()
    body = page(response)
    assert response.status_code == 503
    assert "Fejlside Borger" not in body  # no access event, no data
    expected = {"da": "Fejlkode 503", "en": "Error code 503"}[language]
    assert expected in body and "Traceback" not in body
    if language == "en":
        assert "The service is temporarily unavailable" in body
    assert_secure_headers(response)


def test_a_failed_save_gives_the_503_page_not_a_pending_rollback(app, client, make_user):
    """The failed flush leaves the request's session needing a rollback; the error page must
    roll it back before it renders (it reads the signed-in user), never answer a bare 500."""
    username, citizen_id, target_group = _staff_with_citizen(app, make_user)
    login(client, username)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    stop = _failing(app, "audit_events")
    try:
        response = client.post(
            f"/citizens/{citizen_id}/edit",
            data={
                "name": "Nyt Navn",
                "birth_year": "1980",
                "sex": "male",
                "target_group": target_group,
                "version": "1",
            },
        )
    finally:
        stop()
    assert_generic_error(response, 503)
    assert "Intet er gemt" in page(response)


@pytest.fixture
def pending_rollback_app(app):
    def swallowed():
        db = get_session()
        try:
            db.execute(text("SELECT 1"))
            db.add(LoginEvent(username="x", address="", success=False, reason="x"))
            db.flush()
        except OperationalError:
            pass  # a bug: the session now needs a rollback, and the next use raises
        db.exec(select(func.count()).select_from(LoginEvent)).one()
        return "unreachable"

    app.add_url_rule("/swallowed", "swallowed", public(swallowed))
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def test_a_pending_rollback_is_the_503_page(pending_rollback_app, client):
    stop = _failing(pending_rollback_app, "login_events")
    try:
        response = client.get("/swallowed")
    finally:
        stop()
    assert_generic_error(response, 503)


def test_a_database_lost_mid_login_gives_the_503_page(app, client, make_user):
    """Even the signed-in user cannot be read for the page's header: the page is shown
    without them, and the login survives for when the database is back."""
    username, _citizen_id, _group = _staff_with_citizen(app, make_user)
    login(client, username)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    engine = get_db(app).engine

    def refuse(_conn, _cursor, statement, *_args) -> None:
        raise OperationalError(statement, {}, Exception("server closed the connection"))

    event.listen(engine, "before_cursor_execute", refuse)
    try:
        response = client.get("/citizens/")
    finally:
        event.remove(engine, "before_cursor_execute", refuse)
    assert_generic_error(response, 503)
    assert client.get("/citizens/").status_code == 200
