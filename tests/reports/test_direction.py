"""One convention for "better": improvement is positive in tables and up or right in charts.

The 0-4 functioning scale is lower-is-better (0 = no impairment) and WHO-5 higher-is-better, so
the world's effect report holds both kinds of scale.
"""

from __future__ import annotations

import base64

import numpy as np
import pytest
from matplotlib.figure import Figure

from del_tool.reports.common.period import parse_period
from del_tool.reports.common.selection import resolve_scope
from del_tool.reports.effect.report import build_effect_report
from del_tool.reports.rendering.charts import effect as effect_charts
from del_tool.reports.rendering.charts.draw import draw
from del_tool.reports.rendering.charts.kit import set_better_up
from tests.reports.world import TODAY

PERIOD = parse_period("2025-07-01..2026-09-30")


@pytest.fixture
def report(session, world):
    """The effect report of the world's centre X."""
    scope = resolve_scope(f"centre:{world.centres['X']}", session=session)
    return build_effect_report(session=session, scope=scope, period=PERIOD, today=TODAY)


def _rows(table):
    keys = [c.key for c in table.columns]
    return [dict(zip(keys, row, strict=True)) for row in table.rows]


def test_a_change_is_shown_as_improvement_positive_is_better(report):
    rows = [r for r in _rows(report.table("effect_admission")) if r["diff"] is not None]
    lower = [r for r in rows if str(r["better"]) == "lavere"]
    higher = [r for r in rows if str(r["better"]) == "højere"]
    assert lower and higher
    for r in lower:  # before minus after, and the interval turned round with it
        assert np.isclose(r["diff"], r["mean_pre"] - r["mean_post"])
        assert r["ci_low"] <= r["diff"] <= r["ci_high"]
    for r in higher:
        assert np.isclose(r["diff"], r["mean_post"] - r["mean_pre"])
    for r in rows:  # the effect sizes carry the same sign as the improvement
        assert r["d_z"] is None or np.sign(r["d_z"]) == np.sign(r["diff"])
        assert r["d_z_low"] <= r["d_z"] <= r["d_z_high"]
    table = report.table("effect_admission")
    assert str(table.columns[4].label) == "Forbedring" and "positiv" in str(table.note)


def test_the_forest_plot_shows_the_tables_effect_sizes_right_is_better(report):
    table = {str(r["scale"]): r for r in _rows(report.table("effect_admission"))}
    forest = next(c for s in report.sections for c in s.charts if c.kind == "forest")
    assert forest.data["labels"]
    for label, value, low, high in zip(
        forest.data["labels"],
        forest.data["values"],
        forest.data["lows"],
        forest.data["highs"],
        strict=True,
    ):
        row = table[str(label)]
        assert np.isclose(value, row["d_z"]) and np.isclose(low, row["d_z_low"])
        assert np.isclose(high, row["d_z_high"])
    svg = base64.b64decode(draw(forest).data_uri.split(",", 1)[1]).decode()
    assert "til højre = forbedring" in svg  # the axis says which way is better


def test_the_key_figure_and_the_table_agree(report):
    figure = report.figure("functioning_change")
    row = next(
        r for r in _rows(report.table("effect_admission")) if "Gennemsnit" in str(r["scale"])
    )
    assert figure.value is None or np.isclose(figure.value, row["diff"])
    assert "Forbedring" in str(figure.label)


def test_a_lower_is_better_score_axis_has_its_best_end_up():
    axes = Figure().add_subplot()
    set_better_up(axes, (0, 4), higher_is_better=False, both=True)
    assert axes.get_ylim() == (4, 0) and axes.get_xlim() == (4, 0)  # 0 (best) at the top/right
    set_better_up(axes, (0, 100), higher_is_better=True)
    assert axes.get_ylim() == (0, 100)


def test_the_trajectory_of_a_lower_is_better_scale_rises_when_it_improves(report, monkeypatch):
    limits = []

    def spy(ax, span, higher, **options):
        set_better_up(ax, span, higher, **options)
        limits.append((ax.get_ylim(), higher))

    monkeypatch.setattr(effect_charts, "set_better_up", spy)
    specs = [c for s in report.sections for c in s.charts if c.kind in ("trajectory", "jt_scatter")]
    assert specs
    for spec in specs:
        chart = draw(spec)
        (bottom, top), higher = limits.pop()
        assert (top > bottom) == higher  # the better end of the raw scale is up
        if spec.kind == "trajectory":
            table = report.table("effect_trajectory")
            assert str(table.columns[4].label) == "Forbedring pr. år"
            assert "Forbedring pr. år" in str(chart.table.rows[1][0])
