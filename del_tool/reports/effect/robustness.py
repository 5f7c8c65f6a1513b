"""Robustness of reliable change: the categories of every scale under every method.

A reader told that a share improved reliably should see at once whether that share depends on
the method. For each scale the since-admission pairs of the reliable-change table are classified
by every reliable change index (JT, GLN, EN, HLL, NK, HA; ``del_tool.stats.reliable_change``)
with the scale's fixed reference SD and reliability and its clinical cut-off; NK takes the same
reliability before and after (one instrument). The anchor-based approach is added where the
definition gives a minimal important change (``mic``), and the HLM method for the scales with a
trajectory (all measurements of stays with at least three). Percentage change is not shown: DEL's
scales have no published percentage threshold, and the functioning profile's 0 (no difficulty)
has no relative change.

Rows follow the reliable-change table's rule for small numbers: below k classified stays the
shares are blank with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from del_tool.reports.common.labels import Text, fmt
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import Column, Table
from del_tool.reports.effect.analysis import ScaleEffect
from del_tool.stats import anchor_change, reliable_change, reliable_change_hlm
from del_tool.stats.jacobson_truax import CATEGORIES, ReliableChange
from del_tool.stats.reliable_change_methods import METHODS

#: Display names of the methods (proper names; the wording around them is translated).
METHOD_NAMES = {
    "JT": "Jacobson-Truax (JT)",
    "GLN": "Gulliksen-Lord-Novick (GLN)",
    "EN": "Edwards-Nunnally (EN)",
    "HLL": "Hsu-Linn-Lord (HLL)",
    "NK": "Nunnally-Kotsch (NK)",
    "HA": "Hageman-Arrindell (HA)",
}

ROBUSTNESS_COLUMNS = (
    Column("scale", _l("Skala")),
    Column("method", _l("Metode")),
    Column("n", _l("Forløb (n)"), "int"),
    Column("recovered", _l("Restitueret"), "pct", 1),
    Column("improved", _l("Forbedret"), "pct", 1),
    Column("unchanged", _l("Uændret"), "pct", 1),
    Column("deteriorated", _l("Forværret"), "pct", 1),
    Column("harmed", _l("Skadet"), "pct", 1),
    Column("note", _l("Bemærkning")),
)


@dataclass(frozen=True, slots=True)
class MethodResult:
    """One method's counts for one scale (None when it could not classify), and a note."""

    method: Any
    counts: dict[str, int | None] | None
    note: Any = None


def index_results(effect: ScaleEffect) -> dict[str, ReliableChange]:
    """Each reliable change index's classification of the scale's pairs, by method code, with
    the scale's fixed reference SD, reliability and cut-off; {} without a basis."""
    rel = effect.reliable
    if rel is None or rel.s_diff is None or effect.reliability.value is None:
        return {}
    r = effect.reliability.value
    sd = effect.reference.sd if effect.reference is not None else None
    return {
        method: reliable_change(
            effect.pairs["pre"],
            effect.pairs["post"],
            reliability=r,
            reliability_post=r if method == "NK" else None,
            higher_is_better=effect.info.higher_is_better,
            sd_pre=sd,
            cutoff=rel.cutoff,
            method=method,
        )
        for method in METHODS
    }


def method_results(effect: ScaleEffect) -> list[MethodResult]:
    """Every method's result for the scale, or [] when reliable change has no basis."""
    indices = index_results(effect)
    if not indices:
        return []
    pre, post = effect.pairs["pre"], effect.pairs["post"]
    cutoff = effect.reliable.cutoff if effect.reliable is not None else None
    out = [
        MethodResult(METHOD_NAMES[method], _usable(res.counts, res.s_diff), _note(res))
        for method, res in indices.items()
    ]
    mic = effect.info.scale.mic
    if mic is not None:
        anchor = anchor_change(
            pre, post, mid=mic.value, higher_is_better=effect.info.higher_is_better, cutoff=cutoff
        )
        label = _l("Mindste vigtige ændring (%(v)s point)", v=fmt(mic.value, 1))
        out.append(MethodResult(label, anchor.counts, Text(lambda: mic.source)))
    out.extend(_hlm(effect, cutoff))
    return out


def _usable(counts: dict[str, int | None], s_diff: float | None) -> dict[str, int | None] | None:
    return counts if s_diff is not None else None


def _note(res: Any) -> Any:
    """HA's group-level shares, or why a method classified nobody."""
    if res.s_diff is None:
        return _l("Kan ikke beregnes: %(why)s", why=res.reason or "")
    group = res.group_level
    if group is None or group.share_changed is None:
        return None
    if group.share_functional is None:
        return _l("Gruppeniveau: %(c)s ændret i forbedrende retning", c=_pct(group.share_changed))
    return _l(
        "Gruppeniveau: %(c)s ændret i forbedrende retning, %(f)s i det raske område",
        c=_pct(group.share_changed),
        f=_pct(group.share_functional),
    )


def _pct(share: float) -> Text:
    return Text(lambda: f"{fmt(100 * share, 1)} %")


def _hlm(effect: ScaleEffect, cutoff: float | None) -> list[MethodResult]:
    """The HLM row for scales with trajectory data."""
    data = effect.trajectory_data
    if data is None or data.empty:
        return []
    res = reliable_change_hlm(
        data,
        time="years",
        score="score",
        group="stay",
        higher_is_better=effect.info.higher_is_better,
        cutoff=cutoff,
    )
    label = _l("HLM, alle målinger (mindst 3 pr. forløb)")
    if res.fixed_slope is None:
        return [MethodResult(label, None, _l("Kan ikke beregnes: %(why)s", why=res.reason or ""))]
    return [MethodResult(label, res.counts)]


def robustness_row(effect: ScaleEffect, result: MethodResult, min_pairs: int) -> list[Any]:
    """One row: the shares of the five categories, blank below ``min_pairs``."""
    counts = result.counts
    n = int(counts["n"] or 0) if counts is not None else 0
    if counts is None or n < min_pairs:
        reason = result.note if counts is None else _too_few(n, min_pairs)
        return [effect.info.title, result.method, n, *([None] * 5), reason]
    shares = [None if counts[c] is None else (counts[c] or 0) / n for c in CATEGORIES]
    return [effect.info.title, result.method, n, *shares, result.note]


def _too_few(n: int, k: int) -> Any:
    return _l("For få forløb (n = %(n)s; mindst %(k)s).", n=n, k=k)


def robustness_table(effects: list[ScaleEffect], min_pairs: int) -> Table:
    """Every scale under every method (see the module docstring)."""
    rows = [
        robustness_row(effect, result, min_pairs)
        for effect in effects
        for result in method_results(effect)
    ]
    note = _l(
        "Andele af de klassificerede forløb siden indskrivning. Metoderne bruger samme "
        "reference-SD, reliabilitet og kliniske grænse som tabellen ovenfor; "
        "Hageman-Arrindell bruger kritisk værdi 1,65 (ensidet), de øvrige 1,96. Mindste vigtige "
        "ændring er definitionens ankerbaserede grænse; HLM bruger hvert forløbs hældning over "
        "alle målinger. Restitueret og skadet kræver en klinisk grænse (tom uden)."
    )
    return Table(
        "effect_robustness",
        _l("Pålidelig ændring efter metode"),
        ROBUSTNESS_COLUMNS,
        rows,
        note=note,
    )
