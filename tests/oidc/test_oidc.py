"""Single sign-on against a real, OpenID-certified provider (panva's oidc-provider on loopback).

Discovery, the code flow with PKCE, the ID token's signature, nonce, state and expiry, the
claim mapping to each role and scope, refusal when no role maps, RP-initiated and back-channel
logout. Skipped only when node (or the npm package) is missing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from flask import Flask
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlmodel import select

from del_tool import ConfigError, create_app
from del_tool.audit.models import AuditEvent, LoginEvent
from del_tool.auth.models import Role, User, UserUnit
from del_tool.db import get_db
from del_tool.organisation.models import Centre, Unit
from del_tool.sso import client as oidc
from del_tool.sso.models import ExternalIdentity
from tests.conftest import make_config
from tests.oidc.provider import CLIENT_ID, OidcProvider, node_missing, provider_login

pytestmark = pytest.mark.skipif(node_missing() is not None, reason=str(node_missing()))


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OidcProvider]:
    """The provider, once for the module."""
    running = OidcProvider(tmp_path_factory.mktemp("oidc"))
    yield running
    running.stop()


@pytest.fixture
def sso_app(databases: Any, provider: OidcProvider) -> Iterator[Flask]:
    """An app on a fresh seeded database, configured for the provider."""
    url = databases.fresh("seeded")
    app = create_app(make_config(url, **provider.config()))
    yield app
    get_db(app).dispose()
    databases.drop(url)


@pytest.fixture
def org(sso_app: Flask) -> dict[str, Any]:
    """Two units of one centre, and a municipality code."""
    with sso_app.app_context(), get_db(sso_app).session(write=False) as db:
        centre = db.exec(select(Centre).order_by(Centre.id)).first()
        assert centre is not None
        units = db.exec(select(Unit.id).where(Unit.centre_id == centre.id).order_by(Unit.id))
        unit_ids = list(units.all())[:2]
    return {"centre": centre.id, "units": unit_ids, "municipality": "101"}


def _user(app: Flask, subject: str) -> tuple[User, list[int]] | None:
    with app.app_context(), get_db(app).session(write=False) as db:
        identity = db.exec(
            select(ExternalIdentity).where(ExternalIdentity.subject == subject)
        ).first()
        if identity is None:
            return None
        user = db.get(User, identity.user_id)
        assert user is not None
        units = db.exec(select(UserUnit.unit_id).where(UserUnit.user_id == user.id)).all()
        db.expunge(user)
        return user, sorted(units)


def _events(app: Flask, model: Any) -> list[Any]:
    with app.app_context(), get_db(app).session(write=False) as db:
        rows = list(db.exec(select(model).order_by(model.id)).all())
        for row in rows:
            db.expunge(row)
        return rows


def test_discovery_and_the_login_page(sso_app, provider):
    with sso_app.test_request_context():
        assert oidc.metadata()["issuer"] == provider.issuer
        assert "S256" in oidc.metadata()["code_challenge_methods_supported"]
    page = sso_app.test_client().get("/auth/login").get_data(as_text=True)
    assert "Log ind med Testregionen" in page
    assert 'name="password"' in page  # the local form is still there by default


def test_code_flow_with_pkce_provisions_a_staff_user(sso_app, provider, org):
    provider.set_accounts(
        {"anna": {"name": "Anna Andersen", "roles": ["DEL.Staff"], "del_units": org["units"]}}
    )
    client = sso_app.test_client()
    start = client.get("/auth/sso/login")
    query = parse_qs(urlparse(start.location).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert query["state"] and query["nonce"]
    answer = provider_login(client, requests.Session(), "anna")
    assert answer.status_code == 302 and answer.location == "/"
    assert client.get("/home").status_code == 200
    user, units = _user(sso_app, "anna")
    assert user.role is Role.STAFF and units == sorted(org["units"])
    assert user.display_name == "Anna Andersen"
    login = _events(sso_app, LoginEvent)[-1]
    assert (login.user_id, login.success, login.reason) == (user.id, True, "ok")
    assert any(e.action == "sso_create" for e in _events(sso_app, AuditEvent))


@pytest.mark.parametrize(
    ("claim", "role", "scope"),
    [
        ("DEL.Leader", Role.LEADER, "centre"),
        ("DEL.Analyst", Role.ANALYST, None),
        ("DEL.Council", Role.COUNCIL, "municipality"),
        ("DEL.Admin", Role.ADMIN, None),
    ],
)
def test_each_role_and_scope_is_mapped(sso_app, provider, org, claim, role, scope):
    claims = {"roles": [claim], "del_centre": str(org["centre"]), "del_municipality": "101"}
    provider.set_accounts({"bo": claims})
    assert provider_login(sso_app.test_client(), requests.Session(), "bo").location == "/"
    user, units = _user(sso_app, "bo")
    assert user.role is role and units == []
    assert user.centre_id == (org["centre"] if scope == "centre" else None)
    assert user.municipality_code == ("101" if scope == "municipality" else None)


def test_every_login_updates_role_and_scope_with_history(sso_app, provider, org):
    first, second = org["units"][:1], org["units"][1:]
    provider.set_accounts({"cy": {"roles": ["DEL.Staff"], "del_units": first}})
    provider_login(sso_app.test_client(), requests.Session(), "cy")
    provider.set_accounts({"cy": {"roles": "DEL.Staff", "del_units": " ".join(map(str, second))}})
    provider_login(sso_app.test_client(), requests.Session(), "cy")
    assert _user(sso_app, "cy")[1] == sorted(second)
    updates = [e for e in _events(sso_app, AuditEvent) if e.action == "sso_update"]
    assert updates[-1].changes["unit_ids"] == [sorted(first), sorted(second)]


def test_no_role_is_refused_deactivated_and_sessions_end(sso_app, provider, org):
    provider.set_accounts({"di": {"roles": ["DEL.Staff"], "del_units": org["units"]}})
    earlier = sso_app.test_client()
    provider_login(earlier, requests.Session(), "di")
    assert earlier.get("/home").status_code == 200
    provider.set_accounts({"di": {"roles": ["Something.Else"]}})
    answer = provider_login(sso_app.test_client(), requests.Session(), "di")
    assert answer.status_code == 403
    assert "ikke givet dig én rolle i DEL" in answer.get_data(as_text=True)
    user, _ = _user(sso_app, "di")
    assert not user.active and user.session_version == 2
    assert earlier.get("/home").status_code == 302  # the earlier session ended
    login = _events(sso_app, LoginEvent)[-1]
    assert (login.user_id, login.success, login.reason) == (user.id, False, "sso_no_role")


def test_unknown_unit_in_the_claims_is_refused(sso_app, provider):
    provider.set_accounts({"ev": {"roles": ["DEL.Staff"], "del_units": [999999]}})
    answer = provider_login(sso_app.test_client(), requests.Session(), "ev")
    assert answer.status_code == 403 and _user(sso_app, "ev") is None


def test_state_mismatch_is_refused(sso_app, provider, org):
    provider.set_accounts({"fa": {"roles": ["DEL.Staff"], "del_units": org["units"]}})
    client = sso_app.test_client()
    start = client.get("/auth/sso/login")
    other = sso_app.test_client()  # the provider's answer arrives in a browser that never asked
    browser = requests.Session()
    from tests.oidc.provider import follow_to_del

    page = browser.get(start.location, timeout=10)
    import re

    action = re.search(r'action="([^"]+)"', page.text).group(1)
    answer = browser.post(
        requests.compat.urljoin(page.url, action),
        data={"prompt": "login", "login": "fa", "password": "x"},
        allow_redirects=False,
        timeout=10,
    )
    callback = follow_to_del(browser, answer)
    assert other.get(callback).status_code == 403
    assert other.get("/home").status_code == 302
    assert _user(sso_app, "fa") is None
    tampered = callback.replace("state=", "state=x")
    assert client.get(tampered).status_code == 403
    assert _events(sso_app, LoginEvent)[-1].reason == "sso_bad_token"


def test_nonce_mismatch_is_refused(sso_app, provider, org):
    provider.set_accounts({"gu": {"roles": ["DEL.Staff"], "del_units": org["units"]}})
    client = sso_app.test_client()
    browser = requests.Session()
    start = client.get("/auth/sso/login")
    state = parse_qs(urlparse(start.location).query)["state"][0]
    with client.session_transaction() as session:
        saved = session[f"_state_del_oidc_{state}"]
        saved["data"]["nonce"] = "another-nonce"
        session[f"_state_del_oidc_{state}"] = saved
    import re

    from tests.oidc.provider import follow_to_del

    page = browser.get(start.location, timeout=10)
    action = re.search(r'action="([^"]+)"', page.text).group(1)
    answer = browser.post(
        requests.compat.urljoin(page.url, action),
        data={"prompt": "login", "login": "gu", "password": "x"},
        allow_redirects=False,
        timeout=10,
    )
    assert client.get(follow_to_del(browser, answer)).status_code == 403
    assert _user(sso_app, "gu") is None


def _token(key: RSAKey, **claims: Any) -> str:
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)


def _claims(provider: OidcProvider, **changes: Any) -> dict[str, Any]:
    now = int(time.time())
    claims = {"iss": provider.issuer, "aud": CLIENT_ID, "sub": "hi", "iat": now, "exp": now + 60}
    return {**claims, "nonce": "n", **changes}


def test_id_token_signature_expiry_and_audience_are_checked(sso_app, provider):
    impostor = RSAKey.generate_key(2048, parameters={"kid": "provider-key"}, private=True)
    with sso_app.test_request_context():
        assert oidc.verify_id_token(_token(provider.key, **_claims(provider)), nonce="n")
        refused = {
            "another key": _token(impostor, **_claims(provider)),
            "unknown kid": _token(
                RSAKey.generate_key(2048, parameters={"kid": "x"}, private=True),
                **_claims(provider),
            ),
            "expired": _token(provider.key, **_claims(provider, exp=int(time.time()) - 120)),
            "audience": _token(provider.key, **_claims(provider, aud="someone-else")),
            "issuer": _token(provider.key, **_claims(provider, iss="http://127.0.0.1:1")),
            "nonce": _token(provider.key, **_claims(provider, nonce="other")),
            "tampered": _token(provider.key, **_claims(provider))[:-4] + "AAAA",
        }
        for why, token in refused.items():
            with pytest.raises(oidc.TokenError):
                oidc.verify_id_token(token, nonce="n")
            assert why


def _logout_token(provider: OidcProvider, **changes: Any) -> str:
    claims = {
        "iss": provider.issuer,
        "aud": CLIENT_ID,
        "iat": int(time.time()),
        "jti": "j1",
        "events": {oidc.BACKCHANNEL_EVENT: {}},
        **changes,
    }
    return _token(provider.key, **{k: v for k, v in claims.items() if v is not None})


def test_back_channel_logout_ends_the_session(sso_app, provider, org):
    provider.set_accounts({"ib": {"roles": ["DEL.Staff"], "del_units": org["units"]}})
    client = sso_app.test_client()
    provider_login(client, requests.Session(), "ib")
    with sso_app.app_context(), get_db(sso_app).session(write=False) as db:
        sid = db.exec(select(ExternalIdentity.last_sid)).first()
    assert sid
    machine = sso_app.test_client()
    for bad in (
        _logout_token(provider, sid=sid, nonce="n"),
        _logout_token(provider, sid=sid, events={}),
        _logout_token(provider, sid=sid, aud="other"),
        _logout_token(provider, sid=sid, iat=int(time.time()) - 3600),
        _logout_token(provider),
    ):
        answer = machine.post("/auth/sso/backchannel-logout", data={"logout_token": bad})
        assert answer.status_code == 400
    assert client.get("/home").status_code == 200
    answer = machine.post(
        "/auth/sso/backchannel-logout", data={"logout_token": _logout_token(provider, sid=sid)}
    )
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    assert client.get("/home").status_code == 302


def test_logout_goes_on_to_the_provider(sso_app, provider, org):
    provider.set_accounts({"jo": {"roles": ["DEL.Staff"], "del_units": org["units"]}})
    client = sso_app.test_client()
    provider_login(client, requests.Session(), "jo")
    answer = client.post("/auth/logout")
    target = urlparse(answer.location)
    assert answer.location.startswith(provider.issuer + "/session/end")
    query = parse_qs(target.query)
    assert query["id_token_hint"] and query["post_logout_redirect_uri"] == [
        "http://localhost/auth/login"
    ]
    assert client.get("/home").status_code == 302
    end = requests.get(answer.location, timeout=10)  # the provider accepts the hint
    assert end.status_code == 200


def test_local_login_off_keeps_only_break_glass_users(databases, provider, make_user):
    url = databases.fresh("seeded")
    config = provider.config(LOCAL_LOGIN=False, LOCAL_LOGIN_USERS=["breakglass"])
    app = create_app(make_config(url, **config))
    try:
        from del_tool.auth.services import create_user

        with app.app_context(), get_db(app).session(write=True) as db:
            for name in ("breakglass", "someone"):
                create_user(
                    session=db,
                    username=name,
                    display_name=name,
                    password="pw-123456789",
                    role=Role.ADMIN,
                )
            db.commit()
        page = app.test_client().get("/auth/login").get_data(as_text=True)
        assert "<details" in page and "Log ind med Testregionen" in page
        data = {"password": "pw-123456789"}
        refused = app.test_client()
        refused.post("/auth/login", data={**data, "username": "someone"})
        assert refused.get("/home").status_code == 302
        allowed = app.test_client()
        allowed.post("/auth/login", data={**data, "username": "breakglass"})
        assert allowed.get("/home").status_code == 200
    finally:
        get_db(app).dispose()
        databases.drop(url)


def test_sso_settings_are_checked_at_start(databases, provider):
    url = databases.fresh("seeded")
    try:
        with pytest.raises(ConfigError, match="DEL_OIDC_CLIENT_ID"):
            create_app(make_config(url, **provider.config(OIDC_CLIENT_ID="")))
        with pytest.raises(ConfigError, match="DEL_OIDC_ROLE_MAP"):
            create_app(make_config(url, **provider.config(OIDC_ROLE_MAP={"x": "boss"})))
        with pytest.raises(ConfigError, match="DEL_SCIM_TOKEN"):
            create_app(make_config(url, SCIM_TOKEN="short"))
        app = create_app(make_config(url))  # the default: no SSO routes at all
        assert not any(r.rule.startswith(("/auth/sso", "/scim")) for r in app.url_map.iter_rules())
        get_db(app).dispose()
    finally:
        databases.drop(url)
