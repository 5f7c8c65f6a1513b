"""A user given a generated password chooses their own before anything else (#15 item 11).

The administrator passes a generated password on (it is shown once, `admin.user_views`); it
has been seen by someone else, so `User.must_change_password` holds the user on the password
page until they have set their own (`account.change_password` clears it).
"""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

#: What a user who must choose a password may still open.
PASSWORD_CHOICE_ENDPOINTS = frozenset(
    {"account.change_password", "auth.logout", "main.set_language", "main.healthz", "static"}
)


def enforce_password_choice() -> Response | None:
    """before_request: send a user with a generated password to the password page."""
    if not current_user.is_authenticated or not current_user.must_change_password:
        return None
    if request.endpoint in PASSWORD_CHOICE_ENDPOINTS:
        return None
    flash(
        _("Du har fået en adgangskode af en administrator. Vælg din egen, før du fortsætter."),
        "warning",
    )
    return redirect(url_for("account.change_password"))
