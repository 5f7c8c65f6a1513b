"""The effect report's figures equal the stats functions applied directly to the same rows."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from del_tool.reports.common.period import parse_period
from del_tool.reports.common.selection import resolve_scope
from del_tool.reports.effect.analysis import OPTIMIZERS
from del_tool.reports.effect.report import build_effect_report
from del_tool.stats import (
    gas_t_score,
    goal_attainment,
    paired_change,
    reliable_change,
    scale_reliability,
    trajectory,
)
from tests.reports import expect
from tests.reports.world import THEMES, TODAY

PERIOD = parse_period("2025-07-01..2026-09-30")
MEAN = ("del_functioning", "mean")
WHO5 = ("who5", "wellbeing")
SCOPES = {"unit": {"A"}, "centre": {"A", "B"}, "region": {"A", "B", "C"}}


def _scope_key(world, level):
    if level == "unit":
        return f"unit:{world.units['A']}"
    if level == "centre":
        return f"centre:{world.centres['X']}"
    return "region"


def _build(session, world, level):
    scope = resolve_scope(_scope_key(world, level), session=session)
    report = build_effect_report(session=session, scope=scope, period=PERIOD, today=TODAY)
    stays = expect.overlapping(world.stays_in(SCOPES[level]), PERIOD.start, PERIOD.end)
    return report, stays


def _row(table, title_start):
    return next(r for r in table.rows if str(r[0]).startswith(title_start))


def _assert_change_row(row, pre, post):
    """Levels as measured; change as improvement: functioning is lower-is-better, so the table
    shows before minus after, with the effect sizes and intervals signed alike."""
    expected = paired_change(pre, post)
    better = paired_change(post, pre)
    assert row[1] == expected.n
    assert expect.close(row[2], expected.mean_pre) and expect.close(row[3], expected.mean_post)
    for value, field in zip(row[4:8], ("mean_diff", "ci_low", "ci_high", "d_z"), strict=True):
        assert expect.close(value, getattr(better, field)), field
    assert expect.close(row[8], better.d_z_ci[0]) and expect.close(row[9], better.d_z_ci[1])
    assert expect.close(row[10], better.g_av) and expect.close(row[11], expected.p_wilcoxon)


@pytest.mark.parametrize("level", ["unit", "centre", "region"])
def test_paired_change_since_admission_and_in_period(session, world, level):
    report, stays = _build(session, world, level)
    admission = report.table("effect_admission")
    pre, post = expect.admission_pairs(stays, MEAN, PERIOD.start, PERIOD.end)
    assert len(pre) >= 5
    _assert_change_row(_row(admission, "DEL funktionsprofil: Gennemsnit"), pre, post)
    theme = THEMES[2]
    pre, post = expect.admission_pairs(stays, ("del_functioning", theme), PERIOD.start, PERIOD.end)
    _assert_change_row(_row(admission, "DEL funktionsprofil: Mobilitet"), pre, post)
    in_period = report.table("effect_period")
    pre, post = expect.period_pairs(stays, MEAN, PERIOD.start, PERIOD.end)
    _assert_change_row(_row(in_period, "DEL funktionsprofil: Gennemsnit"), pre, post)
    figure = report.figure("functioning_change")
    assert expect.close(  # improvement: before minus after
        figure.value,
        -paired_change(*expect.admission_pairs(stays, MEAN, PERIOD.start, PERIOD.end)).mean_diff,
    )


@pytest.mark.parametrize("level", ["unit", "centre", "region"])
def test_reliable_change_uses_alpha_of_all_baseline_items(session, world, level, registry):
    report, stays = _build(session, world, level)
    items = list(registry.get("del_functioning").scale("mean").items)
    # Every baseline of the deployment, whatever the scope and period: the reference (SD and
    # reliability) belongs to the instrument (issue #16: one unit, one figure).
    everyone = expect.baseline_items(world.stays, "del_functioning", items, date.max)
    reliability = scale_reliability(None, everyone)
    assert reliability.source == "cronbach_alpha"
    sd = float(np.std(expect.baseline_scores(world.stays, MEAN), ddof=1))
    pre, post = expect.admission_pairs(stays, MEAN, PERIOD.start, PERIOD.end)
    expected = reliable_change(
        pre, post, reliability=reliability.value, higher_is_better=False, sd_pre=sd
    )
    row = _row(report.table("effect_reliable"), "DEL funktionsprofil: Gennemsnit")
    assert row[1] == expected.n and expect.close(row[2], reliability.value)
    assert expect.close(row[4], expected.s_diff) and row[5] is None
    counts = expected.counts
    assert row[6:11] == [
        None,
        counts["improved"],
        counts["unchanged"],
        counts["deteriorated"],
        None,
    ]
    single = _row(report.table("effect_reliable"), "DEL funktionsprofil: Relationer")
    assert single[2] is None and "ét spørgsmål" in str(single[-1])


def test_who5_uses_the_band_boundary_as_cutoff_and_alpha(session, world, registry):
    report, stays = _build(session, world, "unit")
    items = [f"q{i}" for i in range(1, 6)]
    reliability = scale_reliability(
        None, expect.baseline_items(world.stays, "who5", items, PERIOD.end)
    )
    pre, post = expect.admission_pairs(stays, WHO5, PERIOD.start, PERIOD.end)
    expected = reliable_change(
        pre, post, reliability=reliability.value, higher_is_better=True, cutoff=50.0
    )
    row = _row(report.table("effect_reliable"), "WHO-5")
    assert row[5] == 50.0
    assert row[6:11] == [
        expected.counts[c] for c in ("recovered", "improved", "unchanged", "deteriorated", "harmed")
    ]
    assert any(c.kind == "jt_scatter" for c in report.section("reliable").charts)


@pytest.mark.parametrize("level", ["unit", "region"])
def test_trajectory_is_the_mixed_model_over_all_scores_of_the_measured_stays(session, world, level):
    report, stays = _build(session, world, level)
    frame = expect.trajectory_frame(stays, MEAN, PERIOD.start, PERIOD.end)
    expected = trajectory(frame, time="years", score="score", group="stay", optimizers=OPTIMIZERS)
    row = _row(report.table("effect_trajectory"), "DEL funktionsprofil: Gennemsnit")
    assert row[1] == expected.n_groups and row[2] == expected.n_rows
    # Improvement per year: the functioning scale is lower-is-better.
    assert expect.close(row[4], -expected.slope, rel=1e-6)
    assert expect.close(row[5], -expected.slope_ci[1], rel=1e-6)


@pytest.mark.parametrize("level", ["unit", "centre", "region"])
def test_goal_attainment_and_gas_equal_the_stats_on_latest_reviews(session, world, level):
    report, stays = _build(session, world, level)
    latest = expect.latest_reviews(stays, PERIOD.start, PERIOD.end)
    expected = goal_attainment(latest[["level", "target", "direction"]])
    table = report.table("goals_direction")
    for row, direction in zip(table.rows, ("develop", "maintain", "limit_loss"), strict=False):
        share = expected.by_direction[direction]
        assert row[1:4] == [share.n, share.met, share.share]
    assert table.rows[-1][1:4] == [expected.overall.n, expected.overall.met, expected.overall.share]
    t_scores = [
        gas_t_score(g["gas"], g["weight"]).t_score
        for _, g in latest[latest["gas"].notna()].groupby("stay")
    ]
    gas = report.table("goals_gas").rows[0]
    assert gas[1] == len(t_scores) and gas[2] == sum(t >= 50 for t in t_scores)


def test_too_few_pairs_gives_a_reason_instead_of_numbers(session, world):
    scope = resolve_scope(f"unit:{world.units['C']}", session=session)
    report = build_effect_report(
        session=session, scope=scope, period=parse_period("2026Q3"), today=TODAY
    )
    row = _row(report.table("effect_period"), "DEL funktionsprofil: Gennemsnit")
    assert row[2:12] == [None] * 10
    assert "For få forløb" in str(row[-1]) or "Ingen forløb" in str(row[-1])


def test_trajectory_uses_every_stay_whatever_the_fallback_cap(app, session, world):
    app.config["REPORT_TRAJECTORY_FALLBACK_MAX_STAYS"] = 3
    report, stays = _build(session, world, "region")
    frame = expect.trajectory_frame(stays, MEAN, PERIOD.start, PERIOD.end)
    row = _row(report.table("effect_trajectory"), "DEL funktionsprofil: Gennemsnit")
    assert frame["stay"].nunique() > 3
    assert row[1] == frame["stay"].nunique() and row[2] == len(frame)
    assert row[-1] is None
    assert not any("stikprøve" in str(text) for text in report.methods)
    assert "alle forløb målt i perioden" in " ".join(str(text) for text in report.methods)


def test_statsmodels_fallback_fits_a_sample_and_the_report_says_so(
    app, session, world, monkeypatch
):
    from del_tool.stats import mixed_models

    monkeypatch.setattr(mixed_models, "fit_growth_reml", lambda *args, **kwargs: None)
    app.config["REPORT_TRAJECTORY_FALLBACK_MAX_STAYS"] = 5
    report, stays = _build(session, world, "region")
    total = expect.trajectory_frame(stays, MEAN, PERIOD.start, PERIOD.end)["stay"].nunique()
    row = _row(report.table("effect_trajectory"), "DEL funktionsprofil: Gennemsnit")
    assert row[1] == 5
    assert f"stikprøve af 5 af {total} forløb" in str(row[-1])
    notes = [str(text) for text in report.methods if "stikprøve" in str(text)]
    assert any(note.startswith("DEL funktionsprofil: Gennemsnit") for note in notes)
