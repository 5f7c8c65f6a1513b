"""API tokens: only a hash is stored, expiry and revocation end them, scope never grows beyond
the owner's, history of create and revoke, the pages and `del-tool tokens`."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from del_tool.api.models import ApiToken
from del_tool.api.tokens import TokenRequest, create_token, hash_token
from del_tool.audit.models import AuditEvent
from del_tool.auth.models import User, UserUnit
from del_tool.db import get_db
from del_tool.errors import RuleError
from del_tool.modelbase import local_today, utcnow
from tests.conftest import DEMO_PASSWORD, login
from tests.security.helpers import db_session

CSRF = r'name="csrf_token"[^>]*value="([^"]+)"'


def _token_row(app, secret):
    with db_session(app) as db:
        row = db.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(secret))).one()
        db.expunge(row)
        return row


def test_the_database_holds_only_the_hash(demo_app, make_token):
    secret = make_token("staff")
    assert re.fullmatch(r"del_[A-Za-z0-9_-]{43}", secret)
    with db_session(demo_app) as db:
        dump = "\n".join(str(row) for row in db.execute(text("SELECT * FROM api_tokens")).all())
        history = "\n".join(str(e.changes) for e in db.exec(select(AuditEvent)).all())
    assert secret not in dump and secret[4:] not in dump
    assert hash_token(secret) in dump
    assert secret not in history and hash_token(secret) not in history
    assert _token_row(demo_app, secret).prefix == secret[:12]


def test_a_token_works_until_it_expires(demo_app, make_token, api):
    secret = make_token("staff")
    assert api("GET", "/citizens", secret).status_code == 200
    with db_session(demo_app) as db:
        row = db.exec(select(ApiToken).where(ApiToken.token_hash == hash_token(secret))).one()
        assert row.last_used_at is not None
        row.expires_at = utcnow() - timedelta(seconds=1)
        db.add(row)
        db.commit()
    response = api("GET", "/citizens", secret)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_a_revoked_token_is_refused_and_revoking_is_in_the_history(demo_app, make_token, api):
    secret = make_token("staff")
    runner = demo_app.test_cli_runner()
    token_id = _token_row(demo_app, secret).id
    result = runner.invoke(args=["tokens", "revoke", str(token_id)])
    assert result.exit_code == 0, result.output
    assert api("GET", "/citizens", secret).status_code == 401
    with db_session(demo_app) as db:
        actions = db.exec(
            select(AuditEvent.action)
            .where(AuditEvent.entity == "api_tokens", AuditEvent.entity_id == str(token_id))
            .order_by(col(AuditEvent.id))
        ).all()
    assert actions == ["create", "update"]
    assert "revoked already" in runner.invoke(args=["tokens", "revoke", str(token_id)]).output


def test_an_owner_deactivated_or_given_another_role_ends_the_token(demo_app, make_token, api):
    secret = make_token("leader")
    assert api("GET", "/caseload", secret).status_code == 200
    with db_session(demo_app) as db:
        leader = db.exec(select(User).where(User.username == "leader")).one()
        leader.active = False
        db.add(leader)
        db.commit()
    assert api("GET", "/caseload", secret).status_code == 401


def test_a_staff_token_covers_only_the_chosen_units_the_owner_still_has(demo_app, make_token, api):
    with db_session(demo_app) as db:
        staff_id = db.exec(select(User.id).where(User.username == "staff")).one()
        units = sorted(db.exec(select(UserUnit.unit_id).where(UserUnit.user_id == staff_id)))
    assert len(units) >= 2
    everything = api("GET", "/caseload", make_token("staff")).json["rows"]
    narrow = make_token("staff", unit_ids=frozenset(units[:1]))
    rows = api("GET", "/caseload", narrow).json["rows"]
    assert rows and {r["unit_id"] for r in rows} == {units[0]}
    assert len(rows) < len(everything)
    with db_session(demo_app) as db:  # the owner leaves the unit: the token loses it too
        db.execute(
            text("DELETE FROM user_units WHERE user_id = :u AND unit_id = :n"),
            {"u": staff_id, "n": units[0]},
        )
        db.commit()
    assert api("GET", "/caseload", narrow).json["rows"] == []


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": " "}, "name"),
        ({"expires_on": "today"}, "expires_on"),
        ({"expires_on": "past"}, "expires_on"),
        ({"expires_on": "too late"}, "expires_on"),
        ({"unit_ids": "foreign"}, "units"),
    ],
)
def test_a_token_beyond_the_rules_is_refused(demo_app, fields, field):
    today = local_today()
    dates = {"today": today, "past": today - timedelta(days=1), "too late": today + timedelta(366)}
    wanted = {"name": "x", "expires_on": today + timedelta(days=1)}
    with db_session(demo_app) as db:
        staff = db.exec(select(User).where(User.username == "staff")).one()
        own = set(db.exec(select(UserUnit.unit_id).where(UserUnit.user_id == staff.id)))
        foreign = db.execute(text("SELECT id FROM units")).scalars().all()
        for key, value in fields.items():
            if key == "expires_on":
                wanted[key] = dates[value]
            elif key == "unit_ids":
                wanted[key] = frozenset({next(u for u in foreign if u not in own)})
            else:
                wanted[key] = value
        with pytest.raises(RuleError) as refused:
            create_token(session=db, maker_id=staff.id, owner=staff, wanted=TokenRequest(**wanted))
    assert refused.value.field == field


def test_a_year_ahead_is_the_longest_expiry(demo_app):
    with db_session(demo_app) as db:
        staff = db.exec(select(User).where(User.username == "staff")).one()
        wanted = TokenRequest(name="year", expires_on=local_today() + timedelta(days=365))
        assert create_token(session=db, maker_id=None, owner=staff, wanted=wanted).token.id


def test_the_account_page_shows_a_new_token_once(demo_app, api):
    client = demo_app.test_client()
    login(client, "council", DEMO_PASSWORD)
    page = client.get("/account/tokens")
    csrf = re.search(CSRF, page.text)
    assert csrf, page.text
    expires = (local_today() + timedelta(days=10)).isoformat()
    made = client.post(
        "/account/tokens",
        data={"csrf_token": csrf.group(1), "name": "Kommunens BI", "expires_on": expires},
    )
    assert made.status_code == 200
    secret = re.search(r'<code id="new-token">(del_[^<]+)</code>', made.text).group(1)
    assert secret not in client.get("/account/tokens").text  # shown only on creation
    assert api("GET", "/reports", secret).json["council"] is True
    assert api("GET", "/citizens", secret).status_code == 403  # the council role: no rows
    row = _token_row(demo_app, secret)
    assert row.role.value == "council" and row.municipality_code is not None


def test_the_admin_page_makes_a_service_token_and_revokes_it(demo_app, api):
    client = demo_app.test_client()
    login(client, "admin", DEMO_PASSWORD)
    page = client.get("/admin/tokens")
    csrf = re.search(CSRF, page.text).group(1)
    with db_session(demo_app) as db:
        analyst_id = db.exec(select(User.id).where(User.username == "analyst")).one()
    made = client.post(
        "/admin/tokens",
        data={
            "csrf_token": csrf,
            "user": str(analyst_id),
            "kind": "service",
            "name": "Regionens datavarehus",
            "expires_on": (local_today() + timedelta(days=100)).isoformat(),
        },
    )
    secret = re.search(r'<code id="new-token">(del_[^<]+)</code>', made.text).group(1)
    assert api("GET", "/reports", secret).json["kinds"]
    row = _token_row(demo_app, secret)
    assert row.kind.value == "service" and row.user_id == analyst_id
    assert f'action="/admin/tokens/{row.id}/revoke"' in client.get("/admin/tokens").text
    revoked = client.post(f"/admin/tokens/{row.id}/revoke", data={"csrf_token": csrf})
    assert revoked.status_code == 302
    assert api("GET", "/reports", secret).status_code == 401


def test_a_user_cannot_revoke_another_users_token(demo_app, make_token):
    secret = make_token("leader")
    client = demo_app.test_client()
    login(client, "staff", DEMO_PASSWORD)
    page = client.get("/account/tokens")
    csrf = re.search(CSRF, page.text).group(1)
    token_id = _token_row(demo_app, secret).id
    response = client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf})
    assert response.status_code == 404
    assert _token_row(demo_app, secret).revoked_at is None


def test_the_cli_creates_and_lists_tokens(demo_app, api):
    runner = demo_app.test_cli_runner()
    expires = (local_today() + timedelta(days=3)).isoformat()
    result = runner.invoke(
        args=["tokens", "create", "--user", "analyst", "--name", "cli", "--expires", expires]
    )
    assert result.exit_code == 0, result.output
    secret = re.search(r"^(del_\S+)$", result.output, re.MULTILINE).group(1)
    assert api("GET", "/reports", secret).status_code == 200
    listed = runner.invoke(args=["tokens", "list", "--user", "analyst"]).output
    assert "active" in listed and secret[:12] in listed and secret not in listed
    refused = runner.invoke(
        args=["tokens", "create", "--user", "analyst", "--name", "x", "--expires", "2001-01-01"]
    )
    assert refused.exit_code != 0 and "Udløbsdatoen" in refused.output
    with get_db(demo_app).session(write=False) as db:
        assert db.exec(select(ApiToken).where(ApiToken.name == "x")).first() is None
