"""The supervision report's "Brug af resultaterne": how the offer used its figures.

Socialtilsynet asks whether the offer uses its documented results. This section lists the
actions of the scope's units recorded in the period or open during it: what was decided, the
figure it should move (its label, the value then and, when this report shows the same figure,
now), the owner as entered (a role or a staff member's name, never a citizen's), the status and
what came of it. Actions are organisation data; no figure about citizens is added beyond those
the documentation and effect reports already show.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import col, or_, select

from del_tool.actions.display import now_text, then_text, uncertainty_text
from del_tool.actions.models import Action, ActionStatus
from del_tool.actions.services import FigureRef, figure_of
from del_tool.auth.access import NotFoundError
from del_tool.organisation.models import Unit
from del_tool.reports.common.context import ReportContext
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import Column, Report, Section, Table


def in_period(action: Action, start: date, end: date) -> bool:
    """Recorded by the period's end and not closed before it began."""
    if action.created_at.date() > end:
        return False
    if action.status is ActionStatus.OPEN:
        return True
    closed = action.done_at.date() if action.done_at is not None else None
    return action.created_at.date() >= start or (closed is not None and closed >= start)


def scope_actions(ctx: ReportContext) -> list[Action]:
    """The actions of the scope's units (and of their centres) in or open during the period."""
    query = select(Action)
    units = ctx.scope.unit_ids
    if units is not None:
        ids = sorted(units)
        centres = select(Unit.centre_id).where(col(Unit.id).in_(ids))
        query = query.where(or_(col(Action.unit_id).in_(ids), col(Action.centre_id).in_(centres)))
    rows = ctx.session.exec(query.order_by(col(Action.created_at), col(Action.id))).all()
    return [a for a in rows if in_period(a, ctx.period.start, ctx.period.end)]


def use_of_results(ctx: ReportContext, parts: dict[str, Report]) -> Section:
    """The section: one row per action, with the figure then and (when shown here) now."""
    rows: list[list[Any]] = []
    for action in scope_actions(ctx):
        now: Any = _l("Tallet indgår ikke i denne rapport.")
        uncertainty: Any = ""
        part = parts.get(action.report_kind)
        if part is not None and action.period_start < ctx.period.start:
            ref = FigureRef(
                action.section_key, action.figure_key, action.table_key, action.row_label
            )
            try:
                shown = figure_of(part, ref)
                now, uncertainty = now_text(part, shown), uncertainty_text(shown.note)
            except NotFoundError:
                pass
        rows.append(
            [
                action.what,
                action.figure_label,
                then_text(action),
                now,
                uncertainty,
                action.owner,
                action.status.label,
                action.outcome_note or "",
            ]
        )
    section = Section(
        "use_of_results",
        _l("Brug af resultaterne"),
        question=_l("Hvordan bruger tilbuddet sine resultater?"),
        intro=_l(
            "Handlinger, ledelsen har besluttet ud fra tal i DELs rapporter, i perioden eller "
            "åbne i den: hvad der skulle ændres, tallet det skulle flytte, hvem der var "
            "ansvarlig, og hvad der kom ud af det."
        ),
    )
    if not rows:
        section.messages.append(_l("Der er ikke registreret handlinger i perioden."))
        return section
    columns = [
        Column("what", _l("Handling")),
        Column("figure", _l("Tal")),
        Column("then", _l("Dengang")),
        Column("now", _l("Nu")),
        Column("uncertainty", _l("Usikkerhed nu")),
        Column("owner", _l("Ansvarlig")),
        Column("status", _l("Status")),
        Column("outcome", _l("Resultat")),
    ]
    section.tables.append(
        Table("supervision_actions", _l("Handlinger ud fra resultaterne"), columns, rows)
    )
    return section
