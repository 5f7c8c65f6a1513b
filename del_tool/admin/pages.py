"""Small helpers shared by the administration views."""

from __future__ import annotations

from flask import make_response, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from del_tool.auth.models import User


def actor() -> User:
    """The logged-in user: the only source of "who is acting" (never a posted id)."""
    user: User = current_user._get_current_object()
    return user


def password_page(user: User, password: str) -> ResponseReturnValue:
    """Show a generated password once: not cached, not flashed, not logged."""
    response = make_response(
        render_template("admin/password_shown.html", user=user, password=password)
    )
    response.headers["Cache-Control"] = "no-store"
    return response
