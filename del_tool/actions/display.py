"""Later reports show the actions recorded on their figures: then and now, with uncertainty.

A report of the same kind and scope for a later period (one that starts after the period the
action was recorded from) shows, beside each figure it contains that an action should move,
what was decided, who owns it, by when and how it stands, and "then X (period, n), now Y",
with the figure's interval or note where the figure has one and a plain "no uncertainty given"
where it has none. A section "Handlinger" lists them all as a table (so the PDF and the
workbook show them too). Only the report's own figures are shown: nothing the report does not
already show (and so nothing it suppresses) is added. Filtered reports show no actions.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from del_tool.actions.models import Action
from del_tool.actions.services import ACTION_KINDS, FigureRef, FigureShown, actions_for_report
from del_tool.auth.access import NotFoundError
from del_tool.reports.common.labels import Text
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import Column, Report, Section, Table
from del_tool.reports.common.selection import Filters

SECTION_KEY = "actions"


def _value(value: Any, kind: str, decimals: int) -> Text:
    def shown() -> str:
        from del_tool.reports.codec import decode
        from del_tool.reports.rendering.formatting import format_value

        return format_value(decode(value), kind, decimals)

    return Text(shown)


def _day(action: Action) -> Text:
    return Text(lambda: action.due_date.strftime("%d.%m.%Y"))


def uncertainty_text(note: str | None) -> Any:
    return note if note else _l("Tallet har ingen angivet usikkerhed.")


def then_text(action: Action) -> Any:
    value = _value(action.figure_value, action.figure_kind, action.figure_decimals)
    if action.figure_n is not None:
        return _l(
            "%(value)s (%(period)s, n = %(n)s)",
            value=value,
            period=action.period_key,
            n=action.figure_n,
        )
    return _l("%(value)s (%(period)s)", value=value, period=action.period_key)


def now_text(report: Report, shown: FigureShown) -> Any:
    value = _value(shown.value, shown.kind, shown.decimals)
    if shown.n is not None:
        return _l(
            "%(value)s (%(period)s, n = %(n)s)", value=value, period=report.period.key, n=shown.n
        )
    return _l("%(value)s (%(period)s)", value=value, period=report.period.key)


def _ref(action: Action) -> FigureRef:
    return FigureRef(action.section_key, action.figure_key, action.table_key, action.row_label)


def with_actions(
    report: Report, *, session: Session, scope_key: str, filters: Filters | None
) -> Report:
    """`report` with the earlier actions on its figures shown beside them and listed."""
    from del_tool.actions.services import figure_of

    if report.kind not in ACTION_KINDS or (filters is not None and filters.active):
        return report
    if not scope_key.startswith(("unit:", "centre:")) or not report.sections:
        return report
    rows: list[list[Any]] = []
    for action in actions_for_report(
        session, kind=report.kind, scope_key=scope_key, period_start=report.period.start
    ):
        try:
            shown = figure_of(report, _ref(action))
        except NotFoundError:
            continue  # the later report has no such figure (an empty theme, a closed unit)
        then, now = then_text(action), now_text(report, shown)
        report.section(action.section_key).messages.append(
            _l(
                "Handling for %(figure)s: »%(what)s«. Ansvarlig: %(owner)s. Frist: %(due)s. "
                "Status: %(status)s. Dengang %(then)s, nu %(now)s. Usikkerhed nu: "
                "%(uncertainty)s",
                figure=action.figure_label,
                what=action.what,
                owner=action.owner,
                due=_day(action),
                status=action.status.label,
                then=then,
                now=now,
                uncertainty=uncertainty_text(shown.note),
            )
        )
        rows.append(
            [
                action.figure_label,
                action.what,
                action.owner,
                action.due_date,
                action.status.label,
                action.outcome_note or "",
                then,
                now,
                uncertainty_text(shown.note),
            ]
        )
    if rows:
        report.sections.append(_section(rows))
    return report


def _section(rows: list[list[Any]]) -> Section:
    columns = [
        Column("figure", _l("Tal")),
        Column("what", _l("Handling")),
        Column("owner", _l("Ansvarlig")),
        Column("due", _l("Frist"), "date"),
        Column("status", _l("Status")),
        Column("outcome", _l("Resultat")),
        Column("then", _l("Dengang")),
        Column("now", _l("Nu")),
        Column("uncertainty", _l("Usikkerhed nu")),
    ]
    return Section(
        key=SECTION_KEY,
        title=_l("Handlinger"),
        question=_l("Flyttede handlingerne tallene?"),
        intro=_l(
            "Handlinger, der blev besluttet ud fra en tidligere periodes tal i samme rapport: "
            "tallet dengang og nu. En ændring inden for usikkerheden kan skyldes tilfældigheder."
        ),
        tables=[Table(key="actions", title=_l("Handlinger"), columns=columns, rows=rows)],
    )
