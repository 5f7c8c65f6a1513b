"""SECURITY.md "A new session identity at login; logout, password change and deactivation end
all of the user's sessions" and "Idle timeout (30 minutes by default) and absolute timeout;
cookies Secure, HttpOnly, SameSite"."""

from __future__ import annotations

from datetime import timedelta

from del_tool import create_app
from del_tool.db import get_db
from del_tool.security.sessions import LAST_SEEN_KEY, LOGIN_AT_KEY
from tests.conftest import PASSWORD, TEST_SECRET, login


def _two_browsers(app, user):
    first, second = app.test_client(), app.test_client()
    login(first, user.username)
    login(second, user.username)
    assert first.get("/home").status_code == second.get("/home").status_code == 200
    return first, second


def test_logout_ends_every_session_of_the_user(app, make_user):
    user = make_user("staff")
    first, second = _two_browsers(app, user)
    stolen_cookie = first.get_cookie("del_session").value
    assert first.post("/auth/logout").status_code == 302
    assert second.get("/home").status_code == 302
    replay = app.test_client()
    replay.set_cookie("del_session", stolen_cookie)
    assert replay.get("/home").status_code == 302  # a copied cookie is dead too


def test_log_out_everywhere(app, make_user):
    user = make_user("staff")
    first, second = _two_browsers(app, user)
    assert first.post("/account/logout-everywhere").status_code == 302
    assert first.get("/home").status_code == second.get("/home").status_code == 302


def test_password_change_ends_every_session(app, make_user):
    user = make_user("staff")
    first, second = _two_browsers(app, user)
    new = "a new and long passphrase"
    response = first.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": new, "confirm": new},
    )
    assert response.status_code == 302
    assert first.get("/home").status_code == second.get("/home").status_code == 302
    assert login(first, user.username, new).status_code == 302


def test_password_change_needs_the_current_password(app, client, make_user):
    user = make_user("staff")
    login(client, user.username)
    new = "a new and long passphrase"
    response = client.post(
        "/account/password",
        data={"current_password": "not it at all", "new_password": new, "confirm": new},
    )
    assert response.status_code == 200 and "Adgangskoden er forkert." in response.get_data(True)
    assert client.get("/home").status_code == 200


def test_deactivation_ends_every_session(app, make_user):
    user = make_user("staff")
    first, second = _two_browsers(app, user)
    admin = app.test_client()
    login(admin, make_user("admin").username)
    assert admin.post(f"/admin/users/{user.id}/deactivate").status_code == 302
    assert first.get("/home").status_code == second.get("/home").status_code == 302
    assert login(first, user.username).status_code == 200  # and no new login


def test_login_starts_a_new_session_identity(client, make_user):
    user = make_user("staff")
    client.get("/auth/login")
    with client.session_transaction() as sess:
        sess["fixated"] = "by an attacker"
    login(client, user.username)
    with client.session_transaction() as sess:
        assert "fixated" not in sess and sess[LOGIN_AT_KEY] == sess[LAST_SEEN_KEY]


def _shift(client, key, delta):
    with client.session_transaction() as sess:
        sess[key] = sess[key] - delta.total_seconds()


def test_idle_timeout_is_enforced_on_the_server(app, client, make_user):
    assert app.config["IDLE_TIMEOUT"] == timedelta(minutes=30)
    user = make_user("staff")
    login(client, user.username)
    _shift(client, LAST_SEEN_KEY, timedelta(minutes=29))
    assert client.get("/home").status_code == 200  # activity moves the idle clock
    _shift(client, LAST_SEEN_KEY, timedelta(minutes=31))
    response = client.get("/home")
    assert response.status_code == 302 and "/auth/login" in response.location
    assert client.get("/home").status_code == 302


def test_absolute_timeout_ends_an_active_session(app, client, make_user):
    user = make_user("staff")
    login(client, user.username)
    _shift(client, LOGIN_AT_KEY, app.config["ABSOLUTE_TIMEOUT"] + timedelta(seconds=1))
    assert client.get("/home").status_code == 302


def test_session_without_times_is_refused(app, client, make_user):
    user = make_user("staff")
    login(client, user.username)
    with client.session_transaction() as sess:
        del sess[LOGIN_AT_KEY]
    assert client.get("/home").status_code == 302


def test_cookie_flags_in_production_configuration(app):
    prod = create_app(
        {
            "SECRET_KEY": TEST_SECRET,
            "AUDIT_KEY": app.config["AUDIT_KEY"],
            "DATABASE_URL": app.config["DATABASE_URL"],
        }
    )
    try:
        assert prod.config["SESSION_COOKIE_SECURE"] and prod.config["SESSION_COOKIE_HTTPONLY"]
        # The login form puts its CSRF token in the session, so the cookie is set here.
        response = prod.test_client().get("/auth/login", base_url="https://del.example")
        assert response.status_code == 200
        cookie = response.headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    finally:
        get_db(prod).dispose()
