"""Tables and charts of the effect analyses (paired change, reliable change, trajectories)."""

from __future__ import annotations

from typing import Any

import numpy as np

from del_tool.reports.common.direction import (
    IMPROVEMENT_RULE,
    improvement,
    improvement_ci,
    improvement_interval,
)
from del_tool.reports.common.labels import Text, fmt
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import ChartSpec, Column, Table
from del_tool.reports.common.scales import reliability_text
from del_tool.reports.effect import model_choice
from del_tool.reports.effect.analysis import ScaleEffect, improved_count
from del_tool.reports.effect.robustness import METHOD_NAMES
from del_tool.stats import PairedChange

CHANGE_COLUMNS = (
    Column("scale", _l("Skala")),
    Column("n", _l("Forløb (n)"), "int"),
    Column("mean_pre", _l("Før, gns."), "float", 2),
    Column("mean_post", _l("Efter, gns."), "float", 2),
    Column("diff", _l("Forbedring"), "signed", 2),
    Column("ci_low", _l("95 % KI, nedre"), "signed", 2),
    Column("ci_high", _l("95 % KI, øvre"), "signed", 2),
    Column("d_z", _l("Effektstørrelse d_z"), "signed", 2),
    Column("d_z_low", _l("d_z 95 % KI, nedre"), "signed", 2),
    Column("d_z_high", _l("d_z 95 % KI, øvre"), "signed", 2),
    Column("g_av", _l("Hedges g_av"), "signed", 2),
    Column("p", _l("p (Wilcoxon)"), "p", 3),
    Column("better", _l("Bedre er")),
    Column("note", _l("Bemærkning")),
)
RELIABLE_COLUMNS = (
    Column("scale", _l("Skala")),
    Column("n", _l("Forløb (n)"), "int"),
    Column("reliability", _l("Reliabilitet"), "float", 2),
    Column("source", _l("Kilde")),
    Column("s_diff", _l("S_diff"), "float", 2),
    Column("cutoff", _l("Klinisk grænse"), "float", 1),
    Column("recovered", _l("Restitueret"), "int"),
    Column("improved", _l("Forbedret"), "int"),
    Column("unchanged", _l("Uændret"), "int"),
    Column("deteriorated", _l("Forværret"), "int"),
    Column("harmed", _l("Skadet"), "int"),
    Column("share_improved", _l("Andel pålideligt forbedret"), "pct", 1),
    Column("note", _l("Bemærkning")),
)
TRAJECTORY_COLUMNS = (
    Column("scale", _l("Skala")),
    Column("groups", _l("Forløb (n)"), "int"),
    Column("rows", _l("Målinger (n)"), "int"),
    Column("intercept", _l("Niveau ved indskrivning"), "float", 2),
    Column("slope", _l("Forbedring pr. år"), "signed", 2),
    Column("slope_low", _l("95 % KI, nedre"), "signed", 2),
    Column("slope_high", _l("95 % KI, øvre"), "signed", 2),
    Column("model", _l("Model")),
    Column("note", _l("Bemærkning")),
)


def better_text(higher_is_better: bool) -> Any:
    """ "higher" or "lower" in the reader's language."""
    return _l("højere") if higher_is_better else _l("lavere")


def change_reason(change: PairedChange, min_pairs: int) -> Any:
    """Why a paired change is not shown, or None when it is."""
    if change.n == 0:
        return _l("Ingen forløb med to målinger.")
    if change.n < min_pairs:
        return _l(
            "For få forløb med to målinger (n = %(n)s; mindst %(k)s).", n=change.n, k=min_pairs
        )
    if change.d_z is None:
        return _l("Ændringerne varierer ikke: KI og effektstørrelse kan ikke beregnes.")
    return None


def change_row(label: Any, change: PairedChange, higher: bool, min_pairs: int) -> list[Any]:
    """One row of a paired-change table; figures blank (with the reason) below `min_pairs`."""
    reason = change_reason(change, min_pairs)
    if change.n < min_pairs:
        return [label, change.n, *([None] * 10), better_text(higher), reason]
    better = improvement_interval(change.ci_low, change.ci_high, higher)
    d_z = improvement_ci(change.d_z_ci, higher)
    return [
        label,
        change.n,
        change.mean_pre,
        change.mean_post,
        improvement(change.mean_diff, higher),
        *better,
        improvement(change.d_z, higher),
        *d_z,
        improvement(change.g_av, higher),
        change.p_wilcoxon,
        better_text(higher),
        reason,
    ]


def change_table(
    key: str, title: Any, effects: list[ScaleEffect], min_pairs: int, *, since_admission: bool
) -> Table:
    """Paired change per scale (since admission, or first vs latest in the period)."""
    rows = [
        change_row(
            e.info.title,
            e.since_admission if since_admission else e.in_period,
            e.info.higher_is_better,
            min_pairs,
        )
        for e in effects
    ]
    method = _l(
        "Parret t-test med t-baseret 95 %% KI; Wilcoxons fortegnsrangtest; d_z med ikke-central "
        "t 95 %% KI; d_z og g_av har forbedringens fortegn; mindst %(k)s forløb pr. tal.",
        k=min_pairs,
    )
    note = Text(lambda: f"{IMPROVEMENT_RULE} {method}")
    return Table(key, title, CHANGE_COLUMNS, rows, note=note)


def reliable_row(effect: ScaleEffect, min_pairs: int) -> list[Any]:
    """One row of the reliable-change table."""
    rel = effect.reliable
    reliability = effect.reliability.value
    source = reliability_text(effect.reliability)
    n = effect.since_admission.n
    if rel is None or rel.s_diff is None or n < min_pairs:
        reason = effect.reliable_reason or change_reason(effect.since_admission, min_pairs)
        return [effect.info.title, n, reliability, source, *([None] * 8), reason]
    counts = rel.counts
    improved = improved_count(effect)
    share = improved[0] / improved[1] if improved and improved[1] else None
    note = None if rel.cutoff is not None else effect.cutoff_source
    return [
        effect.info.title,
        n,
        reliability,
        source,
        rel.s_diff,
        rel.cutoff,
        counts.get("recovered"),
        counts.get("improved"),
        counts.get("unchanged"),
        counts.get("deteriorated"),
        counts.get("harmed"),
        share,
        note,
    ]


def reliable_table(effects: list[ScaleEffect], min_pairs: int, method: str = "JT") -> Table:
    """Reliable-change categories per scale, since admission, by ``method`` (default JT)."""
    rule: Any = _l(
        "Jacobson & Truax (1991): ændringen er pålidelig, når |RC| > 1,96 med "
        "S_diff = SD · √2 · √(1 − r), hvor SD og r er skalaens faste reference, den samme i "
        "alle rapporter. Restitueret = pålideligt forbedret og over den kliniske grænse."
    )
    if method != "JT":
        rule = _l(
            "%(method)s: ændringen er pålidelig, når indekset overstiger %(critical)s; SD og r er "
            "skalaens faste reference, den samme i alle rapporter, og S_diff er indeksets "
            "nævner. Restitueret = pålideligt forbedret og over den kliniske grænse.",
            method=METHOD_NAMES.get(method, method),
            critical=fmt(1.65 if method == "HA" else 1.96, 2),
        )
    references = [_reference_text(e) for e in effects if e.reference is not None]
    note = Text(lambda: " ".join(str(part) for part in (rule, *references)))
    rows = [reliable_row(e, min_pairs) for e in effects]
    return Table(
        "effect_reliable",
        _l("Pålidelig ændring siden indskrivning"),
        RELIABLE_COLUMNS,
        rows,
        note=note,
    )


def _reference_text(effect: ScaleEffect) -> Text:
    reference = effect.reference
    return Text(lambda: f"{effect.info.title}: {reference.describe() if reference else ''}")


def trajectory_row(effect: ScaleEffect) -> list[Any]:
    """One row of the trajectory table."""
    fit = effect.trajectory
    if fit is None or fit.slope is None:
        groups = fit.n_groups if fit else 0
        rows = fit.n_rows if fit else 0
        return [
            effect.info.title,
            groups,
            rows,
            None,
            None,
            None,
            None,
            None,
            effect.trajectory_reason,
        ]
    higher = effect.info.higher_is_better
    low, high = improvement_ci(fit.slope_ci, higher)
    model = model_choice.model_text(fit, effect.trajectory_choice)
    return [
        effect.info.title,
        fit.n_groups,
        fit.n_rows,
        fit.intercept,
        improvement(fit.slope, higher),
        low,
        high,
        model,
        effect.trajectory_reason,
    ]


def trajectory_table(effects: list[ScaleEffect]) -> Table:
    """Mixed-model trajectories of the multi-item scales."""
    rows = [trajectory_row(e) for e in effects if e.info.multi_item]
    model = _l(
        "Lineær mixed model (REML) over alle målinger fra indskrivning til periodens slutning "
        "for forløb målt i perioden; tid i år siden indskrivning; tilfældigt niveau pr. forløb "
        "og tilfældig hældning, når en likelihood ratio-test (grænsetest, 50:50-blanding af "
        "chi²(1) og chi²(2)) viser, at hældningerne varierer (kolonnen Model); Wald 95 % KI. "
        "Niveauet er på skalaens egne tal."
    )
    return Table(
        "effect_trajectory",
        _l("Udvikling over tid (forløbsmodel)"),
        TRAJECTORY_COLUMNS,
        rows,
        note=Text(lambda: f"{IMPROVEMENT_RULE} {model}"),
    )


def forest_chart(effects: list[ScaleEffect], min_pairs: int) -> ChartSpec:
    """Effect sizes d_z with CI per scale, since admission (sign: better is right)."""
    shown = [e for e in effects if change_reason(e.since_admission, min_pairs) is None]
    return ChartSpec(
        "effect_forest",
        "forest",
        _l("Effektstørrelse siden indskrivning (d_z med 95 % KI)"),
        {
            "labels": [e.info.title for e in shown],
            "values": [_oriented(e, e.since_admission.d_z) for e in shown],
            "lows": [_oriented_ci(e)[0] for e in shown],
            "highs": [_oriented_ci(e)[1] for e in shown],
            "ns": [e.since_admission.n for e in shown],
        },
        notes=(
            _l(
                "Til højre er bedre: d_z har forbedringens fortegn, som i tabellen nedenfor "
                "(positiv = bedre)."
            ),
        ),
    )


def _oriented(effect: ScaleEffect, value: float | None) -> float:
    oriented = improvement(value, effect.info.higher_is_better)
    return float("nan") if oriented is None else float(oriented)


def _oriented_ci(effect: ScaleEffect) -> tuple[float, float]:
    ci = effect.since_admission.d_z_ci
    if ci is None:
        return float("nan"), float("nan")
    low, high = improvement_interval(ci[0], ci[1], effect.info.higher_is_better)
    return float(low), float(high)


def trajectory_chart(effect: ScaleEffect) -> ChartSpec:
    """The fitted average trajectory over the measurements it was fitted on."""
    fit = effect.trajectory
    if fit is None or fit.slope is None or effect.trajectory_data is None:
        raise ValueError("trajectory_chart needs a fitted trajectory")
    data = effect.trajectory_data
    scale = effect.info.scale
    return ChartSpec(
        f"effect_trajectory_{effect.info.key}",
        "trajectory",
        _l("Udvikling over tid: %(scale)s", scale=effect.info.title),
        {
            "years": data["years"].to_numpy(dtype=float),
            "score": data["score"].to_numpy(dtype=float),
            "intercept": fit.intercept,
            "slope": fit.slope,
            "slope_ci": fit.slope_ci,
            "range": (scale.score_min, scale.score_max),
            "higher_is_better": effect.info.higher_is_better,
        },
        notes=(
            _l(
                "n = %(g)s forløb, %(r)s målinger; linjen er modellens gennemsnitlige forløb.",
                g=int(data["stay"].nunique()),
                r=len(data),
            ),
        ),
    )


def scatter_chart(effect: ScaleEffect) -> ChartSpec:
    """The Jacobson-Truax plot: before vs after with the band of unreliable change."""
    rel = effect.reliable
    if rel is None:
        raise ValueError("scatter_chart needs a reliable-change result")
    pairs = effect.pairs
    scale = effect.info.scale
    return ChartSpec(
        f"effect_jt_{effect.info.key}",
        "jt_scatter",
        _l("Pålidelig ændring: %(scale)s", scale=effect.info.title),
        {
            "pre": pairs["pre"].to_numpy(dtype=float),
            "post": pairs["post"].to_numpy(dtype=float),
            "category": np.asarray(pairs["category"]),
            "s_diff": rel.s_diff,
            "cutoff": rel.cutoff,
            "higher_is_better": effect.info.higher_is_better,
            "range": (scale.score_min, scale.score_max),
            "counts": rel.counts,
        },
        notes=(
            _l(
                "n = %(n)s forløb. Punkter uden for båndet har ændret sig mere end "
                "målefejlen (|RC| > 1,96).",
                n=rel.n,
            ),
        ),
    )
