"""The economy report (DEL question 2): what the municipalities paid, by unit, section and
municipality; places and occupancy; tariff development against the price and wage index; and
cost beside outcomes, for the period and year by year.

Cost = tariff x days at the stay's tariff level + special services + year-end settlements of the
calendar years the period covers wholly (`costs`). Cost beside outcomes is descriptive: units
differ in target group and needs, so cost per citizen-year next to goals met or change in
functioning is no price of an effect.
"""

from __future__ import annotations

from typing import Any, Unpack

import pandas as pd

from del_tool.reports.common import queries
from del_tool.reports.common.context import (
    ReportContext,
    ReportRequest,
    checked_context,
    scope_text,
)
from del_tool.reports.common.direction import IMPROVEMENT_RULE
from del_tool.reports.common.labels import fmt, section_label
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import ChartSpec, Column, KeyFigure, Report, Section, Table
from del_tool.reports.economy.costs import Costs, compute_costs, load_costs, trend_years
from del_tool.reports.economy.demand import demand_section
from del_tool.reports.economy.sections import (
    better_cheaper_section,
    occupancy_section,
    tariff_section,
    tariff_years,
)
from del_tool.reports.economy.tariffs import above_figure, development
from del_tool.reports.economy.years import unit_outcomes

__all__ = ["Costs", "build_economy_report", "compute_costs", "economy_report", "load_costs"]

SETTLEMENT_RULE = _l(
    "Efterreguleringer er opgjort pr. tilbud, kommune og kalenderår. De lægges til udgiften i "
    "en periode, der dækker hele kalenderåret (1. januar til 31. december); en periode, der kun "
    "dækker en del af et år, medregner ikke årets efterregulering."
)


def build_economy_report(**request: Unpack[ReportRequest]) -> Report:
    """The economy report's data; AccessDeniedError outside the viewer's scope."""
    return economy_report(checked_context(**request))


COST_COLUMNS = (
    Column("group", _l("Gruppe")),
    Column("citizens", _l("Borgere"), "int"),
    Column("days", _l("Dage"), "int"),
    Column("cost", _l("Udgift (kr.)"), "dkk"),
    Column("citizen_years", _l("Borgerår"), "float", 1),
    Column("per_year", _l("Udgift pr. borgerår (kr.)"), "dkk"),
    Column("unpriced", _l("Dage uden takst"), "int"),
    Column("services", _l("Heraf særydelser (kr.)"), "dkk"),
    Column("settlements", _l("Heraf efterregulering (kr.)"), "dkk"),
)


def cost_table(key: str, title: Any, summary: pd.DataFrame, labels: dict[Any, Any]) -> Table:
    """A cost summary as a table, one row per group."""
    rows = [
        [
            labels.get(group, str(group)),
            int(row["citizens"]),
            int(row["days"]),
            float(row["cost"]),
            float(row["citizen_years"]),
            None if pd.isna(row["cost_per_citizen_year"]) else float(row["cost_per_citizen_year"]),
            int(row["days_without_tariff"]),
            float(row["services"]),
            float(row["settlements"]),
        ]
        for group, row in summary.iterrows()
    ]
    rows.sort(key=lambda r: -r[3])
    note = _l(
        "Udgift = dage i perioden gange dagstaksten for tilbud, paragraf og takstniveau, plus "
        "særydelser og efterregulering; borgerår = dage / 365,25."
    )
    return Table(key, title, COST_COLUMNS, rows, note=note)


def economy_report(ctx: ReportContext) -> Report:
    """Build the economy report from a checked context."""
    stays = ctx.stays()
    costs = load_costs(ctx)
    names = ctx.units()["name"].to_dict()
    by_unit = costs.summary("unit_id")
    years = trend_years(ctx.period)
    growth = development(
        ctx.session, queries.tariffs(ctx.session, ctx.scope.unit_ids), tariff_years(years)
    )
    summary = Section(
        "summary",
        _l("Kort fortalt"),
        question=_l("DEL-spørgsmål 2: Inden for hvilken økonomisk ramme?"),
    )
    summary.figures.extend(_figures(costs))
    summary.figures.append(above_figure(growth, tariff_years(years)))
    if costs.costs.days_without_tariff:
        summary.messages.append(
            _l(
                "%(n)s opholdsdage har ingen takst og er ikke prissat; udgiften er derfor for lav.",
                n=costs.costs.days_without_tariff,
            )
        )
    summary.messages.extend(settlement_messages(costs))
    summary.tables.append(cost_table("economy_units", _l("Udgift pr. tilbud"), by_unit, names))
    sections = Section("sections", _l("Udgift pr. paragraf og kommune"))
    section_names = {s: section_label(s) for s in stays["section"].unique()}
    sections.tables.append(
        cost_table(
            "economy_sections", _l("Udgift pr. paragraf"), costs.summary("section"), section_names
        )
    )
    if costs.settlement_total:
        sections.messages.append(
            _l(
                "Efterreguleringer er opgjort pr. tilbud og kommune, ikke pr. paragraf: de "
                "indgår ikke i tabellen pr. paragraf (%(amount)s kr.).",
                amount=fmt(costs.settlement_total),
            )
        )
    by_municipality = costs.summary("municipality")
    municipalities = queries.municipality_names(ctx.session, set(by_municipality.index))
    sections.tables.append(
        cost_table(
            "economy_municipalities",
            _l("Udgift pr. betalingskommune"),
            by_municipality,
            municipalities,
        )
    )
    summary.charts.append(_cost_chart(by_unit, names))
    return Report(
        kind="economy",
        title=_l("Økonomirapport"),
        scope_label=scope_text(ctx),
        period=ctx.period,
        filters=ctx.filters,
        filter_labels=ctx.filter_labels(),
        generated_at=ctx.generated_at,
        sections=[
            summary,
            sections,
            occupancy_section(ctx),
            tariff_section(ctx, years, growth),
            outcomes_section(ctx, by_unit, names),
            better_cheaper_section(ctx, years),
            demand_section(ctx),
        ],
        methods=[
            _l(
                "Udgift = opholdsdage i perioden gange den takst, der gjaldt den dag, for "
                "tilbuddet, paragraffen og opholdets takstniveau; både første og sidste dag "
                "tæller. Særydelser: dagsbeløbet for hver dag i ydelsens egen periode, der også "
                "ligger i opholdet og i perioden."
            ),
            SETTLEMENT_RULE,
        ],
    )


def settlement_messages(costs: Costs) -> list[Any]:
    """What the period's cost holds of year-end settlements, and what it leaves out."""
    out: list[Any] = []
    if not costs.settlements_apply:
        out.append(
            _l(
                "Efterreguleringer er ikke medregnet: de er opgjort pr. tilbud, kommune og år, "
                "ikke pr. paragraf eller målgruppe."
            )
        )
        return out
    if len(costs.settlements):
        out.append(
            _l(
                "Udgiften omfatter efterreguleringer på %(amount)s kr. for %(years)s.",
                amount=fmt(costs.settlement_total),
                years=", ".join(str(y) for y in sorted(set(costs.settlements["year"]))),
            )
        )
    left_out = costs.settlements_left_out
    if len(left_out):
        out.append(
            _l(
                "Efterreguleringer på %(amount)s kr. for %(years)s er ikke medregnet, fordi "
                "perioden kun dækker en del af året; de lægges til pr. hele kalenderår.",
                amount=fmt(float(left_out["amount"].sum())),
                years=", ".join(str(y) for y in sorted(set(left_out["year"]))),
            )
        )
    return out


def _figures(costs: Costs) -> list[KeyFigure]:
    total = costs.summary("all")
    row = total.iloc[0] if len(total) else None
    per_year = (
        None
        if row is None or pd.isna(row["cost_per_citizen_year"])
        else float(row["cost_per_citizen_year"])
    )
    return [
        KeyFigure(
            "cost",
            _l("Udgift i perioden (kr.)"),
            costs.total_cost,
            "dkk",
            note=_l(
                "%(n)s ophold; heraf særydelser %(services)s kr. og efterregulering "
                "%(settlements)s kr.",
                n=costs.costs.n_stays,
                services=fmt(costs.services_cost),
                settlements=fmt(costs.settlement_total),
            ),
        ),
        KeyFigure("days", _l("Opholdsdage"), costs.costs.total_days, note=_l("dage i perioden")),
        KeyFigure(
            "per_citizen_year",
            _l("Udgift pr. borgerår (kr.)"),
            per_year,
            "dkk",
            note=_l("borgerår = dage / 365,25"),
            reason=None if per_year is not None else _l("Ikke alle dage har en takst."),
        ),
    ]


def _cost_chart(by_unit: pd.DataFrame, names: dict[Any, Any]) -> ChartSpec:
    ordered = by_unit.sort_values("cost", ascending=True)
    return ChartSpec(
        "economy_units_chart",
        "hbars",
        _l("Udgift pr. tilbud i perioden (mio. kr.)"),
        {
            "labels": [names.get(u, str(u)) for u in ordered.index],
            "values": (ordered["cost"] / 1e6).to_numpy(),
            "decimals": 1,
        },
    )


def outcomes_section(ctx: ReportContext, by_unit: pd.DataFrame, names: dict[Any, Any]) -> Section:
    """Cost per citizen-year beside goals met and change in functioning, per unit."""
    outcomes = unit_outcomes(ctx)
    rows = []
    for unit, row in by_unit.iterrows():
        found = unit in outcomes.index
        pairs = int(outcomes.at[unit, "pairs"]) if found else 0
        citizens = int(outcomes.at[unit, "goal_citizens"]) if found else 0
        rows.append(
            [
                names.get(unit, str(unit)),
                None
                if pd.isna(row["cost_per_citizen_year"])
                else float(row["cost_per_citizen_year"]),
                citizens,
                float(outcomes.at[unit, "goal_share"]) if citizens >= ctx.k else None,
                pairs,
                float(outcomes.at[unit, "mean"]) if pairs >= ctx.k else None,
            ]
        )
    columns = (
        Column("unit", _l("Tilbud")),
        Column("per_year", _l("Udgift pr. borgerår (kr.)"), "dkk"),
        Column("citizens", _l("Borgere med mål fulgt op"), "int"),
        Column("met", _l("Mål nået, gns. pr. borger"), "pct", 0),
        Column("pairs", _l("Borgere med to målinger"), "int"),
        Column("change", _l("Forbedring i funktionsevne (0-4, hvor 0 er bedst)"), "signed", 2),
    )
    section = Section(
        "outcomes",
        _l("Udgift set ved siden af resultater"),
        intro=_l(
            "Beskrivende: tilbuddene har forskellige målgrupper og behov, så tallene er ikke en "
            "pris pr. effekt. Resultater vises ved mindst %(k)s borgere; forbedring siden "
            "indskrivning, én måling pr. borger. %(rule)s",
            k=ctx.k,
            rule=IMPROVEMENT_RULE,
        ),
    )
    section.tables.append(
        Table(
            "economy_outcomes",
            _l("Udgift og resultater pr. tilbud"),
            columns,
            sorted(rows, key=lambda r: str(r[0])),
        )
    )
    return section
