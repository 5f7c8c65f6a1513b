"""The council summary's demand section: the municipality's referrals and their outcomes, the
waiting time of its citizens, its days bought per quarter with a forecast, and the places of the
units it uses beside its own use of them.

Council numbers are about the municipality's citizens, so the referral counts are suppressed as
every council count is (`del_tool.stats.suppress_small_cells`: "<k", complementary "x") and are
described for the union audit (`demand_specs`, audited with the rest of the summary before it is
published). A waiting time is a median and quartiles: it is shown only when at least k
admissions (or referrals waiting) are behind it and their count is shown, and it is withheld with
that count. A median is no sum, so it is not differenced as a mean is; its n is. Days, the
forecast made from them and the municipality's use of places are its own invoices, shown in full
(`union.UNAUDITED_TABLES`); places are the units' own numbers.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from del_tool.reports.common.context import ReportContext, statistic_min_n
from del_tool.reports.common.demand import Demand, demand, places_on
from del_tool.reports.common.forecast_tables import (
    BACKTEST_COLUMNS,
    FORECAST_NOTE,
    backtest_row,
    forecast_chart,
    next_quarter_figure,
)
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import Column, Hidden, KeyFigure, Section, Table
from del_tool.reports.council.union import CellSpec, Spot, token
from del_tool.stats import suppress_small_cells
from del_tool.stats.demand import (
    decided_in,
    in_period,
    pending_on,
    quartiles,
    waiting_days,
)

#: The outcome rows of the referral table, in order, then the total.
ROWS = ("admitted", "declined", "withdrawn", "pending")
TOTAL = "total"
#: Quarters of history in the days table (the chart shows them all).
SHOWN_QUARTERS = 8


def partition(figures: Demand, ctx: ReportContext) -> dict[str, pd.DataFrame]:
    """The referrals waiting at some time in the period by what became of them by its end."""
    found = figures.referrals
    start, end = ctx.period.start, ctx.reference_date
    chosen = found[in_period(found, start, end)]
    return {
        "admitted": chosen[decided_in(chosen, start, end, "admitted")],
        "declined": chosen[decided_in(chosen, start, end, "declined")],
        "withdrawn": chosen[decided_in(chosen, start, end, "withdrawn")],
        "pending": chosen[pending_on(chosen, end)],
        TOTAL: chosen,
    }


def _published_counts(groups: dict[str, pd.DataFrame], k: int) -> dict[str, Any]:
    """The counts as published: "<k", "x" for complementary suppression, else the number."""
    counts = pd.DataFrame([[len(groups[r]) for r in ROWS]], index=["ours"], columns=list(ROWS))
    table = suppress_small_cells(counts, k=k, total_label=TOTAL)
    shown: dict[str, Any] = {}
    for column in (*ROWS, TOTAL):
        row = "ours"
        value = int(table.values.at[row, column])
        if bool(table.suppressed.at[row, column]):
            small = bool(table.primary.at[row, column]) and not table.disclosed
            shown[column] = Hidden(f"<{k}" if small else "x")
        else:
            shown[column] = value
    return shown


def _statistics(count: Any, values: Any, k: int) -> list[Any]:
    """Median and quartiles, or markers when fewer than `k` (the statistics minimum) are
    behind them or n is hidden."""
    result = quartiles(values)
    if isinstance(count, Hidden) or result.n < k:
        marker = count if isinstance(count, Hidden) else Hidden(f"<{k}")
        return [marker, marker, marker]
    return [result.median, result.q1, result.q3]


def council_demand_section(ctx: ReportContext) -> Section:
    """The section (module docstring) for a council context (one municipality's stays)."""
    figures = demand(ctx, per_municipality=False)
    k = ctx.k
    # A median is a statistic of the municipality's citizens: it needs as many as a mean does.
    n_min = statistic_min_n()
    groups = partition(figures, ctx)
    counts = _published_counts(groups, k)
    section = Section(
        "demand",
        _l("Henvendelser, ventetid og købte dage"),
        intro=_l(
            "Kommunens henvendelser om en plads i regionens tilbud: de, der ventede på et "
            "tidspunkt i perioden, efter hvad der blev af dem. Ventetid er dage fra "
            "henvendelsen til indskrivningen; afviste og tilbagetrukne henvendelser er ikke "
            "indskrivninger. Antal under %(k)s vises som <%(k)s, og ventetider vises kun, når "
            "mindst %(n)s står bag.",
            k=k,
            n=n_min,
        ),
    )
    referral_rows = [[_row_label(r), counts[r]] for r in (*ROWS, TOTAL)]
    section.tables.append(
        Table(
            "council_referrals",
            _l("Kommunens henvendelser i perioden"),
            (Column("outcome", _l("Henvendelser")), Column("n", _l("Antal"), "int")),
            referral_rows,
            note=_l("x: skjult, så de små tal ikke kan regnes ud fra summen."),
        )
    )
    admitted = _statistics(counts["admitted"], waiting_days(groups["admitted"]), n_min)
    waited = (pd.Timestamp(ctx.reference_date) - groups["pending"]["referred"]).dt.days
    pending = _statistics(counts["pending"], waited, n_min)
    section.tables.append(
        Table(
            "council_waiting",
            _l("Ventetid"),
            (
                Column("what", _l("Borgere")),
                Column("n", _l("Antal"), "int"),
                Column("median", _l("Median (dage)"), "float", 0),
                Column("days_low", _l("Kvartiler (dage), nedre"), "float", 0),
                Column("days_high", _l("Kvartiler (dage), øvre"), "float", 0),
            ),
            [
                [
                    _l("Indskrevet i perioden: ventetid til indskrivning"),
                    counts["admitted"],
                    *admitted,
                ],
                [
                    _l("Venter ved periodens slutning: har ventet indtil nu"),
                    counts["pending"],
                    *pending,
                ],
            ],
        )
    )
    section.figures.extend(_figures(counts, admitted, pending, figures, n_min))
    section.tables.append(_days_table(figures))
    section.tables.append(
        Table(
            "council_days_backtest",
            _l("Tilbagetest af prognosen"),
            BACKTEST_COLUMNS,
            [backtest_row(_l("Kommunen"), figures.total)],
        )
    )
    section.charts.append(
        forecast_chart(
            "council_days_chart", figures.total, _l("Kommunens købte dage pr. kvartal med prognose")
        )
    )
    section.tables.append(_capacity_table(ctx))
    return section


def _row_label(row: str) -> Any:
    return {
        "admitted": _l("Indskrevet i perioden"),
        "declined": _l("Afvist i perioden"),
        "withdrawn": _l("Trukket tilbage i perioden"),
        "pending": _l("Venter ved periodens slutning"),
        TOTAL: _l("I alt"),
    }[row]


def _figures(
    counts: dict[str, Any], admitted: list[Any], pending: list[Any], figures: Demand, k: int
) -> list[KeyFigure]:
    withheld = _l("Vises ikke: færre end %(k)s indskrivninger bag tallet.", k=k)
    median = admitted[0]
    return [
        KeyFigure(
            "demand_referrals",
            _l("Henvendelser, der ventede i perioden"),
            counts[TOTAL],
            note=_l("kommunens henvendelser om en plads"),
        ),
        KeyFigure(
            "demand_waiting",
            _l("Ventetid til indskrivning, median (dage)"),
            median,
            "float",
            0,
            reason=withheld if isinstance(median, Hidden) else None,
        ),
        KeyFigure(
            "demand_queue",
            _l("Venter ved periodens slutning"),
            counts["pending"],
            note=None
            if isinstance(pending[0], Hidden)
            else _l("har ventet median %(m)s dage", m=round(pending[0])),
        ),
        next_quarter_figure("demand_next", figures.total),
    ]


def _days_table(figures: Demand) -> Table:
    """The last quarters' days and the next quarters' forecast with its interval."""
    fc = figures.total
    rows: list[list[Any]] = []
    shown = list(zip(fc.quarters, fc.days, strict=True))[-SHOWN_QUARTERS:]
    rows.extend([q.key, _l("faktisk"), days, None, None] for q, days in shown)
    for i, q in enumerate(fc.ahead if fc.available else []):
        low = fc.lower[i] if fc.lower else None
        high = fc.upper[i] if fc.upper else None
        rows.append([q.key, _l("prognose"), fc.mean[i], low, high])
    columns = (
        Column("quarter", _l("Kvartal")),
        Column("kind", _l("Tal")),
        Column("days", _l("Købte dage"), "int"),
        Column("pi_low", _l("Interval (95 %), nedre"), "int"),
        Column("pi_high", _l("Interval (95 %), øvre"), "int"),
    )
    return Table(
        "council_days_forecast",
        _l("Købte dage pr. kvartal og prognose"),
        columns,
        rows,
        note=FORECAST_NOTE,
    )


def _capacity_table(ctx: ReportContext) -> Table:
    """The places of the units the municipality used in the period, beside its own use of them
    (together: the places of each unit, whoever pays, are in the organisation section)."""
    stays = ctx.stays()
    start, end = ctx.period.start, ctx.reference_date
    days_in = (end - start).days + 1
    first = stays["start"].where(stays["start"] > pd.Timestamp(start), pd.Timestamp(start))
    last = stays["end"].fillna(pd.Timestamp(end)).clip(upper=pd.Timestamp(end))
    used = ((last - first).dt.days + 1).clip(lower=0).groupby(stays["unit"]).sum()
    used = used[used > 0]
    places = places_on(ctx.session, frozenset(int(u) for u in used.index), end)
    known = [int(u) for u in used.index if int(u) in places]
    seats = sum(places[u] for u in known) if known else None
    days = int(sum(int(used[u]) for u in used.index if int(u) in places))
    average = days / days_in if known else None
    row = [
        _l("%(n)s tilbud med oplyst pladstal", n=len(known)),
        seats,
        days if known else None,
        average,
        average / seats if average is not None and seats else None,
    ]
    columns = (
        Column("units", _l("Tilbud, kommunen bruger")),
        Column("places", _l("Pladser"), "int"),
        Column("days", _l("Kommunens købte dage"), "int"),
        Column("average", _l("Kommunens borgere pr. dag, gennemsnit"), "float", 1),
        Column("share", _l("Andel af pladserne"), "pct", 0),
    )
    note = _l(
        "Pladser %(day)s i de tilbud, kommunen har købt dage i i perioden (%(all)s i alt; "
        "pladstal for hvert tilbud står under tilbuddenes økonomi). Kommunens brug: købte dage "
        "i perioden delt med periodens %(n)s dage.",
        day=end.strftime("%d.%m.%Y"),
        all=len(used),
        n=days_in,
    )
    return Table(
        "council_demand_capacity",
        _l("Pladser i de tilbud, kommunen bruger"),
        columns,
        [row],
        note=note,
    )


def demand_specs(ctx: ReportContext, period_key: str, municipality_code: str) -> list[CellSpec]:
    """The audited cells of the demand section: each referral count, with the waiting times
    and key figures that repeat it (withheld with it)."""
    groups = partition(demand(ctx, per_municipality=False), ctx)
    extra: dict[str, tuple[Spot, ...]] = {
        "admitted": (
            *(("table", "council_waiting", 0, c) for c in ("n", "median", "days_low", "days_high")),
            ("figure", "demand_waiting", "value"),
        ),
        "pending": (
            *(("table", "council_waiting", 1, c) for c in ("n", "median", "days_low", "days_high")),
            ("figure", "demand_queue", "value"),
        ),
        TOTAL: (("figure", "demand_referrals", "value"),),
    }
    return [
        CellSpec(
            f"{period_key}/ours/referrals/{row}",
            "count:referral",
            dict.fromkeys((token("r", i) for i in groups[row].index), 1.0),
            (("table", "council_referrals", index, "n"), *extra.get(row, ())),
            scope=f"region/{municipality_code}",
        )
        for index, row in enumerate((*ROWS, TOTAL))
    ]
