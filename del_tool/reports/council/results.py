"""The council summary's results: documentation, goals and change beside the region.

Counts follow `figures._count` (k), shares and means `figures._gate` (`min_n`, rounded).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from del_tool.goals.models import GoalDirection
from del_tool.reports.common.coverage import share
from del_tool.reports.common.direction import IMPROVEMENT_RULE
from del_tool.reports.common.empty import has_data
from del_tool.reports.common.labels import direction_label
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import ChartSpec, Column, Hidden, Section, Table
from del_tool.reports.council.figures import (
    CHANGE_DECIMALS,
    change_interval,
    change_value,
    count,
    current_share,
    gate,
)
from del_tool.reports.council.methods import configured_margin, method_range, method_range_table
from del_tool.reports.council.outcomes import Outcomes
from del_tool.reports.effect.analysis import improved_count
from del_tool.stats import may_show
from del_tool.stats.goals import goal_met

SHARE_COLUMNS = (
    Column("measure", _l("Mål")),
    Column("n", _l("Kommunen: borgere (n)"), "int"),
    Column("share", _l("Kommunen"), "pct", 0),
    Column("region_n", _l("Regionen: borgere (n)"), "int"),
    Column("region_share", _l("Regionen"), "pct", 0),
)


def share_rows(o: Outcomes) -> list[tuple[str, Any, int, float | None]]:
    """(key, label, citizens behind, share) for documentation and goals."""
    stays = o.coverage.stays
    timed = o.coverage.follow_ups
    current_n, current = current_share(o)
    timed_citizens = timed["stay"].map(stays.set_index("stay")["citizen"]).nunique()
    rows: list[tuple[str, Any, int, float | None]] = [
        (
            "baseline",
            _l("Ophold med baseline-profil"),
            int(stays["citizen"].nunique()),
            share(stays["has_baseline"]),
        ),
        ("current", _l("Opfølgning til tiden ved periodens slutning"), current_n, current),
        (
            "on_time",
            _l("Opfølgninger i perioden, der kom til tiden"),
            int(timed_citizens),
            share(timed["on_time"]),
        ),
        ("goals", _l("Mål nået, alle måltyper"), o.goal_citizens, o.goals.overall.share),
    ]
    for direction in GoalDirection:
        rows.append(
            (
                f"goals_{direction.value}",
                _l("Mål nået: %(d)s", d=direction_label(direction.value)),
                o.direction_citizens.get(direction.value, 0),
                o.goals.by_direction[direction.value].share,
            )
        )
    improved = improved_count(o.functioning) if o.functioning is not None else None
    if improved is not None:
        better, n = improved
        rows.append(
            (
                "improved",
                _l("Pålidelig forbedring af funktionsevnen"),
                n,
                better / n if n else None,
            )
        )
    return rows


def results_section(
    ours: Outcomes, region: Outcomes, k: int, min_n: int, totals_shown: bool = True
) -> Section:
    """Documentation, goals and change for the municipality beside the region (counts need
    k citizens, shares and means `min_n`)."""
    section = Section(
        "results",
        _l("Dokumentation, mål og udvikling"),
        question=_l("DEL-spørgsmål 1 og 4: Har indsatsen effekt, og når borgerne deres mål?"),
    )
    region_rows = {key: (n, value) for key, _label, n, value in share_rows(region)}
    rows = []
    for key, label, n, value in share_rows(ours):
        region_n, region_value = region_rows.get(key, (0, None))
        rows.append(
            [
                label,
                count(n, k, totals_shown),
                gate(value, n, min_n),
                count(region_n, k, True),
                gate(region_value, region_n, min_n),
            ]
        )
    section.tables.append(
        Table(
            "council_shares",
            _l("Dokumentation og mål"),
            SHARE_COLUMNS,
            rows,
            note=_l("Andele vises, når mindst %(n)s borgere står bag, i hele procent.", n=min_n),
        )
    )
    margin = configured_margin()
    spread = method_range(ours, min_n, margin)
    if spread is not None:
        section.tables.append(method_range_table(spread, min_n, margin))
    section.tables.append(purpose_table(ours, region, k, min_n, totals_shown))
    section.tables.append(change_table(ours, region, k, min_n, totals_shown))
    chart = _compare_chart(rows)
    if has_data(chart):
        section.charts.append(chart)
    else:  # a small municipality: every share hidden, so no empty chart
        section.messages.append(
            _l(
                "Kommunen og regionen: ingen andele at vise side om side, fordi for få "
                "borgere står bag kommunens tal."
            )
        )
    return section


#: The table of goals linked to the municipality's action plan (`purpose_table`).
PURPOSE_TABLE = "council_purpose_goals"
PURPOSE_COLUMNS = (
    Column("measure", _l("Mål")),
    Column("goals", _l("Kommunen: knyttede mål (n)"), "int"),
    Column("share", _l("Kommunen: nået"), "pct", 0),
    Column("region_goals", _l("Regionen: knyttede mål (n)"), "int"),
    Column("region_share", _l("Regionen: nået"), "pct", 0),
)


def purpose_reviews(o: Outcomes) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """The latest reviews of the goals linked to a purpose, with (assessable, met) per review:
    the members of the action-plan share (`union`) and what `purpose_figures` counts."""
    reviews = o.goal_reviews[o.goal_reviews["goal"].isin(o.purpose_goals["goal"])]
    assessable, met = goal_met(reviews["level"], reviews["target"])
    return reviews, assessable, met


def purpose_figures(o: Outcomes) -> tuple[int, int, float | None, int]:
    """(goals linked to a purpose, citizens behind them, share met among those assessed,
    citizens behind that share)."""
    linked = o.purpose_goals
    reviews, assessable, met = purpose_reviews(o)
    value = float(met[assessable].mean()) if assessable.any() else None
    behind = int(reviews.loc[assessable, "citizen"].nunique())
    return len(linked), int(linked["citizen"].nunique()), value, behind


def purpose_table(
    ours: Outcomes, region: Outcomes, k: int, min_n: int, totals_shown: bool
) -> Table:
    """Goals linked to a purpose of the municipality's action plan and the share of them met,
    beside the region: the count needs k goals and k citizens behind them, the share `min_n`
    citizens."""
    row: list[Any] = [_l("Mål knyttet til et formål i handleplanen")]
    for o, shown in ((ours, totals_shown), (region, True)):
        goals, citizens, value, behind = purpose_figures(o)
        row.append(count(goals, k, shown) if may_show(citizens, k) else Hidden(f"<{k}"))
        row.append(gate(value, behind, min_n))
    return Table(
        PURPOSE_TABLE,
        _l("Mål knyttet til kommunens handleplan"),
        PURPOSE_COLUMNS,
        [row],
        note=_l(
            "Tilbuddets mål i perioden, som er knyttet til et af kommunens formål med indsatsen "
            "(handleplanen, Serviceloven § 141), og andelen af dem, der har nået målniveauet "
            "ved seneste opfølgning. Antal vises, når mindst %(k)s borgere og mål står bag, "
            "andele, når mindst %(n)s borgere står bag.",
            k=k,
            n=min_n,
        ),
    )


CHANGE_COLUMNS = (
    Column("scale", _l("Skala")),
    Column("n", _l("Kommunen: forløb (n)"), "int"),
    Column("diff", _l("Kommunen: forbedring"), "signed", CHANGE_DECIMALS),
    Column("ci_low", _l("95 % KI, nedre"), "signed", CHANGE_DECIMALS),
    Column("ci_high", _l("95 % KI, øvre"), "signed", CHANGE_DECIMALS),
    Column("region_n", _l("Regionen: forløb (n)"), "int"),
    Column("region_diff", _l("Regionen: forbedring"), "signed", CHANGE_DECIMALS),
    Column("better", _l("Bedre er")),
)


def change_table(ours: Outcomes, region: Outcomes, k: int, min_n: int, totals_shown: bool) -> Table:
    """Change since admission in functioning and well-being as improvement (positive is
    better; the raw direction in "Bedre er"), beside the region."""
    rows = []
    for label, mine, theirs, better in (
        (_l("Funktionsevne (0-4)"), ours.functioning, region.functioning, _l("lavere")),
        (_l("Trivsel, WHO-5 (0-100)"), ours.wellbeing, region.wellbeing, _l("højere")),
    ):
        n, diff = change_value(mine)
        region_n, region_diff = change_value(theirs)
        low, high = change_interval(mine)
        rows.append(
            [
                label,
                count(n, k, totals_shown),
                gate(diff, n, min_n, CHANGE_DECIMALS),
                gate(low, n, min_n, CHANGE_DECIMALS),
                gate(high, n, min_n, CHANGE_DECIMALS),
                count(region_n, k, True),
                gate(region_diff, region_n, min_n, CHANGE_DECIMALS),
                better,
            ]
        )
    return Table(
        "council_change",
        _l("Forbedring siden indskrivning"),
        CHANGE_COLUMNS,
        rows,
        note=_l(
            "Baseline mod seneste måling til og med periodens slutning; parret t-test, "
            "95 %% KI; vises med én decimal, når mindst %(n)s forløb står bag. %(rule)s",
            n=min_n,
            rule=IMPROVEMENT_RULE,
        ),
    )


def _compare_chart(rows: list[list[Any]]) -> ChartSpec:
    """Municipality beside region for the shares that may be shown."""
    shown = [
        r
        for r in rows
        if not isinstance(r[2], Hidden)
        and r[2] is not None
        and r[4] is not None
        and not isinstance(r[4], Hidden)
    ]
    return ChartSpec(
        "council_compare",
        "compare",
        _l("Kommunen og regionen"),
        {
            "labels": [r[0] for r in shown],
            "ours": [float(r[2]) for r in shown],
            "region": [float(r[4]) for r in shown],
        },
        notes=(_l("Kun andele med mindst det antal borgere, der må vises."),),
    )
