"""The effect report's 'who is missing' table equals del_tool.stats.attrition on the same stays.

The statistics' published examples (Welch, Mann-Whitney, Manski bounds) are in
tests/stats/test_attrition.py; here the report's rows are checked against the world's stays
computed by hand, with the report's small-number rule (k).
"""

from __future__ import annotations

import pytest

from del_tool.reports.common.selection import resolve_scope
from del_tool.reports.effect.attrition import ATTRITION_COLUMNS
from del_tool.reports.effect.report import build_effect_report
from del_tool.stats.attrition import attrition
from tests.reports import expect
from tests.reports.test_effect import MEAN, PERIOD, _build, _row
from tests.reports.world import TODAY


def _split(stays, scale, start, end):
    """Baseline scores of the stays measured again in [start, end] and of the others."""
    values, again = [], []
    for stay in stays:
        base = next((m for m in stay.measurements if m.kind == "baseline"), None)
        if base is None or base.day > end or base.scores.get(scale) is None:
            continue
        later = [
            m
            for m in stay.measurements
            if start <= m.day <= end and m.day > base.day and m.scores.get(scale) is not None
        ]
        values.append(base.scores[scale])
        again.append(bool(later))
    return values, again


def _effect(report, title="DEL funktionsprofil: Gennemsnit"):
    effects = report.section("change").results["effects"]
    return next(e for e in effects if str(e.info.title).startswith(title))


@pytest.mark.parametrize("level", ["centre", "region"])
def test_attrition_row_equals_the_stats(session, world, level):
    report, stays = _build(session, world, level)
    table = report.table("effect_attrition")
    assert [c.key for c in table.columns] == [c.key for c in ATTRITION_COLUMNS]
    values, again = _split(stays, MEAN, PERIOD.start, PERIOD.end)
    reliable = _row(report.table("effect_reliable"), "DEL funktionsprofil: Gennemsnit")
    row = _row(table, "DEL funktionsprofil: Gennemsnit")
    expected = attrition(values, again)
    assert row[1:4] == [expected.n_baseline, expected.n_completers, expected.n_missing]
    if expected.n_missing == 0:
        assert "Ingen mangler" in str(row[-1]) and row[4:14] == [None] * 10
        return
    assert level == "region"  # the world's region has stays measured only at baseline
    improved, classified = (
        sum(1 for c in _effect(report).reliable.category if c in ("improved", "recovered")),
        _effect(report).reliable.counts["n"],
    )
    bounded = attrition(values, again, improved=improved, classified=classified)
    assert expect.close(row[11], bounded.share)
    assert expect.close(row[12], bounded.lower_bound)
    assert expect.close(row[13], bounded.upper_bound)
    if expected.n_missing < 5:  # k: the missing's baseline is not compared
        assert row[4:11] == [None] * 7 and "For få manglende" in str(row[-1])
        return
    assert expect.close(row[4], expected.mean_completers)
    assert expect.close(row[5], expected.mean_missing)
    assert expect.close(row[6], expected.effect.g_s)
    assert expect.close(row[9], expected.welch_p)
    assert expect.close(row[10], expected.mann_whitney_p)
    assert reliable is not None


def test_small_groups_are_blank_below_k(app, session, world):
    app.config["SUPPRESSION_K"] = 10_000
    scope = resolve_scope("region", session=session)
    report = build_effect_report(session=session, scope=scope, period=PERIOD, today=TODAY)
    for row in report.table("effect_attrition").rows:
        assert row[4:14] == [None] * 10


def test_attrition_table_in_html_pdf_and_xlsx(session, world):
    import io
    import subprocess

    from openpyxl import load_workbook

    from del_tool.reports.rendering.formatting import format_value
    from del_tool.reports.rendering.pages import render_report_html, render_report_pdf
    from del_tool.reports.rendering.spreadsheet import render_report_xlsx

    report, _ = _build(session, world, "region")
    table = report.table("effect_attrition")
    row = _row(table, "DEL funktionsprofil: Gennemsnit")
    assert row[11] is not None  # the region's row is compared and bounded (not suppressed)
    html = render_report_html(report)
    pdf = subprocess.run(
        ["pdftotext", "-layout", "-", "-"],
        input=render_report_pdf(report),
        capture_output=True,
        check=True,
    ).stdout.decode()
    sheet = load_workbook(io.BytesIO(render_report_xlsx(report)))[str(table.title)[:31]]
    assert str(table.title) in html and str(table.title) in pdf
    sheet_row = next(
        r
        for r in sheet.iter_rows(min_row=5, values_only=True)
        if str(r[0]).startswith("DEL funktionsprofil: Gennemsnit")
    )
    for value, cell, column in zip(row, sheet_row, table.columns, strict=True):
        if column.kind == "pct" and value is not None:
            shown = format_value(value, column.kind, column.decimals)
            assert shown in html
            assert shown.replace(" ", "") in pdf.replace(" ", "")
            assert format_value(cell, column.kind, column.decimals) == shown
