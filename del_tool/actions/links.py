"""The "Registrér handling" links beside a report page's key figures and table rows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import url_for
from flask_login import current_user

from del_tool.actions.services import ACTION_KINDS
from del_tool.auth.permissions import Permission, has_permission
from del_tool.reports.common.model import Report

Link = Callable[..., str]
FILTER_ARGS = ("section", "target_group", "municipality")  # the report form's filters


def action_link(report: Report, args: dict[str, Any]) -> Link | None:
    """A function (section, figure= or table= and row=) -> URL of the new-action form, when
    the reader records actions and the report can carry them: an internal report of a unit or
    a centre (not the region), without filters; else None."""
    if not has_permission(current_user, Permission.RECORD_ACTIONS):
        return None
    scope = str(args.get("scope") or "")
    if report.kind not in ACTION_KINDS or not scope.startswith(("unit:", "centre:")):
        return None
    if report.filters.active or any(args.get(name) for name in FILTER_ARGS):
        return None
    base: dict[str, Any] = {"kind": report.kind, "scope": scope, "period": report.period.key}

    def link(section: str, *, figure: str = "", table: str = "", row: Any = "") -> str:
        if figure:
            return url_for("actions.create", **base, section=section, figure=figure)
        return url_for("actions.create", **base, section=section, table=table, row=str(row))

    return link
