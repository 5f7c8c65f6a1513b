"""The union audit of a council's summaries (issue #14): nothing published for a municipality,
taken together, gives away a count under k or one citizen's value.

Each number a council sees is described as an `AuditCell` with its members, the tokens of the
citizens, stays, goals or follow-ups behind it (keyed hashes, so a stored publication names no
record). Before a summary is published, its cells and those of every summary already published
for the municipality are audited together by `del_tool.stats.union_audit`; a cell of the new
summary that lets the union give something away is withheld (shown "x"), cheapest first, until
the audit finds nothing. The cells are stored with the publication for the next audit.

Counts are audited per kind of member, so that the citizens of a half-year, of its quarters and
of its goal rows are all one family; shares and mean changes per measure and reference day (a
stay's change up to 30 June is the same number in the second quarter and in the half-year).
Days and costs are not audited: they are the municipality's own invoices (`report.py`). Nor
are the organisation tables of `organisation.py` (places, occupancy, tariffs and revenue of whole
units, every paying municipality together): they hold no count of the municipality's citizens and
no statistic of their values. `UNAUDITED_TABLES` lists every table left out and why; a test holds
each table of a summary to be either shown by an audited cell or listed there. The demand
section's referral counts are audited too (`demand.demand_specs`, added at publication), with the
waiting times that repeat them; its days, forecast and use of places are the municipality's own
invoices. The confidence limits beside a mean carry the mean's precision and are withheld with it.

A change's members are the raw changes (post - pre), as in every publication stored so far;
the summary shows improvement (positive is better), so a cell on a lower-is-better scale reads
its shown mean with `sign` -1, and the interval the audit gets is always of the members' sum.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pandas as pd
from flask import current_app

from del_tool.metrics import record_disclosure
from del_tool.reports.common.model import Hidden, Report
from del_tool.reports.council.disclosure import TOTAL, CellTables, row_order
from del_tool.reports.council.figures import CHANGE_DECIMALS, SHARE_DECIMALS
from del_tool.reports.council.outcomes import Outcomes
from del_tool.reports.council.results import PURPOSE_TABLE, purpose_reviews, share_rows
from del_tool.reports.effect.analysis import ScaleEffect
from del_tool.stats.goals import goal_met
from del_tool.stats.union_audit import AuditCell, Finding, audit, count_interval, sum_interval

#: Council tables whose cells the audit does not cover, and why (none is a count of the
#: municipality's citizens or a statistic of their values). Trend tables ("council_trend_*")
#: repeat cells of frozen publications, audited when those were published.
UNAUDITED_TABLES: dict[str, str] = {
    "council_days": "the municipality's own stay days: its invoices, shown in full",
    "council_cost": "the municipality's own costs: its invoices, shown in full",
    "council_settlements": "the municipality's own year-end settlements: its invoices",
    "council_occupancy": "places and occupancy of whole units, every payer together",
    "council_tariff_growth": "the units' tariffs beside the price and wage index",
    "council_years": "whole units' and centres' revenue, cost per citizen-year and occupancy",
    "council_days_forecast": "the municipality's own days per quarter (its invoices) and the "
    "forecast made from them",
    "council_days_backtest": "the forecast's back-test on the municipality's own days",
    "council_demand_capacity": "the places of the units the municipality uses, together, beside "
    "its own days in them",
    "glossary": "words, no numbers",
    "council_actions": "leaders' actions shared with the council: text (what, offer, due date, "
    "status), no count or statistic of citizens",
}


def unaudited(table_key: str) -> bool:
    """Whether a council table is, by design, outside the audit (`UNAUDITED_TABLES`)."""
    return table_key in UNAUDITED_TABLES or table_key.startswith("council_trend_")


#: A place in the report that shows a cell: ("figure", key, "value" | "benchmark") or
#: ("table", table key, row index, column key).
Spot = tuple[Any, ...]
#: Share of a member value's range a reader must remain unsure of (a mean of a group under
#: `min_n`, or one member's value): COUNCIL_AUDIT_PROTECTION.
DEFAULT_PROTECTION = 0.5


class PublicationRefusedError(RuntimeError):
    """The summary cannot be published without giving something away, whatever is withheld."""

    def __init__(self, findings: Sequence[Finding]) -> None:
        super().__init__("; ".join(f.describe() for f in findings))
        self.findings = list(findings)


@dataclass(frozen=True, slots=True)
class CellSpec:
    """A cell of the summary: its members and the spots that show it (the first is read)."""

    key: str
    family: str
    members: dict[str, float]
    spots: tuple[Spot, ...]
    count: bool = True
    value_range: tuple[float, float] = (1.0, 1.0)
    decimals: int = 0
    scope: str = ""
    sign: float = 1.0  # shown value times sign = the members' mean (improvement vs raw change)


def audited(
    report: Report,
    specs: Sequence[CellSpec],
    period: tuple[str, str],
    earlier: Iterable[AuditCell],
    *,
    k: int,
    min_n: int,
    protection: float,
) -> tuple[list[AuditCell], list[str]]:
    """Withhold cells of `report` (in place) until the union with `earlier` is safe.

    Returns the report's cells as published and the keys withheld; PublicationRefusedError when even
    withholding every cell concerned leaves a disclosure (the earlier publications alone).
    """
    earlier = list(earlier)
    withheld: list[str] = []
    while True:
        cells = [read_cell(report, spec, k, period) for spec in specs]
        ours = {cell.key for cell in cells}
        findings = [
            finding
            for finding in audit([*earlier, *cells], k=k, min_n=min_n, protection=protection)
            if ours & set(finding.cells)  # earlier publications were audited when published
        ]
        if not findings:
            record_disclosure(withheld=len(withheld))
            return cells, withheld
        spec = _to_withhold(findings[0], specs, cells)
        if spec is None:
            record_disclosure(withheld=len(withheld), refused=True)
            raise PublicationRefusedError(findings)
        withhold(report, spec)
        withheld.append(spec.key)


def _to_withhold(
    finding: Finding, specs: Sequence[CellSpec], cells: Sequence[AuditCell]
) -> CellSpec | None:
    """The shown cell of this summary behind the finding (the smaller, if both are)."""
    involved = [
        (spec, cell)
        for spec, cell in zip(specs, cells, strict=True)
        if cell.key in finding.cells and _shown(cell)
    ]
    if not involved:
        return None
    return min(involved, key=lambda pair: (len(pair[1].members), pair[1].key))[0]


def _shown(cell: AuditCell) -> bool:
    if cell.known is None:
        return False
    return not cell.count or cell.known[0] == cell.known[1]


def read_cell(
    report: Report, spec: CellSpec, k: int, period: tuple[str, str] = ("", "")
) -> AuditCell:
    """The cell as the reader sees it in `report`."""
    value = _value(report, spec.spots[0])
    if spec.count:
        shown = None if isinstance(value, Hidden) or value is None else int(value)
        known = count_interval(shown, len(spec.members), k)
    else:
        mean = None if isinstance(value, Hidden) or value is None else spec.sign * float(value)
        known = sum_interval(mean, len(spec.members), spec.decimals)
    return AuditCell(
        spec.key,
        spec.family,
        spec.members,
        known,
        spec.count,
        spec.value_range,
        period,
        spec.scope,
    )


def withhold(report: Report, spec: CellSpec) -> None:
    """Show every spot of `spec` as "x" (a key figure loses its note, which names n and CI)."""
    for spot in spec.spots:
        if spot[0] == "figure":
            _, key, part = spot
            for section in report.sections:
                for i, figure in enumerate(section.figures):
                    if figure.key == key:
                        change = (
                            {"benchmark": Hidden("x")}
                            if part == "benchmark"
                            else {
                                "value": Hidden("x"),
                                "note": None,
                            }
                        )
                        section.figures[i] = replace(figure, **change)
        else:
            _, table_key, row, column = spot
            table = report.table(table_key)
            index = [c.key for c in table.columns].index(column)
            table.rows[row][index] = Hidden("x")  # type: ignore[index]


def _value(report: Report, spot: Spot) -> Any:
    if spot[0] == "figure":
        _, key, part = spot
        for section in report.sections:
            for figure in section.figures:
                if figure.key == key:
                    return figure.benchmark if part == "benchmark" else figure.value
        raise KeyError(key)
    _, table_key, row, column = spot
    table = report.table(table_key)
    return table.rows[row][[c.key for c in table.columns].index(column)]


# -- The cells of a council summary ------------------------------------------------------------


def cell_specs(
    period_key: str,
    reference: date,
    ours: Outcomes,
    region: Outcomes,
    cells: CellTables,
    unit_names: dict[Any, Any],
    municipality_code: str,
) -> list[CellSpec]:
    """Every audited cell of one summary (the municipality's and the region's columns)."""
    day = reference.isoformat()
    mine = f"region/{municipality_code}"
    specs = _placement_specs(period_key, cells, unit_names, mine)
    # The share table has the municipality's rows; the region's values sit in the same rows.
    table_rows = {key: row for row, (key, *_rest) in enumerate(share_rows(ours))}
    for who, o, n_col, share_col in (
        ("ours", ours, "n", "share"),
        ("region", region, "region_n", "region_share"),
    ):
        scope = mine if who == "ours" else "region"
        specs.append(
            CellSpec(
                f"{period_key}/{who}/citizens",
                "count:citizen",
                _ones("c", o.coverage.stays["citizen"]),
                (("figure", "citizens", "value" if who == "ours" else "benchmark"),),
                scope=scope,
            )
        )
        for key, *_rest in share_rows(o):
            if key not in table_rows:
                continue
            row = table_rows[key]
            kind, members, values = _share_members(o, key)
            specs.append(
                CellSpec(
                    f"{period_key}/{who}/{key}/n",
                    f"count:{kind}",
                    _ones(kind[0], members),
                    (("table", "council_shares", row, n_col),),
                    scope=scope,
                )
            )
            twin = _SHARE_FIGURES.get(key)
            spots: tuple[Spot, ...] = (("table", "council_shares", row, share_col),)
            if twin is not None:
                spots += (("figure", twin, "value" if who == "ours" else "benchmark"),)
            specs.append(
                CellSpec(
                    f"{period_key}/{who}/{key}",
                    _share_family(key, day),
                    values,
                    spots,
                    count=False,
                    value_range=(0.0, 1.0),
                    decimals=SHARE_DECIMALS,
                    scope=scope,
                )
            )
        specs.extend(_purpose_specs(period_key, who, o, day, scope))
        if who == "ours":
            specs.extend(_method_range_specs(period_key, o, day, scope))
        for row, (scale, figure) in enumerate(
            (("functioning", "functioning_improvement"), ("wellbeing", "wellbeing_improvement"))
        ):
            specs.extend(
                _change_specs(
                    f"{period_key}/{who}/{scale}",
                    getattr(o, scale),
                    day,
                    row,
                    who,
                    figure,
                    scope,
                )
            )
    return specs


def _purpose_specs(period_key: str, who: str, o: Outcomes, day: str, scope: str) -> list[CellSpec]:
    """The action-plan table (`results.purpose_table`): the count of linked goals (members:
    the goals) and the share met among those assessed, in the goal shares' family (a subset of
    the same goals' values, so the audit sees any difference between the two)."""
    n_col, share_col = ("goals", "share") if who == "ours" else ("region_goals", "region_share")
    reviews, assessable, met = purpose_reviews(o)
    return [
        CellSpec(
            f"{period_key}/{who}/purpose_goals/n",
            "count:goal",
            _ones("g", o.purpose_goals["goal"]),
            (("table", PURPOSE_TABLE, 0, n_col),),
            scope=scope,
        ),
        CellSpec(
            f"{period_key}/{who}/purpose_goals",
            _share_family("goals", day),
            _values("g", reviews["goal"][assessable], met[assessable]),
            (("table", PURPOSE_TABLE, 0, share_col),),
            count=False,
            value_range=(0.0, 1.0),
            decimals=SHARE_DECIMALS,
            scope=scope,
        ),
    ]


def _method_range_specs(period_key: str, o: Outcomes, day: str, scope: str) -> list[CellSpec]:
    """The lowest and highest share improved over the methods (`council.methods`): each a
    share of the same stays under its method's rule, a family of its own."""
    from del_tool.reports.common.context import statistic_min_n
    from del_tool.reports.council.methods import TABLE_KEY, configured_margin, method_range

    found = method_range(o, statistic_min_n(), configured_margin())
    if found is None:
        return []
    return [
        CellSpec(
            f"{period_key}/ours/improved_{method}",
            f"share:improved_{method}@{day}",
            _values("s", found.stays, values),
            (("table", TABLE_KEY, 0, column),),
            count=False,
            value_range=(0.0, 1.0),
            decimals=SHARE_DECIMALS,
            scope=scope,
        )
        for column, method, values in (
            ("low", found.low_method, found.low_values),
            ("high", found.high_method, found.high_values),
        )
    ]


#: Rows of the share table that a key figure repeats.
_SHARE_FIGURES = {"current": "documentation", "goals": "goals_met"}


def _placement_specs(
    period_key: str, cells: CellTables, unit_names: dict[Any, Any], scope: str
) -> list[CellSpec]:
    """The citizens table: members are (citizen, unit, section) placements, so that a row
    total is the sum of its cells as published."""
    counts = cells.citizens.values
    rows = row_order(counts, unit_names)
    placements = cells.placements
    specs = []
    for row, unit in enumerate(rows):
        for column in counts.columns:
            chosen = placements
            if unit != TOTAL:
                chosen = chosen[chosen["unit_id"] == unit]
            if column != TOTAL:
                chosen = chosen[chosen["section"] == column]
            tokens = (
                chosen["citizen"].astype(str)
                + ":"
                + chosen["unit_id"].astype(str)
                + ":"
                + chosen["section"].astype(str)
            )
            specs.append(
                CellSpec(
                    f"{period_key}/placements/{unit}/{column}",
                    "count:placement",
                    _ones("p", tokens),
                    (("table", "council_citizens", row, str(column)),),
                    scope=scope,
                )
            )
    return specs


def _share_members(o: Outcomes, key: str) -> tuple[str, pd.Series, dict[str, float]]:
    """(kind of member counted in the n column, those members, member -> 0/1 value)."""
    stays = o.coverage.stays
    if key == "baseline":
        return "citizen", stays["citizen"], _values("s", stays["stay"], stays["has_baseline"])
    if key == "current":
        active = o.in_progress
        return "stay", active["stay"], _values("s", active["stay"], ~active["overdue"])
    if key == "on_time":
        timed = o.coverage.follow_ups
        citizens = timed["stay"].map(stays.set_index("stay")["citizen"])
        tokens = timed["stay"].astype(str) + ":" + timed["date"].astype(str)
        tokens = tokens + ":" + timed.groupby(tokens.values).cumcount().astype(str)
        return "citizen", citizens, _values("f", tokens, timed["on_time"])
    if key.startswith("goals"):
        reviews = o.goal_reviews
        if key != "goals":
            reviews = reviews[reviews["direction"] == key.removeprefix("goals_")]
        assessable, met = goal_met(reviews["level"], reviews["target"])
        kept = reviews[assessable]
        return "citizen", reviews["citizen"], _values("g", kept["goal"], met[assessable])
    if key == "improved":
        effect = o.functioning
        if effect is None or "category" not in effect.pairs:
            raise KeyError(key)  # share_rows has no such row then
        pairs = effect.pairs.dropna(subset=["category"])
        better = pairs["category"].isin(["improved", "recovered"])
        return "stay", pairs["stay"], _values("s", pairs["stay"], better)
    raise KeyError(key)


def _share_family(key: str, day: str) -> str:
    if key == "on_time":
        return "share:on_time"  # a follow-up's timeliness does not change with the period
    if key.startswith("goals"):
        return f"share:goals@{day}"
    return f"share:{key}@{day}"


def _change_specs(
    key: str,
    effect: ScaleEffect | None,
    day: str,
    row: int,
    who: str,
    figure: str,
    scope: str,
) -> list[CellSpec]:
    """n and mean change since admission of one scale (its CI columns withheld with it); the
    members are raw changes, the shown improvement is read back with the scale's sign."""
    pairs = (
        effect.pairs if effect is not None else pd.DataFrame({"stay": [], "pre": [], "post": []})
    )
    scale = effect.info.scale if effect is not None else None
    low = float(scale.score_min) if scale is not None else 0.0
    high = float(scale.score_max) if scale is not None else 0.0
    name = effect.info.key if effect is not None else key
    n_col, diff_col = ("n", "diff") if who == "ours" else ("region_n", "region_diff")
    spots: tuple[Spot, ...] = (("table", "council_change", row, diff_col),)
    if who == "ours":
        spots += (
            ("table", "council_change", row, "ci_low"),
            ("table", "council_change", row, "ci_high"),
        )
    spots += (("figure", figure, "value" if who == "ours" else "benchmark"),)
    return [
        CellSpec(
            f"{key}/n",
            "count:stay",
            _ones("s", pairs["stay"]),
            (("table", "council_change", row, n_col),),
            scope=scope,
        ),
        CellSpec(
            key,
            f"change:{name}@{day}",
            _values("s", pairs["stay"], pairs["post"] - pairs["pre"]),
            spots,
            count=False,
            value_range=(low - high, high - low),
            decimals=CHANGE_DECIMALS,
            scope=scope,
            sign=1.0 if effect is None or effect.info.higher_is_better else -1.0,
        ),
    ]


def _ones(prefix: str, ids: Iterable[Any]) -> dict[str, float]:
    return dict.fromkeys((token(prefix, i) for i in ids), 1.0)


def _values(prefix: str, ids: Iterable[Any], values: Iterable[Any]) -> dict[str, float]:
    return {token(prefix, i): float(v) for i, v in zip(ids, values, strict=True)}


def token(prefix: str, identifier: Any) -> str:
    """A keyed, shortened hash of a record's id: stable across publications, names nothing."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, f"{prefix}:{identifier}".encode(), hashlib.sha256).hexdigest()
    return f"{prefix}{digest[:12]}"


# -- Stored with a publication ------------------------------------------------------------------


def encode_cells(cells: Iterable[AuditCell]) -> list[dict[str, Any]]:
    """JSON for `council_publications.content["audit"]` (infinite bounds as null)."""
    return [
        {
            "key": c.key,
            "family": c.family,
            "members": dict(c.members),
            "known": None if c.known is None else [_finite(v) for v in c.known],
            "count": c.count,
            "range": list(c.value_range),
            "period": list(c.period),
            "scope": c.scope,
        }
        for c in cells
    ]


def decode_cells(stored: Iterable[dict[str, Any]]) -> list[AuditCell]:
    """The cells of a stored publication."""
    return [
        AuditCell(
            c["key"],
            c["family"],
            c["members"],
            None
            if c["known"] is None
            else (
                -math.inf if c["known"][0] is None else c["known"][0],
                math.inf if c["known"][1] is None else c["known"][1],
            ),
            c["count"],
            (c["range"][0], c["range"][1]),
            (c["period"][0], c["period"][1]),
            c["scope"],
        )
        for c in stored
    ]


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None
