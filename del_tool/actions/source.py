"""The built report a new action is recorded from: the stored build the report page showed.

The link beside a figure names the report (kind, scope, period) and the figure (section, key
figure or table row); the build is looked up as the report page looks it up, for the same
viewer and day, so nothing about the figure's value comes from the browser. Only unfiltered
reports carry actions (a later report of the same scope must show the same figure).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from del_tool.actions.services import ACTION_KINDS, FigureRef
from del_tool.auth.access import NotFoundError
from del_tool.auth.scope import Scope
from del_tool.modelbase import local_today
from del_tool.reports.builds import make_request, stored_entry
from del_tool.reports.common.context import suppression_k
from del_tool.reports.common.labels import language
from del_tool.reports.common.model import Report
from del_tool.reports.common.period import PeriodError, parse_period
from del_tool.reports.common.selection import ensure_report_access, resolve_scope


@dataclass(frozen=True, slots=True)
class Source:
    """A figure of a stored build: the report, its scope key and which figure."""

    report: Report
    scope_key: str
    ref: FigureRef
    args: dict[str, str]


def read_source(args: Any, *, viewer: Scope, session: Session) -> Source:
    """The report and figure `args` name (kind, scope, period, section, figure or table + row);
    NotFoundError when any is missing or the report has not been built for this viewer today,
    AccessDeniedError when the scope is outside the viewer's."""
    kind = str(args.get("kind") or "")
    if kind not in ACTION_KINDS:
        raise NotFoundError(f"report kind {kind!r} carries no actions")
    scope = resolve_scope(str(args.get("scope") or ""), session=session)
    ensure_report_access(viewer, scope)
    try:
        period = parse_period(str(args.get("period") or ""))
    except PeriodError as error:
        raise NotFoundError("period") from error
    figure, table, row = (str(args.get(name) or "") or None for name in ("figure", "table", "row"))
    if (figure is None) == (table is None) or (table is not None and row is None):
        raise NotFoundError("a key figure or a table row")
    request = make_request(
        kind=kind,
        period=period.key,
        viewer=viewer,
        language=language(),
        today=local_today(),
        k=suppression_k(),
        scope=scope.key,
        units=scope.unit_ids,
    )
    entry = stored_entry(request)
    if entry is None:
        raise NotFoundError("the report has not been built")
    from del_tool.reports.codec import decode

    ref = FigureRef(str(args.get("section") or ""), figure, table, None if figure else row)
    values = {
        "kind": kind,
        "scope": scope.key,
        "period": period.key,
        "section": ref.section_key,
        "figure": figure or "",
        "table": table or "",
        "row": (row or "") if figure is None else "",
    }
    return Source(decode(entry["report"]), scope.key, ref, values)
