"""RFC 9457 problem details for every API error, with `title` and `detail` translated (the
request's Accept-Language: Danish by default, English on request)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from flask import Response, request
from flask_babel import lazy_gettext as _l
from pydantic import ValidationError

#: Where the API lives; a path under it gets problem details, never an HTML page.
API_PREFIX = "/api/"
PROBLEM_MIMETYPE = "application/problem+json"

#: The API's own texts; other codes use the error pages' (`del_tool.main.errors.MESSAGES`).
API_MESSAGES = {
    401: (
        _l("Ingen gyldig API-nøgle"),
        _l(
            "Send en gyldig nøgle som 'Authorization: Bearer <nøgle>'. Nøglen mangler, er "
            "ukendt, udløbet eller tilbagekaldt."
        ),
    ),
    403: (_l("Ingen adgang"), _l("Nøglens rolle og omfang giver ikke adgang til dette.")),
    404: (_l("Findes ikke"), _l("Adressen eller posten findes ikke.")),
    409: (_l("Konflikt"), _l("Anmodningen strider mod det, der allerede er gemt.")),
    422: (_l("Ugyldige data"), _l("Noget i det sendte overholder ikke reglerne; se errors.")),
    429: (_l("For mange forespørgsler"), _l("Nøglen har brugt sin kvote; vent og prøv igen.")),
}


def is_api_request() -> bool:
    """Whether the current request is for the API (answered with JSON, never a page)."""
    return request.path.startswith(API_PREFIX)


def problem(
    status: int,
    detail: Any = None,
    *,
    title: Any = None,
    errors: Iterable[Mapping[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A problem-details response for `status` (default title and detail by status)."""
    from del_tool.main.errors import MESSAGES

    default_title, default_detail = API_MESSAGES.get(status) or MESSAGES.get(status, MESSAGES[500])
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": str(title or default_title),
        "status": status,
        "detail": str(detail or default_detail),
        "instance": request.path,
    }
    if errors is not None:
        body["errors"] = [{"field": e["field"], "message": str(e["message"])} for e in errors]
    response = Response(json.dumps(body, ensure_ascii=False), status, mimetype=PROBLEM_MIMETYPE)
    response.headers.update(headers or {})
    return response


def validation_problem(error: ValidationError) -> Response:
    """422 for a request the API's models refuse, one entry per refused field.

    flask-openapi3 calls this (as the app's `validation_error_callback`) and aborts with it.
    """
    errors = [
        {
            "field": ".".join(str(part) for part in item["loc"]) or "body",
            "message": item["msg"],
        }
        for item in error.errors(include_url=False, include_context=False, include_input=False)
    ]
    return problem(422, errors=errors)
