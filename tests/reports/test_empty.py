"""Issue #16, item 9: a filter that matches no citizens says so once; no empty charts or
header-only tables, in the page, the PDF and the spreadsheet alike."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from del_tool.organisation.models import TargetGroup
from del_tool.reports.common.empty import has_data, without_empty_parts
from del_tool.reports.common.model import ChartSpec, Section, Table
from del_tool.reports.common.period import parse_period
from del_tool.reports.common.selection import Filters, resolve_scope
from del_tool.reports.rendering.spreadsheet import render_report_xlsx
from del_tool.reports.services import build_report
from tests.reports.world import TODAY


def test_a_filter_matching_nobody_gives_one_message_everywhere(session, world):
    scope = resolve_scope("region", session=session)
    nobody = Filters(target_group=TargetGroup.DEAFBLINDNESS)  # no unit of the world serves it
    for kind in ("effect", "documentation", "learning", "economy"):
        report = build_report(
            kind,
            session=session,
            scope=scope,
            period=parse_period("2026Q2"),
            filters=nobody,
            today=TODAY,
        )
        assert [s.key for s in report.sections] == ["summary"], kind
        (message,) = report.sections[0].messages
        assert "Ingen borgere var i ophold i perioden med de valgte filtre" in str(message)
        assert not report.tables() and not any(s.charts for s in report.sections)
    workbook = load_workbook(io.BytesIO(render_report_xlsx(report)))
    assert workbook.sheetnames == ["Om rapporten"]


def test_tables_without_rows_and_charts_without_points_become_a_sentence(app):
    section = Section(
        "s",
        "Afsnit",
        tables=[Table("t", "Mål efter tema", [], [])],
        charts=[ChartSpec("c", "bar", "Tragt", {"labels": [], "values": []})],
    )
    report = type("R", (), {"sections": [section]})()
    with app.test_request_context():
        without_empty_parts(report)  # type: ignore[arg-type]
        assert not section.tables and not section.charts
        assert [str(m) for m in section.messages] == [
            "Mål efter tema: ingen data i perioden.",
            "Tragt: ingen data i perioden.",
        ]
    assert has_data(ChartSpec("c", "bar", "x", {"labels": ["a"], "values": [1]}))
