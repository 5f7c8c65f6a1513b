"""Parts of the learning report: trends by quarter, themes and directions, cohort outcomes."""

from __future__ import annotations

from typing import Any

import pandas as pd

from del_tool.goals.models import GoalDirection, Theme
from del_tool.reports.common import frames, queries, score_queries
from del_tool.reports.common.context import ReportContext
from del_tool.reports.common.direction import (
    IMPROVEMENT_RULE,
    improvement,
    improvement_interval,
)
from del_tool.reports.common.labels import direction_label, fmt, theme_label
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import ChartSpec, Column, KeyFigure, Section, Table
from del_tool.reports.common.scales import FUNCTIONING, FUNCTIONING_MEAN, ScaleInfo
from del_tool.reports.effect.tables import change_reason
from del_tool.stats import PairedChange, goal_attainment, paired_change

TREND_QUARTERS = 8
COHORT_SCALES = ((FUNCTIONING, FUNCTIONING_MEAN), ("who5", "wellbeing"))
HIGH_MOTIVATION = 4


def trend_quarters(ctx: ReportContext) -> list[Any]:
    """The trend's quarters: up to TREND_QUARTERS ending with the period's, begun by today."""
    return [q for q in ctx.period.quarters(TREND_QUARTERS) if q.start < ctx.today]


def trend_section(ctx: ReportContext) -> Section:
    """Citizens, follow-ups, goals met and change since admission, quarter by quarter."""
    quarters = trend_quarters(ctx)
    sel = queries.StaySelection(
        ctx.scope.unit_ids, quarters[0].start, quarters[-1].end, ctx.filters
    )
    stays = queries.stays(ctx.session, sel)
    follow_ups = queries.follow_ups(ctx.session, sel)
    reviews = queries.goal_reviews(ctx.session, sel, since=sel.start)
    scores = score_queries.scores(ctx.session, sel, since=sel.start, questionnaires=[FUNCTIONING])
    scores = scores[scores["scale"] == FUNCTIONING_MEAN]
    rows = []
    for q in quarters:
        in_stay = stays[
            (stays["start"] <= pd.Timestamp(q.end))
            & (stays["end"].isna() | (stays["end"] >= pd.Timestamp(q.start)))
        ]
        goals = goal_attainment(
            frames.latest_reviews(frames.between(reviews, q.start, q.end))[
                ["level", "target", "direction"]
            ]
        ).overall
        pairs = frames.admission_pairs(scores, q.start, q.end)
        change = paired_change(pairs["pre"], pairs["post"])
        shown = change_reason(change, ctx.k) is None
        rows.append(
            [
                q.key,
                int(in_stay["citizen"].nunique()),
                len(frames.between(follow_ups, q.start, q.end)),
                goals.n,
                goals.share,
                goals.ci_low,
                goals.ci_high,
                change.n,
                improvement(change.mean_diff, False) if shown else None,
                *(
                    improvement_interval(change.ci_low, change.ci_high, False)
                    if shown
                    else (None, None)
                ),
            ]
        )
    columns = (
        Column("quarter", _l("Kvartal")),
        Column("citizens", _l("Borgere i ophold"), "int"),
        Column("follow_ups", _l("Opfølgninger"), "int"),
        Column("goals", _l("Mål fulgt op"), "int"),
        Column("met", _l("Andel nået"), "pct", 0),
        Column("met_low", _l("95 % KI, nedre"), "pct", 0),
        Column("met_high", _l("95 % KI, øvre"), "pct", 0),
        Column("pairs", _l("Forløb målt"), "int"),
        Column("change", _l("Forbedring i funktionsevne siden indskrivning"), "signed", 2),
        Column("change_low", _l("95 % KI, nedre"), "signed", 2),
        Column("change_high", _l("95 % KI, øvre"), "signed", 2),
    )
    table = Table(
        "learning_trend",
        _l("Udvikling kvartal for kvartal"),
        columns,
        rows,
        note=_l(
            "Mål: status ved seneste opfølgning i kvartalet. Forbedring: baseline mod seneste "
            "måling i kvartalet (funktionsevne 0-4, hvor 0 er bedst; positiv = bedre); vist ved "
            "mindst %(k)s forløb.",
            k=ctx.k,
        ),
    )
    section = Section("trend", _l("Tendenser kvartal for kvartal"))
    section.tables.append(table)
    section.charts.append(
        ChartSpec(
            "learning_trend_chart", "trend", _l("Udvikling kvartal for kvartal"), {"rows": rows}
        )
    )
    return section


def theme_section(latest: pd.DataFrame, k: int) -> Section:
    """Themes and directions that do well or badly, and motivation by theme (DEL question 5)."""
    section = Section(
        "themes",
        _l("Temaer og måltyper"),
        question=_l("DEL-spørgsmål 5: Hvor er borgeren motiveret?"),
    )
    cells = []
    for theme in Theme:
        result = goal_attainment(
            latest.loc[latest["theme"] == theme.value, ["level", "target", "direction"]]
        )
        for direction in GoalDirection:
            cell = result.by_direction[direction.value]
            if cell.n:
                cells.append((theme.value, direction.value, cell))
    cells.sort(key=lambda c: (c[2].n < k, -(c[2].share or 0.0)))
    rows = [
        [
            theme_label(t),
            direction_label(d),
            c.n,
            c.share if c.n >= k else None,
            c.ci_low if c.n >= k else None,
            c.ci_high if c.n >= k else None,
            None if c.n >= k else _l("For få mål (mindst %(k)s).", k=k),
        ]
        for t, d, c in cells
    ]
    columns = (
        Column("theme", _l("Tema")),
        Column("direction", _l("Måltype")),
        Column("n", _l("Mål (n)"), "int"),
        Column("share", _l("Andel nået"), "pct", 0),
        Column("ci_low", _l("95 % KI, nedre"), "pct", 0),
        Column("ci_high", _l("95 % KI, øvre"), "pct", 0),
        Column("note", _l("Bemærkning")),
    )
    section.tables.append(
        Table(
            "learning_themes", _l("Målopfyldelse efter tema og måltype, bedst først"), columns, rows
        )
    )
    shown = [c for c in cells if c[2].n >= k]
    if shown:
        section.figures.append(_cell_figure("best_theme", _l("Bedst"), shown[0]))
        section.figures.append(_cell_figure("worst_theme", _l("Svagest"), shown[-1]))
    section.tables.append(motivation_table(latest))
    return section


def _cell_figure(key: str, label: Any, cell: tuple[str, str, Any]) -> KeyFigure:
    theme, direction, share = cell
    return KeyFigure(
        key,
        _l(
            "%(label)s: %(theme)s, %(direction)s",
            label=label,
            theme=theme_label(theme),
            direction=direction_label(direction),
        ),
        share.share,
        "pct",
        0,
        note=_l(
            "n = %(n)s mål; 95 %% KI %(low)s-%(high)s %%",
            n=share.n,
            low=fmt(100 * share.ci_low),
            high=fmt(100 * share.ci_high),
        ),
    )


def motivation_table(latest: pd.DataFrame) -> Table:
    """Per theme: how often the citizen is highly motivated, and goals met by motivation."""
    rated = latest[latest["motivation"].notna()]
    rows = []
    for theme in Theme:
        goals = rated[rated["theme"] == theme.value]
        high = goals["motivation"] >= HIGH_MOTIVATION
        met_high = goal_attainment(goals.loc[high, ["level", "target", "direction"]]).overall
        met_low = goal_attainment(goals.loc[~high, ["level", "target", "direction"]]).overall
        rows.append(
            [
                theme_label(theme.value),
                len(goals),
                float(high.mean()) if len(goals) else None,
                met_high.share,
                met_low.share,
            ]
        )
    columns = (
        Column("theme", _l("Tema")),
        Column("n", _l("Mål med motivation (n)"), "int"),
        Column("high", _l("Høj motivation (4-5)"), "pct", 0),
        Column("met_high", _l("Nået ved høj motivation"), "pct", 0),
        Column("met_low", _l("Nået ved lavere motivation"), "pct", 0),
    )
    return Table(
        "learning_motivation",
        _l("Motivation efter tema"),
        columns,
        rows,
        note=_l("Borgerens motivation 1-5 ved seneste opfølgning af målet; beskrivende."),
    )


def cohort_section(ctx: ReportContext) -> Section:
    """Change from admission to 3, 6, 12 and 24 months, for the stays in the report."""
    stays = ctx.stays()
    scores = score_queries.scores(
        ctx.session, ctx.sel, since=None, questionnaires=[q for q, _ in COHORT_SCALES]
    )
    rows = []
    series: dict[str, list[Any]] = {}
    for qid, scale in COHORT_SCALES:
        if qid not in ctx.registry:
            continue
        definition = ctx.registry.get(qid)
        info = ScaleInfo(definition, definition.scale(scale))
        label, higher = info.title, info.higher_is_better
        of_scale = scores[(scores["questionnaire"] == qid) & (scores["scale"] == scale)]
        for months, tolerance in frames.MILESTONES:
            pairs = frames.milestone_pairs(of_scale, stays, months, tolerance)
            change = paired_change(pairs["pre"], pairs["post"])
            reason = change_reason(change, ctx.k)
            shown = reason is None
            row = [
                label,
                months,
                change.n,
                change.mean_pre if shown else None,
                change.mean_post if shown else None,
                improvement(change.mean_diff, higher) if shown else None,
                *(
                    improvement_interval(change.ci_low, change.ci_high, higher)
                    if shown
                    else (None, None)
                ),
                improvement(change.d_z, higher) if shown else None,
                reason,
            ]
            rows.append(row)
            series.setdefault(f"{qid}.{scale}", []).append(row)
    columns = (
        Column("scale", _l("Skala")),
        Column("months", _l("Måneder efter indskrivning"), "int"),
        Column("n", _l("Forløb (n)"), "int"),
        Column("pre", _l("Ved indskrivning, gns."), "float", 2),
        Column("post", _l("Ved milepælen, gns."), "float", 2),
        Column("diff", _l("Forbedring"), "signed", 2),
        Column("ci_low", _l("95 % KI, nedre"), "signed", 2),
        Column("ci_high", _l("95 % KI, øvre"), "signed", 2),
        Column("d_z", _l("d_z"), "signed", 2),
        Column("note", _l("Bemærkning")),
    )
    section = Section("cohorts", _l("Kohorter: 3, 6, 12 og 24 måneder efter indskrivning"))
    section.tables.append(
        Table(
            "learning_cohorts",
            _l("Forbedring fra indskrivning til milepælen"),
            columns,
            rows,
            note=_l(
                "Borgere i ophold i perioden; målingen nærmest milepælen inden for ±45, 60, 90 og "
                "150 dage. Parret t-test, 95 %% KI; mindst %(k)s forløb. %(rule)s",
                k=ctx.k,
                rule=IMPROVEMENT_RULE,
            ),
        )
    )
    section.charts.append(
        ChartSpec(
            "learning_cohort_chart",
            "cohort",
            _l("Forbedring efter tid siden indskrivning"),
            {"series": series},
        )
    )
    return section


def _interval(change: PairedChange, higher_is_better: bool, shown: bool) -> tuple[Any, Any]:
    """The change's 95 % CI as an interval of improvement, or blanks when not shown."""
    if not shown:
        return None, None
    return improvement_interval(change.ci_low, change.ci_high, higher_is_better)
