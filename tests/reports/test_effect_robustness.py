"""The effect report's robustness table and the RELIABLE_CHANGE_METHOD setting (#22)."""

from __future__ import annotations

import io
import subprocess

import pytest
from openpyxl import load_workbook

from del_tool import ConfigError, create_app
from del_tool.config import RELIABLE_CHANGE_METHODS
from del_tool.reports.common.period import parse_period
from del_tool.reports.common.selection import resolve_scope
from del_tool.reports.effect.report import build_effect_report
from del_tool.reports.effect.robustness import METHOD_NAMES, method_results, robustness_row
from del_tool.reports.rendering.formatting import format_value
from del_tool.reports.rendering.pages import render_report_html, render_report_pdf
from del_tool.reports.rendering.spreadsheet import render_report_xlsx
from del_tool.stats import reliable_change
from del_tool.stats.jacobson_truax import CATEGORIES
from del_tool.stats.reliable_change_methods import METHODS
from tests.conftest import make_config
from tests.reports.world import TODAY

PERIOD = parse_period("2025-07-01..2026-09-30")
MEAN_TITLE = "DEL funktionsprofil: Gennemsnit"


def _report(session, world, level="centre"):
    key = f"centre:{world.centres['X']}" if level == "centre" else "region"
    scope = resolve_scope(key, session=session)
    return build_effect_report(session=session, scope=scope, period=PERIOD, today=TODAY)


def _effect(report, title=MEAN_TITLE):
    effects = report.section("change").results["effects"]
    return next(e for e in effects if str(e.info.title).startswith(title))


def _rows(table, title=MEAN_TITLE):
    return {str(r[1]): r for r in table.rows if str(r[0]).startswith(title)}


def test_every_method_row_equals_the_stats_on_the_same_pairs(session, world):
    report = _report(session, world)
    effect = _effect(report)
    rows = _rows(report.table("effect_robustness"))
    assert set(METHOD_NAMES.values()) <= set(rows)
    r = effect.reliability.value
    for method in METHODS:
        res = reliable_change(
            effect.pairs["pre"],
            effect.pairs["post"],
            reliability=r,
            reliability_post=r if method == "NK" else None,
            higher_is_better=effect.info.higher_is_better,
            sd_pre=effect.reference.sd,
            cutoff=effect.reliable.cutoff,
            method=method,
        )
        row = rows[METHOD_NAMES[method]]
        n = res.counts["n"]
        assert row[2] == n >= 5
        for value, category in zip(row[3:8], CATEGORIES, strict=True):
            if res.counts[category] is None:
                assert value is None
            else:
                assert value == pytest.approx(res.counts[category] / n)
    # The JT row is the reliable-change table's own classification.
    main = next(r for r in report.table("effect_reliable").rows if str(r[0]).startswith(MEAN_TITLE))
    jt = rows[METHOD_NAMES["JT"]]
    assert jt[4] == pytest.approx(main[7] / jt[2])


def test_hlm_row_for_scales_with_a_trajectory(session, world):
    report = _report(session, world)
    rows = _rows(report.table("effect_robustness"))
    hlm = next(row for label, row in rows.items() if label.startswith("HLM"))
    shares = [s for s in hlm[3:8] if s is not None]
    assert hlm[2] >= 5
    assert sum(shares) == pytest.approx(1.0)


def test_rows_below_k_are_blank_with_a_reason(session, world):
    report = _report(session, world)
    effect = _effect(report)
    result = method_results(effect)[0]
    row = robustness_row(effect, result, min_pairs=10_000)
    assert row[3:8] == [None] * 5
    assert "mindst 10" in str(row[8])


def test_robustness_table_in_html_pdf_and_xlsx(session, world):
    report = _report(session, world)
    table = report.table("effect_robustness")
    html = render_report_html(report)
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"],
        input=render_report_pdf(report),
        capture_output=True,
        check=True,
    ).stdout.decode()
    workbook = load_workbook(io.BytesIO(render_report_xlsx(report)))
    assert str(table.title) in html
    assert str(table.title) in text
    sheet = workbook[str(table.title)[:31]]
    sheet_rows = list(sheet.iter_rows(min_row=5, values_only=True))
    assert len(sheet_rows) >= len(table.rows)
    flat_pdf = text.replace(" ", "")
    for row, sheet_row in zip(table.rows, sheet_rows, strict=False):
        assert str(sheet_row[1]) == str(row[1])
        for value, cell, column in zip(row, sheet_row, table.columns, strict=True):
            if column.kind == "pct" and value is not None:
                shown = format_value(value, column.kind, column.decimals)
                assert format_value(cell, column.kind, column.decimals) == shown
                assert shown in html
    ha = _rows(table)[METHOD_NAMES["HA"]]
    assert format_value(ha[4], "pct", 1).replace(" ", "") in flat_pdf


def test_configured_method_drives_the_reliable_table_and_methods_text(app, session, world):
    app.config["RELIABLE_CHANGE_METHOD"] = "HA"
    try:
        report = _report(session, world)
    finally:
        app.config["RELIABLE_CHANGE_METHOD"] = "JT"
    effect = _effect(report)
    assert effect.reliable.rci_method == "HA"
    assert effect.reliable.critical == 1.65
    assert "Hageman-Arrindell (HA)" in str(report.section("reliable").title)
    assert any("Hageman-Arrindell (HA)" in str(m) for m in report.methods)
    assert "1,65" in str(report.table("effect_reliable").note)
    assert not [c for c in report.section("reliable").charts if c.key.startswith("effect_jt_")]
    default = _report(session, world)
    assert _effect(default).reliable.rci_method == "JT"
    assert any("Jacobson-Truax (JT)" in str(m) for m in default.methods)
    assert [c for c in default.section("reliable").charts if c.key.startswith("effect_jt_")]


def test_unknown_method_is_refused_at_start():
    with pytest.raises(ConfigError, match="RELIABLE_CHANGE_METHOD"):
        create_app({**make_config("sqlite://"), "RELIABLE_CHANGE_METHOD": "XY"})


def test_config_choices_are_the_stats_methods():
    assert RELIABLE_CHANGE_METHODS == METHODS
