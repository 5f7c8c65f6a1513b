"""Permissions: every endpoint declares one; anything undeclared is refused (deny by default)."""

from __future__ import annotations

import enum
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, request
from flask_login import current_user

from del_tool.auth.models import Role

F = TypeVar("F", bound=Callable[..., Any])

PERMISSION_ATTRIBUTE = "_del_permission"
#: Endpoints Flask itself adds; they serve no personal data.
FRAMEWORK_PUBLIC_ENDPOINTS = frozenset({"static"})
#: Blueprints authenticated by bearer token, not by the login session (`del_tool.api.auth`).
TOKEN_BLUEPRINTS = frozenset({"api"})


class Permission(enum.StrEnum):
    """What a user may do; roles map to sets of permissions."""

    PUBLIC = "public"  # no login needed (login page, health check, static assets)
    AUTHENTICATED = "authenticated"  # any logged-in user (home, own account)
    VIEW_CITIZENS = "view_citizens"
    EDIT_CITIZENS = "edit_citizens"
    MERGE_CITIZENS = "merge_citizens"  # two records of one person: leaders, in their centre
    VIEW_REPORTS = "view_reports"
    VIEW_COUNCIL_REPORTS = "view_council_reports"
    MAKE_COUNCIL_PACKS = "make_council_packs"
    VIEW_AUDIT = "view_audit"
    MANAGE_USERS = "manage_users"
    MANAGE_ORGANISATION = "manage_organisation"
    MANAGE_TARIFFS = "manage_tariffs"
    VIEW_REFERRALS = "view_referrals"  # demand: leaders (their centre) and analysts (all)
    RECORD_REFERRALS = "record_referrals"  # leaders, in their centre's units
    IMPORT_CITIZENS = "import_citizens"  # leaders bring their centre's history in (imports)
    RECEIVE_REMINDERS = "receive_reminders"  # staff and leaders: the weekly digest by e-mail
    RECORD_ACTIONS = "record_actions"  # leaders: actions tied to report figures, in their scope


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.STAFF: frozenset(
        {
            Permission.VIEW_CITIZENS,
            Permission.EDIT_CITIZENS,
            Permission.VIEW_REPORTS,
            Permission.RECEIVE_REMINDERS,
        }
    ),
    Role.LEADER: frozenset(
        {
            Permission.VIEW_CITIZENS,
            Permission.EDIT_CITIZENS,
            Permission.MERGE_CITIZENS,
            Permission.VIEW_REPORTS,
            Permission.VIEW_AUDIT,
            Permission.MAKE_COUNCIL_PACKS,
            Permission.VIEW_REFERRALS,
            Permission.RECORD_REFERRALS,
            Permission.IMPORT_CITIZENS,
            Permission.RECEIVE_REMINDERS,
            Permission.RECORD_ACTIONS,
        }
    ),
    Role.ANALYST: frozenset(
        {
            Permission.VIEW_REPORTS,
            Permission.VIEW_COUNCIL_REPORTS,
            Permission.MAKE_COUNCIL_PACKS,
            Permission.MANAGE_TARIFFS,
            Permission.VIEW_REFERRALS,
        }
    ),
    Role.COUNCIL: frozenset({Permission.VIEW_COUNCIL_REPORTS}),
    Role.ADMIN: frozenset(
        {Permission.MANAGE_USERS, Permission.MANAGE_ORGANISATION, Permission.MANAGE_TARIFFS}
    ),
}


def has_permission(user: Any, permission: Permission) -> bool:
    """Whether `user` (possibly anonymous) holds `permission`."""
    if permission is Permission.PUBLIC:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if permission is Permission.AUTHENTICATED:
        return True
    return permission in ROLE_PERMISSIONS.get(user.role, frozenset())


def requires(permission: Permission) -> Callable[[F], F]:
    """Declare the permission a view needs; checked before the view runs."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            return view(*args, **kwargs)

        setattr(wrapped, PERMISSION_ATTRIBUTE, permission)
        return wrapped  # type: ignore[return-value]

    return decorate


def public(view: F) -> F:
    """Declare a view open to everyone."""
    return requires(Permission.PUBLIC)(view)


def endpoint_permission(endpoint: str | None) -> Permission | None:
    """The permission declared by `endpoint`'s view, or None when it declares none."""
    if endpoint is None:
        return None
    if endpoint in FRAMEWORK_PUBLIC_ENDPOINTS:
        return Permission.PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, PERMISSION_ATTRIBUTE, None)


def enforce_endpoint_permission() -> Any:
    """before_request: 404 for unknown routes, login for anonymous users, 403 otherwise; API
    routes check the bearer token's role the same way (401 problem without a valid token)."""
    if request.endpoint is None:
        return None  # routing failed; Flask answers 404/405 itself
    permission = endpoint_permission(request.endpoint)
    if request.blueprint in TOKEN_BLUEPRINTS:
        from del_tool.api.auth import enforce_token_permission  # the API imports this module

        return enforce_token_permission(permission)
    if permission is None:
        abort(403)  # an endpoint without a declared permission is closed
    if has_permission(current_user, permission):
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    abort(403)
