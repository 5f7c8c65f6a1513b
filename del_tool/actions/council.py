"""The council summary's "Handlinger delt med kommunen": what leaders chose to share.

A leader may share an action with the councils (`Action.shared_with_council`). The summary of a
municipality lists the shared actions of the units its citizens stayed in during the period (and
of those units' centres), recorded in the period or open during it, as text: what, the offer,
the due date and the status. No figure is shown: the action's figure and its values belong to
the unit's internal report, not to the council, so nothing numeric about citizens is added (the
table is listed in `council.union.UNAUDITED_TABLES` for that reason).
"""

from __future__ import annotations

from typing import Any

from sqlmodel import col, or_, select

from del_tool.actions.models import Action
from del_tool.actions.supervision import in_period
from del_tool.organisation.models import Centre, Unit
from del_tool.reports.common.context import ReportContext
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import Column, Section, Table

TABLE_KEY = "council_actions"


def council_actions_section(ctx: ReportContext) -> Section | None:
    """The section, or None when no shared action concerns the municipality's units."""
    units = sorted({int(u) for u in ctx.stays()["unit"]})
    if not units:
        return None
    centres = select(Unit.centre_id).where(col(Unit.id).in_(units))
    rows = ctx.session.exec(
        select(Action)
        .where(
            col(Action.shared_with_council).is_(True),
            or_(col(Action.unit_id).in_(units), col(Action.centre_id).in_(centres)),
        )
        .order_by(col(Action.due_date), col(Action.id))
    ).all()
    shown = [a for a in rows if in_period(a, ctx.period.start, ctx.period.end)]
    if not shown:
        return None
    unit_names = dict(ctx.session.exec(select(Unit.id, Unit.name)).all())
    centre_names = dict(ctx.session.exec(select(Centre.id, Centre.name)).all())
    table_rows: list[list[Any]] = [
        [
            a.what,
            unit_names.get(a.unit_id) if a.unit_id else centre_names.get(a.centre_id),
            a.due_date,
            a.status.label,
        ]
        for a in shown
    ]
    columns = [
        Column("what", _l("Handling")),
        Column("offer", _l("Tilbud eller center")),
        Column("due", _l("Frist"), "date"),
        Column("status", _l("Status")),
    ]
    return Section(
        "council_actions",
        _l("Handlinger delt med kommunen"),
        intro=_l(
            "Tilbuddenes ledere har besluttet disse ændringer ud fra tallene i deres egne "
            "rapporter og valgt at dele dem med kommunen. Listen er tekst; tallene bag står i "
            "tilbuddenes rapporter."
        ),
        tables=[Table(TABLE_KEY, _l("Delte handlinger"), columns, table_rows)],
    )
