"""While a self-report session is open, the browser reaches only the self-report pages.

`enforce_lock` runs before every request of a logged-in user who may edit citizens (only they
start sessions). The lock is found in the database, not in the cookie: it is the open session
of this user's current login (`services.open_session`), so neither a cookie saved before the
start nor a request to any other route (each is redirected here, whatever its method; the
test walks `app.url_map`) leaves the screen. The JSON API authenticates by token, not by this
login, and is not affected.
"""

from __future__ import annotations

from flask import g, redirect, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from del_tool.auth.permissions import TOKEN_BLUEPRINTS, Permission, has_permission
from del_tool.db import get_session
from del_tool.security.sessions import LOGIN_AT_KEY

#: What a locked browser may still ask for.
OPEN_WHILE_LOCKED = frozenset(
    {"selfreport.question", "selfreport.done", "selfreport.unlock", "static", "main.healthz"}
)
#: Where the open session (or None) is kept for the request's views.
G_KEY = "self_report"


def enforce_lock() -> Response | None:
    """before_request: send a locked browser back to the self-report screen."""
    setattr(g, G_KEY, None)
    if request.blueprint in TOKEN_BLUEPRINTS or request.endpoint in ("static", "main.healthz"):
        return None
    if not current_user.is_authenticated or not has_permission(
        current_user, Permission.EDIT_CITIZENS
    ):
        return None
    marker = session.get(LOGIN_AT_KEY)
    if not isinstance(marker, int | float):
        return None
    from del_tool.selfreport.services import open_session

    row = open_session(get_session(), current_user.id, float(marker))
    setattr(g, G_KEY, row)
    if row is None or request.endpoint in OPEN_WHILE_LOCKED:
        return None
    return redirect(url_for("selfreport.question"), code=303)
