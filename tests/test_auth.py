"""Login and logout: hashing, one message for every failure, fresh sessions, landing pages."""

from __future__ import annotations

import pytest
from sqlmodel import select

from del_tool.audit.models import LoginEvent
from del_tool.auth.passwords import hash_password, needs_rehash, verify_password
from del_tool.db import get_db
from tests.conftest import PASSWORD, login

WRONG = "Forkert brugernavn eller adgangskode."


def test_passwords_are_hashed_with_argon2id(app, make_user):
    user = make_user("staff")
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert verify_password(user.password_hash, PASSWORD)
    assert not verify_password(user.password_hash, "wrong")
    assert not verify_password(None, PASSWORD)


def test_outdated_hash_is_upgraded_at_login(app, client, make_user):
    from argon2 import PasswordHasher

    user = make_user("staff")
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    assert needs_rehash(weak)
    with app.app_context(), get_db(app).session(write=True) as db:
        stored = db.get(type(user), user.id)
        stored.password_hash = weak
        db.commit()
    assert login(client, user.username).status_code == 302
    with app.app_context(), get_db(app).session(write=False) as db:
        assert not needs_rehash(db.get(type(user), user.id).password_hash)


def test_login_form_is_danish_and_styled(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="da">' in page
    assert "Brugernavn" in page and "Adgangskode" in page
    assert "vendor/dkfds/css/dkfds.min.css" in page


def test_login_success_logs_event_and_redirects_home(app, client, make_user):
    user = make_user("analyst")
    response = login(client, user.username)
    assert response.status_code == 302
    assert client.get("/home").status_code == 200
    with app.app_context(), get_db(app).session(write=False) as db:
        event = db.exec(select(LoginEvent).where(LoginEvent.username == user.username)).one()
        assert event.success and event.user_id == user.id


@pytest.mark.parametrize("username", ["ghost", "UPPER"])
def test_unknown_user_and_wrong_password_get_the_same_answer(client, make_user, username):
    make_user("staff", username="upper")
    password = PASSWORD if username == "ghost" else "wrong password"
    response = login(client, username, password)
    assert response.status_code == 200
    assert WRONG in response.get_data(as_text=True)
    assert client.get("/home").status_code == 302  # still anonymous


def test_username_is_case_insensitive(client, make_user):
    make_user("staff", username="mette")
    assert login(client, "  METTE ").status_code == 302


def test_inactive_user_cannot_log_in(app, client, make_user):
    user = make_user("staff")
    with app.app_context(), get_db(app).session(write=True) as db:
        db.get(type(user), user.id).active = False
        db.commit()
    response = login(client, user.username)
    assert WRONG in response.get_data(as_text=True)


def test_empty_fields_are_errors_beside_the_fields(client):
    page = client.post("/auth/login", data={"username": "", "password": ""}).get_data(as_text=True)
    assert "Skriv dit brugernavn." in page and "Skriv din adgangskode." in page
    assert 'aria-describedby="username-error"' in page


def test_logout_ends_the_session_and_needs_post(client, make_user):
    user = make_user("staff")
    login(client, user.username)
    assert client.get("/auth/logout").status_code == 405
    assert client.post("/auth/logout").status_code == 302
    assert client.get("/home").status_code == 302


def test_session_version_bump_ends_existing_sessions(app, client, make_user):
    user = make_user("staff")
    login(client, user.username)
    with app.app_context(), get_db(app).session(write=True) as db:
        db.get(type(user), user.id).session_version += 1
        db.commit()
    assert client.get("/home").status_code == 302


def test_login_starts_a_new_session_identity(client, make_user):
    user = make_user("staff")
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    login(client, user.username)
    with client.session_transaction() as sess:
        assert "planted" not in sess


@pytest.mark.parametrize("username", ["staff", "leader", "analyst", "council", "admin"])
def test_every_demo_login_reaches_its_landing_page(demo_client, username):
    from tests.conftest import DEMO_PASSWORD

    response = login(demo_client, username, DEMO_PASSWORD)
    assert response.status_code == 302
    landing = demo_client.get("/", follow_redirects=True)
    assert landing.status_code == 200
    assert "Log ud" in landing.get_data(as_text=True)


def test_production_hashing_parameters_follow_rfc_9106():
    """Deployments hash with Argon2id, t=3, 64 MiB, p=4 (the suite itself uses cheaper ones)."""
    from del_tool.auth.passwords import PRODUCTION_HASHER

    digest = PRODUCTION_HASHER.hash("any password at all")
    assert digest.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_hash_function_never_returns_plain_text():
    assert hash_password("secret-value") != "secret-value"
