"""Template globals: the navigation for the current user, the language, small formatters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, request
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from del_tool.auth.permissions import endpoint_permission, has_permission
from del_tool.i18n import format_day, format_moment, format_number


@dataclass(frozen=True, slots=True)
class NavItem:
    """A main-menu entry, shown when its endpoint exists and the user may open it."""

    endpoint: str
    label: Any
    section: str  # the URL prefix that marks the entry as current


NAVIGATION: tuple[NavItem, ...] = (
    NavItem("citizens.mine", _l("Mine borgere"), "/citizens/mine"),
    NavItem("citizens.caseload", _l("Borgere"), "/citizens"),
    NavItem("referrals.index", _l("Henvendelser"), "/referrals"),
    NavItem("imports.index", _l("Indlæsning"), "/imports"),
    NavItem("reports.index", _l("Rapporter"), "/reports"),
    NavItem("actions.index", _l("Handlinger"), "/actions"),
    NavItem("reports.council", _l("Kommunerapport"), "/reports/council"),
    NavItem("audit.index", _l("Logning"), "/audit"),
    NavItem("admin.users", _l("Administration"), "/admin"),
    NavItem("admin.tariffs", _l("Takster"), "/admin/tariffs"),
    NavItem("main.home", _l("Min side"), "/home"),
    NavItem("account.index", _l("Min konto"), "/account"),
)


def navigation() -> list[dict[str, Any]]:
    """The menu entries the current user may open; the one whose section matches best is current.

    Sections may nest ("/admin" and "/admin/tariffs"), so only the longest match is marked.
    """
    visible = []
    for item in NAVIGATION:
        if item.endpoint not in current_app.view_functions:
            continue
        permission = endpoint_permission(item.endpoint)
        if permission is None or not has_permission(current_user, permission):
            continue
        visible.append(item)
    matches = [item.section for item in visible if request.path.startswith(item.section)]
    current = max(matches, key=len, default=None)
    return [
        {"endpoint": item.endpoint, "label": item.label, "current": item.section == current}
        for item in visible
    ]


def field_attributes(field: Any, *, hint: bool = False, **extra: Any) -> dict[str, Any]:
    """HTML attributes of a control: error state and linked descriptions for screen readers."""
    described = [f"{field.id}-hint"] if hint else []
    if field.errors:
        described.append(f"{field.id}-error")
    attributes = dict(extra)
    if described:
        attributes["aria-describedby"] = " ".join(described)
    if field.errors:
        attributes["aria-invalid"] = "true"
    return attributes


def init_app(app: Flask) -> None:
    """Register globals and filters."""

    app.jinja_env.globals["field_attributes"] = field_attributes
    app.jinja_env.filters["day"] = format_day  # 05.01.2026 in Danish
    app.jinja_env.filters["moment"] = format_moment  # 05.01.2026 14:30 in Danish

    @app.context_processor
    def inject() -> dict[str, Any]:
        return {
            "navigation": navigation,
            "current_language": str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"]),
            "languages": app.config["LANGUAGES"],
        }

    app.jinja_env.filters["number"] = format_number  # 1.234,5 in Danish; never "-0,00"
