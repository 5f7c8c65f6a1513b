"""Learning and economy reports: funnels, trends, cohorts and costs equal the stats on the rows."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from del_tool.organisation.models import Unit
from del_tool.reports.benchmark.funnels import (
    citizen_pairs,
    flag_text,
    proportion_funnel,
    unit_counts,
    unit_table,
)
from del_tool.reports.common.period import parse_period
from del_tool.reports.common.selection import resolve_scope
from del_tool.reports.economy.report import build_economy_report
from del_tool.reports.learning.report import build_learning_report
from del_tool.stats import (
    adjusted_comparison,
    exact_proportion_limits,
    funnel_means,
    funnel_proportions,
    goal_attainment,
    paired_change,
    stay_costs,
)
from tests.reports import expect
from tests.reports.world import PLAN, TODAY

PERIOD = parse_period("2025-10-01..2026-09-30")
MEAN = ("del_functioning", "mean")


@pytest.fixture
def learning(session, world):
    """The region's learning report over the world."""
    scope = resolve_scope("region", session=session)
    return build_learning_report(session=session, scope=scope, period=PERIOD, today=TODAY)


def _unit_rows(world, stays):
    """Per unit key (in unit-id order): per-citizen goal shares and the since-admission pairs."""
    latest = expect.latest_reviews(stays, PERIOD.start, PERIOD.end)
    latest["unit"] = latest["stay"].map({s.stay_id: s.unit_key for s in stays})
    out = {}
    for key in sorted(PLAN, key=lambda k: world.units[k]):
        mine = latest[latest["unit"] == key]
        shares = [
            goal_attainment(g[["level", "target", "direction"]]).overall.share
            for _, g in mine.groupby("citizen")
        ]
        pre, post = expect.admission_pairs(
            [s for s in stays if s.unit_key == key], MEAN, PERIOD.start, PERIOD.end
        )
        out[key] = (np.array(shares, dtype=float), np.array(pre), np.array(post))
    return out


def test_funnels_count_citizens_and_use_the_stats_functions(learning, world):
    stays = expect.overlapping(world.stays, PERIOD.start, PERIOD.end)
    rows = _unit_rows(world, stays)
    # Goals: each citizen's share of goals met, averaged per unit, n = citizens (not goals).
    expected = funnel_means(
        [r[0].mean() for r in rows.values()],
        [r[0].std(ddof=1) for r in rows.values()],
        [r[0].size for r in rows.values()],
    )
    result = learning.section("units").results["funnel_goals"]
    assert list(result.n) == [r[0].size for r in rows.values()]
    assert np.allclose(result.value, expected.value)
    assert np.allclose(result.limits.upper998, expected.limits.upper998)
    # Functioning 0-4 is lower-is-better: the funnel shows improvement, before minus after.
    changes = [paired_change(r[2], r[1]) for r in rows.values()]
    expected_means = funnel_means(
        [c.mean_diff for c in changes], [c.sd_diff for c in changes], [c.n for c in changes]
    )
    result = learning.section("units").results["funnel_change"]
    assert np.allclose(result.value, expected_means.value)
    assert np.allclose(result.limits.upper998, expected_means.limits.upper998)


def test_the_improved_share_has_exact_binomial_limits(learning, world):
    effect = learning.section("units").results
    if "funnel_improved" not in effect:
        pytest.skip("nobody reliably improved in this world")
    result = effect["funnel_improved"]
    assert "exact binomial" in result.method
    chart = next(c for c in learning.section("units").charts if c.key == "learning_funnel_improved")
    grid = chart.data["grid"]
    assert np.all(grid == np.round(grid))  # exact limits exist for whole numbers of citizens
    expected = exact_proportion_limits(result.target, grid)
    assert np.allclose(chart.data["limits"].upper998, expected.upper998, equal_nan=True)


def test_exact_limits_do_not_flag_a_small_unit_the_normal_ones_would():
    # 4 of 4 reliably improved against a pooled 20 %: z = (1 - 0.2) / sqrt(0.16 / 4) = 4.0,
    # beyond the normal 99.8 % limit (3.09), but P(R >= 4 | n = 4, p = 0.2) = 0.0016 > 0.001:
    # four citizens improving is not that unusual, and the exact limits say so.
    names = pd.Series({1: "Lille", 2: "Stor"})
    result, _chart = proportion_funnel(
        "k", "t", names, pd.Series({1: 4, 2: 96}), pd.Series({1: 4, 2: 496})
    )
    normal = funnel_proportions([4, 96], [4, 496])
    assert normal.flag[0] == "above"
    assert result.flag[0] == "within"


def test_flags_are_read_as_better_or_worse_by_the_scale_direction():
    assert str(flag_text("below", False)) == "bedre end gennemsnittet"
    assert str(flag_text("above", False)) == "dårligere end gennemsnittet"
    assert str(flag_text("above", True)) == "bedre end gennemsnittet"
    assert str(flag_text("within", True)) == "inden for"
    counts = pd.DataFrame(  # "mean" is improvement: positive is better
        {"pairs": [20, 20], "classified": [20, 20], "improved": [5, 5], "mean": [0.6, -0.1]},
        index=[1, 2],
    )
    goals = pd.DataFrame(
        {"citizens": [20, 20], "goals": [40, 40], "share": [0.5, 0.5]}, index=[1, 2]
    )
    flags = {
        "mean": pd.Series({1: "above", 2: "below"}),
        "improved": pd.Series(dtype=str),
        "met": pd.Series(dtype=str),
    }
    table = unit_table(pd.Series({1: "A", 2: "B"}), counts, goals, flags)
    # The funnel of improvement: the unit above the average improved more.
    assert str(table.row("A")[3]) == "bedre end gennemsnittet"
    assert str(table.row("B")[3]) == "dårligere end gennemsnittet"


def test_a_citizen_with_two_stays_in_a_unit_counts_once():
    stays = pd.DataFrame(
        {
            "stay": [1, 2, 3],
            "citizen": [10, 10, 11],
            "unit": [5, 5, 5],
            "start": pd.to_datetime(["2025-01-01", "2025-09-01", "2025-02-01"]),
        }
    )
    pairs = pd.DataFrame({"stay": [1, 2, 3], "pre": [3.0, 2.5, 2.0], "post": [2.5, 2.0, 1.0]})
    effect = SimpleNamespace(
        pairs=pairs.assign(category=["", "improved", "unchanged"]),
        info=SimpleNamespace(higher_is_better=False),
    )
    one = citizen_pairs(effect, stays)
    assert sorted(one["stay"]) == [2, 3]
    counts = unit_counts(effect, stays)
    assert counts.loc[5, "pairs"] == 2 and counts.loc[5, "improved"] == 1
    assert counts.loc[5, "mean"] == 0.75  # improvement: before minus after, (0.5 + 1.0) / 2


def test_units_are_compared_adjusted_for_baseline(learning, world, session):
    stays = expect.overlapping(world.stays, PERIOD.start, PERIOD.end)
    pre, post, unit = [], [], []
    for key, (_shares, p, q) in _unit_rows(world, stays).items():
        pre.extend(p)
        post.extend(q)
        unit.extend([world.units[key]] * len(p))
    expected = adjusted_comparison(np.array(pre) - np.array(post), pre, unit)  # improvement
    result = learning.section("units").results["adjusted"]
    assert result.groups == expected.groups
    assert np.allclose(result.adjusted, expected.adjusted)
    assert np.allclose(result.ci_low, expected.ci_low)
    table = learning.table("learning_adjusted")
    name = session.get(Unit, world.units["A"]).name
    row = table.row(name)
    i = expected.groups.index(world.units["A"])
    assert row[1] == expected.n[i] and expect.close(row[3], expected.adjusted[i])
    assert expect.close(row[6], expected.difference[i])
    assert "F(2," in str(table.note)
    assert any(c.kind == "adjusted" for c in learning.section("units").charts)
    assert not any("ikke justeret for udgangsniveau" in str(m) for m in learning.methods)


def test_trend_quarters_use_goal_attainment_of_the_quarter(learning, world):
    table = learning.table("learning_trend")
    row = table.row("2026Q2")
    quarter = parse_period("2026Q2")
    stays = expect.overlapping(world.stays, quarter.start, quarter.end)
    latest = expect.latest_reviews(stays, quarter.start, quarter.end)
    expected = goal_attainment(latest[["level", "target", "direction"]]).overall
    assert row[1] == len({s.citizen_id for s in stays})
    assert row[3:7] == [expected.n, expected.share, expected.ci_low, expected.ci_high]
    assert [r[0] for r in table.rows][-1] == "2026Q3" and len(table.rows) == 8


def test_cohorts_pair_the_baseline_with_the_score_nearest_the_milestone(learning, world):
    stays = expect.overlapping(world.stays, PERIOD.start, PERIOD.end)
    pre, post = [], []
    for stay in stays:
        base = stay.measurements[0]
        target = stay.start + timedelta(days=round(6 * 365.25 / 12))
        near = [m for m in stay.measurements[1:] if abs((m.day - target).days) <= 60]
        if near:
            best = min(near, key=lambda m: (abs((m.day - target).days), m.day))
            pre.append(base.scores[MEAN])
            post.append(best.scores[MEAN])
    expected = paired_change(pre, post)
    row = next(
        r
        for r in learning.table("learning_cohorts").rows
        if r[1] == 6 and "Gennemsnit" in str(r[0])
    )
    assert row[2] == expected.n and expect.close(row[5], -expected.mean_diff)  # improvement


def test_costs_are_days_times_tariff_by_unit_section_and_municipality(session, world):
    scope = resolve_scope(f"centre:{world.centres['X']}", session=session)
    report = build_economy_report(session=session, scope=scope, period=PERIOD, today=TODAY)
    stays = expect.overlapping(world.stays_in({"A", "B"}), PERIOD.start, PERIOD.end)
    frame = pd.DataFrame(
        {
            "unit": [f"{s.unit_id}:{s.section}" for s in stays],
            "start": [pd.Timestamp(s.start) for s in stays],
            "end": [pd.Timestamp(s.end) if s.end else pd.NaT for s in stays],
        }
    )
    tariffs = pd.DataFrame(
        {
            "unit": [f"{t['unit_id']}:{t['section']}" for t in world.tariffs],
            "valid_from": [t["valid_from"] for t in world.tariffs],
            "valid_to": [t["valid_to"] for t in world.tariffs],
            "daily_rate": [t["rate"] for t in world.tariffs],
        }
    )
    expected = stay_costs(frame, tariffs, period_start=PERIOD.start, period_end=PERIOD.end)
    assert report.figure("cost").value == pytest.approx(expected.total_cost)
    assert report.figure("days").value == expected.total_days
    name = session.get(Unit, world.units["A"]).name
    row = report.table("economy_units").row(name)
    days_2025 = days_2026 = 0
    for stay in (s for s in stays if s.unit_key == "A"):
        first, last = max(stay.start, PERIOD.start), min(stay.end or PERIOD.end, PERIOD.end)
        split = date(2026, 1, 1)
        days_2025 += max(0, (min(last, split - timedelta(days=1)) - first).days + 1)
        days_2026 += max(0, (last - max(first, split)).days + 1)
    assert row[2] == days_2025 + days_2026
    assert row[3] == pytest.approx(days_2025 * 3000.0 + days_2026 * 3300.0)


def test_cost_beside_outcomes_counts_citizens_and_is_labelled_descriptive(session, world):
    scope = resolve_scope("region", session=session)
    report = build_economy_report(session=session, scope=scope, period=PERIOD, today=TODAY)
    section = report.section("outcomes")
    assert "Beskrivende" in str(section.intro)
    stays = expect.overlapping(world.stays, PERIOD.start, PERIOD.end)
    shares, pre, post = _unit_rows(world, stays)["A"]
    row = report.table("economy_outcomes").row(session.get(Unit, world.units["A"]).name)
    assert row[2] == shares.size and expect.close(row[3], shares.mean())
    assert row[4] == len(pre) and expect.close(row[5], -paired_change(pre, post).mean_diff)
    assert "0 er bedst" in str(report.table("economy_outcomes").columns[5].label)
