"""Key figures and results of the council summary, suppressed below k citizens."""

from __future__ import annotations

from typing import Any

import pandas as pd

from del_tool.goals.models import GoalDirection
from del_tool.reports.common.coverage import share
from del_tool.reports.common.labels import direction_label, fmt
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import ChartSpec, Column, Hidden, KeyFigure, Section, Table
from del_tool.reports.council.disclosure import CellTables
from del_tool.reports.council.outcomes import Outcomes
from del_tool.reports.effect.analysis import ScaleEffect, improved_count
from del_tool.stats import may_show


def _gate(value: Any, n: int, k: int) -> Any:
    """The value, or the "<k" marker when fewer than k citizens are behind it."""
    return value if may_show(n, k) else Hidden(f"<{k}")


def _count(n: int, k: int, totals_shown: bool) -> Any:
    """A count of citizens, hidden below k or when the table's grand total is hidden."""
    return n if totals_shown and may_show(n, k) else Hidden(f"<{k}" if n < k else "x")


def per_citizen_year(o: Outcomes) -> float | None:
    """Cost per citizen-year of all the group's stays (None when a day lacks a tariff)."""
    total = o.costs.summary("all")
    if total.empty or pd.isna(total["cost_per_citizen_year"].iloc[0]):
        return None
    return float(total["cost_per_citizen_year"].iloc[0])


def current_share(o: Outcomes) -> tuple[int, float | None]:
    """Stays in progress at the reference day without an overdue follow-up."""
    active = o.in_progress
    return len(active), share(~active["overdue"])


def change_value(effect: ScaleEffect | None) -> tuple[int, float | None]:
    """(pairs, mean change since admission)."""
    if effect is None:
        return 0, None
    return effect.since_admission.n, effect.since_admission.mean_diff


def key_figures(ours: Outcomes, region: Outcomes, cells: CellTables, k: int) -> list[KeyFigure]:
    """The five-minute read: six figures, each beside the region's."""
    shown = cells.grand_total_shown()
    current_n, current = current_share(ours)
    figures = [
        KeyFigure(
            "citizens",
            _l("Borgere i ophold i perioden"),
            _count(ours.citizens, k, shown),
            note=_l("borgere, kommunen betaler for"),
            benchmark=region.citizens,
        ),
        KeyFigure(
            "cost_per_year",
            _l("Udgift pr. borgerår (kr.)"),
            per_citizen_year(ours) if shown else Hidden("x"),
            "dkk",
            note=_l(
                "I alt %(cost)s kr. for %(days)s opholdsdage",
                cost=fmt(ours.costs.costs.total_cost),
                days=fmt(ours.costs.costs.total_days),
            ),
            benchmark=per_citizen_year(region),
        ),
        KeyFigure(
            "documentation",
            _l("Borgere med opfølgning til tiden"),
            _gate(current, current_n, k),
            "pct",
            note=_l("n = %(n)s ophold i gang ved periodens slutning", n=current_n),
            benchmark=current_share(region)[1],
        ),
        KeyFigure(
            "goals_met",
            _l("Mål nået"),
            _gate(ours.goals.overall.share, ours.goal_citizens, k),
            "pct",
            note=_l(
                "n = %(n)s borgere med %(g)s opfølgede mål",
                n=ours.goal_citizens,
                g=ours.goals.overall.n,
            ),
            benchmark=region.goals.overall.share,
        ),
        _change_figure(
            "functioning_change",
            _l("Ændring i funktionsevne siden indskrivning (0-4, lavere er bedre)"),
            (ours.functioning, region.functioning),
            k,
            2,
        ),
        _change_figure(
            "wellbeing_change",
            _l("Ændring i trivsel siden indskrivning (WHO-5, 0-100, højere er bedre)"),
            (ours.wellbeing, region.wellbeing),
            k,
            1,
        ),
    ]
    hidden_reason = _l("Skjult: færre end %(k)s borgere bag tallet.", k=k)
    # Without published totals no count may be shown, not even inside a note.
    return [
        _without_note(f, hidden_reason if isinstance(f.value, Hidden) else None)
        if isinstance(f.value, Hidden) or not shown
        else f
        for f in figures
    ]


def _change_figure(
    key: str,
    label: Any,
    effects: tuple[ScaleEffect | None, ScaleEffect | None],
    k: int,
    decimals: int,
) -> KeyFigure:
    """Mean change since admission with n and CI beside the region's, hidden below k."""
    mine, theirs = effects
    n, diff = change_value(mine)
    note = None
    if mine is not None and mine.since_admission.ci_low is not None:
        note = _l(
            "n = %(n)s forløb; 95 %% KI %(low)s til %(high)s",
            n=n,
            low=fmt(mine.since_admission.ci_low, decimals),
            high=fmt(mine.since_admission.ci_high, decimals),
        )
    return KeyFigure(
        key,
        label,
        _gate(diff, n, k),
        "signed",
        decimals,
        note=note,
        benchmark=change_value(theirs)[1],
    )


def _without_note(figure: KeyFigure, reason: Any) -> KeyFigure:
    return KeyFigure(
        figure.key,
        figure.label,
        figure.value,
        figure.kind,
        figure.decimals,
        note=None,
        reason=reason,
        benchmark=figure.benchmark,
    )


SHARE_COLUMNS = (
    Column("measure", _l("Mål")),
    Column("n", _l("Kommunen: borgere (n)"), "int"),
    Column("share", _l("Kommunen"), "pct", 0),
    Column("region_n", _l("Regionen: borgere (n)"), "int"),
    Column("region_share", _l("Regionen"), "pct", 0),
)


def share_rows(o: Outcomes) -> list[tuple[str, Any, int, float | None]]:
    """(key, label, citizens behind, share) for documentation and goals."""
    stays = o.coverage.stays
    timed = o.coverage.follow_ups
    current_n, current = current_share(o)
    timed_citizens = timed["stay"].map(stays.set_index("stay")["citizen"]).nunique()
    rows: list[tuple[str, Any, int, float | None]] = [
        (
            "baseline",
            _l("Ophold med baseline-profil"),
            int(stays["citizen"].nunique()),
            share(stays["has_baseline"]),
        ),
        ("current", _l("Opfølgning til tiden ved periodens slutning"), current_n, current),
        (
            "on_time",
            _l("Opfølgninger i perioden, der kom til tiden"),
            int(timed_citizens),
            share(timed["on_time"]),
        ),
        ("goals", _l("Mål nået, alle måltyper"), o.goal_citizens, o.goals.overall.share),
    ]
    for direction in GoalDirection:
        rows.append(
            (
                f"goals_{direction.value}",
                _l("Mål nået: %(d)s", d=direction_label(direction.value)),
                o.direction_citizens.get(direction.value, 0),
                o.goals.by_direction[direction.value].share,
            )
        )
    improved = improved_count(o.functioning) if o.functioning is not None else None
    if improved is not None:
        better, n = improved
        rows.append(
            (
                "improved",
                _l("Pålidelig forbedring af funktionsevnen"),
                n,
                better / n if n else None,
            )
        )
    return rows


def results_section(ours: Outcomes, region: Outcomes, k: int, totals_shown: bool = True) -> Section:
    """Documentation, goals and change for the municipality beside the region."""
    section = Section(
        "results",
        _l("Dokumentation, mål og udvikling"),
        question=_l("DEL-spørgsmål 1 og 4: Har indsatsen effekt, og når borgerne deres mål?"),
    )
    region_rows = {key: (n, value) for key, _label, n, value in share_rows(region)}
    rows = []
    for key, label, n, value in share_rows(ours):
        region_n, region_value = region_rows.get(key, (0, None))
        rows.append(
            [
                label,
                _count(n, k, totals_shown),
                _gate(value, n, k),
                _count(region_n, k, True),
                _gate(region_value, region_n, k),
            ]
        )
    section.tables.append(
        Table(
            "council_shares",
            _l("Dokumentation og mål"),
            SHARE_COLUMNS,
            rows,
            note=_l("Andele vises, når mindst %(k)s borgere står bag.", k=k),
        )
    )
    section.tables.append(change_table(ours, region, k, totals_shown))
    section.charts.append(_compare_chart(rows))
    return section


CHANGE_COLUMNS = (
    Column("scale", _l("Skala")),
    Column("n", _l("Kommunen: forløb (n)"), "int"),
    Column("diff", _l("Kommunen: ændring"), "signed", 2),
    Column("ci_low", _l("95 % KI, nedre"), "signed", 2),
    Column("ci_high", _l("95 % KI, øvre"), "signed", 2),
    Column("region_n", _l("Regionen: forløb (n)"), "int"),
    Column("region_diff", _l("Regionen: ændring"), "signed", 2),
    Column("better", _l("Bedre er")),
)


def change_table(ours: Outcomes, region: Outcomes, k: int, totals_shown: bool) -> Table:
    """Change since admission in functioning and well-being, beside the region."""
    rows = []
    for label, mine, theirs, better in (
        (_l("Funktionsevne (0-4)"), ours.functioning, region.functioning, _l("lavere")),
        (_l("Trivsel, WHO-5 (0-100)"), ours.wellbeing, region.wellbeing, _l("højere")),
    ):
        n, diff = change_value(mine)
        region_n, region_diff = change_value(theirs)
        low = mine.since_admission.ci_low if mine is not None else None
        high = mine.since_admission.ci_high if mine is not None else None
        rows.append(
            [
                label,
                _count(n, k, totals_shown),
                _gate(diff, n, k),
                _gate(low, n, k),
                _gate(high, n, k),
                _count(region_n, k, True),
                _gate(region_diff, region_n, k),
                better,
            ]
        )
    return Table(
        "council_change",
        _l("Ændring siden indskrivning"),
        CHANGE_COLUMNS,
        rows,
        note=_l(
            "Baseline mod seneste måling til og med periodens slutning; parret t-test, "
            "95 %% KI; mindst %(k)s forløb.",
            k=k,
        ),
    )


def _compare_chart(rows: list[list[Any]]) -> ChartSpec:
    """Municipality beside region for the shares that may be shown."""
    shown = [
        r
        for r in rows
        if not isinstance(r[2], Hidden)
        and r[2] is not None
        and r[4] is not None
        and not isinstance(r[4], Hidden)
    ]
    return ChartSpec(
        "council_compare",
        "compare",
        _l("Kommunen og regionen"),
        {
            "labels": [r[0] for r in shown],
            "ours": [float(r[2]) for r in shown],
            "region": [float(r[4]) for r in shown],
        },
        notes=(_l("Kun andele med mindst det antal borgere, der må vises."),),
    )
