"""Login sessions: a fresh identity at login, idle and absolute timeouts, ending all sessions.

Sessions are signed cookies holding "<user id>:<session version>"; bumping the user's
`session_version` ends every session of that user on their next request (the loader refuses a
stale version). The times below are checked on the server for every request.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlmodel import Session
from werkzeug.wrappers import Response

from del_tool.auth.models import User
from del_tool.i18n import SESSION_KEY as LANGUAGE_KEY
from del_tool.modelbase import utcnow

LOGIN_AT_KEY = "_login_at"
LAST_SEEN_KEY = "_last_seen"
#: Requests that do not count as activity (they are made by the browser, not the user).
PASSIVE_ENDPOINTS = frozenset({"static", "main.healthz"})


def clear_session_keep_language() -> None:
    """Empty the Flask session but keep the chosen UI language."""
    language = session.get(LANGUAGE_KEY)
    session.clear()
    if language:
        session[LANGUAGE_KEY] = language


def start_session(user: User) -> None:
    """Log `user` in with a new session identity and start both timeout clocks."""
    clear_session_keep_language()
    login_user(user)
    session.permanent = True
    now = utcnow().timestamp()
    session[LOGIN_AT_KEY] = now
    session[LAST_SEEN_KEY] = now


def end_all_sessions(*, session: Session, user: User) -> None:
    """Bump the user's session version: every session of theirs ends (flushes, no commit)."""
    user.session_version += 1
    session.add(user)
    session.flush()


def end_current_session() -> None:
    """Log out this browser and forget everything in its session but the language."""
    logout_user()
    clear_session_keep_language()


def _expired(now: float) -> bool:
    config = current_app.config
    login_at = session.get(LOGIN_AT_KEY)
    last_seen = session.get(LAST_SEEN_KEY)
    if not isinstance(login_at, int | float) or not isinstance(last_seen, int | float):
        return True
    idle = config["IDLE_TIMEOUT"].total_seconds()
    absolute = config["ABSOLUTE_TIMEOUT"].total_seconds()
    return now - last_seen > idle or now - login_at > absolute


def enforce_timeouts() -> Response | None:
    """before_request: end a login that was idle or alive too long; else note the activity."""
    if request.endpoint in PASSIVE_ENDPOINTS or not current_user.is_authenticated:
        return None
    now = utcnow().timestamp()
    if _expired(now):
        end_current_session()
        flash(_("Du er logget ud, fordi du har været inaktiv for længe. Log ind igen."), "info")
        return redirect(url_for("auth.login"))
    session[LAST_SEEN_KEY] = now
    return None
