"""Openness about the offers' economy in the council summary (DEL issue #17 items 3 and 5): for
the units the municipality uses in the period, their places and occupancy, tariff development
against the price and wage index, and each centre's and unit's revenue, cost per citizen-year and
occupancy year by year; and the municipality's own year-end settlements.

These are organisation data about whole units, whoever pays: no count of the municipality's
citizens and no statistic of their outcomes is in them, so they are not suppressed or audited
like the summary's citizen figures (`union.UNAUDITED_TABLES` says why, table by table). A unit's
occupancy is never shown per municipality: the whole unit's occupied days hold the days of every
paying municipality, and the municipality's own days are its invoices, shown in full anyway.

But the municipality can subtract its own invoices from a whole unit's figures, which leaves
the other municipalities' citizens' days, services and settlements together: with one such
citizen, that citizen's. So a unit's figures for a span (the period's occupancy, a year's
revenue and occupancy) are shown only when no citizen or at least k citizens paid by other
municipalities stayed in the unit in that span (`_thin_units`); a withheld unit-year is left out
of its centre's total too, and the section says how many were withheld.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
from sqlalchemy import distinct, func, or_
from sqlmodel import col, select

from del_tool.citizens.models import Stay
from del_tool.organisation.models import Settlement, Unit
from del_tool.reports.common import queries
from del_tool.reports.common.context import ReportContext
from del_tool.reports.common.labels import fmt
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import Column, Section, Table
from del_tool.reports.common.selection import NO_FILTERS, ReportScope
from del_tool.reports.economy import queries as economy_queries
from del_tool.reports.economy.costs import trend_years
from del_tool.reports.economy.occupancy import occupancy_table, unit_occupancy
from del_tool.reports.economy.sections import REVENUE_NOTE, tariff_years
from del_tool.reports.economy.tariffs import above_message, development, growth_table
from del_tool.reports.economy.years import revenue_table, yearly_revenue


def organisation_section(ctx: ReportContext, name: str) -> Section:
    """The units' economy for the council of municipality `name` (the context's filter)."""
    used = sorted(int(u) for u in set(ctx.stays()["unit"]))
    section = Section(
        "organisation",
        _l("Tilbuddenes økonomi: pladser, belægning, takster og omsætning"),
        intro=_l(
            "Åbenhed om økonomien: for de tilbud, %(name)s Kommune har borgere i, vises hele "
            "tilbuddets tal for alle betalingskommuner tilsammen, aldrig pr. kommune.",
            name=name,
        ),
    )
    if not used:
        section.messages.append(_l("Kommunen har ingen borgere i tilbuddene i perioden."))
        return section
    org = _centres_context(ctx, used)
    names = org.units()["name"].to_dict()
    tariffs = queries.tariffs(ctx.session, frozenset(used))
    whole = unit_occupancy(ctx.session, used, ctx.period, "whole", tariffs)
    thin = _thin_units(ctx, used, ctx.period.start, ctx.period.end)
    whole = whole[~whole.index.get_level_values("unit").isin(thin)]
    section.tables.append(
        occupancy_table("council_occupancy", _l("Pladser og belægning i perioden"), whole, names)
    )
    years = trend_years(ctx.period)
    growth = development(ctx.session, tariffs, tariff_years(years))
    message = above_message(growth, names)
    if message is not None:
        section.messages.append(message)
    section.tables.append(
        growth_table("council_tariff_growth", _l("Takstudvikling"), growth, names)
    )
    revenue = yearly_revenue(org, years)
    withheld = set()
    for year in years:
        for unit in _thin_units(ctx, list(org.units().index), year.start, year.end):
            withheld.add((unit, year.key))
    revenue = revenue[~revenue.index.isin(list(withheld))]
    centre_of = org.units()["centre"]
    hidden_centres = {(int(centre_of[unit]), year) for unit, year in withheld}
    section.tables.append(
        revenue_table(
            "council_years",
            _l("Omsætning, udgift pr. borgerår og belægning pr. år"),
            org.units(),
            revenue,
            years,
            note=REVENUE_NOTE,
            shown_units=used,
            hidden_centre_years=hidden_centres,
        )
    )
    if thin or withheld:
        section.messages.append(
            _l(
                "Tal for %(n)s tilbud i perioden og %(m)s tilbud og år vises ikke: færre end "
                "%(k)s borgere fra andre kommuner boede der, så kommunens egne regninger trukket "
                "fra tilbuddets tal ville vise deres. Centrets i alt vises heller ikke for de år.",
                n=len(thin),
                m=len(withheld),
                k=ctx.k,
            )
        )
    section.tables.append(_settlements_table(ctx, used, names, years[0].start.year))
    return section


def _thin_units(ctx: ReportContext, units: list[int], start: date, end: date) -> set[int]:
    """The units where 1 to k-1 citizens paid by other municipalities stayed in start..end."""
    code = ctx.filters.municipality_code
    rows = ctx.session.execute(
        select(col(Stay.unit_id), func.count(distinct(col(Stay.citizen_id))))
        .where(
            col(Stay.unit_id).in_(units),
            col(Stay.municipality_code) != code,
            col(Stay.start_date) <= end,
            or_(col(Stay.end_date).is_(None), col(Stay.end_date) >= start),
        )
        .group_by(col(Stay.unit_id))
    ).all()
    thin = {int(unit) for unit, others in rows if 0 < others < ctx.k}
    # Another municipality's settlement for a year in which none of its citizens stayed: the
    # whole unit's revenue less one's own would show that settlement.
    stayed = {int(unit) for unit, _others in rows}
    if start.year == end.year:
        settled = ctx.session.exec(
            select(Settlement.unit_id).where(
                col(Settlement.unit_id).in_(units),
                col(Settlement.municipality_code) != code,
                Settlement.year == start.year,
            )
        ).all()
        thin |= {int(unit) for unit in settled} - stayed
    return thin


def _centres_context(ctx: ReportContext, used: list[int]) -> ReportContext:
    """The context over every unit of the centres the municipality uses (within the summary's
    scope), without filters: a centre's revenue is all of its units', whoever pays."""
    centres = select(Unit.centre_id).where(col(Unit.id).in_(used))
    units = {
        int(u)
        for u in ctx.session.exec(select(Unit.id).where(col(Unit.centre_id).in_(centres))).all()
        if u is not None
    }
    if ctx.scope.unit_ids is not None:
        units &= set(ctx.scope.unit_ids)
    scope = ReportScope(ctx.scope.level, ctx.scope.id, ctx.scope.name, frozenset(units))
    return replace(ctx, scope=scope, filters=NO_FILTERS, _cache={})


def _settlements_table(
    ctx: ReportContext, used: list[int], names: dict[int, str], first_year: int
) -> Table:
    """The municipality's own year-end settlements with the units it uses (its invoices)."""
    frame = economy_queries.settlements(
        ctx.session,
        frozenset(used),
        first_year=first_year,
        last_year=ctx.period.end.year,
        municipality_code=ctx.filters.municipality_code,
    )
    frame = frame.assign(name=frame["unit"].map(lambda u: str(names.get(u, u))))
    frame = frame.sort_values(["name", "year"]) if len(frame) else frame
    rows = [
        [row["name"], str(int(row["year"])), float(row["amount"])] for _, row in frame.iterrows()
    ]
    total = float(pd.to_numeric(frame["amount"]).sum()) if len(frame) else 0.0
    return Table(
        "council_settlements",
        _l("Kommunens efterreguleringer"),
        (
            Column("unit", _l("Tilbud")),
            Column("year", _l("År")),
            Column("amount", _l("Beløb (kr.)"), "dkk"),
        ),
        rows,
        note=_l(
            "Efterregulering pr. tilbud og kalenderår (negativ: kommunen får penge tilbage), i "
            "alt %(total)s kr. Den lægges til udgiften, når perioden dækker hele året.",
            total=fmt(total),
        ),
    )
