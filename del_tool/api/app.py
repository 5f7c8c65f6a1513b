"""Binding the API to the app: its blueprint, no CSRF and no session there, problem details."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register /api/v1 (routes in `views`, `writes`, `reports`, `openapi`)."""
    # Imported for the routes they add to the blueprint.
    from del_tool.api import openapi, reports, writes  # noqa: F401
    from del_tool.api.auth import ApiSessionInterface
    from del_tool.api.problems import validation_problem
    from del_tool.api.views import bp
    from del_tool.extensions import csrf
    from del_tool.interop.fhir import api as fhir_api  # noqa: F401 - its route

    app.register_blueprint(bp)
    csrf.exempt(bp)  # bearer tokens, never cookies: nothing for a cross-site form to ride on
    app.session_interface = ApiSessionInterface()
    # flask-openapi3 reads the callback for requests its models refuse from the app.
    app.validation_error_callback = validation_problem  # type: ignore[attr-defined]
