"""SCIM 2.0 users: bearer token, create, get, filter, PATCH, PUT, DELETE; deactivation ends
the user's sessions at once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlmodel import select

from del_tool import create_app
from del_tool.auth.models import Role, User
from del_tool.db import get_db
from del_tool.organisation.models import Unit
from del_tool.security.sessions import start_session
from tests.conftest import make_config

TOKEN = "scim-token-that-is-long-enough-for-the-check"
EXT = "urn:ietf:params:scim:schemas:extension:del:2.0:User"
ROLE_MAP = {"DEL.Staff": "staff", "DEL.Leader": "leader", "DEL.Admin": "admin"}


@pytest.fixture
def scim_app(databases: Any) -> Iterator[Flask]:
    url = databases.fresh("seeded")
    app = create_app(make_config(url, SCIM_TOKEN=TOKEN, OIDC_ROLE_MAP=ROLE_MAP))
    yield app
    get_db(app).dispose()
    databases.drop(url)


def _headers(token: str = TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _unit(app: Flask) -> int:
    with app.app_context(), get_db(app).session(write=False) as db:
        return int(db.exec(select(Unit.id).order_by(Unit.id)).first() or 0)


def _create(client: Any, unit: int, **extra: Any) -> Any:
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", EXT],
        "userName": "Eva@Example.dk",
        "externalId": "oid-eva",
        "displayName": "Eva Eriksen",
        "roles": [{"value": "DEL.Staff"}],
        EXT: {"units": [unit]},
        **extra,
    }
    return client.post("/scim/v2/Users", json=body, headers=_headers())


def test_a_bearer_token_is_required(scim_app):
    client = scim_app.test_client()
    assert client.get("/scim/v2/Users").status_code == 401
    assert client.get("/scim/v2/Users", headers=_headers("x" * 44)).status_code == 401
    answer = client.get("/scim/v2/Users", headers=_headers())
    assert answer.status_code == 200 and answer.json["totalResults"] == 0
    assert answer.content_type == "application/scim+json"


def test_create_get_filter_and_local_users_stay_hidden(scim_app, make_user):
    make_user("admin", username="breakglass")
    client = scim_app.test_client()
    created = _create(client, _unit(scim_app))
    assert created.status_code == 201, created.json
    user_id = created.json["id"]
    assert created.json["userName"] == "eva@example.dk" and created.json["active"] is True
    assert client.get(f"/scim/v2/Users/{user_id}", headers=_headers()).json["externalId"] == (
        "oid-eva"
    )
    found = client.get('/scim/v2/Users?filter=userName eq "eva@example.dk"', headers=_headers())
    assert [r["id"] for r in found.json["Resources"]] == [user_id]
    everyone = client.get("/scim/v2/Users", headers=_headers()).json
    assert everyone["totalResults"] == 1  # the local break-glass admin is not SCIM's
    assert _create(client, _unit(scim_app)).status_code == 409
    bad = client.get("/scim/v2/Users?filter=displayName co x", headers=_headers())
    assert bad.status_code == 400 and bad.json["scimType"] == "invalidFilter"


def test_refused_input_writes_nothing(scim_app):
    client = scim_app.test_client()
    assert _create(client, 999999).status_code == 400
    assert _create(client, _unit(scim_app), roles=[{"value": "Nope"}]).status_code == 400
    assert client.post("/scim/v2/Users", data="x", headers=_headers()).status_code == 400
    assert client.get("/scim/v2/Users", headers=_headers()).json["totalResults"] == 0


def _session_of(app: Flask, user_id: int) -> Any:
    """A browser logged in as the user (as after an SSO login)."""
    client = app.test_client()
    with app.test_request_context(), get_db(app).session(write=False) as db:
        user = db.get(User, user_id)
        start_session(user)
        from flask import session

        cookie = dict(session)
    with client.session_transaction() as stored:
        stored.update(cookie)
    return client


def test_patch_active_false_ends_the_session_at_once(scim_app):
    client = scim_app.test_client()
    user_id = int(_create(client, _unit(scim_app)).json["id"])
    browser = _session_of(scim_app, user_id)
    assert browser.get("/home").status_code == 200
    patch = {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "active", "value": False}],
    }
    answer = client.patch(f"/scim/v2/Users/{user_id}", json=patch, headers=_headers())
    assert answer.status_code == 200 and answer.json["active"] is False
    assert browser.get("/home").status_code == 302


def test_patch_roles_put_and_delete(scim_app):
    client = scim_app.test_client()
    unit = _unit(scim_app)
    user_id = int(_create(client, unit).json["id"])
    patch = {"Operations": [{"op": "replace", "value": {"roles": [{"value": "DEL.Admin"}]}}]}
    answer = client.patch(f"/scim/v2/Users/{user_id}", json=patch, headers=_headers())
    assert answer.status_code == 200 and answer.json["roles"] == [{"value": "DEL.Admin"}]
    with scim_app.app_context(), get_db(scim_app).session(write=False) as db:
        assert db.get(User, user_id).role is Role.ADMIN
    remove = {"Operations": [{"op": "remove", "path": "roles", "value": [{"value": "DEL.Admin"}]}]}
    answer = client.patch(f"/scim/v2/Users/{user_id}", json=remove, headers=_headers())
    assert answer.json["active"] is False  # no role maps any more: deactivated
    put = {"userName": "eva", "roles": [{"value": "DEL.Staff"}], EXT: {"units": [unit]}}
    answer = client.put(
        f"/scim/v2/Users/{user_id}", json={**put, "active": True}, headers=_headers()
    )
    assert answer.status_code == 200 and answer.json["active"] is True
    assert answer.json[EXT]["units"] == [unit]
    assert client.delete(f"/scim/v2/Users/{user_id}", headers=_headers()).status_code == 204
    assert client.get(f"/scim/v2/Users/{user_id}", headers=_headers()).json["active"] is False
    assert client.get("/scim/v2/Users/424242", headers=_headers()).status_code == 404


def test_sso_and_scim_endpoints_are_declared_in_the_security_matrix(databases):
    from tests.security.test_matrix import EXPECTED

    url = databases.fresh("seeded")
    config = {"OIDC_ISSUER": "https://idp.example", "OIDC_CLIENT_ID": "del"}
    app = create_app(make_config(url, SCIM_TOKEN=TOKEN, OIDC_ROLE_MAP=ROLE_MAP, **config))
    try:
        mine = {r.endpoint for r in app.url_map.iter_rules()} - {"static"}
        mine = {e for e in mine if e.startswith(("sso.", "scim."))}
        assert len(mine) == 9 and mine <= set(EXPECTED)
        assert app.test_client().post("/auth/sso/backchannel-logout").status_code == 400
    finally:
        get_db(app).dispose()
        databases.drop(url)
