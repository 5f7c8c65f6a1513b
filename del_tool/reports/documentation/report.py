"""The documentation report: is what we do written down, in time, and complete?"""

from __future__ import annotations

from typing import Any, Unpack

import pandas as pd

from del_tool.goals.models import GoalDirection, Theme
from del_tool.reports.common import queries, score_queries
from del_tool.reports.common.context import (
    ReportContext,
    ReportRequest,
    checked_context,
    scope_text,
)
from del_tool.reports.common.coverage import (
    BASELINE_DAYS,
    TOLERANCE_DAYS,
    Coverage,
    coverage,
    share,
)
from del_tool.reports.common.labels import direction_label, localized, theme_label
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import Column, KeyFigure, Report, Section, Table
from del_tool.reports.common.scales import FUNCTIONING


def build_documentation_report(**request: Unpack[ReportRequest]) -> Report:
    """The documentation report's data; AccessDeniedError outside the viewer's scope."""
    return documentation_report(checked_context(**request))


def read_coverage(ctx: ReportContext) -> Coverage:
    """Documentation flags of the context's stays."""
    stays = ctx.stays()
    return coverage(
        stays,
        queries.follow_ups(ctx.session, ctx.sel),
        queries.goals(ctx.session, ctx.sel),
        score_queries.stays_with_baseline(ctx.session, ctx.sel, FUNCTIONING),
        ctx.units()["interval"],
        start=ctx.period.start,
        reference=ctx.reference_date,
    )


def now_coverage(ctx: ReportContext) -> Coverage:
    """Documentation flags of the stays in progress today, with every follow-up up to today:
    "now" in the report means today, whatever the period, as on the caseload."""
    today = ctx.today
    sel = queries.StaySelection(ctx.scope.unit_ids, today, today, ctx.filters)
    return coverage(
        queries.stays(ctx.session, sel),
        queries.follow_ups(ctx.session, sel),
        queries.goals(ctx.session, sel),
        score_queries.stays_with_baseline(ctx.session, sel, FUNCTIONING),
        ctx.units()["interval"],
        start=today,
        reference=today,
    )


def documentation_report(ctx: ReportContext) -> Report:
    """Build the documentation report from a checked context."""
    cov = read_coverage(ctx)
    now = now_coverage(ctx)
    goals = queries.goals(ctx.session, ctx.sel)
    answered = score_queries.assessments(ctx.session, ctx.sel)
    summary = Section(
        "summary",
        _l("Kort fortalt"),
        question=_l("Grundlaget for DEL-spørgsmålene: er indsatsen dokumenteret?"),
        intro=_l(
            "En opfølgning er forsinket, når den er forfalden som på borgerlisten: et "
            'opfølgningsinterval efter den forrige (baseline fra opholdets start). "Nu" er i '
            "dag, %(day)s, for ophold i gang i dag, som på borgerlisten. En udført opfølgning "
            "tæller som til tiden, når den kom senest %(d)s dage efter, at den forfaldt "
            "(baseline: inden for %(b)s dage efter indskrivning).",
            d=TOLERANCE_DAYS,
            b=BASELINE_DAYS,
            day=ctx.today.strftime("%d.%m.%Y"),
        ),
    )
    summary.figures.extend(_figures(cov, now, answered))
    units = Section("units", _l("Tilbud for tilbud"))
    units.tables.append(_unit_table(ctx, cov, now, answered))
    content = Section("content", _l("Skemaer og mål"))
    content.tables.append(_completeness_table(ctx, answered))
    content.tables.append(_goal_table(goals))
    sections = [summary, units, content]
    listed: list[int] = []
    if ctx.sees_names and not now.overdue.empty:
        overdue = Section("overdue", _l("Forsinkede opfølgninger i dag"))
        table, listed = _overdue_table(ctx, now)
        overdue.tables.append(table)
        sections.append(overdue)
    return Report(
        kind="documentation",
        title=_l("Dokumentationsrapport"),
        scope_label=scope_text(ctx),
        period=ctx.period,
        filters=ctx.filters,
        filter_labels=ctx.filter_labels(),
        generated_at=ctx.generated_at,
        sections=sections,
        listed_citizens=listed,
        methods=[
            _l(
                "Et ophold tæller med, når det overlapper perioden. Baseline-profil: en "
                "indskrivningsopfølgning med funktionsprofilen udfyldt. Aktivt mål: et mål, der "
                "var i gang på et tidspunkt i perioden."
            )
        ],
    )


def _figures(cov: Coverage, now: Coverage, answered: pd.DataFrame) -> list[KeyFigure]:
    stays = cov.stays
    n = len(stays)
    timed = cov.follow_ups
    complete = answered["completeness"] >= 1.0
    empty = _l("Ingen ophold i perioden.")
    return [
        KeyFigure(
            "citizens",
            _l("Borgere i ophold"),
            int(stays["citizen"].nunique()),
            note=_l("%(n)s ophold", n=n),
        ),
        KeyFigure(
            "with_goal",
            _l("Ophold med mindst ét aktivt mål"),
            share(stays["has_goal"]),
            "pct",
            0,
            note=_l("n = %(n)s ophold", n=n),
            reason=None if n else empty,
        ),
        KeyFigure(
            "with_baseline",
            _l("Ophold med baseline-profil"),
            share(stays["has_baseline"]),
            "pct",
            0,
            note=_l("n = %(n)s ophold", n=n),
            reason=None if n else empty,
        ),
        KeyFigure(
            "on_time",
            _l("Opfølgninger til tiden"),
            share(timed["on_time"]),
            "pct",
            0,
            note=_l("n = %(n)s opfølgninger i perioden", n=len(timed)),
            reason=None if len(timed) else _l("Ingen opfølgninger i perioden."),
        ),
        KeyFigure(
            "overdue",
            _l("Forsinkede opfølgninger nu"),
            int(now.stays["overdue"].sum()),
            note=_l("af %(n)s ophold i gang i dag", n=len(now.stays)),
        ),
        KeyFigure(
            "complete",
            _l("Fuldt besvarede skemaer"),
            share(complete),
            "pct",
            0,
            note=_l("n = %(n)s besvarelser i perioden", n=len(answered)),
            reason=None if len(answered) else _l("Ingen skemaer besvaret i perioden."),
        ),
    ]


def _unit_table(ctx: ReportContext, cov: Coverage, now: Coverage, answered: pd.DataFrame) -> Table:
    stays = cov.stays
    by_unit = stays.groupby("unit").agg(
        citizens=("citizen", "nunique"),
        stays=("stay", "size"),
        has_goal=("has_goal", "mean"),
        has_baseline=("has_baseline", "mean"),
    )
    overdue_now = now.stays.groupby("unit")["overdue"].sum()
    timed = cov.follow_ups.groupby("unit").agg(
        done=("on_time", "size"), on_time=("on_time", "mean")
    )
    answered = answered.assign(unit=answered["stay"].map(stays.set_index("stay")["unit"]))
    complete = (answered["completeness"] >= 1.0).groupby(answered["unit"]).mean()
    names = ctx.units()["name"]
    rows = []
    for unit, row in by_unit.iterrows():
        rows.append(
            [
                names.get(unit, str(unit)),
                int(row["citizens"]),
                int(row["stays"]),
                float(row["has_goal"]),
                float(row["has_baseline"]),
                int(timed["done"].get(unit, 0)),
                _opt(timed["on_time"].get(unit)),
                int(overdue_now.get(unit, 0)),
                _opt(complete.get(unit)),
            ]
        )
    columns = (
        Column("unit", _l("Tilbud")),
        Column("citizens", _l("Borgere"), "int"),
        Column("stays", _l("Ophold"), "int"),
        Column("has_goal", _l("Med aktivt mål"), "pct", 0),
        Column("has_baseline", _l("Med baseline-profil"), "pct", 0),
        Column("done", _l("Opfølgninger i perioden"), "int"),
        Column("on_time", _l("Til tiden"), "pct", 0),
        Column("overdue", _l("Forsinkede i dag"), "int"),
        Column("complete", _l("Fuldt besvarede skemaer"), "pct", 0),
    )
    return Table(
        "documentation_units",
        _l("Dokumentation pr. tilbud"),
        columns,
        sorted(rows, key=lambda r: str(r[0])),
    )


def _opt(value: Any) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _completeness_table(ctx: ReportContext, answered: pd.DataFrame) -> Table:
    grouped = answered.groupby("questionnaire")["completeness"]
    rows = []
    for qid, values in grouped:
        key = str(qid)
        label = localized(ctx.registry.get(key).title) if key in ctx.registry else key
        full = int((values >= 1.0).sum())
        rows.append([label, len(values), full, full / len(values)])
    columns = (
        Column("questionnaire", _l("Skema")),
        Column("n", _l("Besvarelser"), "int"),
        Column("full", _l("Fuldt besvaret"), "int"),
        Column("share", _l("Andel fuldt besvaret"), "pct", 0),
    )
    return Table("documentation_completeness", _l("Besvarelsernes fuldstændighed"), columns, rows)


def _goal_table(goals: pd.DataFrame) -> Table:
    themes, directions = [t.value for t in Theme], [d.value for d in GoalDirection]
    counts = pd.crosstab(goals["theme"], goals["direction"]).reindex(
        index=themes, columns=directions, fill_value=0
    )
    counts["total"] = counts.sum(axis=1)
    counts.loc["total"] = counts.sum(axis=0)
    rows = [
        [theme_label(t) if t != "total" else _l("I alt"), *(int(v) for v in counts.loc[t])]
        for t in [*themes, "total"]
    ]
    columns = (
        Column("theme", _l("Tema")),
        *(Column(d, direction_label(d), "int") for d in directions),
        Column("total", _l("I alt"), "int"),
    )
    return Table("documentation_goals", _l("Aktive mål efter tema og måltype"), columns, rows)


def _overdue_table(ctx: ReportContext, cov: Coverage) -> tuple[Table, list[int]]:
    overdue = cov.overdue
    citizens = [int(c) for c in overdue["citizen"]]
    names = queries.citizen_names(ctx.session, set(citizens))
    unit_names = ctx.units()["name"]
    last = overdue["last"].dt.date.astype(object).where(overdue["last"].notna(), None)
    rows = [
        list(row)
        for row in zip(
            overdue["citizen"].map(names).fillna(""),
            overdue["unit"].map(unit_names),
            last,
            overdue["due"].dt.date,
            overdue["days_overdue"].astype(int),
            strict=True,
        )
    ]
    columns = (
        Column("citizen", _l("Borger")),
        Column("unit", _l("Tilbud")),
        Column("last", _l("Seneste opfølgning"), "date"),
        Column("due", _l("Forfaldt"), "date"),
        Column("days", _l("Dage over"), "int"),
    )
    table = Table(
        "documentation_overdue",
        _l("Borgere med forsinket opfølgning"),
        columns,
        rows,
        note=_l("Listen er personhenførbar og gemmes ikke i regnearket. Visningen logges."),
        personal=True,
    )
    return table, sorted(set(citizens))
