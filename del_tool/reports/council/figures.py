"""Key figures and results of the council summary: counts suppressed below k citizens, means
and shares below `min_n` (COUNCIL_MIN_N_STATISTICS, default 10), and every mean and share
rounded before it leaves DEL (one decimal for changes, whole percent for shares), so that the
spreadsheet carries no more precision than the page shows."""

from __future__ import annotations

from typing import Any

import pandas as pd

from del_tool.reports.common.coverage import share
from del_tool.reports.common.direction import improvement, improvement_interval
from del_tool.reports.common.labels import fmt
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import Hidden, KeyFigure
from del_tool.reports.council.disclosure import CellTables
from del_tool.reports.council.outcomes import Outcomes
from del_tool.reports.effect.analysis import ScaleEffect
from del_tool.stats import may_show

#: Decimals of a mean change, and of a share (0.43 is 43 %), as published.
CHANGE_DECIMALS = 1
SHARE_DECIMALS = 2


def gate(value: Any, n: int, k: int, decimals: int = SHARE_DECIMALS) -> Any:
    """The value rounded, or the "<k" marker when fewer than k citizens are behind it."""
    if not may_show(n, k):
        return Hidden(f"<{k}")
    if not isinstance(value, int | float):
        return value
    return round(float(value), decimals) + 0.0  # + 0.0: a sign flip's -0.0 is published as 0.0


def count(n: int, k: int, totals_shown: bool) -> Any:
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
    """(pairs, mean change since admission as improvement: positive is better)."""
    if effect is None:
        return 0, None
    change = effect.since_admission
    return change.n, improvement(change.mean_diff, effect.info.higher_is_better)


def change_interval(effect: ScaleEffect | None) -> tuple[float | None, float | None]:
    """The 95 % CI of the mean change since admission as an interval of improvement."""
    if effect is None:
        return None, None
    change = effect.since_admission
    return improvement_interval(change.ci_low, change.ci_high, effect.info.higher_is_better)


def key_figures(
    ours: Outcomes, region: Outcomes, cells: CellTables, k: int, min_n: int
) -> list[KeyFigure]:
    """The five-minute read: six figures, each beside the region's (statistics need `min_n`)."""
    shown = cells.grand_total_shown()
    current_n, current = current_share(ours)
    figures = [
        KeyFigure(
            "citizens",
            _l("Borgere i ophold i perioden"),
            count(ours.citizens, k, shown),
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
                cost=fmt(ours.costs.total_cost),
                days=fmt(ours.costs.costs.total_days),
            ),
            benchmark=per_citizen_year(region),
        ),
        KeyFigure(
            "documentation",
            _l("Borgere med opfølgning til tiden"),
            gate(current, current_n, min_n),
            "pct",
            note=_l("n = %(n)s ophold i gang ved periodens slutning", n=current_n),
            benchmark=gate(current_share(region)[1], current_share(region)[0], min_n),
        ),
        KeyFigure(
            "goals_met",
            _l("Mål nået"),
            gate(ours.goals.overall.share, ours.goal_citizens, min_n),
            "pct",
            note=_l(
                "n = %(n)s borgere med %(g)s opfølgede mål",
                n=ours.goal_citizens,
                g=ours.goals.overall.n,
            ),
            benchmark=gate(region.goals.overall.share, region.goal_citizens, min_n),
        ),
        _change_figure(
            "functioning_improvement",
            _l("Forbedring i funktionsevne siden indskrivning (0-4, hvor 0 er bedst)"),
            (ours.functioning, region.functioning),
            min_n,
        ),
        _change_figure(
            "wellbeing_improvement",
            _l("Forbedring i trivsel siden indskrivning (WHO-5, 0-100, hvor 100 er bedst)"),
            (ours.wellbeing, region.wellbeing),
            min_n,
        ),
    ]
    hidden_reason = _l("Skjult: for få borgere bag tallet til at vise det.")
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
    decimals: int = CHANGE_DECIMALS,
) -> KeyFigure:
    """Mean improvement since admission (positive is better) with n and CI beside the
    region's, hidden below k."""
    mine, theirs = effects
    n, diff = change_value(mine)
    low, high = change_interval(mine)
    note = None
    if low is not None:
        note = _l(
            "n = %(n)s forløb; 95 %% KI %(low)s til %(high)s; positiv = bedre",
            n=n,
            low=fmt(low, decimals),
            high=fmt(high, decimals),
        )
    if not may_show(n, k):
        note = None  # not even the n: "n = 9" beside a hidden mean says as much as the mean
    region_n, region_diff = change_value(theirs)
    return KeyFigure(
        key,
        label,
        gate(diff, n, k, decimals),
        "signed",
        decimals,
        note=note,
        benchmark=gate(region_diff, region_n, k, decimals),
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
