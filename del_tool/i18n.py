"""Language selection: Danish by default, English when the user switches."""

from __future__ import annotations

from datetime import date

from flask import current_app, has_request_context, session

SESSION_KEY = "lang"


def select_locale() -> str:
    """The user's chosen language if it is supported, else the default (Danish)."""
    chosen = session.get(SESSION_KEY) if has_request_context() else None
    if chosen in current_app.config["LANGUAGES"]:
        return str(chosen)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def format_day(day: date | None) -> str:
    """A date as the user's language writes it: 05.01.2026 in Danish, 2026-01-05 in English."""
    if day is None:
        return ""
    if has_request_context() and select_locale() != "da":
        return day.isoformat()
    return day.strftime("%d.%m.%Y")
