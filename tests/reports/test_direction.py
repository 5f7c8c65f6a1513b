"""One convention for "better": improvement is positive in tables and up or right in charts.

The 0-4 functioning scale is lower-is-better (0 = no impairment) and WHO-5 higher-is-better, so
the world's effect report holds both kinds of scale.
"""

from __future__ import annotations

import base64

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from del_tool.citizens.charts import level_axis
from del_tool.reports.benchmark.funnels import mean_funnel
from del_tool.reports.common.model import Hidden, KeyFigure
from del_tool.reports.common.period import parse_period
from del_tool.reports.common.selection import resolve_scope
from del_tool.reports.council import trend as council_trend
from del_tool.reports.council.report import council_parts, council_report
from del_tool.reports.council.union import cell_specs, read_cell
from del_tool.reports.economy.report import build_economy_report
from del_tool.reports.effect.report import build_effect_report
from del_tool.reports.learning.report import build_learning_report
from del_tool.reports.rendering.charts import compare as compare_charts
from del_tool.reports.rendering.charts import effect as effect_charts
from del_tool.reports.rendering.charts.draw import draw
from del_tool.reports.rendering.charts.kit import set_better_up
from tests.reports.world import TODAY

PERIOD = parse_period("2025-07-01..2026-09-30")
COUNCIL_PERIOD = parse_period("2026Q2")


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


# -- The learning report's funnels and adjusted comparison, the economy and council tables ----

LEARNING_PERIOD = parse_period("2025-07-01..2026-09-30")


@pytest.fixture
def region_learning(session, world):
    """The learning report of the whole region (units, and centres side by side)."""
    scope = resolve_scope("region", session=session)
    return build_learning_report(session=session, scope=scope, period=LEARNING_PERIOD, today=TODAY)


@pytest.mark.parametrize("level", ["learning", "learning_centres"])
def test_the_change_funnel_and_its_table_show_improvement_up(region_learning, level):
    section = region_learning.section("units" if level == "learning" else "centres")
    funnel = next(c for c in section.charts if c.key == f"{level}_funnel_change")
    table = {str(r[0]): r for r in section.tables[0].rows}
    assert funnel.data["higher_is_better"] is True  # improvement: up is better
    assert "op er bedre" in str(funnel.data["ylabel"])
    for name, value, flag in zip(
        funnel.data["names"], funnel.data["value"], funnel.data["flag"], strict=True
    ):
        row = table[str(name)]
        assert np.isclose(row[2], value)  # the table's sign is the chart's
        want = {"above": "bedre end gennemsnittet", "below": "dårligere end gennemsnittet"}
        assert str(row[3]) == want.get(str(flag), "inden for")
    assert str(section.tables[0].columns[2].label) == "Forbedring i funktionsevne"
    assert "positiv" in str(section.tables[0].note)


@pytest.mark.parametrize("level", ["learning", "learning_centres"])
def test_the_adjusted_comparison_puts_the_best_right_and_at_the_top(
    region_learning, level, monkeypatch
):
    section = region_learning.section("units" if level == "learning" else "centres")
    spec = next(c for c in section.charts if c.key == f"{level}_adjusted_chart")
    table = next(t for t in section.tables if t.key == f"{level}_adjusted")
    rows = {str(r[0]): r for r in table.rows}
    values = list(spec.data["values"])
    assert values == sorted(values, reverse=True)  # the best unit first (drawn at the top)
    for label, value, flag in zip(spec.data["labels"], values, spec.data["flags"], strict=True):
        assert np.isclose(rows[str(label)][3], value) and str(rows[str(label)][9]) == str(flag)
    assert str(table.columns[3].label) == "Forbedring, justeret"
    result = section.results["adjusted"]
    raw = {str(r[0]): r[2] for r in section.tables[0].rows}
    for label in spec.data["labels"]:  # unadjusted: the same improvement as the funnel's table
        assert np.isclose(rows[str(label)][2], raw[str(label)])
    assert result.overall is not None
    axes = _drawn_axes(monkeypatch, spec)
    left, right = axes.get_xlim()
    assert left < right  # improvement grows to the right
    assert "højre = forbedring" in axes.get_xlabel()
    top = axes.get_yticklabels()
    bottom, up = axes.get_ylim()
    assert bottom > up  # the first label (the best unit) is at the top
    assert top[0].get_text() == str(spec.data["labels"][0])


def _drawn_axes(monkeypatch, spec):
    """The matplotlib axes a chart spec is drawn on."""
    seen = []
    original = compare_charts.finish

    def spy(figure, *args):
        seen.append(figure)
        return original(figure, *args)

    monkeypatch.setattr(compare_charts, "finish", spy)
    draw(spec)
    return seen[-1].axes[0]


def test_funnel_points_are_numbered_and_named_in_the_key_and_alt(region_learning, monkeypatch):
    spec = region_learning.section("units").charts[0]
    assert spec.kind == "funnel"
    chart = draw(spec)
    names = [str(n) for n in spec.data["names"]]
    numbers = compare_charts.point_numbers(names)
    assert sorted(numbers) == list(range(1, len(names) + 1))
    key = chart.notes[-1]
    for name, number in zip(names, numbers, strict=True):
        assert f"{number} {name}" in key and f"{number} {name}:" in chart.alt
    assert [row[1] for row in chart.table.rows] == sorted(names)
    axes = _drawn_axes(monkeypatch, spec)
    labels = sorted(int(t.get_text()) for t in axes.texts)
    assert labels == sorted(numbers)  # every point carries its number


def test_funnels_count_people_in_whole_numbers_and_shares_stay_within_0_100(
    region_learning, monkeypatch
):
    funnels = [c for s in region_learning.sections for c in s.charts if c.kind == "funnel"]
    assert any(c.data["percent"] for c in funnels)
    for spec in funnels:
        axes = _drawn_axes(monkeypatch, spec)
        ticks = [t for t in axes.get_xticks() if axes.get_xlim()[0] <= t <= axes.get_xlim()[1]]
        assert ticks and all(float(t).is_integer() for t in ticks), spec.key
        if spec.data["percent"] and spec.data["limits"] is not None:
            lim = spec.data["limits"]
            for curve in (lim.lower95, lim.upper95, lim.lower998, lim.upper998):
                finite = np.asarray(curve)[np.isfinite(curve)]
                assert np.all((finite >= 0) & (finite <= 1)), spec.key
            low, high = axes.get_ylim()
            assert low >= -3 and high <= 103


def test_a_share_funnel_with_normal_limits_past_100_is_cut():
    names = pd.Series({1: "Ask", 2: "Birk", 3: "Eg"})
    values = pd.DataFrame(
        {"n": [3, 4, 30], "mean": [1.0, 0.9, 0.8], "sd": [0.0, 0.2, 0.3]}, index=[1, 2, 3]
    )
    _result, spec = mean_funnel(
        "k", "t", names, values, higher_is_better=True, ylabel="y", percent=True
    )
    assert np.nanmax(spec.data["limits"].upper998) == 1.0  # cut at 100 %, not above


def test_the_economy_table_shows_the_learning_reports_improvement(region_learning, session, world):
    scope = resolve_scope("region", session=session)
    economy = build_economy_report(
        session=session, scope=scope, period=LEARNING_PERIOD, today=TODAY
    )
    table = economy.table("economy_outcomes")
    learning = {str(r[0]): r[2] for r in region_learning.table("learning_units").rows}
    shown = [r for r in table.rows if r[5] is not None]
    assert shown
    for row in shown:
        assert np.isclose(row[5], learning[str(row[0])])
    assert "Forbedring" in str(table.columns[5].label) and "positiv" in str(
        economy.section("outcomes").intro
    )


# -- The council summary: published improvement, and the union audit reading it -------------


@pytest.fixture
def council(session, world):
    """The council summary parts and report of the world's larger municipality."""
    parts = council_parts(
        session=session, municipality_code="461", period=COUNCIL_PERIOD, today=TODAY
    )
    return parts, council_report(parts)


def test_the_council_change_is_improvement_in_table_figure_and_verdict(council):
    parts, report = council
    table = report.table("council_change")
    shown = 0
    for row, (figure, effect) in zip(
        table.rows,
        (
            ("functioning_improvement", parts.ours.functioning),
            ("wellbeing_improvement", parts.ours.wellbeing),
        ),
        strict=True,
    ):
        if isinstance(row[2], Hidden) or row[2] is None:
            continue
        shown += 1
        change = effect.since_admission
        raw = np.array([change.mean_diff, change.ci_low, change.ci_high])
        sign = 1 if effect.info.higher_is_better else -1
        assert row[2] == round(sign * raw[0], 1)  # positive is better
        assert row[3] <= row[2] <= row[4]
        assert report.figure(figure).value == row[2]
        assert str(row[7]) == ("højere" if sign == 1 else "lavere")
    assert shown, "the world's municipality 461 should show a change"
    assert str(table.columns[2].label) == "Kommunen: forbedring" and "positiv" in str(table.note)
    verdict = " ".join(str(m) for m in report.section("verdict").messages)
    assert "lavere er bedre" not in verdict and "0 er bedst" in verdict


def test_the_union_audit_reads_the_published_change_in_its_members_sign(council):
    parts, report = council
    specs = cell_specs(
        COUNCIL_PERIOD.key,
        parts.ctx.reference_date,
        parts.ours,
        parts.region,
        parts.cells,
        parts.ctx.units()["name"].to_dict(),
        "461",
    )
    changes = [s for s in specs if s.family.startswith("change:") and s.members]
    assert changes
    checked = 0
    for spec in changes:
        cell = read_cell(report, spec, parts.ctx.k)
        if cell.known is None:
            continue
        total = sum(spec.members.values())  # members: post - pre, as stored publications hold
        assert cell.known[0] - 1e-9 <= total <= cell.known[1] + 1e-9, spec.key
        assert np.sign(total) == np.sign(sum(cell.known)) or abs(total) < 1e-9
        assert spec.sign == (-1.0 if "functioning" in spec.family else 1.0)
        checked += 1
    assert checked


def test_a_council_summary_without_shares_to_compare_says_so(session, world):
    parts = council_parts(
        session=session, municipality_code="561", period=COUNCIL_PERIOD, today=TODAY
    )
    section = council_report(parts).section("results")  # 561: every share hidden
    assert not section.charts  # no empty "Kommunen og regionen" chart
    assert any("ingen andele at vise" in str(m) for m in section.messages)


def test_an_older_publication_raw_change_is_shown_as_improvement_in_the_trend():
    old = {
        "functioning_change": KeyFigure(
            "functioning_change", "x", -0.4, "signed", 1, benchmark=-0.2
        ),
        "wellbeing_change": KeyFigure("wellbeing_change", "y", 6.0, "signed", 1),
    }
    assert council_trend._cell(old, "functioning_improvement", "value") == 0.4
    assert council_trend._cell(old, "functioning_improvement", "benchmark") == 0.2
    assert council_trend._cell(old, "wellbeing_improvement", "value") == 6.0


# -- The citizen profile: level 0 (best) at the top, and the axis says so ---------------------


def test_the_profile_level_axis_has_its_best_end_up_and_says_so(app):
    axes = Figure().add_subplot()
    with app.test_request_context():
        level_axis(axes, True)
    bottom, top = axes.get_ylim()
    assert top < bottom  # 0 at the top: up is better
    assert axes.get_ylabel() == "Niveau (0 er bedst)"
