"""Tables, key figures and the chart of a days-bought forecast, shared by the economy report
and the council summary (`del_tool.reports.common.demand` makes the figures)."""

from __future__ import annotations

from typing import Any

from del_tool.reports.common.demand import MIN_QUARTERS, DaysForecast
from del_tool.reports.common.labels import fmt
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import ChartSpec, Column, KeyFigure

FORECAST_NOTE = _l(
    "Prognose: eksponentiel udglatning med lineær tendens, ETS(A,A,N), tilpasset dage pr. "
    "kalenderdag i de hele kvartaler; intervallet dækker 95 %% af udfaldene, hvis fremtiden "
    "varierer som fortiden. Mindst %(n)s kvartaler.",
    n=MIN_QUARTERS,
)


def quartile_note(n: int, q1: float | None, q3: float | None, what: Any) -> Any:
    """ "n = 7 indskrivninger; kvartiler 12 til 40 dage"."""
    if not n:
        return None
    return _l(
        "n = %(n)s %(what)s; kvartiler %(q1)s til %(q3)s dage",
        n=n,
        what=what,
        q1=fmt(q1),
        q3=fmt(q3),
    )


def next_quarter_figure(key: str, fc: DaysForecast) -> KeyFigure:
    """The next quarter's forecast of days bought, with its interval and back-test."""
    if not fc.available:
        return KeyFigure(
            key,
            _l("Købte dage næste kvartal (prognose)"),
            None,
            reason=too_few_reason(fc),
        )
    note = (
        _l("interval (95 %%) %(lo)s til %(hi)s dage", lo=fmt(fc.lower[0]), hi=fmt(fc.upper[0]))
        if fc.lower and fc.upper
        else _l("uden interval: serien varierer ikke")
    )
    return KeyFigure(
        key,
        _l("Købte dage i %(q)s (prognose)", q=fc.ahead[0].key),
        round(fc.mean[0]),
        note=note,
    )


def too_few_reason(fc: DaysForecast) -> Any:
    """Why there is no forecast."""
    return _l(
        "Ingen prognose: %(n)s hele kvartaler med data; der skal mindst %(min)s til.",
        n=len(fc.days),
        min=MIN_QUARTERS,
    )


FORECAST_COLUMNS = (
    Column("group", _l("Betalingskommune")),
    Column("quarter", _l("Kvartal")),
    Column("forecast", _l("Prognose (dage)"), "int"),
    Column("pi_low", _l("Interval (95 %), nedre"), "int"),
    Column("pi_high", _l("Interval (95 %), øvre"), "int"),
    Column("note", _l("Bemærkning")),
)


def forecast_rows(label: Any, fc: DaysForecast) -> list[list[Any]]:
    """One row per quarter ahead, or one row saying why there is no forecast."""
    if not fc.available:
        return [[label, None, None, None, None, too_few_reason(fc)]]
    rows = []
    for i, quarter in enumerate(fc.ahead):
        low = fc.lower[i] if fc.lower else None
        high = fc.upper[i] if fc.upper else None
        note = None if fc.lower else _l("Ingen variation i serien: intet interval.")
        rows.append([label, quarter.key, fc.mean[i], low, high, note if i == 0 else None])
    return rows


BACKTEST_COLUMNS = (
    Column("group", _l("Betalingskommune")),
    Column("quarters", _l("Hele kvartaler"), "int"),
    Column("mape", _l("Gennemsnitlig afvigelse (MAPE)"), "pct", 0),
    Column("inside", _l("Inden for intervallet")),
    Column("note", _l("Bemærkning")),
)


def backtest_row(label: Any, fc: DaysForecast) -> list[Any]:
    """How the forecast made a year before the last quarter did against what happened."""
    if not fc.tested:
        return [label, len(fc.days), None, None, _l("For få kvartaler til en tilbagetest.")]
    inside = _l("%(n)s af %(h)s", n=sum(fc.inside), h=len(fc.inside)) if fc.inside else None
    note = None
    if fc.mape is None:
        note = _l("Et kvartal uden købte dage: afvigelsen i procent kan ikke beregnes.")
    elif not fc.inside:
        note = _l("Ingen variation før tilbagetesten: intet interval.")
    return [label, len(fc.days), None if fc.mape is None else fc.mape / 100, inside, note]


def forecast_chart(key: str, fc: DaysForecast, title: Any = None) -> ChartSpec:
    """Days bought per quarter with the forecast, its interval and the back-test."""
    return ChartSpec(
        key,
        "forecast",
        title or _l("Købte dage pr. kvartal med prognose"),
        {
            "quarters": [q.key for q in fc.quarters],
            "actual": list(fc.days),
            "ahead": [q.key for q in fc.ahead] if fc.available else [],
            "mean": list(fc.mean),
            "lower": list(fc.lower) if fc.lower else None,
            "upper": list(fc.upper) if fc.upper else None,
            "tested": list(fc.tested),
            "ylabel": _l("Dage"),
        },
        notes=(FORECAST_NOTE,) if fc.available else (too_few_reason(fc),),
    )
