"""The economy report's sections on places and occupancy, tariff development and revenue year by
year, and "better and cheaper" over time (DEL issue #17 items 3, 5 and 6)."""

from __future__ import annotations

from collections.abc import Sequence

from del_tool.reports.common import queries
from del_tool.reports.common.context import ReportContext
from del_tool.reports.common.direction import IMPROVEMENT_RULE
from del_tool.reports.common.labels import Text
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import Section
from del_tool.reports.common.period import Period
from del_tool.reports.economy.costs import year_label
from del_tool.reports.economy.occupancy import (
    in_use,
    missing_places,
    occupancy_chart,
    occupancy_table,
    unit_occupancy,
)
from del_tool.reports.economy.tariffs import above_message, growth_table
from del_tool.reports.economy.years import (
    better_cheaper,
    better_cheaper_chart,
    better_cheaper_table,
    revenue_table,
    yearly_revenue,
)
from del_tool.stats import TariffGrowth

REVENUE_NOTE = _l(
    "Omsætning = takst x opholdsdage + særydelser + efterregulering, for hele tilbuddet uanset "
    "betalingskommune og filtre. Efterregulering lægges til pr. kalenderår, kun i år, der er "
    "med i deres helhed. Borgerår = dage / 365,25."
)


def occupancy_section(ctx: ReportContext) -> Section:
    """Places and occupancy per unit for the period, per quarter and per month, with the
    occupancy the tariffs were calculated on beside the actual."""
    names = ctx.units()["name"].to_dict()
    units = list(ctx.units().index)
    tariffs = queries.tariffs(ctx.session, ctx.scope.unit_ids)
    section = Section(
        "occupancy",
        _l("Pladser og belægning"),
        intro=_l(
            "Belægningen gælder hele tilbuddet, uanset hvilken kommune der betaler, og uanset "
            "rapportens filtre. Pladser ændres fra den dato, ændringen gælder fra."
        ),
    )
    whole = in_use(unit_occupancy(ctx.session, units, ctx.period, "whole", tariffs))
    section.tables.append(
        occupancy_table("economy_occupancy", _l("Belægning pr. tilbud i perioden"), whole, names)
    )
    chart = occupancy_chart("economy_occupancy_chart", whole, names)
    if chart is not None:
        section.charts.append(chart)
    quarters = in_use(unit_occupancy(ctx.session, units, ctx.period, "quarter", tariffs))
    section.tables.append(
        occupancy_table(
            "economy_occupancy_quarters",
            _l("Belægning pr. tilbud og kvartal"),
            quarters,
            names,
            span_label=_l("Kvartal"),
        )
    )
    months = in_use(unit_occupancy(ctx.session, units, ctx.period, "month", tariffs))
    section.tables.append(
        occupancy_table(
            "economy_occupancy_months",
            _l("Belægning pr. tilbud og måned"),
            months,
            names,
            span_label=_l("Måned"),
        )
    )
    missing = missing_places(months, names)
    if missing:
        listed = Text(lambda: ", ".join(missing))
        section.messages.append(
            _l(
                "Pladser er ikke registreret for hele perioden for: %(units)s. Belægningen "
                "vises kun for måneder og kvartaler, hvor pladserne kendes hver dag.",
                units=listed,
            )
        )
    return section


def tariff_section(ctx: ReportContext, years: Sequence[Period], growth: TariffGrowth) -> Section:
    """Tariff development against the index, and each centre's and unit's yearly revenue,
    cost per citizen-year and occupancy."""
    names = ctx.units()["name"].to_dict()
    section = Section(
        "tariffs",
        _l("Takster, omsætning og belægning år for år"),
        intro=_l(
            "Rammeaftalens nulvækst: taksterne må højst stige med pris- og "
            "lønfremskrivningen. Takster, der er steget mere, er markeret »Over indekset«."
        ),
    )
    message = above_message(growth, names)
    if message is not None:
        section.messages.append(message)
    section.tables.append(
        growth_table(
            "economy_tariff_growth",
            _l("Takstudvikling pr. tilbud, paragraf og takstniveau"),
            growth,
            names,
        )
    )
    revenue = yearly_revenue(ctx, years)
    section.tables.append(
        revenue_table(
            "economy_years",
            _l("Omsætning, udgift pr. borgerår og belægning pr. år"),
            ctx.units(),
            revenue,
            years,
            note=REVENUE_NOTE,
        )
    )
    return section


def better_cheaper_section(ctx: ReportContext, years: Sequence[Period]) -> Section:
    """Cost per citizen-year beside the share reliably improved and goals met, per unit and
    year, as a table and a chart."""
    names = ctx.units()["name"].to_dict()
    trend = better_cheaper(ctx, years)
    section = Section(
        "better_cheaper",
        _l("Bedre og billigere over tid"),
        intro=_l(
            "Beskrivende: tilbuddene har forskellige målgrupper og behov, så tallene er ikke en "
            "pris pr. effekt. Pålideligt forbedret: andelen af borgere med to målinger af "
            "funktionsevnen i året, der er pålideligt forbedret siden indskrivning (Jacobson & "
            "Truax), én måling pr. borger. Andele vises ved mindst %(k)s borgere. %(rule)s",
            k=ctx.k,
            rule=IMPROVEMENT_RULE,
        ),
    )
    section.tables.append(
        better_cheaper_table(
            "economy_better_cheaper",
            _l("Udgift og resultater pr. tilbud og år"),
            trend,
            names,
            years,
        )
    )
    chart = better_cheaper_chart("economy_better_cheaper_chart", trend, names, years, ctx.k)
    if chart is not None:
        section.charts.append(chart)
    last = years[-1]
    if last.kind != "year":
        section.messages.append(
            _l(
                "Det sidste år, %(year)s, er kun en del af året: til og med periodens sidste dag.",
                year=year_label(last),
            )
        )
    return section


def tariff_years(years: Sequence[Period]) -> list[int]:
    """The calendar years whose 1 January tariffs are compared with the year before's."""
    return [y.start.year for y in years]
