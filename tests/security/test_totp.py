"""SECURITY.md "A second factor (TOTP) available, and required for the roles the deployment
configures"."""

from __future__ import annotations

import json
import re

from sqlmodel import select

from del_tool.audit.models import LoginEvent
from del_tool.auth.models import RecoveryCode
from tests.conftest import PASSWORD, login
from tests.security.helpers import current_code, db_session, page


def _setup_page(client):
    """Begin an enrolment (a POST: the secret is stored) and return the page with the QR code."""
    first = page(client.get("/account/two-factor/setup"))
    assert 'name="start"' in first and 'src="data:image/svg+xml' not in first
    assert client.post("/account/two-factor/setup", data={"start": "1"}).status_code == 302
    return page(client.get("/account/two-factor/setup"))


def _enrol(app, client, user):
    """Enrol through the pages; returns (secret, recovery codes)."""
    setup = _setup_page(client)
    assert 'src="data:image/svg+xml' in setup
    secret = re.search(r"<code>([A-Z2-7]{32})</code>", setup).group(1)
    response = client.post("/account/two-factor/setup", data={"code": current_code(secret)})
    assert response.status_code == 200
    codes = re.findall(r"<code>([a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4})</code>", page(response))
    assert len(codes) == 10
    return secret, codes


def test_enrolment_needs_a_valid_code(app, client, make_user):
    user = make_user("staff")
    login(client, user.username)
    _setup_page(client)
    response = client.post("/account/two-factor/setup", data={"code": "000000"})
    assert "Koden passer ikke" in page(response)
    with db_session(app) as db:
        assert db.get(type(user), user.id).totp_secret is None


def test_login_with_second_factor(app, client, make_user):
    user = make_user("staff")
    login(client, user.username)
    secret, _codes = _enrol(app, client, user)
    client.post("/auth/logout")
    response = login(client, user.username)
    assert response.status_code == 302 and response.location.endswith("/account/two-factor")
    assert client.get("/home").status_code == 302  # the password alone is not a login
    wrong = client.post("/account/two-factor", data={"code": "123456"})
    assert "Koden er forkert" in page(wrong)
    ok = client.post("/account/two-factor", data={"code": current_code(secret, steps_ahead=1)})
    assert ok.status_code == 302 and client.get("/home").status_code == 200
    with db_session(app) as db:
        reasons = [e.reason for e in db.exec(select(LoginEvent).order_by(LoginEvent.id))]
    assert reasons[-3:] == ["password_ok", "wrong_code", "ok"]


def test_a_code_cannot_be_used_twice(app, client, make_user):
    user = make_user("staff")
    login(client, user.username)
    secret, _codes = _enrol(app, client, user)
    client.post("/auth/logout")
    login(client, user.username)
    code = current_code(secret, steps_ahead=1)
    assert client.post("/account/two-factor", data={"code": code}).status_code == 302
    client.post("/auth/logout")
    login(client, user.username)
    assert "Koden er forkert" in page(client.post("/account/two-factor", data={"code": code}))


def test_recovery_codes_are_hashed_and_single_use(app, client, make_user):
    user = make_user("staff")
    login(client, user.username)
    _secret, codes = _enrol(app, client, user)
    with db_session(app) as db:
        stored = db.exec(select(RecoveryCode).where(RecoveryCode.user_id == user.id)).all()
        assert len(stored) == 10
        assert all(s.code_hash.startswith("$argon2id$") for s in stored)
        assert not {s.code_hash for s in stored} & set(codes)
    client.post("/auth/logout")
    login(client, user.username)
    typed = codes[0].upper().replace("-", " ")
    assert client.post("/account/two-factor", data={"code": typed}).status_code == 302
    client.post("/auth/logout")
    login(client, user.username)
    assert "Koden er forkert" in page(client.post("/account/two-factor", data={"code": codes[0]}))


def test_second_factor_guesses_are_throttled(app, client, make_user):
    user = make_user("staff")
    login(client, user.username)
    _secret, _codes = _enrol(app, client, user)
    client.post("/auth/logout")
    login(client, user.username)
    for _ in range(5):
        client.post("/account/two-factor", data={"code": "111111"})
    response = client.post("/account/two-factor", data={"code": "222222"})
    assert response.status_code == 302 and response.location.endswith("/auth/login")
    assert login(client, user.username).status_code == 429


def test_required_roles_must_enrol_before_anything_else(app, client, make_user):
    app.config["TOTP_REQUIRED_ROLES"] = ("leader",)
    user = make_user("leader", centre_id=1)
    login(client, user.username)
    response = client.get("/home")
    assert response.status_code == 302 and response.location.endswith("/account/two-factor/setup")
    _enrol(app, client, user)
    assert client.get("/home").status_code == 200
    disable = client.post("/account/two-factor/disable", data={"password": PASSWORD})
    assert disable.status_code == 302
    with db_session(app) as db:
        assert db.get(type(user), user.id).totp_secret is not None


def test_optional_second_factor_can_be_turned_off_with_the_password(app, client, make_user):
    user = make_user("staff")
    login(client, user.username)
    _enrol(app, client, user)
    client.post("/account/two-factor/disable", data={"password": "wrong"})
    with db_session(app) as db:
        assert db.get(type(user), user.id).totp_secret is not None
    client.post("/account/two-factor/disable", data={"password": PASSWORD})
    with db_session(app) as db:
        assert db.get(type(user), user.id).totp_secret is None


def test_turning_the_second_factor_on_or_off_offers_to_end_other_sessions(app, make_user):
    """Issue 14 (ASVS): a change of authentication factor can end the user's other sessions."""
    user = make_user("staff")
    here, elsewhere = app.test_client(), app.test_client()
    login(here, user.username)
    login(elsewhere, user.username)
    setup = _setup_page(here)
    assert 'name="end_other_sessions"' in setup and "checked" in setup  # offered, ticked
    secret = re.search(r"<code>([A-Z2-7]{32})</code>", setup).group(1)
    enabled = here.post(
        "/account/two-factor/setup", data={"code": current_code(secret), "end_other_sessions": "y"}
    )
    assert enabled.status_code == 200 and "Dine andre sessioner er afsluttet." in page(enabled)
    assert here.get("/home").status_code == 200  # this browser stays logged in
    assert elsewhere.get("/home").status_code == 302  # the other one is logged out

    login(elsewhere, user.username)
    elsewhere.post("/account/two-factor", data={"code": current_code(secret, steps_ahead=1)})
    assert elsewhere.get("/home").status_code == 200
    account = page(here.get("/account/"))
    assert 'name="end_other_sessions"' in account
    here.post("/account/two-factor/disable", data={"password": PASSWORD, "end_other_sessions": "y"})
    assert here.get("/home").status_code == 200
    assert elsewhere.get("/home").status_code == 302
    with db_session(app) as db:
        assert db.get(type(user), user.id).totp_secret is None


def test_other_sessions_stay_when_the_user_says_so(app, make_user):
    user = make_user("staff")
    here, elsewhere = app.test_client(), app.test_client()
    login(here, user.username)
    login(elsewhere, user.username)
    _enrol(app, here, user)  # posts the code only: the box unticked
    assert elsewhere.get("/home").status_code == 200


def test_the_enrolment_secret_never_travels_in_the_session_cookie(app, client, make_user):
    """Issue 14: the signed (not encrypted) session cookie carried the secret being enrolled."""
    user = make_user("staff")
    login(client, user.username)
    setup = _setup_page(client)
    secret = re.search(r"<code>([A-Z2-7]{32})</code>", setup).group(1)
    cookie = client.get_cookie("del_session").value
    readable = app.session_interface.get_signing_serializer(app).loads(cookie)
    assert secret not in json.dumps(readable) and secret not in cookie
    with db_session(app) as db:
        stored = db.get(type(user), user.id)
        assert (stored.totp_pending_secret, stored.totp_secret) == (secret, None)
    assert secret in page(client.get("/account/two-factor/setup"))  # the same secret again
    client.post("/account/two-factor/setup", data={"code": current_code(secret)})
    with db_session(app) as db:
        stored = db.get(type(user), user.id)
        assert (stored.totp_pending_secret, stored.totp_secret) == (None, secret)
