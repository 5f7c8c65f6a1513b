"""The login's second step and the rule that some roles must have a second factor."""

from __future__ import annotations

from flask import flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from del_tool.auth.models import User
from del_tool.db import get_session
from del_tool.modelbase import utcnow
from del_tool.security.totp import totp_required

PENDING_KEY = "_second_factor"
#: How long the code page waits after the password was accepted.
PENDING_SECONDS = 300
#: What a user who must enrol may still open before enrolling.
ENROLMENT_ENDPOINTS = frozenset(
    {
        "account.totp_setup",
        "account.change_password",  # a generated password is replaced first (passwordchoice)
        "auth.logout",
        "main.set_language",
        "main.healthz",
        "static",
    }
)


def begin_second_factor(user: User) -> None:
    """Remember, in this browser only, whose password was right (not yet a login)."""
    session.clear()
    session[PENDING_KEY] = {
        "user": user.id,
        "version": user.session_version,
        "at": utcnow().timestamp(),
    }


def pending_user() -> User | None:
    """The user whose password was accepted here in the last few minutes, if any."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    if utcnow().timestamp() - float(pending.get("at", 0)) > PENDING_SECONDS:
        session.pop(PENDING_KEY, None)
        return None
    user = get_session().get(User, int(pending.get("user", 0)))
    if user is None or not user.active or user.session_version != pending.get("version"):
        return None
    return user


def forget_pending() -> None:
    """Drop the pending second step."""
    session.pop(PENDING_KEY, None)


def enforce_enrolment() -> Response | None:
    """before_request: users of roles that require a second factor enrol before anything else."""
    if not current_user.is_authenticated or current_user.totp_secret:
        return None
    if session.get("_sso"):
        return None  # logged in through the OpenID provider, whose login has its own factors
    if request.endpoint in ENROLMENT_ENDPOINTS or not totp_required(current_user):
        return None
    flash(_("Din rolle kræver totrinsbekræftelse. Opsæt den, før du fortsætter."), "warning")
    return redirect(url_for("account.totp_setup"))
