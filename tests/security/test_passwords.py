"""SECURITY.md "Passwords hashed with Argon2id; minimum length 8 (64+ allowed), no composition
rules, common passwords rejected; rehash when parameters change"."""

from __future__ import annotations

import pytest

from del_tool.auth.passwords import common_passwords, hash_password, password_problems
from tests.conftest import PASSWORD, login
from tests.security.helpers import db_session, page


@pytest.mark.parametrize("password", ["password123", "iloveyou", "QWERTYUIOP", "  baseball1 "])
def test_common_passwords_are_rejected(app, password):
    with app.test_request_context():
        assert any("almindelig" in p for p in password_problems(password))


def test_minimum_length_is_8_and_long_passphrases_are_allowed(app):
    with app.test_request_context():
        assert password_problems("x7#kQ2p") != []
        assert password_problems("x7#kQ2pZ") == []
        assert password_problems("en lang sætning om en grøn cykel " * 3) == []  # 99 characters
        assert password_problems("a" * 129) != []


def test_no_composition_rules(app):
    with app.test_request_context():
        assert password_problems("bananbrødogkaffe") == []  # only lower-case letters
        assert password_problems("94718265039") == []  # only digits


def test_bundled_list_is_loaded_and_big():
    assert len(common_passwords()) > 8000
    assert "password" in common_passwords()


def test_hashes_are_argon2id_and_salted():
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first.startswith("$argon2id$") and first != second


def test_password_change_applies_the_rules(app, client, make_user):
    user = make_user("staff")
    login(client, user.username)
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "password1", "confirm": "password1"},
    )
    assert response.status_code == 200 and "for almindelig" in page(response)
    with db_session(app) as db:
        assert db.get(type(user), user.id).password_hash == user.password_hash
