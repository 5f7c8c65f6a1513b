"""The council summary lists the actions leaders shared, as text only (no figures)."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from del_tool.actions.models import Action
from del_tool.db import get_db
from del_tool.reports.common.period import parse_period
from del_tool.reports.council.report import build_council_summary
from del_tool.reports.council.union import UNAUDITED_TABLES
from tests.conftest import DEMO_OPTIONS

TODAY = DEMO_OPTIONS["today"]


def test_shared_actions_are_listed_as_text_and_unshared_ones_are_not(demo_app):
    with demo_app.test_request_context(), get_db(demo_app).session(write=False) as session:
        summary = build_council_summary(
            session=session, municipality_code="461", period=parse_period("2026Q3"), today=TODAY
        )
        section = summary.section("council_actions")
        [table] = section.tables
        assert table.key in UNAUDITED_TABLES
        assert [c.key for c in table.columns] == ["what", "offer", "due", "status"]
        actions = session.exec(select(Action)).all()
        shared = {a.what for a in actions if a.shared_with_council}
        unshared = {a.what for a in actions if not a.shared_with_council} - shared
        listed = {row[0] for row in table.rows}
        assert listed and listed <= shared and not listed & unshared
        for row in table.rows:  # text, an offer's name, a date and a status: no numbers
            assert isinstance(row[0], str) and isinstance(row[1], str)
            assert isinstance(row[2], date) and not isinstance(row[3], int | float)
        assert [s.key for s in summary.sections][-2:] == ["council_actions", "glossary"]
