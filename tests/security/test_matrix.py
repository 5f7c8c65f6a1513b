"""SECURITY.md "Deny by default ... a test walks app.url_map" and "Object-level checks: staff of
unit A cannot read or change anything of unit B ... One parametrised matrix test covers role x
endpoint x own/other scope", plus "no state change on GET".

Every endpoint of the app must be listed in EXPECTED with exactly who may use it; a new endpoint
makes this test fail until it is declared here. "Allowed" means the user gets the endpoint's own
answer (a page, a form with errors, a redirect elsewhere); "refused" means 403, or a redirect to
the login page. Objects are the demo staff user's ("own") or another centre's ("other").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from del_tool import create_app
from del_tool.db import get_db
from tests.conftest import DEMO_PASSWORD, login, make_config
from tests.security.endpoints import (
    ROLES,
    SCOPES,
    access_event_count,
    routes,
    scoped_ids,
    table_counts,
    url_for_rule,
)
from tests.security.helpers import db_session

USERS = ("staff", "leader", "analyst", "council", "admin")
EVERYONE = ("anonymous", *USERS)


def only(*roles: str, scope: str = "any") -> dict[str, str]:
    """Roles allowed, on any object ("any") or only on objects in their scope ("own")."""
    return dict.fromkeys(roles, scope)


#: endpoint -> {role: "any" | "own"}; a role not listed is refused.
EXPECTED: dict[str, dict[str, str]] = {
    # Own account: every logged-in user.
    "account.index": only(*USERS),
    "account.change_password": only(*USERS),
    "account.logout_everywhere": only(*USERS),
    "account.recovery_codes": only(*USERS),
    "account.totp_disable": only(*USERS),
    "account.totp_setup": only(*USERS),
    # The weekly digest: the roles with a caseload.
    "reminders.settings": only("staff", "leader"),
    # Public, but without a fresh password step it sends everyone to the login page.
    "account.two_factor": {},
    "auth.login": only(*EVERYONE),
    "auth.logout": only(*USERS),
    # Public; visitors are sent on to the login page.
    "main.index": only(*USERS),
    "main.home": only(*USERS),
    "main.healthz": only(*EVERYONE),
    "main.readyz": only(*EVERYONE),
    "main.accessibility": only(*EVERYONE),
    "main.set_language": only(*EVERYONE),
    # Public, but for a bearer token only (README "Metrics"): without METRICS_TOKEN, 404.
    "metrics.scrape": only(*EVERYONE),
    "static": only(*EVERYONE),
    # Administration: users and organisation for admins; tariffs for admins and analysts.
    "admin.users": only("admin"),
    "admin.create_user": only("admin"),
    "admin.edit_user": only("admin"),
    "admin.deactivate_user": only("admin"),
    "admin.reactivate_user": only("admin"),
    "admin.reset_password": only("admin"),
    "admin.unlock_login": only("admin"),
    "admin.units": only("admin"),
    "admin.edit_unit": only("admin"),
    "admin.tariffs": only("admin", "analyst"),
    "admin.create_tariff": only("admin", "analyst"),
    "admin.edit_tariff": only("admin", "analyst"),
    "admin.end_tariff": only("admin", "analyst"),
    # The economy beside the tariffs: the price index and settlements as the tariffs; a unit's
    # places on the unit's own page (administrators).
    "admin.price_index": only("admin", "analyst"),
    "admin.create_price_index": only("admin", "analyst"),
    "admin.edit_price_index": only("admin", "analyst"),
    "admin.settlements": only("admin", "analyst"),
    "admin.create_settlement": only("admin", "analyst"),
    "admin.edit_settlement": only("admin", "analyst"),
    "admin.unit_places": only("admin"),
    # The organisation import: offer lists as the units (administrators), tariffs as the
    # tariffs (administrators and analysts); leaders keep their citizen import.
    "admin.import_offers": only("admin"),
    "admin.confirm_offers": only("admin"),
    "admin.import_tariffs": only("admin", "analyst"),
    "admin.confirm_tariffs": only("admin", "analyst"),
    "admin.tariff_template": only("admin", "analyst"),
    "admin.questionnaires": only("admin"),
    "admin.upload_wording": only("admin"),
    "admin.save_wording": only("admin"),
    # Leaders' log pages: their centre's citizens only.
    "audit.index": only("leader"),
    "audit.sample": only("leader"),
    "audit.citizen": only("leader", scope="own"),
    "audit.export": only("leader", scope="own"),
    "audit.review_access": only("leader", scope="own"),
    # Citizen data: staff (their units) and leaders (their centre).
    "citizens.caseload": only("staff", "leader"),
    "citizens.mine": only("staff", "leader"),
    "citizens.create": only("staff", "leader"),
    "citizens.profile": only("staff", "leader", scope="own"),
    "citizens.edit": only("staff", "leader", scope="own"),
    "citizens.add_stay": only("staff", "leader", scope="own"),
    "citizens.edit_stay": only("staff", "leader", scope="own"),
    "citizens.end_stay": only("staff", "leader", scope="own"),
    "citizens.move_stay": only("staff", "leader", scope="own"),
    "citizens.stay_purposes": only("staff", "leader", scope="own"),
    "citizens.edit_purpose": only("staff", "leader", scope="own"),
    "citizens.remove_purpose": only("staff", "leader", scope="own"),
    "citizens.status": only("staff", "leader", scope="own"),
    "citizens.status_pdf": only("staff", "leader", scope="own"),
    # Merging two records of one person: leaders, both records in their centre.
    "citizens.merge": only("leader", scope="own"),
    "citizens.merge_confirm": only("leader", scope="own"),
    "goals.create": only("staff", "leader", scope="own"),
    "goals.edit": only("staff", "leader", scope="own"),
    "goals.close": only("staff", "leader", scope="own"),
    "followups.create": only("staff", "leader", scope="own"),
    "followups.edit": only("staff", "leader", scope="own"),
    "followups.show": only("staff", "leader", scope="own"),
    # Reports: staff, leaders and analysts; the council report for analysts and councils.
    "reports.index": only("staff", "leader", "analyst"),
    "reports.show": only("staff", "leader", "analyst"),
    "reports.council": only("analyst", "council"),
    "reports.council_archive": only("analyst", "council"),
    # Referrals: leaders record them in their centre's units; analysts read every unit's.
    "referrals.index": only("leader", "analyst"),
    "referrals.unit": {"leader": "own", "analyst": "any"},
    "referrals.create": only("leader", scope="own"),
    "referrals.edit": only("leader", scope="own"),
    "referrals.decide": only("leader", scope="own"),
    # Actions tied to report figures: leaders record and follow them up in their centre;
    # staff and analysts read the log of the units they see.
    "actions.index": only("staff", "leader", "analyst"),
    "actions.create": only("leader"),
    "actions.edit": only("leader", scope="own"),
    "actions.status": only("leader", scope="own"),
    # Imports: leaders, the template with their centre's units.
    "imports.index": only("leader"),
    "imports.template": only("leader"),
    # A leader's own imports; another user's import is a 404 (tests/imports/test_web.py).
    "imports.batches": only("leader"),
    "imports.batch": only("leader"),
    "imports.confirm": only("leader"),
    "imports.undo": only("leader"),
    # API tokens: every user's own on /account/tokens; any user's of their operator for admins.
    "tokens.account": only(*USERS),
    "tokens.account_revoke": only(*USERS),
    "tokens.admin": only("admin"),
    "tokens.admin_revoke": only("admin"),
    # The API: its description is public; a session cookie opens none of the rest (401),
    # bearer tokens do (tests/security/test_api_matrix.py).
    "api.openapi_json": only(*EVERYONE),
    "api.docs": only(*EVERYONE),
    **{
        endpoint: {}
        for endpoint in (
            "api.organisation",
            "api.questionnaires",
            "api.citizens",
            "api.citizen",
            "api.stays",
            "api.goals",
            "api.follow_ups",
            "api.follow_up",
            "api.caseload",
            "api.create_goal",
            "api.create_follow_up",
            "api.reports",
            "api.internal_report",
            "api.council_report",
            "api.fhir_import",
        )
    },
    # Single sign-on and SCIM exist only when configured (README "Single sign-on"); the login
    # routes are public, back-channel logout needs the provider's signed token (400 without),
    # SCIM a bearer token (401 without; tests/oidc/).
    "sso.login": only(*EVERYONE),
    "sso.callback": only(*EVERYONE),
    "sso.backchannel_logout": only(*EVERYONE),
    **{
        endpoint: {}
        for endpoint in (
            "scim.list_users",
            "scim.create",
            "scim.get",
            "scim.put",
            "scim.patch",
            "scim.delete",
        )
    },
    # The citizen's locked self-report screen: staff and leaders start it for a citizen in
    # their scope; the screen's own pages answer only the user who has one open (else they
    # send to the caseload); the PIN is one's own (tests/selfreport/).
    "selfreport.prepare": only("staff", "leader", scope="own"),
    "selfreport.question": only("staff", "leader"),
    "selfreport.done": only("staff", "leader"),
    "selfreport.unlock": only("staff", "leader"),
    "selfreport.pin": only("staff", "leader"),
    # Council packs made from the web: leaders and analysts, each seeing only their own.
    "packs.index": only("leader", "analyst"),
    "packs.progress": only("leader", "analyst"),
    "packs.download": only("leader", "analyst"),
}

#: Form data that gets a POST past its own input checks to the scope check.
POST_DATA: dict[str, dict[str, Any]] = {"audit.review_access": {"verdict": "ok"}}
#: Endpoints that end the client's session, or lock it to a citizen's self-report screen; the
#: client logs in again after them.
SESSION_ENDING = frozenset({"auth.logout", "account.logout_everywhere", "selfreport.prepare"})


def _allowed(endpoint: str, response: Any) -> bool:
    if response.status_code in (401, 403):  # 401: the API without a bearer token
        return False
    if response.status_code not in (301, 302, 303) or "/auth/login" not in response.location:
        return True
    # Logging out ends at the login page; a refusal of an anonymous visitor adds ?next=.
    return endpoint in SESSION_ENDING and response.location.endswith("/auth/login")


@pytest.fixture(scope="module")
def matrix(databases) -> Iterator[dict[str, Any]]:
    """Run every endpoint x method x scope x role once on a demo database; keep the answers."""
    url = databases.fresh("demo")
    app = create_app(make_config(url))
    try:
        yield _run(app)
    finally:
        get_db(app).dispose()
        databases.drop(url)


def _clients(app: Flask) -> dict[str, Any]:
    clients = {role: app.test_client() for role in ROLES}
    for role, client in clients.items():
        if role != "anonymous":
            login(client, role, DEMO_PASSWORD)
    return clients


def _run(app: Flask) -> dict[str, Any]:
    with db_session(app) as db:
        ids = scoped_ids(db)
    clients = _clients(app)
    with db_session(app) as db:
        before_get, reads = table_counts(db), access_event_count(db)
    answers: dict[tuple[str, str, str, str], int] = {}
    allowed: dict[tuple[str, str, str, str], bool] = {}
    all_routes = sorted(
        routes(app), key=lambda r: (r.method != "GET", r.endpoint in SESSION_ENDING, r.endpoint)
    )
    after_get = None
    for route in all_routes:
        if route.method != "GET" and after_get is None:
            with db_session(app) as db:
                after_get, reads_after = table_counts(db), access_event_count(db)
        # A URL without object ids is the same in both scopes: call it once, count it for both.
        scopes = SCOPES if "<" in route.rule else SCOPES[:1]
        for scope in scopes:
            url = url_for_rule(app, route, ids[scope])
            for role, client in clients.items():
                response = client.open(
                    url, method=route.method, data=POST_DATA.get(route.endpoint, {})
                )
                response.close()
                for counted in SCOPES if len(scopes) == 1 else (scope,):
                    key = (route.endpoint, route.method, counted, role)
                    answers[key] = response.status_code
                    allowed[key] = _allowed(route.endpoint, response)
                if (
                    route.endpoint in SESSION_ENDING
                    and role != "anonymous"
                    and route.method != "GET"
                ):
                    if route.endpoint == "selfreport.prepare":  # locked: only a new browser
                        clients[role] = client = app.test_client()
                    login(client, role, DEMO_PASSWORD)
    return {
        "endpoints": {r.endpoint for r in all_routes},
        "answers": answers,
        "allowed": allowed,
        "get_state": (before_get, after_get),
        "reads": (reads, reads_after),
    }


def test_every_endpoint_is_declared_in_the_table(matrix):
    undeclared = sorted(matrix["endpoints"] - set(EXPECTED))
    assert not undeclared, f"declare who may use {undeclared} in tests/security/test_matrix.py"


def test_the_allowed_set_is_exact(matrix):
    wrong = []
    for (endpoint, method, scope, role), allowed in sorted(matrix["allowed"].items()):
        rule = EXPECTED[endpoint].get(role)
        expected = rule == "any" or (rule == "own" and scope == "own")
        if allowed != expected:
            status = matrix["answers"][(endpoint, method, scope, role)]
            wrong.append(f"{method} {endpoint} [{scope}] as {role}: {status}")
    assert not wrong, "\n".join(wrong)


def test_refusals_of_logged_in_users_are_403_not_a_page(matrix):
    for (endpoint, method, scope, role), allowed in matrix["allowed"].items():
        if not allowed and role != "anonymous" and endpoint != "account.two_factor":
            # The API answers a session without a bearer token 401, never with a page.
            expected = 401 if endpoint.startswith("api.") else 403
            assert matrix["answers"][(endpoint, method, scope, role)] == expected, (endpoint, role)


def test_no_endpoint_answers_500(matrix):
    errors = {k: v for k, v in matrix["answers"].items() if v >= 500}
    assert not errors


def test_no_state_change_on_get(matrix):
    before, after = matrix["get_state"]
    assert after == before
    reads_before, reads_after = matrix["reads"]
    assert reads_after > reads_before  # the reads of citizen data were logged, nothing else
