"""The effect report (DEL question 1, with goals for questions 4 and 5)."""

from __future__ import annotations

from typing import Any, Unpack

from del_tool.reports.common import queries, score_queries
from del_tool.reports.common.context import (
    ReportContext,
    ReportRequest,
    checked_context,
    reliable_change_method,
    scope_text,
)
from del_tool.reports.common.direction import improvement, improvement_interval
from del_tool.reports.common.labels import fmt
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import KeyFigure, Report, Section
from del_tool.reports.common.scales import FUNCTIONING, FUNCTIONING_MEAN, WELLBEING
from del_tool.reports.common.verdict import glossary_section, verdict_min_n
from del_tool.reports.effect import model_choice
from del_tool.reports.effect.analysis import ScaleEffect, analyse_scales, improved_count
from del_tool.reports.effect.attrition import attrition_table
from del_tool.reports.effect.goals import analyse_goals, goal_section
from del_tool.reports.effect.robustness import METHOD_NAMES, robustness_table
from del_tool.reports.effect.tables import (
    better_text,
    change_reason,
    change_table,
    forest_chart,
    reliable_table,
    scatter_chart,
    trajectory_chart,
    trajectory_table,
)
from del_tool.reports.effect.verdict import verdict_section


def build_effect_report(**request: Unpack[ReportRequest]) -> Report:
    """The effect report's data (no rendering); AccessDeniedError outside the viewer's scope."""
    return effect_report(checked_context(**request))


def effect_report(ctx: ReportContext) -> Report:
    """Build the effect report from a checked context."""
    stays = ctx.stays()
    scores = score_queries.scores(ctx.session, ctx.sel, since=ctx.period.start)
    effects = analyse_scales(
        ctx.session,
        ctx.sel,
        scores,
        stays,
        ctx.registry,
        latest_from=ctx.period.start,
        fallback_max_stays=ctx.trajectory_fallback_max,
        method=reliable_change_method(),
    )
    reviews = queries.goal_reviews(ctx.session, ctx.sel, since=ctx.period.start)
    goals = analyse_goals(reviews)
    summary = Section(
        "summary",
        _l("Kort fortalt"),
        question=_l("DEL-spørgsmål 1: Har tilbuddet en effekt?"),
        intro=_l(
            "Ændring siden indskrivning sammenligner baseline-målingen med den seneste måling i "
            "perioden for hvert forløb (en borgers ophold i et tilbud)."
        ),
    )
    summary.figures.append(
        KeyFigure(
            "citizens",
            _l("Borgere i ophold i perioden"),
            int(stays["citizen"].nunique()),
            note=_l("%(n)s ophold", n=len(stays)),
        )
    )
    summary.figures.extend(effect_figures(effects, ctx.k))
    goal_part = goal_section(goals, window=_l("Status ved seneste opfølgning i perioden."))
    change, reliable, over_time = scale_sections(effects, ctx.k)
    # Who is missing, beside the reliable-change table that counts only those measured again.
    reliable.tables.insert(1, attrition_table(effects, scores, ctx.k))
    summary.figures.extend(goal_part.figures)
    return Report(
        kind="effect",
        title=_l("Effektrapport"),
        scope_label=scope_text(ctx),
        period=ctx.period,
        filters=ctx.filters,
        filter_labels=ctx.filter_labels(),
        generated_at=ctx.generated_at,
        sections=[
            verdict_section(ctx, effects, goals, verdict_min_n()),
            summary,
            change,
            reliable,
            over_time,
            goal_part,
            glossary_section(),
        ],
        methods=methods(effects),
    )


def find_effect(effects: list[ScaleEffect], questionnaire: str, scale: str) -> ScaleEffect | None:
    """The analysis of one scale, if it had data."""
    for effect in effects:
        if (effect.info.definition.id, effect.info.scale.id) == (questionnaire, scale):
            return effect
    return None


def functioning_in_period(ctx: ReportContext) -> ScaleEffect | None:
    """Change in the functioning profile's mean for the stays measured in the period, without
    trajectories: what the learning and economy reports compare units on."""
    scores = score_queries.scores(
        ctx.session, ctx.sel, since=ctx.period.start, questionnaires=[FUNCTIONING]
    )
    effects = analyse_scales(
        ctx.session,
        ctx.sel,
        scores,
        ctx.stays(),
        ctx.registry,
        latest_from=ctx.period.start,
        trajectories=False,
    )
    return find_effect(effects, FUNCTIONING, FUNCTIONING_MEAN)


def change_figure(key: str, label: Any, effect: ScaleEffect | None, min_pairs: int) -> KeyFigure:
    """Mean change since admission with its CI and n, or the reason it is missing."""
    if effect is None:
        return KeyFigure(key, label, None, "signed", 2, reason=_l("Ingen målinger med skalaen."))
    change = effect.since_admission
    reason = change_reason(change, min_pairs)
    if change.n < min_pairs:
        return KeyFigure(key, label, None, "signed", 2, reason=reason)
    higher = effect.info.higher_is_better
    low, high = improvement_interval(change.ci_low, change.ci_high, higher)
    note = _l(
        "n = %(n)s forløb; 95 %% KI %(low)s til %(high)s; positiv = bedre (på skalaen er "
        "%(better)s bedre); parret t-test",
        n=change.n,
        low=fmt(low, 2),
        high=fmt(high, 2),
        better=better_text(higher),
    )
    value = improvement(change.mean_diff, higher)
    return KeyFigure(key, label, value, "signed", 2, note=note, reason=reason)


def improved_figure(key: str, label: Any, effect: ScaleEffect | None, min_pairs: int) -> KeyFigure:
    """Share reliably improved (Jacobson-Truax), or the reason it is missing."""
    counts = improved_count(effect) if effect is not None else None
    if effect is None or counts is None:
        reason = effect.reliable_reason if effect is not None else _l("Ingen målinger.")
        return KeyFigure(key, label, None, "pct", 0, reason=reason)
    better, n = counts
    if n < min_pairs:
        return KeyFigure(
            key, label, None, "pct", 0, reason=change_reason(effect.since_admission, min_pairs)
        )
    method = effect.reliable.rci_method if effect.reliable is not None else "JT"
    note = _l("%(b)s af %(n)s forløb; Jacobson-Truax, |RC| > 1,96", b=better, n=n)
    if method != "JT":
        note = _l("%(b)s af %(n)s forløb; %(method)s", b=better, n=n, method=METHOD_NAMES[method])
    reliability = effect.reliability.value
    if reliability is not None and reliability < LOW_RELIABILITY:
        note = _l(
            "%(b)s af %(n)s forløb; %(method)s med lav reliabilitet (%(r)s), så kun store "
            "ændringer tæller",
            b=better,
            n=n,
            method=METHOD_NAMES[method],
            r=fmt(reliability, 2),
        )
    return KeyFigure(key, label, better / n, "pct", 0, note=note)


def effect_figures(effects: list[ScaleEffect], min_pairs: int) -> list[KeyFigure]:
    """The headline effect figures: functioning and well-being."""
    functioning = find_effect(effects, FUNCTIONING, FUNCTIONING_MEAN)
    wellbeing = find_effect(effects, *WELLBEING)
    return [
        change_figure(
            "functioning_change",
            _l("Forbedring i funktionsevne siden indskrivning (0-4)"),
            functioning,
            min_pairs,
        ),
        improved_figure(
            "functioning_improved",
            _l("Andel med pålidelig forbedring af funktionsevnen"),
            functioning,
            min_pairs,
        ),
        change_figure(
            "wellbeing_change",
            _l("Forbedring i trivsel (WHO-5, 0-100)"),
            wellbeing,
            min_pairs,
        ),
    ]


def scale_sections(effects: list[ScaleEffect], min_pairs: int) -> list[Section]:
    """Change, reliable change and trajectory sections for every scale."""
    change = Section(
        "change",
        _l("Ændring pr. skala og tema"),
        intro=_l(
            "Funktionsprofilens temaer er hver sin skala (0-4, lavere er bedre). Første mod "
            "seneste i perioden kræver to målinger i perioden."
        ),
        results={"effects": effects},
    )
    change.tables.append(
        change_table(
            "effect_admission", _l("Siden indskrivning"), effects, min_pairs, since_admission=True
        )
    )
    change.tables.append(
        change_table(
            "effect_period",
            _l("Første mod seneste måling i perioden"),
            effects,
            min_pairs,
            since_admission=False,
        )
    )
    change.charts.append(forest_chart(effects, min_pairs))
    method = reliable_change_method()
    reliable = Section(
        "reliable", _l("Pålidelig ændring (%(method)s)", method=METHOD_NAMES[method])
    )
    reliable.messages.extend(low_reliability_messages(effects))
    reliable.tables.append(reliable_table(effects, min_pairs, method))
    reliable.tables.append(robustness_table(effects, min_pairs))
    for effect in effects:
        if (
            effect.reliable is not None
            and effect.reliable.s_diff is not None
            and effect.reliable.n >= min_pairs
            # The plot's band is Jacobson-Truax's |post - pre| <= 1.96 S_diff; the other
            # indices adjust for regression to the mean, so the band would not fit them.
            and effect.reliable.rci_method == "JT"
        ):
            reliable.charts.append(scatter_chart(effect))
    over_time = Section("trajectory", _l("Udvikling over tid"))
    over_time.tables.append(trajectory_table(effects))
    for effect in effects:
        if effect.trajectory is not None and effect.trajectory.slope is not None:
            over_time.charts.append(trajectory_chart(effect))
    return [change, reliable, over_time]


#: Below this reliability only large individual changes can be told from measurement error.
LOW_RELIABILITY = 0.6


def low_reliability_messages(effects: list[ScaleEffect]) -> list[Any]:
    """A plain warning for each scale whose reliability is low."""
    return [
        _l(
            "%(scale)s: reliabiliteten er lav (%(r)s), så kun store ændringer hos den enkelte "
            "kan skelnes fra målefejl. Gennemsnittets ændring ovenfor er stadig brugbar.",
            scale=e.info.title,
            r=fmt(e.reliability.value, 2),
        )
        for e in effects
        if e.reliability.value is not None and e.reliability.value < LOW_RELIABILITY
    ]


METHODS = [
    _l(
        "Parret ændring: middelværdi af ændringen med t-baseret 95 % KI, parret t-test og "
        "Wilcoxons fortegnsrangtest; effektstørrelse d_z med 95 % KI fra den ikke-centrale "
        "t-fordeling og Hedges' g_av (Lakens 2013)."
    ),
    _l(
        "Pålidelig ændring: Jacobson & Truax (1991). SD og reliabilitet er én fast reference pr. "
        "skala og version, så et tilbuds tal er det samme i tilbuddets, centerets og regionens "
        "rapport: spørgeskemaets normer, hvor definitionen har dem, ellers SD og Cronbachs alfa "
        "af alle baseline-målinger i DEL, låst første gang der er nok målinger; tabellen siger "
        "hvilken."
    ),
    model_choice.METHOD,
    _l(
        "Målopfyldelse: andel mål, hvis seneste niveau er på eller bedre end målniveauet, med "
        "Wilson 95 % KI; GAS T-score efter Kiresuk & Sherman (rho = 0,3)."
    ),
]


def methods(effects: list[ScaleEffect]) -> list[Any]:
    """The methods text: the reliable change method in use, and where a mixed model was fitted
    on a sample of stays."""
    method = reliable_change_method()
    notes: list[Any] = [
        _l(
            "Metode for pålidelig ændring i denne rapport: %(method)s (indstillingen "
            "RELIABLE_CHANGE_METHOD). Tabellen 'Pålidelig ændring efter metode' viser de samme "
            "forløb efter Jacobson-Truax, Gulliksen-Lord-Novick, Edwards-Nunnally, "
            "Hsu-Linn-Lord, Nunnally-Kotsch og Hageman-Arrindell, efter mindste vigtige ændring, "
            "hvor definitionen angiver den, og efter HLM over alle målinger.",
            method=METHOD_NAMES[method],
        )
    ]
    for effect in effects:
        fit = effect.trajectory
        if fit is not None and fit.sampled_from is not None:
            notes.append(
                _l(
                    "%(scale)s: DELs REML-tilpasning konvergerede ikke; modellen er tilpasset med "
                    "statsmodels på en tilfældig stikprøve af %(used)s af %(total)s forløb.",
                    scale=effect.info.title,
                    used=fit.n_groups,
                    total=fit.sampled_from,
                )
            )
    described = list(METHODS)
    if method != "JT":
        described[1] = _l(
            "Pålidelig ændring: %(method)s (README, Statistik). SD og reliabilitet er én fast "
            "reference pr. skala og version, så et tilbuds tal er det samme i tilbuddets, "
            "centerets og regionens rapport: spørgeskemaets normer, hvor definitionen har dem, "
            "ellers SD og Cronbachs alfa af alle baseline-målinger i DEL, låst første gang der er "
            "nok målinger; tabellen siger hvilken.",
            method=METHOD_NAMES[method],
        )
    return [*described, *notes]
