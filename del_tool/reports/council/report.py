"""The council summary: one municipality's citizens in the region's units, with the region as
benchmark. Aggregates only; counts and statistics for fewer than k citizens are suppressed, with
complementary suppression of the tables' cells and totals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from del_tool.auth.scope import Scope
from del_tool.organisation.operators import operator_units, unit_operators
from del_tool.questionnaires import Registry
from del_tool.reports.common.context import (
    ReportContext,
    make_context,
    publication_day,
    statistic_min_n,
)
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import Report, Section
from del_tool.reports.common.period import Period
from del_tool.reports.common.selection import (
    Filters,
    ReportScope,
    ensure_council_access,
    municipality_name,
    resolve_scope,
)
from del_tool.reports.common.verdict import glossary_section
from del_tool.reports.council.demand import council_demand_section
from del_tool.reports.council.disclosure import (
    CellTables,
    as_table,
    cell_tables,
    published,
    section_legend,
    suppression_note,
)
from del_tool.reports.council.figures import key_figures
from del_tool.reports.council.organisation import organisation_section
from del_tool.reports.council.outcomes import Outcomes, outcomes
from del_tool.reports.council.results import results_section
from del_tool.reports.council.verdict import council_verdict


def region_context(
    session: Session,
    period: Period,
    *,
    municipality_code: str | None = None,
    registry: Registry | None = None,
    today: date | None = None,
) -> ReportContext:
    """A system context over every unit of the region (optionally one municipality's stays).

    A municipality that operates offers itself is the controller of their data and sees them
    through its own leaders: its summary covers the citizens it pays for in other operators'
    offers only.
    """
    scope = resolve_scope("region", session=session)
    own = operator_units(session, municipality_code) if municipality_code else frozenset()
    if own:
        others = frozenset(unit_operators(session)) - own
        scope = ReportScope(scope.level, scope.id, scope.name, others)
    return make_context(
        session=session,
        scope=scope,
        period=period,
        filters=Filters(municipality_code=municipality_code),
        viewer=None,
        registry=registry,
        today=today,
        check_access=False,
    )


def region_benchmark(
    *,
    session: Session,
    period: Period,
    registry: Registry | None = None,
    today: date | None = None,
) -> Outcomes:
    """The whole region's figures, computed once for every council summary of a period."""
    return outcomes(region_context(session, period, registry=registry, today=today))


def build_council_summary(
    *,
    session: Session,
    municipality_code: str,
    period: Period,
    viewer: Scope | None = None,
    registry: Registry | None = None,
    today: date | None = None,
    benchmark: Outcomes | None = None,
) -> Report:
    """The council summary's data; AccessDeniedError for another municipality's council,
    NotFoundError for an unknown municipality code."""
    ensure_council_access(viewer, municipality_code)
    parts = council_parts(
        session=session,
        municipality_code=municipality_code,
        period=period,
        registry=registry,
        today=today,
        benchmark=benchmark,
    )
    return council_report(parts)


@dataclass(frozen=True, slots=True)
class CouncilParts:
    """What a council summary is made of, before it is laid out."""

    ctx: ReportContext
    name: str
    ours: Outcomes
    region: Outcomes
    cells: CellTables


def council_parts(
    *,
    session: Session,
    municipality_code: str,
    period: Period,
    registry: Registry | None = None,
    today: date | None = None,
    benchmark: Outcomes | None = None,
) -> CouncilParts:
    """The municipality's and the region's outcomes and the unit x section tables."""
    name = municipality_name(municipality_code, session=session)
    ctx = region_context(
        session, period, municipality_code=municipality_code, registry=registry, today=today
    )
    ours = outcomes(ctx)
    region = benchmark or region_benchmark(
        session=session, period=period, registry=ctx.registry, today=ctx.today
    )
    per_stay = ours.costs.costs.per_stay.join(ours.costs.stays[["unit_id", "section", "citizen"]])
    per_stay = per_stay.assign(cost=ours.costs.per_stay_cost())  # tariff + special services
    per_stay = per_stay[per_stay["days"] > 0]
    return CouncilParts(ctx, name, ours, region, cell_tables(per_stay, ctx.k))


def council_report(parts: CouncilParts) -> Report:
    """Assemble the council summary from the municipality's and the region's outcomes."""
    ctx, name, ours, region, cells = parts.ctx, parts.name, parts.ours, parts.region, parts.cells
    k = ctx.k
    summary = Section(
        "summary",
        _l("Kort fortalt"),
        intro=_l(
            "Tallene gælder de borgere, %(name)s Kommune betaler for i perioden i de tilbud, "
            "regionen og andre kommuner driver. Regionen er alle borgere i tilbuddene og bruges "
            "som sammenligning.",
            name=name,
        ),
    )
    if ctx.scope.unit_ids is not None:  # the municipality operates offers of its own
        summary.messages.append(
            _l(
                "Kommunens egne tilbud er ikke med: dem følger kommunen selv gennem "
                "tilbuddenes ledere."
            )
        )
    if publication_day(ctx.period) > ctx.today or ctx.period.kind == "custom":
        summary.messages.append(
            _l(
                "Foreløbige tal: kommunerapporten for perioden offentliggøres %(day)s. Indtil "
                "da kan tallene ændre sig, og kommunen ser dem ikke.",
                day=publication_day(ctx.period).strftime("%d.%m.%Y"),
            )
            if ctx.period.kind != "custom"
            else _l("Foreløbige tal for en selvvalgt periode; kommunen ser kun hele perioder.")
        )
    min_n = statistic_min_n()
    summary.figures.extend(key_figures(ours, region, cells, k, min_n))
    units = Section(
        "units",
        _l("Borgere, dage og udgift pr. tilbud og paragraf"),
        question=_l("DEL-spørgsmål 2: Inden for hvilken økonomisk ramme?"),
        intro=suppression_note(k, cells.ranges_shown),
    )
    names = ctx.units()["name"].to_dict()
    units.messages.append(
        _l(
            "En borger med ophold i flere tilbud eller efter flere paragraffer tælles i hver af "
            "dem, så tabellens total kan være større end antallet af borgere i resuméet, som "
            "tæller hver borger én gang."
        )
    )
    counts = published(cells.citizens.values, cells, k)
    units.tables.append(
        as_table(
            "council_citizens", _l("Borgere"), counts, names, "int", note=section_legend(counts)
        )
    )
    # The municipality's own days and costs are on its invoices: shown in full. Only the
    # citizen counts, the denominators of the outcomes beside them, are suppressed.
    units.tables.append(as_table("council_days", _l("Opholdsdage"), cells.days, names, "int"))
    units.tables.append(
        as_table(
            "council_cost",
            _l("Udgift (kr.)"),
            cells.cost,
            names,
            "dkk",
            note=_l(
                "Dage i perioden gange dagstaksten for tilbud, paragraf og takstniveau, plus "
                "særydelser. Efterreguleringer står i tabellen over kommunens efterreguleringer. "
                "Dage og udgift står også på kommunens fakturaer og vises derfor fuldt ud."
            ),
        )
    )
    report = Report(
        kind="council",
        title=_l("Kommunerapport til kunderådet: %(name)s Kommune", name=name),
        scope_label=_l("Borgere betalt af %(name)s Kommune i regionens tilbud", name=name),
        period=ctx.period,
        filters=ctx.filters,
        filter_labels=[],
        generated_at=ctx.generated_at,
        sections=[
            summary,
            results_section(ours, region, k, min_n, cells.grand_total_shown()),
            units,
            organisation_section(ctx, name),
            council_demand_section(ctx),
            glossary_section(),
        ],
        methods=council_methods(k),
        audience=name,
    )
    report.sections.insert(0, council_verdict(report, min_n))
    from del_tool.actions.council import council_actions_section

    shared = council_actions_section(ctx)
    if shared is not None:  # text only, before the glossary
        report.sections.insert(len(report.sections) - 1, shared)
    return report


def council_methods(k: int) -> list[Any]:
    """How the council summary's figures are made."""
    return [
        _l(
            "Status ved periodens slutning: seneste måling og seneste opfølgning af hvert mål til "
            "og med periodens sidste dag, for ophold i gang på et tidspunkt i perioden."
        ),
        _l(
            "Funktionsevne: gennemsnittet af funktionsprofilens temaer (0-4, lavere er bedre), "
            "baseline mod seneste måling; pålidelig forbedring efter Jacobson & Truax (1991). "
            "Trivsel: WHO-5 (0-100, højere er bedre)."
        ),
        _l(
            "Udgift: takst x dage efter opholdets takstniveau plus særydelser; "
            "efterreguleringer lægges til pr. hele kalenderår, kun når perioden dækker hele året."
        ),
        _l(
            "Diskretion: tal og statistik for færre end %(k)s borgere vises ikke; "
            "komplementær undertrykkelse sikrer, at de skjulte tal ikke kan regnes ud af summerne.",
            k=k,
        ),
        _l(
            "Kommunen ser kun hele kvartaler, halvår og år, frosset ved offentliggørelsen. Før en "
            "rapport offentliggøres, efterprøves den sammen med kommunens tidligere rapporter: "
            "hvor to tal kan trækkes fra hinanden (fx halvåret minus dets andet kvartal), og "
            "forskellen ville vise færre end %(k)s borgere eller et gennemsnit for færre end "
            "%(n)s, skjules tallet i den nye rapport (x).",
            k=k,
            n=statistic_min_n(),
        ),
    ]
