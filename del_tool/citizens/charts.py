"""The profile's charts: functioning per theme, questionnaire scores with bands, goals vs target.

Each function takes the plain data of `del_tool.citizens.profile` and returns a `Chart` (SVG data
URI, alt text that states what the chart shows, and the data as a table), or None when there
is nothing to draw.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from babel.dates import format_date
from flask_babel import gettext as _
from matplotlib import rc_context
from matplotlib.axes import Axes
from matplotlib.dates import DateFormatter, MonthLocator, YearLocator, date2num, num2date
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from del_tool.charts import PALETTE, STYLE, Chart, ChartTable, render, to_data_uri
from del_tool.citizens.profile import SeriesPoint
from del_tool.i18n import format_day, format_number, language
from del_tool.questionnaires import QuestionnaireDefinition, Registry, Scale

FUNCTIONING_ID = "del_functioning"
#: The functioning profile's summary scale (drawn thicker than the themes).
FUNCTIONING_MEAN = "mean"
#: Light fills for bands from best to worst.
#: Padding around a single point on a date axis.
_PAD = timedelta(days=60)
BAND_FILLS = ("#e3f1dc", "#f3f6d8", "#fcf0d2", "#fbe0cc", "#f6d0cb")

Series = dict[tuple[str, str], list[SeriesPoint]]


def num(value: float | None, decimals: int = 1) -> str:
    """A number in the user's language for alt texts and tables; a dash when missing."""
    return format_number(value, decimals)


def date_axis(ax: Axes, days: Sequence[date], *, panels: int = 1) -> None:
    """Year or month ticks spaced for the span and the panel width (`panels` across), with
    month names in the reader's language ("jan. 2026" in Danish)."""
    span = ((max(days) - min(days)).days if days else 0) * panels
    if span > 3 * 365:
        locator: Any = YearLocator()
        ax.xaxis.set_major_formatter(DateFormatter("%Y"))
    else:
        months = (1, 7) if span > 365 else (1, 4, 7, 10) if span > 120 else range(1, 13)
        locator = MonthLocator(bymonth=months)
        ax.xaxis.set_major_formatter(FuncFormatter(_month_label))
    ax.xaxis.set_major_locator(locator)


def _month_label(value: float, _pos: int | None = None) -> str:
    """A month tick: "jan. 2026" in Danish, "Jan 2026" in English."""
    return str(format_date(num2date(value).date(), "MMM yyyy", locale=language()))


def panel_figure(
    height: float, rows: int, columns: int, *, width: float = 7.0
) -> tuple[Figure, Any]:
    """A grid of small multiples `width` inches wide with shared axes and fixed margins.

    Constrained layout (`new_figure`) costs about a second for six panels; these panels have
    short tick labels and one-line titles, so fixed margins fit them and keep the page fast.
    """
    with rc_context(STYLE):
        figure = Figure(figsize=(width, height))
    figure.subplots_adjust(
        left=0.07 * 7.0 / width,  # room for the tick labels and "Niveau (0 er bedst)"
        right=0.99,
        bottom=0.35 / height,
        top=1 - 0.3 / height,
        hspace=0.9 / (height / rows),
        wspace=0.12,
    )
    return figure, figure.subplots(rows, columns, squeeze=False, sharex=True, sharey=True)


def hide_panel(axes: Any, index: int, columns: int) -> None:
    """Hide an unused panel; the panel above it then shows the shared date labels itself."""
    axes[index // columns][index % columns].set_visible(False)
    if index >= columns:
        axes[index // columns - 1][index % columns].xaxis.set_tick_params(labelbottom=True)


def level_axis(ax: Axes, labelled: bool) -> None:
    """0-4 levels with 0 (best) at the top, so that up is better; a `labelled` axis (the
    panels' left column) says so, as the report charts do ("Niveau (0 er bedst)")."""
    ax.set_ylim(4.3, -0.3)
    ax.set_yticks(range(5))
    ax.set_ylabel(_("Niveau (0 er bedst)") if labelled else "", fontsize=7)


def functioning_chart(
    series: Series, definition: QuestionnaireDefinition, lang: str
) -> Chart | None:
    """Functioning per theme over time (small multiples; 0 is best and drawn at the top).

    Drawn twice when there is more than one theme: three panels across for screens and PDFs,
    and one column for phones (`Chart.narrow_uri`), so the panels stack instead of shrinking.
    """
    scales = [s for s in definition.scales if series.get((definition.id, s.id))]
    if not scales:
        return None
    themes = [s for s in scales if s.id != FUNCTIONING_MEAN] or scales
    days = sorted({p.day for s in scales for p in series[(definition.id, s.id)]})
    columns = min(3, len(themes))
    wide = _theme_panels(series, definition, themes, days, lang, columns=columns, width=7.0)
    chart = render(
        wide,
        title=_("Funktionsevne pr. tema over tid"),
        alt=_functioning_alt(series, definition, themes, days, lang),
        table=_series_table(series, definition, scales, days, lang),
        notes=(_("Niveau 0 er bedst og står øverst: en linje, der stiger, er en forbedring."),),
    )
    if columns == 1:
        return chart
    narrow = _theme_panels(series, definition, themes, days, lang, columns=1, width=NARROW_WIDTH)
    return replace(chart, narrow_uri=to_data_uri(narrow))


#: Width in inches of the one-column variant drawn for phones (about 350 CSS pixels).
NARROW_WIDTH = 3.6


def _theme_panels(
    series: Series,
    definition: QuestionnaireDefinition,
    themes: list[Scale],
    days: list[date],
    lang: str,
    *,
    columns: int,
    width: float,
) -> Figure:
    """One panel per theme, `columns` across, on a figure `width` inches wide."""
    rows = (len(themes) + columns - 1) // columns
    figure, axes = panel_figure(1.9 * rows + 0.3, rows, columns, width=width)
    for index, scale in enumerate(themes):
        ax = axes[index // columns][index % columns]
        points = series[(definition.id, scale.id)]
        ax.plot(
            date2num([p.day for p in points]),
            [p.value for p in points],
            marker="o",
            markersize=4,
            color=PALETTE[0],
            drawstyle="default",
        )
        level_axis(ax, index % columns == 0)
        date_axis(ax, days, panels=columns)
        ax.set_title(scale.title(lang), fontsize=9, loc="left")
        ax.tick_params(labelsize=7)
        if len(days) == 1:
            ax.set_xlim(date2num(days[0] - _PAD), date2num(days[0] + _PAD))
    for index in range(len(themes), rows * columns):
        hide_panel(axes, index, columns)
    return figure


def _functioning_alt(
    series: Series,
    definition: QuestionnaireDefinition,
    themes: Sequence[Scale],
    days: Sequence[date],
    lang: str,
) -> str:
    text = _(
        "Små grafer over funktionsevne pr. tema ved %(n)s vurderinger fra %(first)s til "
        "%(last)s (0 er bedst).",
        n=len(days),
        first=format_day(days[0]),
        last=format_day(days[-1]),
    )
    changes = []
    for scale in themes:
        points = series[(definition.id, scale.id)]
        changes.append(
            _(
                "%(theme)s fra %(first)s til %(last)s",
                theme=scale.title(lang),
                first=num(points[0].value, 0),
                last=num(points[-1].value, 0),
            )
        )
    text += " " + "; ".join(changes) + "."
    mean = series.get((definition.id, FUNCTIONING_MEAN))
    if mean and len(mean) > 1:
        text += " " + _(
            "Gennemsnittet af temaerne gik fra %(first)s til %(last)s.",
            first=num(mean[0].value),
            last=num(mean[-1].value),
        )
    return text


def _series_table(
    series: Series,
    definition: QuestionnaireDefinition,
    scales: Sequence[Scale],
    days: Sequence[date],
    lang: str,
) -> ChartTable:
    values = {
        (scale.id, p.day): p.value for scale in scales for p in series[(definition.id, scale.id)]
    }
    return ChartTable(
        headers=[_("Dato"), *(s.title(lang) for s in scales)],
        rows=[[format_day(day), *(num(values.get((s.id, day))) for s in scales)] for day in days],
    )


def questionnaire_charts(series: Series, registry: Registry, lang: str) -> list[Chart]:
    """One chart per questionnaire scale with scores (other than the functioning profile)."""
    charts = []
    for qid in sorted({qid for qid, _scale in series if qid != FUNCTIONING_ID}):
        if qid not in registry:
            continue
        definition = registry.get(qid)
        for scale in definition.scales:
            points = series.get((qid, scale.id))
            if points:
                charts.append(_scale_chart(definition, scale, points, lang))
    return charts


def _scale_chart(
    definition: QuestionnaireDefinition, scale: Scale, points: list[SeriesPoint], lang: str
) -> Chart:
    with rc_context(STYLE):
        figure = Figure(figsize=(7.0, 3.0))
    # Fixed margins (see panel_figure): room for the y label left and the band names right.
    figure.subplots_adjust(left=0.09, right=0.84, bottom=0.12, top=0.96)
    ax = figure.add_subplot()
    low, high = scale.score_min, scale.score_max
    bands = list(scale.bands)
    for index, band in enumerate(bands):
        top = bands[index + 1].from_ if index + 1 < len(bands) else high
        ax.axhspan(band.from_, top, color=_band_fill(index, len(bands), scale), zorder=0)
        ax.text(
            1.01,
            (band.from_ + top) / 2,
            band.label(lang),
            transform=ax.get_yaxis_transform(),
            va="center",
            fontsize=8,
            color="#333333",
        )
    ax.plot(
        date2num([p.day for p in points]), [p.value for p in points], marker="o", color=PALETTE[0]
    )
    # Better is up, as in every chart: a lower-is-better scale is drawn upside down.
    best = high if scale.higher_is_better else low
    ax.set_ylim(*((low, high) if scale.higher_is_better else (high, low)))
    ax.set_ylabel(_("%(scale)s (%(best)s er bedst)", scale=scale.title(lang), best=num(best, 0)))
    date_axis(ax, [p.day for p in points])
    if len(points) == 1:
        ax.set_xlim(date2num(points[0].day - _PAD), date2num(points[0].day + _PAD))
    better = _("højere er bedre") if scale.higher_is_better else _("lavere er bedre")
    title = f"{definition.title(lang)}: {scale.title(lang)}"
    alt = _(
        "Linjegraf over %(scale)s ved %(n)s besvarelser fra %(first)s til %(last)s: "
        "fra %(start)s til %(end)s (%(better)s).",
        scale=scale.title(lang),
        n=len(points),
        first=format_day(points[0].day),
        last=format_day(points[-1].day),
        start=_band_text(scale, points[0].value, lang),
        end=_band_text(scale, points[-1].value, lang),
        better=better,
    )
    table = ChartTable(
        headers=[_("Dato"), scale.title(lang), _("Niveau")],
        rows=[[format_day(p.day), num(p.value), _band_label(scale, p.value, lang)] for p in points],
    )
    notes = [
        _(
            "Skala %(low)s til %(high)s, %(better)s.",
            low=num(low, 0),
            high=num(high, 0),
            better=better,
        )
    ]
    if bands:
        notes.append(_("De farvede felter er skemaets niveauer (fx let, moderat, svær)."))
    return render(figure, title=title, alt=alt, table=table, notes=notes)


def _band_fill(index: int, count: int, scale: Scale) -> str:
    """Green for the best band through red for the worst, whatever the number of bands."""
    rank = index if not scale.higher_is_better else count - 1 - index
    step = (len(BAND_FILLS) - 1) / max(1, count - 1)
    return BAND_FILLS[round(rank * step)]


def _band_label(scale: Scale, value: float, lang: str) -> str:
    band = scale.band_for(value)
    return band.label(lang) if band else "–"


def _band_text(scale: Scale, value: float, lang: str) -> str:
    band = scale.band_for(value)
    return f"{num(value)} ({band.label(lang)})" if band else num(value)
