"""SECURITY.md's role x endpoint x own/other scope matrix, repeated for the API (#19 part 2).

Every API route is called with a bearer token of each demo user (and with none) on the demo
staff user's objects ("own") and another centre's ("other"). "Allowed" means the route's own
answer (200, 201, 202, or 422 for a body or query it refuses); "refused" means 401 without a
token and 403 for a role or scope that may not. The writes send valid bodies, so they reach
the scope check. API_EXPECTED must declare every API endpoint.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from del_tool import create_app
from del_tool.api.tokens import TokenRequest, create_token
from del_tool.auth.models import User
from del_tool.db import get_db
from del_tool.modelbase import local_today
from tests.conftest import make_config
from tests.security.endpoints import (
    SCOPES,
    access_event_count,
    routes,
    scoped_ids,
    table_counts,
    url_for_rule,
)
from tests.security.helpers import db_session

USERS = ("staff", "leader", "analyst", "council", "admin")
CARE = ("staff", "leader")


def only(*roles: str, scope: str = "any") -> dict[str, str]:
    """Roles allowed, on any object ("any") or only on objects in their scope ("own")."""
    return dict.fromkeys(roles, scope)


#: endpoint -> {role: "any" | "own"}; a role not listed is refused (403; 401 without a token).
API_EXPECTED: dict[str, dict[str, str]] = {
    "api.openapi_json": only("anonymous", *USERS),
    "api.docs": only("anonymous", *USERS),
    "api.organisation": only(*USERS),
    "api.questionnaires": only(*USERS),
    "api.reports": only(*USERS),
    "api.citizens": only(*CARE),
    "api.caseload": only(*CARE),
    "api.citizen": only(*CARE, scope="own"),
    "api.stays": only(*CARE, scope="own"),
    "api.goals": only(*CARE, scope="own"),
    "api.follow_ups": only(*CARE, scope="own"),
    "api.follow_up": only(*CARE, scope="own"),
    "api.create_goal": only(*CARE, scope="own"),
    "api.create_follow_up": only(*CARE, scope="own"),
    "api.internal_report": only("staff", "leader", "analyst"),
    "api.council_report": only("analyst", "council"),
    # The FHIR import: leaders, into a unit of their centre (as the import pages).
    "api.fhir_import": only("leader", scope="own"),
}
#: The query a route needs to reach its scope check (a required query parameter is a 422
#: before it, for every caller).
QUERIES = {"api.fhir_import": "?sender=matrix"}


def _bodies() -> dict[str, dict[str, Any]]:
    today = local_today().isoformat()
    return {
        "api.create_goal": {
            "theme": "relations",
            "title": "Matrix goal",
            "direction": "develop",
            "baseline_level": 3,
            "target_level": 2,
            "start_date": today,
        },
        "api.create_follow_up": {"followup_date": today, "kind": "follow_up"},
        "api.fhir_import": {"resourceType": "Bundle", "type": "collection", "entry": []},
    }


@pytest.fixture(scope="module")
def api_matrix(databases) -> Iterator[dict[str, Any]]:
    """Every API route x scope x role once on a demo database; the answers."""
    url = databases.fresh("demo")
    app = create_app(make_config(url))
    try:
        yield _run(app)
    finally:
        get_db(app).dispose()
        databases.drop(url)


def _tokens(app: Any) -> dict[str, str | None]:
    tokens: dict[str, str | None] = {"anonymous": None}
    with db_session(app) as db:
        for username in USERS:
            owner = db.exec(select(User).where(User.username == username)).one()
            wanted = TokenRequest(name="matrix", expires_on=local_today() + timedelta(days=5))
            tokens[username] = create_token(
                session=db, maker_id=owner.id, owner=owner, wanted=wanted
            ).secret
        db.commit()
    return tokens


def _run(app: Any) -> dict[str, Any]:
    with db_session(app) as db:
        ids = scoped_ids(db)
    tokens = _tokens(app)
    client = app.test_client()
    api_routes = [r for r in routes(app) if r.endpoint.startswith("api.")]
    api_routes.sort(key=lambda r: r.method != "GET")
    answers: dict[tuple[str, str, str], int] = {}
    with db_session(app) as db:
        before, reads = table_counts(db), access_event_count(db)
    after = reads_after = None
    for route in api_routes:
        if route.method != "GET" and after is None:
            with db_session(app) as db:
                after, reads_after = table_counts(db), access_event_count(db)
        scopes = SCOPES if "<" in route.rule else SCOPES[:1]
        for scope in scopes:
            path = url_for_rule(app, route, ids[scope]) + QUERIES.get(route.endpoint, "")
            for role, token in tokens.items():
                headers = {"Idempotency-Key": f"matrix-{role}-{scope}-{route.endpoint}"}
                if token:
                    headers["Authorization"] = f"Bearer {token}"
                body = _bodies().get(route.endpoint)
                response = client.open(path, method=route.method, headers=headers, json=body)
                assert "Set-Cookie" not in response.headers, path
                for counted in SCOPES if len(scopes) == 1 else (scope,):
                    answers[(route.endpoint, counted, role)] = response.status_code
    return {
        "endpoints": {r.endpoint for r in api_routes},
        "answers": answers,
        "get_state": (before, after),
        "reads": (reads, reads_after),
    }


def test_every_api_endpoint_is_declared(api_matrix):
    assert api_matrix["endpoints"] == set(API_EXPECTED)


def test_the_allowed_set_is_exact(api_matrix):
    wrong = []
    for (endpoint, scope, role), status in sorted(api_matrix["answers"].items()):
        rule = API_EXPECTED[endpoint].get(role)
        expected = rule == "any" or (rule == "own" and scope == "own")
        if (status not in (401, 403)) != expected:
            wrong.append(f"{endpoint} [{scope}] as {role}: {status}")
    assert not wrong, "\n".join(wrong)


def test_refusals_are_401_without_a_token_and_403_with_one(api_matrix):
    for (endpoint, scope, role), status in api_matrix["answers"].items():
        rule = API_EXPECTED[endpoint].get(role)
        if rule == "any" or (rule == "own" and scope == "own"):
            continue
        assert status == (401 if role == "anonymous" else 403), (endpoint, scope, role, status)


def test_no_api_route_answers_500(api_matrix):
    assert not {k: v for k, v in api_matrix["answers"].items() if v >= 500}


def test_api_reads_change_nothing_but_are_logged(api_matrix):
    before, after = api_matrix["get_state"]
    assert after == before
    reads_before, reads_after = api_matrix["reads"]
    assert reads_after > reads_before
