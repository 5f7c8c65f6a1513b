"""Places and occupancy of units (DEL issue #17 item 3), with the occupancy the tariffs were
calculated on beside the actual.

Occupancy is about the whole unit, whoever pays for the stays: it is computed from every stay of
the unit, never per municipality or filter, so that a municipality with few citizens in a unit
is not revealed by it (`del_tool.stats.occupancy` has the definitions).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sqlmodel import Session

from del_tool.reports.common.labels import Text
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import ChartSpec, Column, Table
from del_tool.reports.common.period import Period
from del_tool.reports.economy import queries as economy_queries
from del_tool.stats.occupancy import Frequency, occupancy, spans

OCCUPANCY_NOTE = _l(
    "Belægning = belægningsdage / pladsdage. En belægningsdag er en dag i et ophold i "
    "tilbuddet (første og sidste dag tæller, én pr. borger og dag); pladsdage er antallet af "
    "pladser hver dag. Ledige pladser = (pladsdage - belægningsdage) / dage. Hele tilbuddet, "
    "uanset betalingskommune."
)
BASIS_NOTE = _l(
    "Takstgrundlag: den belægning, taksterne i perioden er beregnet ud fra (den laveste, hvis "
    "tilbuddets takster bygger på forskellige). Forskel = faktisk minus grundlag i procentpoint."
)


def unit_occupancy(
    session: Session,
    unit_ids: Collection[int],
    period: Period,
    frequency: Frequency,
    tariffs: pd.DataFrame,
) -> pd.DataFrame:
    """Occupancy per unit and span of the period (whole unit), with the tariffs' basis.

    Indexed by (unit, span); the columns of `del_tool.stats.Occupancy.table` plus basis (share,
    the lowest occupancy basis of the unit's tariffs in force in the span, NaN when none states
    one) and bases (how many different bases those tariffs state).
    """
    units = sorted(unit_ids)
    stays = economy_queries.unit_stays(session, units, period.start, period.end)
    places = economy_queries.places(session, units)
    span_frame = spans(period.start, period.end, frequency)
    table = occupancy(stays, places, span_frame, units=units).table
    return table.join(tariff_basis(tariffs, span_frame))


def in_use(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of units that had places or stays at some time in the frame's spans."""
    used = frame.groupby(level="unit")[["known_days", "occupied_days"]].sum().sum(axis=1) > 0
    return frame[frame.index.get_level_values("unit").isin(used[used].index)]


def tariff_basis(tariffs: pd.DataFrame, span_frame: pd.DataFrame) -> pd.DataFrame:
    """Per (unit, span): the lowest occupancy basis (as a share) of the unit's tariffs in force
    on some day of the span, and how many different bases they state."""
    stated = tariffs[pd.to_numeric(tariffs["occupancy_basis"]).notna()]
    if stated.empty:
        empty = pd.MultiIndex.from_arrays([[], []], names=["unit", "span"])
        return pd.DataFrame({"basis": [], "bases": []}, index=empty)
    crossed = stated.merge(span_frame[["span", "start", "end"]], how="cross")
    valid_to = pd.to_datetime(crossed["valid_to"])
    live = (pd.to_datetime(crossed["valid_from"]) <= crossed["end"]) & (
        valid_to.isna() | (valid_to >= crossed["start"])
    )
    crossed = crossed[live].assign(basis=pd.to_numeric(crossed["occupancy_basis"]) / 100)
    grouped = crossed.groupby(["unit", "span"])["basis"]
    return pd.DataFrame({"basis": grouped.min(), "bases": grouped.nunique()})


def occupancy_columns(first: Sequence[Column]) -> tuple[Column, ...]:
    """The occupancy columns after `first` (unit, and span where the table has one)."""
    return (
        *first,
        Column("places", _l("Pladser (gns.)"), "float", 1),
        Column("place_days", _l("Pladsdage"), "int"),
        Column("occupied_days", _l("Belægningsdage"), "int"),
        Column("occupancy", _l("Belægning"), "pct", 1),
        Column("vacant", _l("Ledige pladser (gns.)"), "float", 1),
        Column("basis", _l("Takstgrundlag"), "pct", 1),
        Column("difference", _l("Forskel (procentpoint)"), "signed", 1),
    )


def occupancy_values(row: pd.Series) -> list[Any]:
    """The occupancy cells of one (unit, span) row (None where not given)."""
    occ, basis = _number(row["occupancy"]), _number(row.get("basis"))
    known = row["reason"] == ""
    return [
        _number(row["places"]),
        int(row["place_days"]) if known else None,
        int(row["occupied_days"]),
        occ,
        _number(row["vacant"]),
        basis,
        None if occ is None or basis is None else 100 * (occ - basis),
    ]


def occupancy_table(
    key: str,
    title: Any,
    frame: pd.DataFrame,
    names: dict[Any, Any],
    *,
    span_label: Any = None,
    labels: dict[str, Any] | None = None,
) -> Table:
    """Occupancy per unit (and per span, when `span_label` names the span column)."""
    first = [Column("unit", _l("Tilbud"))]
    if span_label is not None:
        first.append(Column("span", span_label))
    rows = []
    for (unit, span), row in frame.iterrows():
        head = [names.get(unit, str(unit))]
        if span_label is not None:
            head.append((labels or {}).get(span, span))
        rows.append([*head, *occupancy_values(row)])
    if span_label is None:
        rows.sort(key=lambda r: str(r[0]))
    note = Text(lambda: f"{OCCUPANCY_NOTE} {BASIS_NOTE}")
    return Table(key, title, occupancy_columns(first), rows, note=note)


def occupancy_chart(key: str, frame: pd.DataFrame, names: dict[Any, Any]) -> ChartSpec | None:
    """Bars of each unit's occupancy in the period (units with an occupancy only)."""
    shown = frame[frame["occupancy"].notna()].reset_index()
    if shown.empty:
        return None
    shown = shown.assign(name=shown["unit"].map(lambda u: str(names.get(u, u))))
    shown = shown.sort_values("occupancy", ascending=True)
    return ChartSpec(
        key,
        "hbars",
        _l("Belægning pr. tilbud i perioden (%)"),
        {
            "labels": list(shown["name"]),
            "values": (100 * shown["occupancy"]).to_numpy(),
            "decimals": 1,
        },
        notes=(OCCUPANCY_NOTE,),
    )


def missing_places(frame: pd.DataFrame, names: dict[Any, Any]) -> list[str]:
    """Names of the units whose places are not recorded for every day of some span."""
    missing = frame[frame["reason"] == "places not recorded for every day of the span"]
    units = missing.index.get_level_values("unit").unique()
    return sorted(str(names.get(u, u)) for u in units)


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if np.isfinite(number) else None
