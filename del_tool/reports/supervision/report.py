"""Documentation for Socialtilsynet (issue #21 item 4): the quality model's theme "Målgruppe,
metoder og resultater", gathered from what DEL already documents for an offer and a period.

Socialtilsynet asks whether the offer has a clear target group, works towards goals set with the
citizen and followed up, and documents and uses its results. The report puts DEL's answers side
by side: who the citizens are (target group and legal section, counts below k hidden), goals set
and followed up and how timely (the documentation report's figures and tables), and the results
with their uncertainty (the effect report's change, reliable change with the robustness and
attrition tables, and goal attainment). It holds aggregates only: the documentation report's list
of overdue citizens is left out, and no table names a citizen.
"""

from __future__ import annotations

from typing import Any, Unpack

from sqlmodel import col, select

from del_tool.actions.supervision import use_of_results
from del_tool.citizens.models import Citizen
from del_tool.organisation.models import LegalSection, TargetGroup
from del_tool.reports.common.context import (
    ReportContext,
    ReportRequest,
    checked_context,
    scope_text,
)
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import Column, Hidden, Report, Section, Table
from del_tool.reports.documentation.report import documentation_report
from del_tool.reports.effect.report import effect_report

#: The parts of the two reports the theme draws on: (report, section key).
GOAL_PARTS = (
    ("documentation", "summary"),
    ("documentation", "units"),
    ("documentation", "content"),
)
RESULT_PARTS = (("effect", "change"), ("effect", "reliable"), ("effect", "over_time"))


def build_supervision_report(**request: Unpack[ReportRequest]) -> Report:
    """The supervision report's data; AccessDeniedError outside the viewer's scope."""
    return supervision_report(checked_context(**request))


def supervision_report(ctx: ReportContext) -> Report:
    """Build the report from a checked context (the documentation and effect reports' parts)."""
    parts = {"documentation": documentation_report(ctx), "effect": effect_report(ctx)}
    target = Section(
        "target_group",
        _l("Målgruppe"),
        question=_l("Kvalitetsmodellens tema 2: Hvem er tilbuddets borgere?"),
    )
    target.tables.append(_target_groups(ctx))
    goals = _combined(
        "goals",
        _l("Mål og opfølgning"),
        _l("Arbejder tilbuddet med mål for borgerne, og følges de op til tiden?"),
        parts,
        GOAL_PARTS,
    )
    results = _combined(
        "results",
        _l("Resultater"),
        _l("Hvilke resultater dokumenterer tilbuddet, og hvor sikre er de?"),
        parts,
        RESULT_PARTS,
    )
    effect_summary = parts["effect"].section("summary")
    results.figures[:0] = [f for f in effect_summary.figures if f.key != "citizens"]
    results.tables.extend(parts["effect"].section("goals").tables)
    return Report(
        kind="supervision",
        title=_l("Dokumentation til Socialtilsynet"),
        scope_label=scope_text(ctx),
        period=ctx.period,
        filters=ctx.filters,
        filter_labels=ctx.filter_labels(),
        generated_at=ctx.generated_at,
        sections=[
            parts["effect"].section("verdict"),
            target,
            goals,
            results,
            use_of_results(ctx, parts),
        ],
        methods=[
            _l(
                "Samlet til Socialtilsynets kvalitetsmodel, tema 2 (målgruppe, metoder og "
                "resultater), af DELs dokumentations- og effektrapport for samme tilbud og "
                "periode: tallene er de samme som dér. Rapporten indeholder kun samlede tal; "
                "grupper med færre end %(k)s borgere vises ikke.",
                k=ctx.k,
            ),
            *parts["documentation"].methods,
            *parts["effect"].methods,
        ],
    )


def _combined(
    key: str,
    title: Any,
    question: Any,
    parts: dict[str, Report],
    wanted: tuple[tuple[str, str], ...],
) -> Section:
    """One section of the figures, tables, charts and messages of `wanted` report sections,
    without any table that lists citizens."""
    section = Section(key, title, question=question)
    for kind, part in wanted:
        keys = {s.key for s in parts[kind].sections}
        if part not in keys:
            continue
        source = parts[kind].section(part)
        section.figures.extend(source.figures)
        section.tables.extend(t for t in source.tables if not t.personal)
        section.charts.extend(source.charts)
        section.messages.extend(source.messages)
    return section


def _target_groups(ctx: ReportContext) -> Table:
    """Citizens in stay in the period by target group and legal section (below k hidden)."""
    stays = ctx.stays()
    citizen_ids = sorted({int(c) for c in stays["citizen"]})
    groups = dict(
        ctx.session.exec(
            select(col(Citizen.id), col(Citizen.target_group)).where(
                col(Citizen.id).in_(citizen_ids)
            )
        ).all()
    )
    sections = [s for s in LegalSection if (stays["section"] == s.value).any()]
    rows = []
    for group in TargetGroup:
        members = {c for c, g in groups.items() if g == group}
        if not members:
            continue
        row: list[Any] = [group.label]
        for section in sections:
            chosen = stays[(stays["section"] == section.value) & stays["citizen"].isin(members)]
            row.append(_count(chosen["citizen"].nunique(), ctx.k))
        row.append(_count(len(members), ctx.k))
        rows.append(row)
    columns = (
        Column("group", _l("Målgruppe")),
        *(Column(s.value, s.label, "int") for s in sections),
        Column("total", _l("I alt"), "int"),
    )
    return Table(
        "supervision_target_groups",
        _l("Borgere i ophold i perioden efter målgruppe og paragraf"),
        columns,
        rows,
        note=_l(
            "En borger tælles én gang pr. paragraf og én gang i alt. Færre end %(k)s vises "
            "som <%(k)s.",
            k=ctx.k,
        ),
    )


def _count(n: int, k: int) -> Any:
    return n if n == 0 or n >= k else Hidden(f"<{k}")
