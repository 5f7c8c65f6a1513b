"""Where each role lands after login; features register better landing pages as they arrive."""

from __future__ import annotations

from flask import current_app

from del_tool.auth.models import Role, User

#: Preferred landing endpoints per role, best first; the first that exists is used.
LANDING_ENDPOINTS: dict[Role, tuple[str, ...]] = {
    Role.STAFF: ("citizens.caseload", "main.home"),
    Role.LEADER: ("citizens.caseload", "main.home"),
    Role.ANALYST: ("reports.index", "main.home"),
    Role.COUNCIL: ("reports.council", "main.home"),
    Role.ADMIN: ("admin.users", "main.home"),
}


def landing_endpoint(user: User) -> str:
    """The landing endpoint of `user`'s role."""
    for endpoint in LANDING_ENDPOINTS.get(user.role, ()):
        if endpoint in current_app.view_functions:
            return endpoint
    return "main.home"
