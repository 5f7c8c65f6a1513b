"""Error pages: a plain page in the user's language, never a traceback.

Every page rolls the request's session back before it renders, so a failed transaction cannot
break the page itself (PendingRollbackError) and a database fault is the 503 page, never a 500.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, current_app, g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError, PendingRollbackError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from werkzeug.exceptions import HTTPException, InternalServerError

from del_tool.api.problems import API_MESSAGES, API_PREFIX, problem
from del_tool.auth.access import AccessDeniedError, NotFoundError
from del_tool.db import rollback_request_session

log = logging.getLogger(__name__)

MESSAGES = {
    400: (
        _l("Forespørgslen kunne ikke behandles"),
        _l("Noget i det sendte var ugyldigt. Gå tilbage og prøv igen."),
    ),
    403: (_l("Ingen adgang"), _l("Du har ikke adgang til denne side eller disse data.")),
    404: (_l("Siden findes ikke"), _l("Siden eller posten findes ikke, eller den er flyttet.")),
    405: (_l("Metoden er ikke tilladt"), _l("Denne handling kan ikke udføres sådan.")),
    409: (_l("Konflikt"), _l("Posten er ændret af en anden i mellemtiden.")),
    413: (_l("For stor forespørgsel"), _l("Det sendte er for stort.")),
    429: (_l("For mange forsøg"), _l("Vent lidt, og prøv så igen.")),
    500: (
        _l("Der opstod en fejl"),
        _l("Fejlen er registreret. Prøv igen om lidt; kontakt support, hvis den bliver ved."),
    ),
    507: (
        _l("Der er ikke plads til at gemme"),
        _l("Databasen er fuld. Intet er gemt fra denne handling. Kontakt support."),
    ),
    503: (
        _l("Tjenesten er midlertidigt utilgængelig"),
        _l("Databasen svarer ikke lige nu. Intet er gemt fra denne handling. Prøv igen om lidt."),
    ),
}


def render_error(code: int, detail: str | None = None) -> Any:
    """The error page for `code` with an optional extra sentence; rolls the session back first.

    Under /api/ the same error as problem details (JSON), never a page.
    """
    rollback_request_session()
    if request.path.startswith(API_PREFIX):
        return problem(code if code in MESSAGES or code in API_MESSAGES else 500, detail)
    title, text = MESSAGES.get(code, MESSAGES[500])
    return render_template(
        "errors/error.html", code=code, title=title, text=text, detail=detail
    ), code


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(CSRFError)
    def csrf_error(_exc: CSRFError) -> tuple[str, int]:
        return render_error(
            400, str(_l("Formularen var udløbet eller ugyldig. Indlæs siden igen, og prøv igen."))
        )

    @app.errorhandler(AccessDeniedError)
    def access_denied(_exc: AccessDeniedError) -> tuple[str, int]:
        return render_error(403)

    @app.errorhandler(NotFoundError)
    def not_found(_exc: NotFoundError) -> tuple[str, int]:
        return render_error(404)

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> tuple[str, int]:
        code = exc.code or 500
        return render_error(code if code in MESSAGES else (500 if code >= 500 else 400))

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    @app.errorhandler(PendingRollbackError)  # a failed flush that was not rolled back
    @app.errorhandler(PoolTimeoutError)  # no free connection in the pool
    def database_unavailable(exc: Exception) -> tuple[str, int]:
        log.error("database error on %s %s: %s", request.method, request.path, type(exc).__name__)
        return database_error_page(507 if _disk_full(exc) else 503)

    @app.errorhandler(InternalServerError)
    def internal_error(exc: InternalServerError) -> tuple[str, int]:
        original = getattr(exc, "original_exception", None)
        log.error("unhandled error on %s %s", request.method, request.path, exc_info=original)
        return render_error(500)


def database_error_page(code: int) -> tuple[str, int]:
    """The 503 (or 507) page, shown as to a visitor when the signed-in user cannot be read."""
    try:
        return render_error(code)
    except SQLAlchemyError:
        # The page's header shows the signed-in user, read from the database that just failed.
        # Show it without them; the login itself (the session cookie) is left as it is.
        g._login_user = current_app.login_manager.anonymous_user()  # type: ignore[attr-defined]
        return render_error(code)


def _disk_full(exc: Exception) -> bool:
    """Whether the database refused a write for lack of space (SQLite or PostgreSQL)."""
    original = getattr(exc, "orig", None)
    if getattr(original, "sqlstate", None) == "53100":  # PostgreSQL disk_full
        return True
    return "database or disk is full" in str(original)
