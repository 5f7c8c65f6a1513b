"""Bearer-token authentication for /api/v1, per-token rate limits, and no session there.

`enforce_endpoint_permission` (deny by default) hands API endpoints to `enforce_token_permission`:
an endpoint without a permission is closed (403), a public one (the description) is open, any
other needs a token (401 otherwise) whose role holds the permission (403 otherwise). A browser's
session cookie opens nothing on the API: its requests get an empty session that is never saved
(`ApiSessionInterface`), so no cookie is read or set there and no CSRF token is asked for.
"""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask, Request, Response, current_app, g
from flask import request as current_request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from limits import parse as parse_limit
from sqlmodel import update

from del_tool.api.models import ApiToken
from del_tool.api.problems import API_PREFIX, problem
from del_tool.api.tokens import Principal, authenticate
from del_tool.auth.permissions import Permission, has_permission
from del_tool.db import get_session, reads_only, write_session
from del_tool.modelbase import utcnow

#: Requests per token (Flask-Limiter's notation); API_RATE_LIMIT in the config overrides.
DEFAULT_RATE_LIMIT = "300 per minute"
#: `last_used_at` is written at most this often per token (a read does not write each time).
LAST_USED_RESOLUTION = timedelta(minutes=1)
_BEARER = re.compile(r"^Bearer[ ]+([A-Za-z0-9_\-]{1,200})[ ]*$", re.IGNORECASE)
UNAUTHORISED_HEADERS = {"WWW-Authenticate": 'Bearer realm="del-api"'}


class ApiSessionInterface(SecureCookieSessionInterface):
    """Signed-cookie sessions as Flask's, except on the API: there an empty one, never saved."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """An empty session for API paths (a session cookie does not log the caller in)."""
        if request.path.startswith(API_PREFIX):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Never a Set-Cookie on the API."""
        if current_request.path.startswith(API_PREFIX):
            return
        super().save_session(app, session, response)


def current_principal() -> Principal:
    """The authenticated caller of this API request (set by `enforce_token_permission`)."""
    principal: Principal = g.api_principal
    return principal


def enforce_token_permission(permission: Permission | None) -> Response | None:
    """before_request for API endpoints: None to go on, else the 401/403/429 problem."""
    if permission is None:
        return problem(403)
    if permission is Permission.PUBLIC:
        return None
    match = _BEARER.match(current_request.headers.get("Authorization", ""))
    principal = authenticate(get_session(), match.group(1)) if match else None
    if principal is None:
        return problem(401, headers=UNAUTHORISED_HEADERS)
    limited = _rate_limited(principal)
    if limited is not None:
        return limited
    g.api_principal = principal
    _note_use(principal.token)
    if not has_permission(principal, permission):
        return problem(403)
    return None


def _rate_limited(principal: Principal) -> Response | None:
    """429 when the token has used its quota (Flask-Limiter's storage, keyed on the token)."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return None
    from del_tool.extensions import limiter

    item = parse_limit(str(current_app.config.get("API_RATE_LIMIT") or DEFAULT_RATE_LIMIT))
    key = ("api-token", str(principal.token.id))
    if limiter.limiter.hit(item, *key):
        return None
    reset = limiter.limiter.get_window_stats(item, *key).reset_time
    wait = max(1, int(reset - utcnow().timestamp()) + 1)
    return problem(429, headers={"Retry-After": str(wait)})


def _note_use(token: ApiToken) -> None:
    """Set the token's `last_used_at`, at most once per LAST_USED_RESOLUTION: in a write
    request's own transaction, or in a short one of its own for a read (whose session must
    never be upgraded to a write)."""
    now = utcnow()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    session = get_session()
    if not reads_only(session):
        token.last_used_at = now
        session.add(token)
        return
    with write_session() as own:
        own.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))  # type: ignore[arg-type]
