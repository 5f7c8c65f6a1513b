"""Built reports survive the store: encoded as JSON and decoded, they render the same."""

from __future__ import annotations

import json

import pytest

from del_tool.reports.codec import decode, encode
from del_tool.reports.common.model import ChartSpec, Hidden
from del_tool.reports.common.period import parse_period
from del_tool.reports.common.selection import resolve_scope
from del_tool.reports.council.report import build_council_summary
from del_tool.reports.rendering.charts.draw import draw_all
from del_tool.reports.rendering.pages import render_report_html
from del_tool.reports.rendering.spreadsheet import render_report_csv
from del_tool.reports.services import build_report


def _round_trip(value):
    return decode(json.loads(json.dumps(encode(value))))


@pytest.mark.parametrize("kind", ["documentation", "effect", "learning", "economy", "council"])
def test_every_report_renders_the_same_after_the_store(session, world, kind):
    period = parse_period("2026")
    if kind == "council":
        report = build_council_summary(session=session, municipality_code="461", period=period)
    else:
        scope = resolve_scope(f"centre:{world.centres['X']}", session=session)
        report = build_report(kind, session=session, scope=scope, period=period)
    charts = draw_all(report)
    stored, stored_charts = _round_trip(report), _round_trip(charts)
    assert stored_charts == charts
    assert render_report_html(stored, charts=stored_charts) == render_report_html(
        report, charts=charts
    )
    assert render_report_csv(stored) == render_report_csv(report)


def test_values_outside_the_report_model_are_refused_not_guessed():
    assert _round_trip((1, Hidden("x"), float("nan")))[1] == Hidden("x")
    with pytest.raises(TypeError, match="cannot hold"):
        encode({"cell": object()})
    spec = ChartSpec("k", "forest", "title", data={"rows": [object()]})
    assert _round_trip(spec).data == {}  # what charts were drawn from is not stored
