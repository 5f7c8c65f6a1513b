"""The registry of aggregate outputs a council can obtain (issue #14).

A council sees only aggregates, and the promise that no combination of them gives away a count
under k or one citizen's value holds only over outputs the union audit knows. Every endpoint a
council-level role may call is listed here: either as an aggregate output, saying how its
numbers reach the audit, or as carrying no aggregates at all. `tests/security/test_registry.py`
walks the app's endpoints and fails for any endpoint a council may call that is in neither list,
so a new page, export, API route, trend or benchmark for councils must register here first.
"""

from __future__ import annotations

from dataclasses import dataclass

from del_tool.auth.models import Role
from del_tool.auth.permissions import ROLE_PERMISSIONS, Permission


@dataclass(frozen=True, slots=True)
class AggregateOutput:
    """An output with aggregates of citizen data, and how the union audit covers it."""

    endpoint: str
    description: str
    audited_by: str


#: Every aggregate output a council-level role can obtain.
AGGREGATE_OUTPUTS: dict[str, AggregateOutput] = {
    output.endpoint: output
    for output in (
        AggregateOutput(
            "reports.council",
            "The municipality's council summary of a published calendar period, as HTML, PDF, "
            "XLSX and CSV (all formats of one frozen publication).",
            "reports.council.union: its cells are audited with every earlier publication of "
            "the municipality before it is frozen, and stored with it. Its trend over earlier "
            "quarters (council.trend) and its verdict (council.verdict) repeat cells of frozen "
            "publications only, so they add nothing to audit. Its invoice tables (days, cost, "
            "settlements) and organisation tables (whole units' places, occupancy, tariffs and "
            "revenue) hold no citizen counts or statistics: union.UNAUDITED_TABLES.",
        ),
        AggregateOutput(
            "api.council_report",
            'The council summary as JSON through the API (README "API"): the same request '
            "and stored build as reports.council, so the same frozen publication.",
            "As reports.council: the build is the publication reports.council serves, audited "
            "by reports.council.union before it was frozen.",
        ),
        AggregateOutput(
            "reports.council_archive",
            "The list of the municipality's frozen publications, linking to reports.council.",
            "Lists periods and publication times only; the summaries are reports.council's.",
        ),
    )
}

#: Endpoints a council may call that carry no aggregates of citizen data.
NON_AGGREGATE_ENDPOINTS = frozenset(
    {
        "static",
        "main.index",
        "main.home",
        "main.healthz",
        "main.readyz",
        "main.accessibility",
        "main.set_language",
        "metrics.scrape",  # operations counts (requests, jobs, logins), for a bearer token
        "auth.login",
        "auth.logout",
        "account.index",
        "account.change_password",
        "account.logout_everywhere",
        "account.recovery_codes",
        "account.totp_disable",
        "account.totp_setup",
        "account.two_factor",
        "tokens.account",  # the user's own API tokens
        "tokens.account_revoke",
        "api.openapi_json",  # the API's description
        "api.docs",
        "api.organisation",  # centres, units and municipalities
        "api.questionnaires",  # questionnaire definitions
        "api.reports",  # which report kinds the token may fetch
    }
)

#: Roles that see only aggregates (DESIGN: councils); their outputs are what the audit covers.
AGGREGATE_ONLY_ROLES = (Role.COUNCIL,)


def reachable(permission: Permission | None) -> bool:
    """Whether an endpoint declaring `permission` is open to an aggregate-only role."""
    if permission is None:
        return False
    if permission in (Permission.PUBLIC, Permission.AUTHENTICATED):
        return True
    return any(permission in ROLE_PERMISSIONS[role] for role in AGGREGATE_ONLY_ROLES)
