"""Goal attainment (DEL questions 4 and 5): analyses from review frames, and their sections.

A goal's status is its latest review in the window the report uses: met when the level is at or
better than the target (`del_tool.stats.goal_attainment`). GAS T-scores are computed per stay over
its goals with a GAS score (`del_tool.stats.gas_t_score`, weighted, rho 0.3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from del_tool.goals.models import GoalDirection, Theme
from del_tool.reports.common.frames import latest_reviews
from del_tool.reports.common.labels import direction_label, theme_label
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import ChartSpec, Column, KeyFigure, Section, Table
from del_tool.stats import GoalAttainment, GoalShare, gas_t_score, goal_attainment, wilson_interval
from del_tool.stats.goals import gas_t_scores

MOTIVATION_LEVELS = (1, 2, 3, 4, 5)
#: T-score bands for the distribution table (50 = the expected outcome of every goal).
GAS_BANDS = ((-np.inf, 40.0), (40.0, 50.0), (50.0, 60.0), (60.0, np.inf))


@dataclass(frozen=True, slots=True)
class GasSummary:
    """Per-stay GAS T-scores and the share at or above the expected level (T >= 50)."""

    t_scores: pd.Series
    n: int
    at_least_expected: int
    ci: tuple[float, float] | None
    band_counts: tuple[int, ...]
    method: str


@dataclass(frozen=True, slots=True)
class GoalResults:
    """Goal attainment overall, by direction, theme and motivation, and GAS."""

    latest: pd.DataFrame
    attainment: GoalAttainment
    by_theme: dict[str, GoalAttainment]
    by_motivation: dict[int, GoalAttainment]
    gas: GasSummary
    n_stays: int


def analyse_goals(reviews: pd.DataFrame) -> GoalResults:
    """Goal statistics from review rows (goal, stay, theme, direction, target, level, ...)."""
    latest = latest_reviews(reviews)
    by_theme = {
        theme.value: goal_attainment(_arrays(latest[latest["theme"] == theme.value]))
        for theme in Theme
    }
    motivated = latest[latest["motivation"].notna()]
    by_motivation = {
        level: goal_attainment(_arrays(motivated[motivated["motivation"] == level]))
        for level in MOTIVATION_LEVELS
    }
    return GoalResults(
        latest=latest,
        attainment=goal_attainment(_arrays(latest)),
        by_theme=by_theme,
        by_motivation=by_motivation,
        gas=gas_summary(latest),
        n_stays=int(latest["stay"].nunique()),
    )


def _arrays(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {"level": frame["level"], "target": frame["target"], "direction": frame["direction"]}
    )


def gas_summary(latest: pd.DataFrame) -> GasSummary:
    """GAS T-score per stay over its goals with a GAS score at their latest review."""
    scored = latest[latest["gas"].notna()]
    if scored.empty:
        t_scores = pd.Series(dtype=float)
        method = gas_t_score([]).method
    else:
        t_scores = per_stay_t_scores(scored)
        method = gas_t_score(scored["gas"].iloc[:1], scored["weight"].iloc[:1]).method
    t_values = t_scores.dropna().to_numpy(dtype=float)
    n, met = int(t_values.size), int((t_values >= 50.0).sum())
    bands = tuple(int(((t_values >= lo) & (t_values < hi)).sum()) for lo, hi in GAS_BANDS)
    return GasSummary(t_scores, n, met, wilson_interval(met, n), bands, method)


def per_stay_t_scores(scored: pd.DataFrame) -> pd.Series:
    """`gas_t_score` of each stay's (score, weight) goals, by stay (`stats.gas_t_scores`)."""
    return gas_t_scores(scored["gas"], scored["weight"], scored["stay"]).rename_axis("stay")


def share_row(label: Any, share: GoalShare) -> list[Any]:
    """Table row: label, n, met, share, CI low, CI high."""
    return [label, share.n, share.met, share.share, share.ci_low, share.ci_high]


SHARE_COLUMNS = (
    Column("label", _l("Gruppe")),
    Column("n", _l("Mål (n)"), "int"),
    Column("met", _l("Nået"), "int"),
    Column("share", _l("Andel nået"), "pct", 1),
    Column("ci_low", _l("95 % KI, nedre"), "pct", 1),
    Column("ci_high", _l("95 % KI, øvre"), "pct", 1),
)


def direction_table(results: GoalAttainment, key: str = "goals_direction") -> Table:
    """Share of goals met by direction, with the total."""
    rows = [
        share_row(direction_label(d.value), results.by_direction[d.value]) for d in GoalDirection
    ]
    rows.append(share_row(_l("Alle mål"), results.overall))
    return Table(
        key,
        _l("Målopfyldelse efter måltype"),
        SHARE_COLUMNS,
        rows,
        note=_l("Et mål er nået, når seneste niveau er på eller bedre end målniveauet."),
    )


def goal_section(results: GoalResults, *, window: Any) -> Section:
    """DEL questions 4 and 5: goals met by direction and theme, GAS, motivation."""
    section = Section(
        "goals",
        _l("Når vi de mål, vi sætter?"),
        question=_l("DEL-spørgsmål 4 og 5: målopfyldelse og motivation"),
        intro=window,
        results={"goals": results},
    )
    overall = results.attainment.overall
    section.figures.append(
        KeyFigure(
            "goals_met",
            _l("Andel mål nået"),
            overall.share,
            "pct",
            1,
            note=_l(
                "n = %(n)s mål hos %(s)s forløb; Wilson 95 %% KI", n=overall.n, s=results.n_stays
            ),
            reason=None if overall.n else _l("Ingen mål er fulgt op i perioden."),
        )
    )
    section.tables.append(direction_table(results.attainment))
    section.tables.append(theme_table(results))
    section.tables.append(gas_table(results.gas))
    section.tables.append(motivation_table(results))
    section.charts.append(_direction_chart(results))
    section.charts.append(_motivation_chart(results))
    return section


def theme_table(results: GoalResults) -> Table:
    """Share of goals met by theme, with the share by direction inside each theme."""
    rows = [share_row(theme_label(t.value), results.by_theme[t.value].overall) for t in Theme]
    return Table("goals_theme", _l("Målopfyldelse efter tema"), SHARE_COLUMNS, rows)


def gas_table(gas: GasSummary) -> Table:
    """GAS T-scores: how many stays, the share at or above expected, and the distribution."""
    share = gas.at_least_expected / gas.n if gas.n else None
    low, high = gas.ci if gas.ci else (None, None)
    columns = (
        Column("label", _l("Gruppe")),
        Column("n", _l("Forløb (n)"), "int"),
        Column("met", _l("T-score 50 eller mere"), "int"),
        Column("share", _l("Andel som forventet eller bedre"), "pct", 1),
        Column("ci_low", _l("95 % KI, nedre"), "pct", 1),
        Column("ci_high", _l("95 % KI, øvre"), "pct", 1),
        Column("below40", _l("T under 40"), "int"),
        Column("from40", _l("T 40-50"), "int"),
        Column("from50", _l("T 50-60"), "int"),
        Column("from60", _l("T 60 eller mere"), "int"),
    )
    rows = [[_l("Alle forløb"), gas.n, gas.at_least_expected, share, low, high, *gas.band_counts]]
    note = _l(
        "Kiresuk-Sherman T-score pr. forløb over målene med GAS-score ved seneste opfølgning, "
        "vægtet, rho = 0,3. T = 50 svarer til, at alle mål er nået som forventet."
    )
    return Table("goals_gas", _l("GAS T-score pr. forløb"), columns, rows, note=note)


def motivation_table(results: GoalResults) -> Table:
    """Share of goals met by the citizen's motivation (1-5) at the latest review."""
    rows = [
        share_row(_l("Motivation %(m)s", m=level), results.by_motivation[level].overall)
        for level in MOTIVATION_LEVELS
    ]
    return Table(
        "goals_motivation",
        _l("Motivation og målopfyldelse"),
        SHARE_COLUMNS,
        rows,
        note=_l("Motivation 1-5 ved seneste opfølgning af målet; beskrivende, ikke en årsag."),
    )


def _direction_chart(results: GoalResults) -> ChartSpec:
    shares = [results.attainment.by_direction[d.value] for d in GoalDirection]
    return ChartSpec(
        "goals_direction_chart",
        "share_bars",
        _l("Andel mål nået efter måltype"),
        {
            "labels": [direction_label(d.value) for d in GoalDirection],
            "shares": shares,
        },
    )


def _motivation_chart(results: GoalResults) -> ChartSpec:
    return ChartSpec(
        "goals_motivation_chart",
        "share_bars",
        _l("Andel mål nået efter motivation"),
        {
            "labels": [str(level) for level in MOTIVATION_LEVELS],
            "shares": [results.by_motivation[level].overall for level in MOTIVATION_LEVELS],
            "xlabel": _l("Motivation (1 = lav, 5 = høj)"),
        },
    )
