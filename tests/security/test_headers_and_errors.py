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
from del_tool.db import get_db
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


def test_no_endpoint_accepts_file_uploads(repo_root):
    """No uploads exist, so none can slip past a type or size check (MAX_CONTENT_LENGTH caps
    every request body regardless)."""
    package = repo_root / "del_tool"
    sources = [p.read_text("utf-8") for p in package.rglob("*.py")]
    templates = [p.read_text("utf-8") for p in package.rglob("*.html")]
    assert not any("request.files" in s or "FileField" in s for s in sources)
    assert not any('type="file"' in t or "multipart/form-data" in t for t in templates)
