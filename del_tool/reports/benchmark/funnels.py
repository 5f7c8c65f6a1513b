"""Units side by side (DEL question 3): funnel plots of change and goal attainment per unit.

Every comparison counts citizens, not rows: one pair per citizen and unit (the latest stay's,
should a citizen have had two stays in one unit in the window), and goal attainment as each
citizen's share of their goals met, averaged over the unit's citizens (goals of one citizen hang
together, so counting goals as independent cases would make the funnel far too narrow).

Shares (reliably improved) use exact binomial limits: DEL's units have from a handful to a few
dozen citizens, where the normal approximation's limits are too narrow and flag too many units
(Spiegelhalter 2005, appendix). No overdispersion adjustment is applied: with some twenty small
units the overdispersion factor is poorly estimated; it is reported beside the chart instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from del_tool.reports.common.direction import IMPROVEMENT_RULE, improvement
from del_tool.reports.common.labels import fmt
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import ChartSpec, Column, Table
from del_tool.reports.effect.analysis import ScaleEffect
from del_tool.stats import (
    FunnelLimits,
    FunnelResult,
    exact_proportion_limits,
    funnel_means,
    funnel_proportions,
    paired_change,
)
from del_tool.stats.goals import goal_met

GRID_POINTS = 60
IMPROVED = ("improved", "recovered")


def flag_text(flag: str, higher_is_better: bool) -> Any:
    """A unit's place in its funnel in words, direction-aware ("bedre" is better)."""
    if flag in ("above", "below"):
        better = (flag == "above") == higher_is_better
        return _l("bedre end gennemsnittet") if better else _l("dårligere end gennemsnittet")
    return _l("inden for") if flag == "within" else _l("ingen data")


def citizen_pairs(effect: ScaleEffect | None, stays: pd.DataFrame) -> pd.DataFrame:
    """The scale's since-admission pairs with unit and citizen, one per citizen and unit."""
    columns = ["stay", "pre", "post", "category", "unit", "citizen"]
    if effect is None or effect.pairs.empty:
        return pd.DataFrame(columns=columns)
    info = stays.set_index("stay")
    pairs = effect.pairs.assign(
        unit=effect.pairs["stay"].map(info["unit"]),
        citizen=effect.pairs["stay"].map(info["citizen"]),
        start=effect.pairs["stay"].map(info["start"]),
    )
    if "category" not in pairs:
        pairs["category"] = ""
    ordered = pairs.sort_values(["start", "stay"], kind="stable")
    latest = ordered.drop_duplicates(["unit", "citizen"], keep="last")
    return latest[columns].reset_index(drop=True)


def unit_counts(effect: ScaleEffect | None, stays: pd.DataFrame) -> pd.DataFrame:
    """Per unit: citizens with a pair, classified, reliably improved, and the mean change as
    improvement (``mean``, positive = better whatever the scale's direction) with its SD."""
    pairs = citizen_pairs(effect, stays)
    higher = effect is None or effect.info.higher_is_better
    rows = {}
    for unit, group in pairs.groupby("unit"):
        change = paired_change(group["pre"], group["post"])
        classified = group["category"] != ""
        rows[unit] = {
            "pairs": change.n,
            "classified": int(classified.sum()),
            "improved": int(group["category"].isin(IMPROVED).sum()),
            "mean": improvement(change.mean_diff, higher),
            "sd": change.sd_diff,
        }
    frame = pd.DataFrame.from_dict(rows, orient="index")
    return (
        frame if rows else pd.DataFrame(columns=["pairs", "classified", "improved", "mean", "sd"])
    )


def unit_goals(latest: pd.DataFrame, stays: pd.DataFrame) -> pd.DataFrame:
    """Per unit: citizens with assessed goals, goals, goals met, and the citizens' mean share.

    Each citizen's share is met / assessed over their goals in the unit (`stats.goal_met`);
    ``share`` is its mean over the unit's citizens and ``sd`` its SD (for the funnel).
    """
    info = stays.set_index("stay")
    assessable, met = goal_met(latest["level"], latest["target"])
    goals = pd.DataFrame(
        {
            "unit": latest["stay"].map(info["unit"]).to_numpy(),
            "citizen": latest["stay"].map(info["citizen"]).to_numpy(),
            "assessed": assessable.astype(int),
            "met": met.astype(int),
        }
    )
    per_citizen = goals.groupby(["unit", "citizen"])[["assessed", "met"]].sum()
    per_citizen = per_citizen[per_citizen["assessed"] > 0]
    per_citizen["share"] = per_citizen["met"] / per_citizen["assessed"]
    grouped = per_citizen.groupby(level="unit")
    out = grouped.agg(
        citizens=("share", "size"),
        goals=("assessed", "sum"),
        met=("met", "sum"),
        share=("share", "mean"),
        sd=("share", "std"),
    )
    return out.rename_axis(None)


def proportion_funnel(
    key: str,
    title: Any,
    names: pd.Series,
    numerators: pd.Series,
    denominators: pd.Series,
) -> tuple[FunnelResult, ChartSpec]:
    """A funnel plot of a share per unit against the pooled share, with exact binomial limits."""
    keep = denominators > 0
    num, den = numerators[keep].astype(float), denominators[keep].astype(float)
    result = funnel_proportions(num, den, limits="exact")
    grid = np.arange(1.0, max(float(den.max()) * 1.1, 2.0) + 1)
    limits = exact_proportion_limits(result.target, grid) if result.target is not None else None
    phi = funnel_proportions(num, den, overdispersion="multiplicative").phi
    notes = [_funnel_note(result), _l("Eksakte binomiale grænser, fordi tilbuddene er små.")]
    if phi is not None:
        notes.append(
            _l(
                "Overspredning: variansen mellem tilbuddene er %(phi)s gange den, tilfældigheder "
                "alene giver (φ, Spiegelhalter 2005); grænserne er ikke justeret for den.",
                phi=fmt(phi, 1),
            )
        )
    data = _funnel_data(names, num.index, den.to_numpy(), result, grid, limits, True)
    return result, ChartSpec(key, "funnel", title, data, notes=tuple(notes))


def mean_funnel(
    key: str,
    title: Any,
    names: pd.Series,
    values: pd.DataFrame,
    *,
    higher_is_better: bool,
    ylabel: Any,
    percent: bool = False,
) -> tuple[FunnelResult, ChartSpec]:
    """A funnel plot of a mean per unit (columns n, mean, sd) against the pooled mean."""
    usable = values[values["n"] > 0]
    result = funnel_means(usable["mean"], usable["sd"].fillna(0.0), usable["n"])
    grid = np.unique(np.geomspace(1.0, max(float(usable["n"].max()), 2.0) * 1.1, GRID_POINTS))
    limits = None
    if result.target is not None and result.sd is not None:
        # Limits at every n of the grid: the same computation for hypothetical units on target.
        curve = funnel_means(
            np.full(grid.size, result.target),
            np.full(grid.size, result.sd),
            grid,
            target=result.target,
        )
        limits = curve.limits
    data = _funnel_data(
        names, usable.index, usable["n"].to_numpy(dtype=float), result, grid, limits, percent
    )
    data.update(higher_is_better=higher_is_better, ylabel=ylabel)
    return result, ChartSpec(key, "funnel", title, data, notes=(_funnel_note(result),))


def _funnel_data(
    names: pd.Series,
    index: pd.Index,
    n: np.ndarray,
    result: FunnelResult,
    grid: np.ndarray,
    limits: Any,
    percent: bool,
) -> dict[str, Any]:
    """The chart's data; a share's limits cut to 0-100 % (the normal ones can pass either)."""
    if percent and limits is not None:
        limits = FunnelLimits(
            *(
                np.clip(np.asarray(v, dtype=float), 0.0, 1.0)
                for v in (limits.lower95, limits.upper95, limits.lower998, limits.upper998)
            )
        )
    return {
        "names": [
            str(name) if pd.notna(name) else str(i)
            for name, i in zip(names.reindex(index), index, strict=True)
        ],
        "n": n,
        "value": result.value,
        "flag": result.flag,
        "target": result.target,
        "grid": grid,
        "limits": limits,
        "percent": percent,
        "higher_is_better": True,
    }


def _funnel_note(result: FunnelResult) -> Any:
    if result.reason and result.target is None:
        return _l("Ingen sammenligning: for få data.")
    return _l(
        "Kontrolgrænser 95 %% og 99,8 %% om gennemsnittet (Spiegelhalter 2005); %(n)s tilbud; "
        "n = borgere i tilbuddet.",
        n=result.n_units,
    )


UNIT_COLUMNS = (
    Column("unit", _l("Tilbud")),
    Column("pairs", _l("Borgere med to målinger"), "int"),
    Column("mean", _l("Forbedring i funktionsevne"), "signed", 2),
    Column("mean_flag", _l("Ift. gennemsnit (99,8 %)")),
    Column("improved", _l("Pålideligt forbedret"), "pct", 0),
    Column("improved_flag", _l("Ift. gennemsnit (99,8 %)")),
    Column("citizens", _l("Borgere med mål fulgt op"), "int"),
    Column("goals", _l("Mål fulgt op"), "int"),
    Column("met", _l("Mål nået, gns. pr. borger"), "pct", 0),
    Column("met_flag", _l("Ift. gennemsnit (99,8 %)")),
)


def unit_table(
    names: pd.Series,
    counts: pd.DataFrame,
    goals: pd.DataFrame,
    flags: dict[str, pd.Series],
    *,
    key: str = "learning_units",
    entity: Any = None,
    title: Any = None,
) -> Table:
    """Units side by side with each measure's position in its funnel, in words."""
    units = sorted(set(counts.index) | set(goals.index), key=lambda u: str(names.get(u, u)))
    rows = []
    for unit in units:
        c = counts.loc[unit] if unit in counts.index else None
        g = goals.loc[unit] if unit in goals.index else None
        classified = float(c["classified"]) if c is not None else 0.0
        rows.append(
            [
                names.get(unit, str(unit)),
                int(c["pairs"]) if c is not None else 0,
                _num(c["mean"]) if c is not None else None,
                flag_text(flags["mean"].get(unit, ""), True),
                float(c["improved"]) / classified if c is not None and classified else None,
                flag_text(flags["improved"].get(unit, ""), True),
                int(g["citizens"]) if g is not None else 0,
                int(g["goals"]) if g is not None else 0,
                _num(g["share"]) if g is not None else None,
                flag_text(flags["met"].get(unit, ""), True),
            ]
        )
    columns = UNIT_COLUMNS
    if entity is not None:
        columns = (Column("unit", entity), *UNIT_COLUMNS[1:])
    return Table(
        key,
        title if title is not None else _l("Tilbud side om side"),
        columns,
        rows,
        note=_l(
            "Funktionsevne: gennemsnit af temaerne (0-4, hvor 0 er bedst), siden indskrivning; "
            "én måling pr. borger i tilbuddet. Mål nået: hver borgers andel af sine mål, der er "
            "nået, i gennemsnit over tilbuddets borgere. %(rule)s",
            rule=IMPROVEMENT_RULE,
        ),
    )


def _num(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)
