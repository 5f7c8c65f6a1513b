"""SECURITY.md "CSRF protection on every state-changing request" (no state change on GET is
checked by test_matrix.py, which makes every GET of every endpoint as every role).

The default test configuration switches CSRF off for convenience; these tests switch it on and
walk the whole url_map, so an endpoint added later is covered without being listed here.
"""

from __future__ import annotations

import re

import pytest

from del_tool import create_app
from del_tool.db import get_db
from tests.conftest import DEMO_PASSWORD, make_config
from tests.security.endpoints import (
    STATE_CHANGING,
    routes,
    scoped_ids,
    table_counts,
    url_for_rule,
)
from tests.security.helpers import db_session, page

CSRF_MESSAGE = "Formularen var udløbet eller ugyldig"


@pytest.fixture
def csrf_app(databases):
    url = databases.fresh("demo")
    app = create_app(make_config(url, WTF_CSRF_ENABLED=True))
    yield app
    get_db(app).dispose()
    databases.drop(url)


def _token(client, path="/auth/login"):
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page(client.get(path))).group(1)


def _login_with_token(client, username):
    token = _token(client)
    response = client.post(
        "/auth/login",
        data={"username": username, "password": DEMO_PASSWORD, "csrf_token": token},
    )
    assert response.status_code == 302, username


def _post_routes(app):
    """Every state-changing route but the API's, which takes bearer tokens and never a session
    cookie (no cookie, nothing to forge: tests/security/test_api_matrix.py, tests/api)."""
    return [
        r for r in routes(app) if r.method in STATE_CHANGING and not r.endpoint.startswith("api.")
    ]


def test_there_are_state_changing_endpoints_to_check(csrf_app):
    assert len(_post_routes(csrf_app)) >= 20


@pytest.mark.parametrize("who", ["anonymous", "staff", "leader", "admin"])
def test_every_post_without_a_valid_token_is_refused(csrf_app, who):
    with db_session(csrf_app) as db:
        ids = scoped_ids(db)["own"]
    client = csrf_app.test_client()
    if who != "anonymous":
        _login_with_token(client, who)
    with db_session(csrf_app) as db:
        before = table_counts(db)
    real = _token(client, "/auth/login" if who == "anonymous" else "/home")
    for route in _post_routes(csrf_app):
        url = url_for_rule(csrf_app, route, ids)
        for data in ({}, {"csrf_token": "forged"}, {"csrf_token": real[:-2] + "xx"}):
            response = client.open(url, method=route.method, data=data)
            assert response.status_code == 400, (route, data, response.status_code)
            assert CSRF_MESSAGE in page(response), route
    with db_session(csrf_app) as db:
        after = table_counts(db)
    assert after == before


def test_a_valid_token_passes_the_check(csrf_app):
    client = csrf_app.test_client()
    _login_with_token(client, "staff")
    token = _token(client, "/home")
    response = client.post("/auth/logout", data={"csrf_token": token})
    assert response.status_code == 302
