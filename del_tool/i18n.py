"""Language selection, and dates, times and numbers written the way the user's language writes
them: Danish by default (05.01.2026, 14:30, 1.234,5), English when the user switches."""

from __future__ import annotations

from datetime import UTC, date, datetime

from flask import current_app, has_request_context, request, session
from flask_babel import format_decimal, get_locale

from del_tool.modelbase import LOCAL_TIMEZONE

SESSION_KEY = "lang"


def select_locale() -> str:
    """The user's chosen language if it is supported, else the default (Danish). The API has no
    session: there the request's Accept-Language chooses."""
    languages = current_app.config["LANGUAGES"]
    if has_request_context() and request.path.startswith("/api/"):
        best = request.accept_languages.best_match(languages)
        return str(best or current_app.config["BABEL_DEFAULT_LOCALE"])
    chosen = session.get(SESSION_KEY) if has_request_context() else None
    if chosen in languages:
        return str(chosen)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def language() -> str:
    """The language being written: the request's (or a job's `force_locale`), else Danish."""
    if not has_request_context():
        return "da"
    locale = get_locale()
    return locale.language if locale is not None else "da"


def format_day(day: date | None) -> str:
    """A date as the user's language writes it: 05.01.2026 in Danish, 2026-01-05 in English."""
    if day is None:
        return ""
    if language() != "da":
        return day.isoformat()
    return day.strftime("%d.%m.%Y")


def format_moment(moment: datetime | None) -> str:
    """A point in time in Danish local time: 05.01.2026 14:30 (2026-01-05 14:30 in English).

    Times always take a colon (Danish CLDR data would write 14.30, which reads as a number).
    """
    if moment is None:
        return ""
    local = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(LOCAL_TIMEZONE)
    return f"{format_day(local.date())} {local.strftime('%H:%M')}"


def format_size(size: int) -> str:
    """A file size as a limit is written: "50 MB", "2,5 MB" or "19,5 KB" in Danish ("2.5 MB"
    in English)."""
    if size >= 1024 * 1024:
        megabytes = size / 1024 / 1024
        return f"{format_number(megabytes, 0 if megabytes.is_integer() else 1)} MB"
    return f"{format_number(size / 1024, 1)} KB"


def format_number(value: float | None, decimals: int = 0) -> str:
    """A number in the user's language (1.234,5 in Danish); a dash when missing.

    A value that rounds to zero is written without a sign: "0,00", never "-0,00".
    """
    if value is None:
        return "–"
    if round(float(value), decimals) == 0:
        value = 0.0
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return str(format_decimal(value, format=pattern))
