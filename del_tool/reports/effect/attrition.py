"""Who is missing from the effect figures (#22 item 8): the attrition table of the effect report.

For each scale, the stays of the report with a baseline measurement on it are split into those
measured again in the period (they make the change and reliable-change figures) and those that
were not. The table gives the counts, both groups' mean baseline, Hedges's g_s of the missing
minus the measured with its CI, Welch's and Mann-Whitney's p, and the worst/best-case bounds on
the share reliably improved (``del_tool.stats.attrition``). Means, tests and bounds are blank
when the missing or the measured are fewer than the report's k, as every other figure (the
bounds, which rest on counts only, need k measured).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from del_tool.reports.common.frames import SCALE_KEY
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import Column, Table
from del_tool.reports.effect.analysis import ScaleEffect, improved_count
from del_tool.stats.attrition import Attrition, attrition

ATTRITION_COLUMNS = (
    Column("scale", _l("Skala")),
    Column("baseline", _l("Med baseline (n)"), "int"),
    Column("again", _l("Målt igen (n)"), "int"),
    Column("missing", _l("Mangler (n)"), "int"),
    Column("mean_again", _l("Baseline, målt igen"), "float", 2),
    Column("mean_missing", _l("Baseline, mangler"), "float", 2),
    Column("g", _l("Hedges' g (mangler − målt igen)"), "signed", 2),
    Column("g_low", _l("95 % KI, nedre"), "signed", 2),
    Column("g_high", _l("95 % KI, øvre"), "signed", 2),
    Column("p_welch", _l("p (Welch)"), "float", 3),
    Column("p_mw", _l("p (Mann-Whitney)"), "float", 3),
    Column("share", _l("Pålideligt forbedret"), "pct", 1),
    Column("lower", _l("Hvis de manglende ikke blev bedre"), "pct", 1),
    Column("upper", _l("Hvis de manglende alle blev bedre"), "pct", 1),
    Column("note", _l("Bemærkning")),
)


def scale_attrition(effect: ScaleEffect, baselines: pd.DataFrame) -> Attrition:
    """The attrition of one scale: its baseline rows against the stays in its pairs."""
    measured = baselines["stay"].isin(effect.pairs["stay"])
    counted = improved_count(effect)
    improved, classified = counted if counted is not None else (None, None)
    return attrition(
        baselines["value"], measured.to_numpy(), improved=improved, classified=classified
    )


def attrition_row(effect: ScaleEffect, result: Attrition, k: int) -> list[Any]:
    """One row; the groups' means, the tests and the bounds blank below k."""
    counts = [result.n_baseline, result.n_completers, result.n_missing]
    blank = [None] * 10
    if result.n_missing == 0:
        return [effect.info.title, *counts, *blank, _l("Ingen mangler.")]
    bounds = [result.share, result.lower_bound, result.upper_bound]
    if result.n_completers < k:
        why = _l("For få målt igen (mindst %(k)s).", k=k)
        return [effect.info.title, *counts, *blank, why]
    if result.n_missing < k:
        # The bounds rest on counts only; the missing's mean and tests need k of them.
        why = _l("For få manglende til at sammenligne baseline (mindst %(k)s).", k=k)
        return [effect.info.title, *counts, *([None] * 7), *bounds, why]
    g = result.effect
    g_ci = g.g_s_ci if g is not None and g.g_s_ci is not None else (None, None)
    return [
        effect.info.title,
        *counts,
        result.mean_completers,
        result.mean_missing,
        g.g_s if g is not None else None,
        *g_ci,
        result.welch_p,
        result.mann_whitney_p,
        *bounds,
        None if result.share is not None else _l("Ingen pålidelig ændring for skalaen."),
    ]


def attrition_table(effects: list[ScaleEffect], scores: pd.DataFrame, k: int) -> Table:
    """Who is missing from each scale's change figures, beside the reliable-change table."""
    first = scores[scores["baseline"]].sort_values("date", kind="stable")
    first = first.drop_duplicates(SCALE_KEY, keep="first")
    by_scale = dict(tuple(first.groupby(["questionnaire", "scale"])))
    empty = first.iloc[0:0]
    rows = [
        attrition_row(
            effect,
            scale_attrition(
                effect, by_scale.get((effect.info.definition.id, effect.info.scale.id), empty)
            ),
            k,
        )
        for effect in effects
    ]
    note = _l(
        "Forløb med en baseline-måling på skalaen, delt i dem, der er målt igen i perioden (de "
        "indgår i ændringen og den pålidelige ændring), og dem, der ikke er (også forløb "
        "indskrevet for nylig). Hedges' g sammenligner de to gruppers baseline (positiv: de "
        "manglende havde et højere tal ved indskrivning), med Welchs t-test og Mann-Whitneys "
        "test. De to sidste andele er grænser for andelen pålideligt forbedret blandt alle: "
        "hvis ingen af de manglende var blevet bedre, og hvis alle var (Manski). Et smalt "
        "spænd betyder, at de målte ikke kan få resultatet til at se meget bedre ud."
    )
    return Table("effect_attrition", _l("Hvem mangler i tallene"), ATTRITION_COLUMNS, rows, note)
