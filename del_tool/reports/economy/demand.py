"""The economy report's demand section: referrals and their outcomes, waiting time, the waiting
list, places, and days bought per quarter and paying municipality with a forecast and its
back-test (figures: `del_tool.reports.common.demand`).

The section names no citizen: a referral has a unit, a paying municipality and dates.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from del_tool.reports.common import queries
from del_tool.reports.common.context import ReportContext
from del_tool.reports.common.demand import (
    HORIZON,
    DaysForecast,
    Demand,
    demand,
    places_on,
)
from del_tool.reports.common.forecast_tables import (
    BACKTEST_COLUMNS,
    FORECAST_COLUMNS,
    FORECAST_NOTE,
    backtest_row,
    forecast_chart,
    forecast_rows,
    next_quarter_figure,
    quartile_note,
)
from del_tool.reports.common.labels import fmt, section_label
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import Column, KeyFigure, Section, Table
from del_tool.stats.demand import (
    decided_in,
    in_period,
    outcomes_by_period,
    pending_on,
    quartiles,
    waiting_days,
)

#: Quarters of the days table (the chart and the forecast use the whole series).
SHOWN_QUARTERS = 8


def demand_section(ctx: ReportContext) -> Section:
    """Referrals, waiting time, the waiting list, places and days bought with a forecast."""
    figures = demand(ctx)
    section = Section(
        "demand",
        _l("Efterspørgsel: henvendelser, ventetid og købte dage"),
        question=_l("Hvad efterspørger kommunerne, og hvad kan vi vente?"),
        intro=_l(
            "En henvendelse er en kommunes forespørgsel om en plads til en borger. Ventetid er "
            "dage fra henvendelsen til indskrivningen; afviste og tilbagetrukne henvendelser er "
            "ikke indskrivninger og tælles ved siden af. Købte dage er opholdsdage, som "
            "kommunen betaler for (første og sidste dag tæller)."
        ),
    )
    if ctx.filters.target_group is not None:
        section.messages.append(
            _l(
                "Henvendelser har ingen borger og følger derfor ikke målgruppefilteret; købte "
                "dage gør."
            )
        )
    if ctx.filters.legal_section is not None:
        section.messages.append(_l("Henvendelser uden paragraf er ikke med, når der vælges en."))
    section.figures.extend(key_figures(ctx, figures))
    section.tables.append(quarter_table(ctx, figures))
    section.tables.append(unit_table(ctx, figures))
    section.tables.append(waiting_list_table(ctx, figures))
    names = queries.municipality_names(ctx.session, set(figures.days.index))
    section.tables.append(days_table(figures, names))
    section.tables.append(forecast_table(figures, names))
    section.tables.append(backtest_table(figures, names))
    section.charts.append(forecast_chart("demand_days_chart", figures.total))
    return section


def key_figures(ctx: ReportContext, figures: Demand) -> list[KeyFigure]:
    """New referrals, waiting time, the waiting list and next quarter's forecast."""
    found, waiting = figures.referrals, figures.waiting
    referred = found["referred"]
    new = int(
        (
            (referred >= pd.Timestamp(ctx.period.start))
            & (referred <= pd.Timestamp(figures.reference))
        ).sum()
    )
    days = waiting.days
    return [
        KeyFigure(
            "demand_referrals",
            _l("Nye henvendelser i perioden"),
            new,
            note=_l(
                "afgjort i perioden: %(a)s indskrevet, %(d)s afvist, %(w)s trukket tilbage",
                a=waiting.admitted,
                d=waiting.declined,
                w=waiting.withdrawn,
            ),
        ),
        KeyFigure(
            "demand_waiting",
            _l("Ventetid til indskrivning, median (dage)"),
            days.median,
            "float",
            0,
            note=quartile_note(days.n, days.q1, days.q3, _l("indskrivninger")),
            reason=None if days.n else _l("Ingen indskrivninger afgjort i perioden."),
        ),
        KeyFigure(
            "demand_queue",
            _l("Venter på en plads %(day)s", day=figures.reference.strftime("%d.%m.%Y")),
            len(figures.waiting_list),
            note=_l(
                "har ventet median %(m)s dage (kvartiler %(q1)s til %(q3)s)",
                m=fmt(figures.queue.median),
                q1=fmt(figures.queue.q1),
                q3=fmt(figures.queue.q3),
            )
            if figures.queue.n
            else _l("ingen venter"),
        ),
        next_quarter_figure("demand_next", figures.total),
    ]


def _period_quarters(ctx: ReportContext, reference: Any) -> list[tuple[Any, Any, str]]:
    """(first day, last day, key) of the period's quarters, cut to the period and to the
    reference day."""
    out = []
    for q in ctx.period.quarters():
        first, last = max(q.start, ctx.period.start), min(q.end, reference)
        if first <= last:
            out.append((first, last, q.key))
    return out


def quarter_table(ctx: ReportContext, figures: Demand) -> Table:
    """New referrals, decisions by outcome and referrals waiting, quarter by quarter."""
    quarters = _period_quarters(ctx, figures.reference)
    table = outcomes_by_period(
        figures.referrals,
        [q[0] for q in quarters],
        [q[1] for q in quarters],
        [q[2] for q in quarters],
    )
    columns = (
        Column("quarter", _l("Kvartal")),
        Column("referred", _l("Nye henvendelser"), "int"),
        Column("admitted", _l("Indskrevet"), "int"),
        Column("declined", _l("Afvist"), "int"),
        Column("withdrawn", _l("Trukket tilbage"), "int"),
        Column("pending", _l("Venter ved kvartalets slutning"), "int"),
    )
    rows = [[key, *(int(v) for v in row)] for key, row in table.iterrows()]
    return Table(
        "demand_quarters",
        _l("Henvendelser og afgørelser pr. kvartal"),
        columns,
        rows,
        note=_l("En afgørelse tælles i kvartalet, hvor den blev truffet."),
    )


UNIT_COLUMNS = (
    Column("unit", _l("Tilbud")),
    Column("referrals", _l("Henvendelser i perioden"), "int"),
    Column("admitted", _l("Indskrevet"), "int"),
    Column("declined", _l("Afvist"), "int"),
    Column("withdrawn", _l("Trukket tilbage"), "int"),
    Column("waiting", _l("Venter nu"), "int"),
    Column("median", _l("Ventetid, median (dage)"), "float", 0),
    Column("wait_low", _l("Ventetid, kvartiler (dage), nedre"), "float", 0),
    Column("wait_high", _l("Ventetid, kvartiler (dage), øvre"), "float", 0),
    Column("places", _l("Pladser"), "int"),
)


def unit_table(ctx: ReportContext, figures: Demand) -> Table:
    """Referrals, outcomes, waiting time and places per unit, with the total."""
    found = figures.referrals
    start, end = ctx.period.start, figures.reference
    places = places_on(ctx.session, ctx.scope.unit_ids, end)
    names = ctx.units()["name"].to_dict()
    units = sorted(set(found["unit"]) | set(places), key=lambda u: str(names.get(u, u)))

    def row(label: Any, chosen: pd.DataFrame, seats: int | None) -> list[Any]:
        admitted = chosen[decided_in(chosen, start, end, "admitted")]
        days = quartiles(waiting_days(admitted))
        return [
            label,
            int(in_period(chosen, start, end).sum()),
            len(admitted),
            int(decided_in(chosen, start, end, "declined").sum()),
            int(decided_in(chosen, start, end, "withdrawn").sum()),
            int(pending_on(chosen, end).sum()),
            days.median,
            days.q1,
            days.q3,
            seats,
        ]

    rows = [row(names.get(u, str(u)), found[found["unit"] == u], places.get(u)) for u in units]
    total_places = sum(places.values()) if places else None
    rows.append(row(_l("I alt"), found, total_places))
    return Table(
        "demand_units",
        _l("Henvendelser, ventetid og pladser pr. tilbud"),
        UNIT_COLUMNS,
        rows,
        note=_l(
            "Henvendelser i perioden: dem, der ventede på et tidspunkt i perioden. Ventetid: "
            "for indskrivninger afgjort i perioden. Pladser: %(day)s.",
            day=end.strftime("%d.%m.%Y"),
        ),
    )


def waiting_list_table(ctx: ReportContext, figures: Demand) -> Table:
    """The referrals waiting on the reference day, longest first (no citizen is named)."""
    names = ctx.units()["name"].to_dict()
    listed = figures.waiting_list
    municipalities = queries.municipality_names(ctx.session, set(listed["municipality"]))
    rows = [
        [
            names.get(r.unit, str(r.unit)),
            municipalities.get(r.municipality, r.municipality),
            section_label(r.section) if isinstance(r.section, str) else None,
            r.referred.date(),
            int(r.waited),
        ]
        for r in listed.itertuples()
    ]
    columns = (
        Column("unit", _l("Tilbud")),
        Column("municipality", _l("Betalingskommune")),
        Column("section", _l("Paragraf")),
        Column("referred", _l("Henvendt"), "date"),
        Column("waited", _l("Ventet (dage)"), "int"),
    )
    return Table(
        "demand_waiting_list",
        _l("Venteliste %(day)s", day=figures.reference.strftime("%d.%m.%Y")),
        columns,
        rows,
        note=None if rows else _l("Ingen venter."),
    )


def _ordered(figures: Demand) -> list[str]:
    """Municipalities by their days in the last four quarters, most first."""
    recent = figures.days.iloc[:, -HORIZON:].sum(axis=1) if len(figures.days) else pd.Series()
    return sorted(figures.days.index, key=lambda code: (-float(recent.get(code, 0)), code))


def days_table(figures: Demand, names: dict[str, str]) -> Table:
    """Days bought per quarter (the last eight) per municipality, with the change of the last
    four quarters against the four before."""
    shown = figures.quarters[-SHOWN_QUARTERS:]
    columns = [Column("municipality", _l("Betalingskommune"))]
    columns += [Column(q.key, q.key, "int") for q in shown]
    columns.append(Column("change", _l("Seneste 4 kvartaler mod de 4 før"), "pct", 0))
    keys = [q.key for q in shown]
    rows = []
    total = figures.days.sum(axis=0) if len(figures.days) else None
    for label, series, fc in [
        (_l("I alt"), total, figures.total),
        *(
            (names.get(c, c), figures.days.loc[c], _series_forecast(figures, c))
            for c in _ordered(figures)
        ),
    ]:
        values = [int(series[k]) if series is not None else 0 for k in keys]
        change = fc.change if fc is not None else None
        rows.append([label, *values, change[2] if change else None])
    return Table(
        "demand_days",
        _l("Købte dage pr. kvartal og betalingskommune"),
        columns,
        rows,
        note=_l(
            "Opholdsdage i kvartalet i rapportens tilbud; første og sidste dag tæller. "
            "Ændring: de seneste fire hele kvartaler mod de fire før."
        ),
    )


def _series_forecast(figures: Demand, code: str) -> DaysForecast | None:
    return figures.by_municipality.get(code)


def forecast_table(figures: Demand, names: dict[str, str]) -> Table:
    """The next four quarters' forecast with its interval, in total and per municipality."""
    rows = forecast_rows(_l("I alt"), figures.total)
    for code in _ordered(figures):
        fc = figures.by_municipality.get(code)
        if fc is not None:
            rows.extend(forecast_rows(names.get(code, code), fc))
    return Table(
        "demand_forecast",
        _l("Prognose for købte dage de næste fire kvartaler"),
        FORECAST_COLUMNS,
        rows,
        note=FORECAST_NOTE,
    )


def backtest_table(figures: Demand, names: dict[str, str]) -> Table:
    """The back-test of the total and of each municipality."""
    rows = [backtest_row(_l("I alt"), figures.total)]
    for code in _ordered(figures):
        fc = figures.by_municipality.get(code)
        if fc is not None:
            rows.append(backtest_row(names.get(code, code), fc))
    return Table(
        "demand_backtest",
        _l("Tilbagetest: prognosen fra et år før mod det, der skete"),
        BACKTEST_COLUMNS,
        rows,
        note=_l(
            "Modellen tilpasses de kvartaler, der slutter et år før det seneste hele kvartal, "
            "og forudsiger de fire næste; MAPE er den gennemsnitlige afvigelse i procent af det "
            "faktiske antal dage. Fire kvartaler er en lille prøve: tilbagetesten viser, om "
            "modellen har ramt før, ikke at den rammer næste gang."
        ),
    )
