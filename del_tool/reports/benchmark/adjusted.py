"""Units compared on change adjusted for the citizens' level at admission (DESIGN §6).

Raw mean change favours units whose citizens start worse (they have more room to improve, and
regression to the mean works in their favour). The adjusted comparison fits change on baseline
with one mean per unit (`del_tool.stats.adjusted_comparison`, ANCOVA) and compares each unit's
change at the same, average, baseline. Change is modelled as improvement (positive = better,
`common/direction.py`), so the table's figures, the flags and the chart (better to the right,
best unit at the top) all read the same way.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from del_tool.reports.benchmark.funnels import flag_text
from del_tool.reports.common.direction import IMPROVEMENT_RULE
from del_tool.reports.common.labels import fmt
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import ChartSpec, Column, Table
from del_tool.stats import AdjustedComparison, adjusted_comparison

COLUMNS = (
    Column("unit", _l("Tilbud")),
    Column("n", _l("Borgere (n)"), "int"),
    Column("raw", _l("Forbedring, ujusteret"), "signed", 2),
    Column("adjusted", _l("Forbedring, justeret"), "signed", 2),
    Column("adjusted_low", _l("95 % KI, nedre"), "signed", 2),
    Column("adjusted_high", _l("95 % KI, øvre"), "signed", 2),
    Column("difference", _l("Forskel fra gennemsnittet"), "signed", 2),
    Column("difference_low", _l("95 % KI, nedre"), "signed", 2),
    Column("difference_high", _l("95 % KI, øvre"), "signed", 2),
    Column("flag", _l("Ift. gennemsnit (99,8 %)")),
)


def compare_units(pairs: pd.DataFrame, *, higher_is_better: bool) -> AdjustedComparison:
    """Improvement per unit (post - pre, or pre - post on a lower-is-better scale) adjusted for
    the baseline (pre), one pair per citizen."""
    change = pairs["post"] - pairs["pre"]
    return adjusted_comparison(change if higher_is_better else -change, pairs["pre"], pairs["unit"])


def adjusted_table(
    names: pd.Series,
    result: AdjustedComparison,
    *,
    baseline: float,
    key: str = "learning_adjusted",
    entity: Any = None,
) -> Table:
    """The adjusted comparison (of improvement, `compare_units`) as a table, one row per unit."""
    rows = [
        [
            names.get(unit, str(unit)),
            int(result.n[i]),
            float(result.raw_mean[i]),
            float(result.adjusted[i]),
            float(result.ci_low[i]),
            float(result.ci_high[i]),
            float(result.difference[i]),
            float(result.difference_ci_low[i]),
            float(result.difference_ci_high[i]),
            flag_text(str(result.flag[i]), True),
        ]
        for i, unit in enumerate(result.groups)
    ]
    rows.sort(key=lambda row: str(row[0]))
    columns = COLUMNS if entity is None else (Column(COLUMNS[0].key, entity), *COLUMNS[1:])
    return Table(
        key,
        _l("Forbedring i funktionsevne justeret for udgangsniveau"),
        columns,
        rows,
        note=adjusted_note(result, baseline),
    )


def adjusted_note(result: AdjustedComparison, baseline: float) -> Any:
    """How the adjustment was made, with the model's slope and the test of unit differences."""
    return _l(
        "Kovariansanalyse (ANCOVA, OLS): forbedringen siden indskrivning forklaret af "
        "udgangsniveauet med ét gennemsnit pr. tilbud; justeret forbedring = tilbuddets "
        "forventede forbedring ved det gennemsnitlige udgangsniveau (%(base)s). Én måling pr. "
        "borger; n = %(n)s borgere i %(units)s tilbud. Hældning for udgangsniveauet: %(slope)s "
        "(forbedring pr. point højere udgangsniveau). Forskelle mellem tilbuddene samlet: "
        "F(%(df1)s, %(df2)s) = %(f)s, "
        "p = %(p)s. Markering ved 99,8 %% KI for forskellen fra gennemsnittet. %(rule)s",
        base=fmt(baseline, 2),
        n=result.n_total,
        units=len(result.groups),
        slope=fmt(result.slope, 2),
        df1=result.f_df[0] if result.f_df else "–",
        df2=result.f_df[1] if result.f_df else "–",
        f=fmt(result.f_stat, 2),
        p=p_text(result.p_value),
        rule=IMPROVEMENT_RULE,
    )


def p_text(p: float | None) -> Any:
    """A p-value as text: "0,042", or "< 0,001" for smaller ones."""
    if p is not None and p < 0.001:
        return _l("< %(p)s", p=fmt(0.001, 3))
    return fmt(p, 3)


def adjusted_chart(
    names: pd.Series,
    result: AdjustedComparison,
    *,
    xlabel: Any,
    key: str = "learning_adjusted_chart",
) -> ChartSpec:
    """Adjusted improvement per unit with its 95% CI beside the overall mean: better to the
    right, the best unit at the top."""
    order = np.argsort(result.adjusted, kind="stable")[::-1]
    return ChartSpec(
        key,
        "adjusted",
        _l("Justeret forbedring pr. tilbud med 95 % KI"),
        {
            "labels": [names.get(result.groups[i], str(result.groups[i])) for i in order],
            "values": result.adjusted[order],
            "lows": result.ci_low[order],
            "highs": result.ci_high[order],
            "ns": result.n[order],
            "flags": [flag_text(str(result.flag[i]), True) for i in order],
            "overall": result.overall,
            "xlabel": xlabel,
        },
        notes=(
            _l(
                "Den lodrette linje er gennemsnittet for alle borgere; n = %(n)s borgere.",
                n=result.n_total,
            ),
        ),
    )
