"""Language selection: Danish by default, English when the user switches."""

from __future__ import annotations

from flask import current_app, has_request_context, session

SESSION_KEY = "lang"


def select_locale() -> str:
    """The user's chosen language if it is supported, else the default (Danish)."""
    chosen = session.get(SESSION_KEY) if has_request_context() else None
    if chosen in current_app.config["LANGUAGES"]:
        return str(chosen)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])
