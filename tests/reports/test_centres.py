"""Issue #16, item 8: at region scope the learning report compares centres, on the measures
they share and with the baseline-adjusted comparison, as it compares units."""

from __future__ import annotations

from sqlmodel import select

from del_tool.organisation.models import Centre
from del_tool.reports.common.period import parse_period
from del_tool.reports.common.selection import resolve_scope
from del_tool.reports.learning.report import build_learning_report
from tests.reports.world import TODAY

PERIOD = parse_period("2025-10-01..2026-09-30")


def test_the_region_learning_report_compares_centres(session, world):
    region = build_learning_report(
        session=session, scope=resolve_scope("region", session=session), period=PERIOD, today=TODAY
    )
    centres = region.section("centres")
    table = next(t for t in centres.tables if t.key == "learning_centres_units")
    names = {c.name for c in session.exec(select(Centre)).all()}
    assert {row[0] for row in table.rows} <= names and len(table.rows) >= 2
    assert str(table.columns[0].label) == "Center"
    units = next(t for t in region.section("units").tables if t.key == "learning_units")
    # Every citizen with two measurements counts once in their centre: never more than the units.
    assert sum(row[1] for row in table.rows) <= sum(row[1] for row in units.rows)
    assert {c.key for c in centres.charts} >= {"learning_centres_funnel_change"}
    centre = resolve_scope(f"centre:{world.centres['X']}", session=session)
    one = build_learning_report(session=session, scope=centre, period=PERIOD, today=TODAY)
    assert "centres" not in {s.key for s in one.sections}  # a centre is not compared with itself
