"""Units compared on change adjusted for the citizens' level at admission (DESIGN §6).

Raw mean change favours units whose citizens start worse (they have more room to improve, and
regression to the mean works in their favour). The adjusted comparison fits change on baseline
with one mean per unit (`del_tool.stats.adjusted_comparison`, ANCOVA) and compares each unit's
change at the same, average, baseline.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from del_tool.reports.benchmark.funnels import flag_text
from del_tool.reports.common.labels import fmt
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import ChartSpec, Column, Table
from del_tool.stats import AdjustedComparison, adjusted_comparison

COLUMNS = (
    Column("unit", _l("Tilbud")),
    Column("n", _l("Borgere (n)"), "int"),
    Column("raw", _l("Ændring, ujusteret"), "signed", 2),
    Column("adjusted", _l("Ændring, justeret"), "signed", 2),
    Column("adjusted_low", _l("95 % KI, nedre"), "signed", 2),
    Column("adjusted_high", _l("95 % KI, øvre"), "signed", 2),
    Column("difference", _l("Forskel fra gennemsnittet"), "signed", 2),
    Column("difference_low", _l("95 % KI, nedre"), "signed", 2),
    Column("difference_high", _l("95 % KI, øvre"), "signed", 2),
    Column("flag", _l("Ift. gennemsnit (99,8 %)")),
)


def compare_units(pairs: pd.DataFrame) -> AdjustedComparison:
    """Change (post - pre) per unit adjusted for the baseline (pre), one pair per citizen."""
    return adjusted_comparison(pairs["post"] - pairs["pre"], pairs["pre"], pairs["unit"])


def adjusted_table(
    names: pd.Series,
    result: AdjustedComparison,
    *,
    higher_is_better: bool,
    baseline: float,
    key: str = "learning_adjusted",
    entity: Any = None,
) -> Table:
    """The adjusted comparison as a table, one row per unit."""
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
            flag_text(str(result.flag[i]), higher_is_better),
        ]
        for i, unit in enumerate(result.groups)
    ]
    rows.sort(key=lambda row: str(row[0]))
    columns = COLUMNS if entity is None else (Column(COLUMNS[0].key, entity), *COLUMNS[1:])
    return Table(
        key,
        _l("Ændring i funktionsevne justeret for udgangsniveau"),
        columns,
        rows,
        note=adjusted_note(result, baseline),
    )


def adjusted_note(result: AdjustedComparison, baseline: float) -> Any:
    """How the adjustment was made, with the model's slope and the test of unit differences."""
    return _l(
        "Kovariansanalyse (ANCOVA, OLS): ændringen siden indskrivning forklaret af "
        "udgangsniveauet med ét gennemsnit pr. tilbud; justeret ændring = tilbuddets forventede "
        "ændring ved det gennemsnitlige udgangsniveau (%(base)s). Én måling pr. borger; "
        "n = %(n)s borgere i %(units)s tilbud. Hældning for udgangsniveauet: %(slope)s "
        "(ændring pr. point højere udgangsniveau). Forskelle mellem tilbuddene samlet: "
        "F(%(df1)s, %(df2)s) = %(f)s, "
        "p = %(p)s. Markering ved 99,8 %% KI for forskellen fra gennemsnittet.",
        base=fmt(baseline, 2),
        n=result.n_total,
        units=len(result.groups),
        slope=fmt(result.slope, 2),
        df1=result.f_df[0] if result.f_df else "–",
        df2=result.f_df[1] if result.f_df else "–",
        f=fmt(result.f_stat, 2),
        p=p_text(result.p_value),
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
    higher_is_better: bool,
    xlabel: Any,
    key: str = "learning_adjusted_chart",
) -> ChartSpec:
    """Adjusted change per unit with its 95% CI, beside the overall mean."""
    order = np.argsort(result.adjusted)
    if not higher_is_better:
        order = order[::-1]  # best (lowest) at the top
    return ChartSpec(
        key,
        "adjusted",
        _l("Justeret ændring pr. tilbud med 95 % KI"),
        {
            "labels": [names.get(result.groups[i], str(result.groups[i])) for i in order],
            "values": result.adjusted[order],
            "lows": result.ci_low[order],
            "highs": result.ci_high[order],
            "ns": result.n[order],
            "flags": [flag_text(str(result.flag[i]), higher_is_better) for i in order],
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
