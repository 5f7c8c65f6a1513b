"""Year by year: each centre's and unit's revenue, cost per citizen-year and occupancy (DEL issue
#17 item 5), and cost per citizen-year beside outcomes per unit ("better and cheaper", item 6).

Revenue and occupancy are about the whole unit, whoever pays (`year_context(whole_units=True)`);
the outcome trend follows the report's filters, as the outcomes section does. Years are those of
`costs.trend_years`: whole calendar years, the last one ending with the report period.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import numpy as np
import pandas as pd

from del_tool.reports.benchmark.funnels import unit_counts, unit_goals
from del_tool.reports.common import queries
from del_tool.reports.common.context import ReportContext
from del_tool.reports.common.frames import latest_reviews
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import ChartSpec, Column, Table
from del_tool.reports.common.period import Period
from del_tool.reports.economy.costs import load_costs, year_context, year_label
from del_tool.reports.economy.occupancy import unit_occupancy
from del_tool.reports.effect.report import functioning_in_period

PLACES_MISSING = "places not recorded for every day of the span"


def yearly_revenue(ctx: ReportContext, years: Sequence[Period]) -> pd.DataFrame:
    """Per unit and year (whole unit): tariff cost, services, settlements, cost (revenue),
    days, citizen-years, cost per citizen-year, days without a tariff, occupied days,
    place-days, occupancy and the occupancy's reason. Indexed by (unit, year key)."""
    units = list(ctx.units().index)
    tariffs = queries.tariffs(ctx.session, ctx.scope.unit_ids)
    frames = []
    for year in years:
        summary = load_costs(year_context(ctx, year, whole_units=True)).summary("unit_id")
        occupancy = unit_occupancy(ctx.session, units, year, "whole", tariffs)
        occupancy = occupancy.droplevel("span")
        frame = pd.DataFrame(index=pd.Index(units, name="unit"))
        for column in ("tariff_cost", "services", "settlements", "cost", "days"):
            frame[column] = summary[column].reindex(frame.index).fillna(0.0)
        frame["citizen_years"] = summary["citizen_years"].reindex(frame.index).fillna(0.0)
        frame["unpriced"] = summary["days_without_tariff"].reindex(frame.index).fillna(0)
        for column in ("occupied_days", "place_days", "occupancy", "reason"):
            frame[column] = occupancy[column].reindex(frame.index)
        frame["year"] = year.key
        frames.append(frame.reset_index())
    out = pd.concat(frames, ignore_index=True).set_index(["unit", "year"])
    out["per_year"] = _per_year(out)
    return out


def centre_revenue(units: pd.DataFrame, revenue: pd.DataFrame) -> pd.DataFrame:
    """The units' yearly figures summed per centre (index (centre, year key)); a centre's
    occupancy is its units' occupied days over their place-days, given only when every unit
    with stays that year has its places recorded for every day."""
    frame = revenue.reset_index()
    frame["centre"] = frame["unit"].map(units["centre"])
    complete = frame["reason"].fillna("") != PLACES_MISSING
    frame["blocking"] = ~complete & (frame["occupied_days"].fillna(0) > 0)
    frame["known_place_days"] = frame["place_days"].where(complete, 0.0)
    frame["known_occupied"] = frame["occupied_days"].where(complete, 0.0)
    sums = frame.groupby(["centre", "year"]).agg(
        tariff_cost=("tariff_cost", "sum"),
        services=("services", "sum"),
        settlements=("settlements", "sum"),
        cost=("cost", "sum"),
        days=("days", "sum"),
        citizen_years=("citizen_years", "sum"),
        unpriced=("unpriced", "sum"),
        occupied_days=("known_occupied", "sum"),
        place_days=("known_place_days", "sum"),
        blocked=("blocking", "any"),
    )
    usable = ~sums["blocked"] & (sums["place_days"] > 0)
    sums["occupancy"] = (sums["occupied_days"] / sums["place_days"]).where(usable)
    sums["per_year"] = _per_year(sums)
    return sums


def revenue_table(
    key: str,
    title: Any,
    units: pd.DataFrame,
    revenue: pd.DataFrame,
    years: Sequence[Period],
    *,
    note: Any = None,
    shown_units: Collection[Any] | None = None,
    hidden_centre_years: Collection[tuple[Any, str]] = (),
) -> Table:
    """Per centre (its total first, over all its units in `units`) and unit (those of
    `shown_units`, default all), year by year: revenue and its parts, citizen-years, cost per
    citizen-year and occupancy."""
    columns = (
        Column("centre", _l("Center")),
        Column("unit", _l("Tilbud")),
        Column("year", _l("År")),
        Column("tariff_cost", _l("Takst x dage (kr.)"), "dkk"),
        Column("services", _l("Særydelser (kr.)"), "dkk"),
        Column("settlements", _l("Efterregulering (kr.)"), "dkk"),
        Column("cost", _l("Omsætning i alt (kr.)"), "dkk"),
        Column("citizen_years", _l("Borgerår"), "float", 1),
        Column("per_year", _l("Udgift pr. borgerår (kr.)"), "dkk"),
        Column("occupancy", _l("Belægning"), "pct", 1),
        Column("unpriced", _l("Dage uden takst"), "int"),
    )
    years = busy_years(revenue, years)
    labels = {y.key: year_label(y) for y in years}
    centres = centre_revenue(units, revenue)
    rows: list[list[Any]] = []
    shown = revenue[revenue.index.get_level_values("year").isin(labels)]
    used = (shown["days"] > 0) | (shown["settlements"] != 0) | shown["occupancy"].notna()
    active = set(shown[used].index.get_level_values("unit"))
    if shown_units is not None:
        active &= set(shown_units)
    order = units[units.index.isin(active)].sort_values(["centre_name", "name"])
    for centre in order["centre"].unique():
        members = order[order["centre"] == centre]
        centre_name = members["centre_name"].iloc[0]
        for year in years:
            if (centre, year.key) not in centres.index or (centre, year.key) in hidden_centre_years:
                continue  # a unit-year of the centre withheld (the council summary)
            rows.append(
                [
                    centre_name,
                    _l("I alt"),
                    labels[year.key],
                    *_cells(centres.loc[(centre, year.key)]),
                ]
            )
        for unit, info in members.iterrows():
            for year in years:
                if (unit, year.key) not in revenue.index:
                    continue
                cells = _cells(revenue.loc[(unit, year.key)])
                rows.append([centre_name, info["name"], labels[year.key], *cells])
    return Table(key, title, columns, rows, note=note)


def busy_years(revenue: pd.DataFrame, years: Sequence[Period]) -> list[Period]:
    """The years with stay days or settlements in some unit (the last year always)."""
    per_year = revenue.groupby(level="year")[["days", "settlements"]].sum()
    busy = set(per_year[(per_year["days"] > 0) | (per_year["settlements"] != 0)].index)
    return [y for y in years if y.key in busy or y is years[-1]]


def _cells(row: pd.Series) -> list[Any]:
    return [
        float(row["tariff_cost"]),
        float(row["services"]),
        float(row["settlements"]),
        float(row["cost"]),
        float(row["citizen_years"]),
        _number(row["per_year"]),
        _number(row["occupancy"]),
        int(row["unpriced"]),
    ]


def _per_year(frame: pd.DataFrame) -> pd.Series:
    years = frame["citizen_years"].where(frame["citizen_years"] > 0)
    return (frame["cost"] / years).where(frame["unpriced"] == 0)


# -- Better and cheaper --------------------------------------------------------------------------


def unit_outcomes(ctx: ReportContext) -> pd.DataFrame:
    """Per unit in the context's period: citizens with a functioning pair (pairs), classified by
    reliable change (classified), reliably improved (improved), mean improvement (mean), and
    citizens with followed-up goals (goal_citizens) with their mean share of goals met."""
    stays = ctx.stays()
    counts = unit_counts(functioning_in_period(ctx), stays)
    reviews = queries.goal_reviews(ctx.session, ctx.sel, since=ctx.period.start)
    goals = unit_goals(latest_reviews(reviews), stays)
    out = pd.DataFrame(index=pd.Index(list(ctx.units().index), name="unit"))
    for column in ("pairs", "classified", "improved"):
        out[column] = pd.to_numeric(counts[column]).reindex(out.index).fillna(0).astype(int)
    out["mean"] = pd.to_numeric(counts["mean"]).reindex(out.index)
    out["goal_citizens"] = pd.to_numeric(goals["citizens"]).reindex(out.index).fillna(0).astype(int)
    out["goal_share"] = pd.to_numeric(goals["share"]).reindex(out.index)
    return out


def better_cheaper(ctx: ReportContext, years: Sequence[Period]) -> pd.DataFrame:
    """Per unit and year (the report's filters): cost per citizen-year and the outcomes of
    `unit_outcomes`, indexed by (unit, year key); shares are NaN below k citizens."""
    frames = []
    for year in years:
        yctx = year_context(ctx, year)
        summary = load_costs(yctx).summary("unit_id")
        outcomes = unit_outcomes(yctx)
        outcomes["per_year"] = summary["cost_per_citizen_year"].reindex(outcomes.index)
        outcomes["citizen_years"] = summary["citizen_years"].reindex(outcomes.index).fillna(0.0)
        shown = outcomes["classified"] >= ctx.k
        outcomes["improved_share"] = (
            outcomes["improved"] / outcomes["classified"].where(outcomes["classified"] > 0)
        ).where(shown)
        outcomes["goal_share"] = outcomes["goal_share"].where(outcomes["goal_citizens"] >= ctx.k)
        outcomes["year"] = year.key
        frames.append(outcomes.reset_index())
    return pd.concat(frames, ignore_index=True).set_index(["unit", "year"])


def better_cheaper_table(
    key: str, title: Any, trend: pd.DataFrame, names: dict[Any, Any], years: Sequence[Period]
) -> Table:
    """Per unit and year: cost per citizen-year beside the share reliably improved and the
    share of goals met (each with its n; shares under k citizens not shown)."""
    columns = (
        Column("unit", _l("Tilbud")),
        Column("year", _l("År")),
        Column("per_year", _l("Udgift pr. borgerår (kr.)"), "dkk"),
        Column("classified", _l("Borgere med to målinger"), "int"),
        Column("improved", _l("Pålideligt forbedret"), "pct", 0),
        Column("goal_citizens", _l("Borgere med mål fulgt op"), "int"),
        Column("goals_met", _l("Mål nået, gns. pr. borger"), "pct", 0),
    )
    years = _busy_trend_years(trend, years)
    labels = {y.key: year_label(y) for y in years}
    active = _active_units(trend)
    rows = []
    for unit in sorted(active, key=lambda u: str(names.get(u, u))):
        for year in years:
            row = trend.loc[(unit, year.key)]
            rows.append(
                [
                    names.get(unit, str(unit)),
                    labels[year.key],
                    _number(row["per_year"]),
                    int(row["classified"]),
                    _number(row["improved_share"]),
                    int(row["goal_citizens"]),
                    _number(row["goal_share"]),
                ]
            )
    return Table(key, title, columns, rows)


def better_cheaper_chart(
    key: str, trend: pd.DataFrame, names: dict[Any, Any], years: Sequence[Period], k: int
) -> ChartSpec | None:
    """Cost per citizen-year, share reliably improved and goals met per unit, year by year."""
    active = sorted(_active_units(trend), key=lambda u: str(names.get(u, u)))
    if not active:
        return None
    years = _busy_trend_years(trend, years)

    def matrix(column: str) -> np.ndarray:
        return np.array(
            [[_nan(trend.loc[(unit, year.key), column]) for year in years] for unit in active],
            dtype=float,
        )

    return ChartSpec(
        key,
        "better_cheaper",
        _l("Udgift pr. borgerår og resultater pr. tilbud, år for år"),
        {
            "units": [names.get(u, str(u)) for u in active],
            "years": [year_label(y) for y in years],
            "cost": matrix("per_year"),
            "improved": matrix("improved_share"),
            "goals": matrix("goal_share"),
        },
        notes=(
            _l(
                "Beskrivende: udgift og resultater står side om side, men udgiften er ikke en "
                "pris pr. effekt. Andele vises ved mindst %(k)s borgere.",
                k=k,
            ),
        ),
    )


def _busy(trend: pd.DataFrame) -> pd.Series:
    return (trend["citizen_years"] > 0) | (trend["classified"] > 0) | (trend["goal_citizens"] > 0)


def _active_units(trend: pd.DataFrame) -> list[Any]:
    """Units with stay days or outcomes in some year of the trend."""
    return list(trend[_busy(trend)].index.get_level_values("unit").unique())


def _busy_trend_years(trend: pd.DataFrame, years: Sequence[Period]) -> list[Period]:
    """The years in which some unit has stay days or outcomes (the last year always)."""
    busy = set(trend[_busy(trend)].index.get_level_values("year"))
    return [y for y in years if y.key in busy or y is years[-1]]


def _number(value: Any) -> float | None:
    number = pd.to_numeric(value, errors="coerce")
    return None if pd.isna(number) else float(number)


def _nan(value: Any) -> float:
    number = _number(value)
    return np.nan if number is None else number
