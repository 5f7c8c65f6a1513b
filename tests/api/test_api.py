"""The API's behaviour around the data: problem details in Danish and English, no session
cookies, access logging of every read of citizen data, per-token rate limits, reports."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlmodel import col, select

from del_tool import create_app
from del_tool.audit.models import AccessEvent
from del_tool.db import get_db
from del_tool.reports.forms import REPORT_KINDS
from tests.conftest import DEMO_PASSWORD, login, make_config
from tests.security.helpers import db_session

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


def _problem(response, status):
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    body = response.json
    assert set(body) >= PROBLEM_KEYS and body["status"] == status
    return body


@pytest.mark.parametrize(
    "authorization", [None, "Bearer", "Bearer del_unknown", "Basic abc", "Bearer " + "x" * 300]
)
def test_a_missing_or_bad_token_is_a_401_problem(api, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    response = api("GET", "/citizens", headers=headers)
    body = _problem(response, 401)
    assert body["title"] == "Ingen gyldig API-nøgle"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_problems_are_translated_by_accept_language(api, make_token):
    token = make_token("analyst")
    english = api("GET", "/citizens", token, headers={"Accept-Language": "en-GB,en;q=0.9"})
    danish = api("GET", "/citizens", token, headers={"Accept-Language": "da"})
    assert _problem(danish, 403)["title"] == "Ingen adgang"
    assert _problem(english, 403)["title"] == "No access"
    assert _problem(api("GET", "/citizens", token), 403)["title"] == "Ingen adgang"  # default
    _problem(api("GET", "/citizens/999999", make_token("staff")), 404)


def test_unknown_paths_and_methods_are_problems_too(api, make_token):
    token = make_token("staff")
    _problem(api("GET", "/no-such-thing", token), 404)
    _problem(api("DELETE", "/citizens", token), 405)


def test_a_session_cookie_opens_nothing_and_none_is_set(demo_app):
    client = demo_app.test_client()
    login(client, "staff", DEMO_PASSWORD)
    assert client.get("/citizens/").status_code == 200  # the pages: logged in
    response = client.get("/api/v1/citizens")
    _problem(response, 401)
    assert "Set-Cookie" not in response.headers
    assert client.get("/api/v1/openapi.json").headers.get("Set-Cookie") is None


def test_every_read_of_citizen_data_is_access_logged(demo_app, api, make_token):
    token = make_token("staff")
    citizen = api("GET", "/citizens", token).json["citizens"][0]["id"]
    follow_ups = api("GET", f"/citizens/{citizen}/follow-ups", token).json["follow_ups"]
    paths = [
        "/caseload",
        f"/citizens/{citizen}",
        f"/citizens/{citizen}/stays",
        f"/citizens/{citizen}/goals",
        f"/follow-ups/{follow_ups[0]['id']}",
    ]
    for path in paths:
        assert api("GET", path, token).status_code == 200, path
    with db_session(demo_app) as db:
        events = db.exec(
            select(AccessEvent.endpoint, AccessEvent.citizen_id, AccessEvent.user_id).where(
                col(AccessEvent.endpoint).startswith("api.")
            )
        ).all()
    logged = {(endpoint, citizen_id) for endpoint, citizen_id, _user in events}
    assert ("api.citizens", None) in logged and ("api.caseload", None) in logged
    for endpoint in ("api.citizen", "api.stays", "api.goals", "api.follow_ups", "api.follow_up"):
        assert (endpoint, citizen) in logged, endpoint
    assert all(user_id is not None for *_rest, user_id in events)


def test_organisation_and_questionnaires_for_any_token(api, make_token):
    token = make_token("admin")
    organisation = api("GET", "/organisation", token).json
    assert organisation["centres"] and organisation["units"] and organisation["municipalities"]
    english = api("GET", "/questionnaires", token, headers={"Accept-Language": "en"}).json
    danish = api("GET", "/questionnaires", token).json
    assert [q["id"] for q in english["questionnaires"]] == [
        q["id"] for q in danish["questionnaires"]
    ]
    assert english["questionnaires"][0]["title"] != danish["questionnaires"][0]["title"]


def test_reports_come_from_the_report_builder_with_the_pages_validation(demo_app, api, make_token):
    token = make_token("leader")
    kinds = api("GET", "/reports", token).json
    assert kinds["kinds"] == list(REPORT_KINDS)  # the report form's kinds
    bad = _problem(api("GET", "/reports/internal?period=someday", token), 422)
    assert bad["errors"][0]["field"] == "period"
    report = api(
        "GET", f"/reports/internal?kind=documentation&period=2025&scope={kinds['scopes'][0]}", token
    )
    assert report.status_code == 200, report.json
    body = report.json
    assert body["state"] == "ready" and body["report"]["kind"] == "documentation"
    foreign = _problem(api("GET", "/reports/internal?period=2025&scope=region", token), 422)
    assert foreign["errors"][0]["field"] == "scope"


def test_a_council_gets_its_own_suppressed_summary_only(api, make_token):
    token = make_token("council")
    own = api("GET", "/reports/council", token)
    assert own.status_code == 200, own.json
    assert own.json["report"]["kind"] == "council"
    other = _problem(api("GET", "/reports/council?municipality=101", token), 422)
    assert other["errors"][0]["field"] == "municipality"
    running = _problem(api("GET", "/reports/council?period=2099", token), 422)
    assert running["errors"][0]["field"] == "period"


@pytest.fixture
def limited_app(databases) -> Iterator[Flask]:
    url = databases.fresh("demo")
    app = create_app(make_config(url, RATELIMIT_ENABLED=True, API_RATE_LIMIT="3 per minute"))
    yield app
    get_db(app).dispose()
    databases.drop(url)


def test_the_rate_limit_is_per_token(limited_app):
    from datetime import timedelta

    from del_tool.api.tokens import TokenRequest, create_token
    from del_tool.auth.models import User
    from del_tool.modelbase import local_today

    with db_session(limited_app) as db:
        owner = db.exec(select(User).where(User.username == "analyst")).one()
        wanted = TokenRequest(name="rate", expires_on=local_today() + timedelta(days=2))
        first, second = (
            create_token(session=db, maker_id=None, owner=owner, wanted=wanted).secret
            for _ in range(2)
        )
        db.commit()
    client = limited_app.test_client()

    def call(token):
        return client.get("/api/v1/organisation", headers={"Authorization": f"Bearer {token}"})

    assert [call(first).status_code for _ in range(3)] == [200, 200, 200]
    refused = call(first)
    _problem(refused, 429)
    assert int(refused.headers["Retry-After"]) >= 1
    assert call(second).status_code == 200  # another token has its own quota


def test_the_description_and_its_page_need_no_token(api):
    document = api("GET", "/openapi.json").json
    assert document["openapi"].startswith("3.1")
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    goal_write = document["paths"]["/api/v1/citizens/{citizen_id}/goals"]["post"]
    assert "Idempotency-Key" in {p["name"] for p in goal_write["parameters"]}
    assert "application/problem+json" in goal_write["responses"]["422"]["content"]
    page = api("GET", "/docs")
    assert page.status_code == 200
    assert re.findall(r"<script[^>]*>", page.text) == [  # the base page's own files, no inline
        '<script src="/static/vendor/dkfds/js/dkfds.min.js">',
        '<script src="/static/js/del.js">',
    ]
    assert "'unsafe-inline'" not in page.headers["Content-Security-Policy"]
    for path in document["paths"]:
        assert path in page.text
