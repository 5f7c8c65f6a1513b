"""Tariff development against the price and wage index (DEL issue #17 item 5): each unit's
tariff per legal section and level on 1 January, year on year, beside the index, with the units
whose tariff rose more than the index marked (`del_tool.stats.tariff_growth`)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
from sqlmodel import Session

from del_tool.reports.common.labels import Text, section_label
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import Column, KeyFigure, Table
from del_tool.reports.economy import queries as economy_queries
from del_tool.stats.tariff_growth import TariffGrowth, tariff_growth

ABOVE = _l("Over indekset")
WITHIN = _l("Inden for indekset")
REASONS = {
    "no price index for the year": _l("Intet indeks for året"),
    "no tariff on 1 January of the year before": _l("Ingen takst året før"),
    "the year before's tariff is 0": _l("Taksten året før var 0 kr."),
}
GROWTH_NOTE = _l(
    "Taksten, der gjaldt 1. januar, mod taksten 1. januar året før; stigning i procent. "
    "Nulvækst: en takst må højst stige med årets pris- og lønfremskrivning. Stigningen "
    "sammenlignes med to decimaler, som indekset er opgivet med."
)


def development(session: Session, tariffs: pd.DataFrame, years: Sequence[int]) -> TariffGrowth:
    """The tariffs' development in `years` beside the price and wage index."""
    return tariff_growth(tariffs, economy_queries.price_index(session), years)


def level_label(level: Any) -> Any:
    """A tariff level as shown: its name, or "Én takst" for the offer's only tariff."""
    return level if level else _l("Én takst")


def verdict(row: pd.Series) -> Any:
    """Above or within the index, or why the year is not compared."""
    if row["reason"]:
        return REASONS.get(row["reason"], row["reason"])
    return ABOVE if bool(row["above"]) else WITHIN


def growth_table(key: str, title: Any, growth: TariffGrowth, names: dict[Any, Any]) -> Table:
    """One row per unit, section, level and year: the tariff, the year before, the growth and
    the index, and whether the tariff rose more than the index."""
    columns = (
        Column("unit", _l("Tilbud")),
        Column("section", _l("Paragraf")),
        Column("level", _l("Takstniveau")),
        Column("year", _l("År")),
        Column("rate", _l("Takst 1. januar (kr. pr. dag)"), "dkk"),
        Column("previous", _l("Året før (kr. pr. dag)"), "dkk"),
        Column("growth", _l("Stigning (%)"), "signed", 2),
        Column("index", _l("Pris- og lønfremskrivning (%)"), "float", 2),
        Column("verdict", _l("Nulvækst")),
    )
    rows = [
        [
            names.get(row["unit"], str(row["unit"])),
            section_label(row["section"]),
            level_label(row["level"]),
            str(int(row["year"])),
            float(row["rate"]),
            _finite(row["previous"]),
            _finite(row["growth"]),
            _finite(row["index"]),
            verdict(row),
        ]
        for _, row in growth.table.iterrows()
    ]
    rows.sort(key=lambda r: (str(r[0]), str(r[1]), str(r[2]), r[3]))
    return Table(key, title, columns, rows, note=GROWTH_NOTE)


def above_units(growth: TariffGrowth) -> list[Any]:
    """The units with at least one tariff that rose more than the index."""
    table = growth.table
    return sorted(set(table.loc[table["above"].astype(bool), "unit"])) if len(table) else []


def above_figure(growth: TariffGrowth, years: Sequence[int]) -> KeyFigure:
    """How many units had a tariff rise more than the price and wage index."""
    first, last = min(years), max(years)
    return KeyFigure(
        "tariffs_above_index",
        _l("Tilbud med takststigning over pris- og lønfremskrivningen"),
        len(above_units(growth)),
        note=_l(
            "%(n)s takster og år over indekset, %(first)s-%(last)s",
            n=growth.n_above,
            first=first,
            last=last,
        ),
    )


def above_message(growth: TariffGrowth, names: dict[Any, Any]) -> Any | None:
    """A sentence naming the units whose tariff rose more than the index, or None."""
    units = above_units(growth)
    if not units:
        return None
    listed = Text(lambda: ", ".join(str(names.get(u, u)) for u in units))
    return _l(
        "Takster steg mere end pris- og lønfremskrivningen i: %(units)s (markeret »Over "
        "indekset« i tabellen over takstudvikling).",
        units=listed,
    )


def _finite(value: Any) -> float | None:
    number = pd.to_numeric(value, errors="coerce")
    return None if pd.isna(number) else float(number)
