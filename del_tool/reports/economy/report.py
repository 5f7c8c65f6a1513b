"""The economy report (DEL question 2): days x tariff by unit, section and municipality.

Cost beside outcomes is descriptive: units differ in target group and needs, so cost per
citizen-year next to goals met or change in functioning is no price of an effect.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Unpack

import pandas as pd

from del_tool.reports.benchmark.funnels import unit_counts, unit_goals
from del_tool.reports.common import queries
from del_tool.reports.common.context import (
    ReportContext,
    ReportRequest,
    checked_context,
    scope_text,
)
from del_tool.reports.common.direction import IMPROVEMENT_RULE
from del_tool.reports.common.frames import latest_reviews
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.labels import section_label
from del_tool.reports.common.model import ChartSpec, Column, KeyFigure, Report, Section, Table
from del_tool.reports.common.period import Period
from del_tool.reports.effect.report import functioning_in_period
from del_tool.stats import StayCosts, cost_summary, stay_costs


@dataclass(frozen=True, slots=True)
class Costs:
    """Stay costs in the period and the stay columns to group them by."""

    costs: StayCosts
    stays: pd.DataFrame

    def summary(self, by: str | list[str]) -> pd.DataFrame:
        """Cost, days, citizens, citizen-years and cost per citizen-year by `by`."""
        return cost_summary(self.costs, self.stays, by)


def compute_costs(stays: pd.DataFrame, tariffs: pd.DataFrame, period: Period) -> Costs:
    """Days in the period x the tariff of the stay's unit and legal section."""
    keyed = pd.DataFrame(
        {
            "unit": stays["unit"].astype(str) + ":" + stays["section"],
            "start": stays["start"],
            "end": stays["end"],
            "unit_id": stays["unit"],
            "section": stays["section"],
            "municipality": stays["municipality"],
            "citizen": stays["citizen"],
            "all": "all",
        },
        index=stays.index,
    )
    rates = pd.DataFrame(
        {
            "unit": tariffs["unit"].astype(str) + ":" + tariffs["section"],
            "valid_from": tariffs["valid_from"],
            "valid_to": tariffs["valid_to"],
            "daily_rate": tariffs["daily_rate"],
        }
    )
    costs = stay_costs(keyed, rates, period_start=period.start, period_end=period.end)
    return Costs(costs, keyed)


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
        ]
        for group, row in summary.iterrows()
    ]
    rows.sort(key=lambda r: -r[3])
    note = _l("Dage i perioden gange dagstaksten for tilbud og paragraf; borgerår = dage / 365,25.")
    return Table(key, title, COST_COLUMNS, rows, note=note)


def economy_report(ctx: ReportContext) -> Report:
    """Build the economy report from a checked context."""
    stays = ctx.stays()
    costs = compute_costs(stays, queries.tariffs(ctx.session, ctx.scope.unit_ids), ctx.period)
    names = ctx.units()["name"].to_dict()
    by_unit = costs.summary("unit_id")
    summary = Section(
        "summary",
        _l("Kort fortalt"),
        question=_l("DEL-spørgsmål 2: Inden for hvilken økonomisk ramme?"),
    )
    summary.figures.extend(_figures(costs))
    if costs.costs.days_without_tariff:
        summary.messages.append(
            _l(
                "%(n)s opholdsdage har ingen takst og er ikke prissat; udgiften er derfor for lav.",
                n=costs.costs.days_without_tariff,
            )
        )
    summary.tables.append(cost_table("economy_units", _l("Udgift pr. tilbud"), by_unit, names))
    sections = Section("sections", _l("Udgift pr. paragraf og kommune"))
    section_names = {s: section_label(s) for s in stays["section"].unique()}
    sections.tables.append(
        cost_table(
            "economy_sections", _l("Udgift pr. paragraf"), costs.summary("section"), section_names
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
        sections=[summary, sections, outcomes_section(ctx, by_unit, names)],
        methods=[
            _l(
                "Udgift = opholdsdage i perioden gange den takst, der gjaldt den dag, for "
                "tilbuddet og paragraffen; både første og sidste dag tæller."
            )
        ],
    )


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
            costs.costs.total_cost,
            "dkk",
            note=_l("%(n)s ophold", n=costs.costs.n_stays),
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
    stays = ctx.stays()
    counts = unit_counts(functioning_in_period(ctx), stays)
    goals = unit_goals(
        latest_reviews(queries.goal_reviews(ctx.session, ctx.sel, since=ctx.period.start)), stays
    )
    rows = []
    for unit, row in by_unit.iterrows():
        pairs = int(counts["pairs"].get(unit, 0)) if len(counts) else 0
        citizens = int(goals["citizens"].get(unit, 0)) if len(goals) else 0
        rows.append(
            [
                names.get(unit, str(unit)),
                None
                if pd.isna(row["cost_per_citizen_year"])
                else float(row["cost_per_citizen_year"]),
                citizens,
                float(goals["share"][unit]) if citizens >= ctx.k else None,
                pairs,
                float(counts["mean"][unit]) if pairs >= ctx.k else None,
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
