"""Openness about the offers' economy in the council summary (DEL issue #17 items 3 and 5): for
the units the municipality uses in the period, their places and occupancy, tariff development
against the price and wage index, and each centre's and unit's revenue, cost per citizen-year and
occupancy year by year; and the municipality's own year-end settlements.

These are organisation data about whole units, whoever pays: no count of the municipality's
citizens and no statistic of their outcomes is in them, so they are not suppressed or audited
like the summary's citizen figures (`union.UNAUDITED_TABLES` says why, table by table). A unit's
occupancy is never shown per municipality: the whole unit's occupied days hold the days of every
paying municipality, and the municipality's own days are its invoices, shown in full anyway.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
from sqlmodel import col, select

from del_tool.organisation.models import Unit
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
        section.messages.append(_l("Kommunen har ingen borgere i regionens tilbud i perioden."))
        return section
    org = _centres_context(ctx, used)
    names = org.units()["name"].to_dict()
    tariffs = queries.tariffs(ctx.session, frozenset(used))
    whole = unit_occupancy(ctx.session, used, ctx.period, "whole", tariffs)
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
    section.tables.append(
        revenue_table(
            "council_years",
            _l("Omsætning, udgift pr. borgerår og belægning pr. år"),
            org.units(),
            yearly_revenue(org, years),
            years,
            note=REVENUE_NOTE,
            shown_units=used,
        )
    )
    section.tables.append(_settlements_table(ctx, used, names, years[0].start.year))
    return section


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
