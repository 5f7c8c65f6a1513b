"""The learning report (DEL questions 3 and 5): units side by side, trends, themes, cohorts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Unpack

import pandas as pd

from del_tool.reports.benchmark.adjusted import adjusted_chart, adjusted_table, compare_units
from del_tool.reports.benchmark.funnels import (
    citizen_pairs,
    mean_funnel,
    proportion_funnel,
    unit_counts,
    unit_goals,
    unit_table,
)
from del_tool.reports.benchmark.providers import benchmark_sections
from del_tool.reports.common import queries
from del_tool.reports.common.context import (
    ReportContext,
    ReportRequest,
    checked_context,
    scope_text,
)
from del_tool.reports.common.frames import latest_reviews
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import KeyFigure, Report, Section
from del_tool.reports.effect.report import functioning_in_period
from del_tool.reports.learning.agreement import agreement_section
from del_tool.reports.learning.sections import cohort_section, theme_section, trend_section


def build_learning_report(**request: Unpack[ReportRequest]) -> Report:
    """The learning report's data; AccessDeniedError outside the viewer's scope."""
    return learning_report(checked_context(**request))


def learning_report(ctx: ReportContext) -> Report:
    """Build the learning report from a checked context."""
    stays = ctx.stays()
    functioning = functioning_in_period(ctx)
    reviews = queries.goal_reviews(ctx.session, ctx.sel, since=ctx.period.start)
    latest = latest_reviews(reviews)
    units = units_section(ctx, stays, functioning, latest)
    sections = [units]
    if ctx.scope.level == "region":
        sections.append(centres_section(ctx, stays, functioning, latest))
    sections.extend(benchmark_sections(ctx))
    return Report(
        kind="learning",
        title=_l("Læringsrapport"),
        scope_label=scope_text(ctx),
        period=ctx.period,
        filters=ctx.filters,
        filter_labels=ctx.filter_labels(),
        generated_at=ctx.generated_at,
        sections=[
            *sections,
            trend_section(ctx),
            theme_section(latest, ctx.k),
            agreement_section(latest, stays, ctx.units()["name"], ctx),
            cohort_section(ctx),
        ],
        methods=[
            _l(
                "Tragtdiagrammer: hvert tilbud mod gennemsnittet for alle tilbud i rapporten, med "
                "kontrolgrænser på 95 og 99,8 procent (Spiegelhalter 2005). Et tilbud uden for "
                "grænsen på 99,8 procent afviger mere, end tilfældigheder plejer at give. n er "
                "borgere: én måling pr. borger i tilbuddet, og målopfyldelse som hver borgers "
                "andel af sine mål, så flere mål hos samme borger ikke tæller som flere borgere."
            ),
            _l(
                "Andelen pålideligt forbedret har eksakte binomiale grænser, fordi tilbuddene er "
                "små: normalfordelingens grænser er for snævre ved få borgere og markerer for "
                "mange tilbud. Grænserne er ikke justeret for overspredning; med få, små tilbud "
                "kan den ikke skønnes sikkert, så den angives ved diagrammet."
            ),
            _l(
                "Tragten for forbedring er ujusteret. Tabellen 'justeret for udgangsniveau' "
                "sammenligner tilbuddene ved samme udgangsniveau (kovariansanalyse), fordi "
                "borgere, der starter dårligere, har mere at vinde. Forskellene er stadig "
                "beskrivende: tilbuddene har forskellige målgrupper."
            ),
        ],
    )


@dataclass(frozen=True, slots=True)
class Level:
    """What is compared side by side: units, or (at region scope) centres."""

    key: str  # prefix of the tables' and charts' keys
    title: Any
    entity: Any  # the column heading and the "per ..." of titles
    too_few: Any
    outside: Any
    section: str = "units"  # the section's key
    figure: str = "units_outside"  # the key figure's key


UNITS = Level(
    "learning",
    _l("Tilbud side om side"),
    _l("Tilbud"),
    _l("Sammenligning kræver data fra mindst to tilbud i rapporten."),
    _l("Tilbud uden for grænsen på 99,8 %"),
)
CENTRES = Level(
    "learning_centres",
    _l("Centre side om side"),
    _l("Center"),
    _l("Sammenligning kræver data fra mindst to centre i rapporten."),
    _l("Centre uden for grænsen på 99,8 %"),
    section="centres",
    figure="centres_outside",
)


def units_section(
    ctx: ReportContext,
    stays: pd.DataFrame,
    functioning: Any,
    latest: pd.DataFrame,
    level: Level = UNITS,
    names: pd.Series | None = None,
) -> Section:
    """Units (or centres: `stays` with their centre in "unit", and `names`) side by side with
    three funnel plots and the comparison adjusted for the baseline."""
    section = Section(
        level.section,
        level.title,
        question=_l("DEL-spørgsmål 3: Hvordan lærer vi af målingerne?"),
    )
    names = ctx.units()["name"] if names is None else names
    counts = unit_counts(functioning, stays)
    goals = unit_goals(latest, stays)
    flags: dict[str, pd.Series] = {
        "mean": pd.Series(dtype=str),
        "improved": pd.Series(dtype=str),
        "met": pd.Series(dtype=str),
    }
    if len(set(counts.index) | set(goals.index)) < 2:
        section.messages.append(level.too_few)
    else:
        _add_funnels(section, names, counts, goals, flags, functioning, level)
    section.tables.append(
        unit_table(
            names,
            counts,
            goals,
            flags,
            key=f"{level.key}_units",
            entity=level.entity,
            title=level.title,
        )
    )
    _add_adjusted(section, names, citizen_pairs(functioning, stays), level)
    outside = sum(int((f.isin(["above", "below"])).sum()) for f in flags.values())
    section.figures.append(
        KeyFigure(
            level.figure,
            level.outside,
            outside,
            note=_l("summen over de tre mål; %(n)s sammenlignet", n=len(names)),
        )
    )
    return section


def _add_funnels(
    section: Section,
    names: pd.Series,
    counts: pd.DataFrame,
    goals: pd.DataFrame,
    flags: dict[str, pd.Series],
    functioning: Any,
    level: Level,
) -> None:
    """The three funnel plots, and each unit's position in them (written into `flags`)."""
    if not counts.empty:
        values = counts.rename(columns={"pairs": "n"})
        result, chart = mean_funnel(
            f"{level.key}_funnel_change",
            _l("Forbedring i funktionsevne siden indskrivning pr. %(what)s", what=_per(level)),
            names,
            values,
            higher_is_better=True,  # unit_counts gives improvement: positive is better
            ylabel=_l("Gennemsnitlig forbedring (op er bedre)"),
        )
        flags["mean"] = pd.Series(result.flag, index=values[values["n"] > 0].index)
        section.charts.append(chart)
        section.results["funnel_change"] = result
        _add_improved(section, names, counts, flags, functioning, level)
    if not goals.empty:
        result, chart = mean_funnel(
            f"{level.key}_funnel_goals",
            _l("Andel af borgerens mål nået, gennemsnit pr. %(what)s", what=_per(level)),
            names,
            goals.rename(columns={"citizens": "n", "share": "mean"}),
            higher_is_better=True,
            ylabel=_l("Mål nået, gns. pr. borger (%)"),
            percent=True,
        )
        flags["met"] = pd.Series(result.flag, index=goals[goals["citizens"] > 0].index)
        section.charts.append(chart)
        section.results["funnel_goals"] = result


def _add_improved(
    section: Section,
    names: pd.Series,
    counts: pd.DataFrame,
    flags: dict[str, pd.Series],
    functioning: Any,
    level: Level,
) -> None:
    """The funnel of the share reliably improved (exact binomial limits), or why there is none."""
    classified = counts["classified"]
    if counts["improved"].sum() > 0:
        result, chart = proportion_funnel(
            f"{level.key}_funnel_improved",
            _l("Andel pålideligt forbedret pr. %(what)s", what=_per(level)),
            names,
            counts["improved"],
            classified,
        )
        flags["improved"] = pd.Series(result.flag, index=classified[classified > 0].index)
        section.charts.append(chart)
        section.results["funnel_improved"] = result
    elif functioning is not None and functioning.reliable_reason is not None:
        section.messages.append(functioning.reliable_reason)
    elif classified.sum() > 0:
        section.messages.append(
            _l(
                "Ingen forløb er pålideligt forbedret på funktionsevnen, så der vises ingen "
                "tragt for andelen."
            )
        )


def centres_section(
    ctx: ReportContext, stays: pd.DataFrame, functioning: Any, latest: pd.DataFrame
) -> Section:
    """Centre by centre at region scope: the same measures, funnels and baseline-adjusted
    comparison as for units, over each centre's citizens; says so where target groups differ."""
    units = ctx.units()
    by_centre = stays.assign(unit=stays["unit"].map(units["centre"]))
    names = units.drop_duplicates("centre").set_index("centre")["centre_name"]
    section = units_section(ctx, by_centre, functioning, latest, CENTRES, names)
    groups = queries.unit_target_groups(ctx.session, ctx.scope.unit_ids)
    served = groups.groupby(groups.index.map(units["centre"]))["target_group"].agg(frozenset)
    if served.nunique() > 1:
        section.messages.append(
            _l(
                "Centrene har forskellige målgrupper, så forskellene mellem dem er beskrivende: "
                "den justerede sammenligning tager højde for borgernes udgangsniveau, ikke for "
                "målgruppen. Sammenlign helst centre med samme målgruppe."
            )
        )
    return section


def _per(level: Level) -> Any:
    return _l("center") if level is CENTRES else _l("tilbud")


def _add_adjusted(section: Section, names: pd.Series, pairs: pd.DataFrame, level: Level) -> None:
    """Change per unit adjusted for the baseline (ANCOVA), as a table and a chart."""
    if pairs["unit"].nunique() < 2:
        return
    result = compare_units(pairs, higher_is_better=False)
    section.results["adjusted"] = result
    if result.reason is not None:
        section.messages.append(
            _l("Ingen justeret sammenligning af tilbuddene: %(why)s", why=result.reason)
        )
        return
    section.tables.append(
        adjusted_table(
            names,
            result,
            baseline=float(pairs["pre"].mean()),
            key=f"{level.key}_adjusted",
            entity=level.entity,
        )
    )
    section.charts.append(
        adjusted_chart(
            names,
            result,
            xlabel=_l("Justeret forbedring i funktionsevne (til højre = forbedring)"),
            key=f"{level.key}_adjusted_chart",
        )
    )
