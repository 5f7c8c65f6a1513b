"""Object-level access errors raised by services; the app turns them into 403 and 404 pages.

Services check scope themselves (so no route can forget), raising these instead of HTTP errors
so they stay usable from the CLI and tests.
"""

from __future__ import annotations

from del_tool.auth.scope import Scope


class AccessDeniedError(PermissionError):
    """The user may not see or change this object (answered with 403)."""


class NotFoundError(LookupError):
    """The object does not exist (answered with 404)."""


def ensure_unit_in_scope(scope: Scope, unit_id: int) -> None:
    """Raise AccessDeniedError unless `unit_id` is within the user's row-level scope."""
    if not scope.allows_unit(unit_id):
        raise AccessDeniedError(f"unit {unit_id} is outside the user's scope")
