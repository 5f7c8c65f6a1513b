"""A series with its forecast: a line for what happened, a dashed line for the forecast with
its prediction interval as a band, and the back-test's forecast of the last quarters dotted."""

from __future__ import annotations

import numpy as np

from del_tool.charts import Chart, new_figure
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import ChartSpec
from del_tool.reports.rendering.charts.kit import BLUE, GREY, ORANGE, finish, num


def forecast(spec: ChartSpec) -> Chart:
    """Days (or any count) per quarter, the forecast of the next quarters and its interval.

    `spec.data`: quarters and actual (what happened), ahead, mean, lower and upper (the
    forecast; lower/upper None without an interval), tested (the back-test's forecast of the
    last len(tested) quarters, may be empty) and ylabel.
    """
    d = spec.data
    quarters, actual = list(d["quarters"]), np.asarray(d["actual"], dtype=float)
    ahead, mean = list(d["ahead"]), np.asarray(d["mean"], dtype=float)
    lower = None if d["lower"] is None else np.asarray(d["lower"], dtype=float)
    upper = None if d["upper"] is None else np.asarray(d["upper"], dtype=float)
    tested = np.asarray(d.get("tested") or [], dtype=float)
    labels = quarters + ahead
    x_past = np.arange(len(quarters))
    x_ahead = np.arange(len(quarters), len(labels))
    figure = new_figure(7.0, 3.8)
    ax = figure.add_subplot()
    if len(quarters):
        ax.plot(x_past, actual, marker="o", color=BLUE, label=str(_l("Faktisk")))
    if len(ahead):
        if lower is not None and upper is not None:
            band = str(_l("Interval (95 %)"))
            ax.fill_between(x_ahead, lower, upper, color=ORANGE, alpha=0.18, label=band)
        joined_x = np.concatenate([x_past[-1:], x_ahead])
        joined_y = np.concatenate([actual[-1:], mean])
        ax.plot(joined_x, joined_y, linestyle="--", marker="o", color=ORANGE)
        ax.plot([], [], linestyle="--", marker="o", color=ORANGE, label=str(_l("Prognose")))
    if tested.size:
        label = str(_l("Tilbagetest: prognose fra et år før"))
        ax.plot(x_past[-tested.size :], tested, ":", marker="x", color=GREY, label=label)
    ax.set_ylabel(str(d.get("ylabel") or ""))
    ax.set_ylim(bottom=0)
    # Level labels, at most eight: a rotated label is read as two words out of a PDF.
    step = max(1, -(-len(labels) // 8))
    ax.set_xticks(np.arange(len(labels))[::step], labels[::step], fontsize=8)
    if ax.get_legend_handles_labels()[0]:
        ax.legend(
            loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=2, fontsize=8, frameon=False
        )
    rows = _rows(quarters, actual, tested, ahead, mean, lower, upper)
    alt = str(
        _l(
            "Linjediagram: %(title)s. %(n)s kvartaler med faktiske tal og prognose for %(h)s "
            "kvartaler.",
            title=spec.title,
            n=len(quarters),
            h=len(ahead),
        )
    )
    headers = [_l("Kvartal"), _l("Faktisk"), _l("Prognose"), _l("Interval (95 %)")]
    return finish(figure, spec, alt, headers, rows)


def _rows(
    quarters: list[str],
    actual: np.ndarray,
    tested: np.ndarray,
    ahead: list[str],
    mean: np.ndarray,
    lower: np.ndarray | None,
    upper: np.ndarray | None,
) -> list[list[str]]:
    """The data table: each quarter's actual value (with the back-test's forecast where there
    is one), then the forecast quarters with their intervals."""
    offset = len(quarters) - tested.size
    rows = []
    for i, (quarter, value) in enumerate(zip(quarters, actual, strict=True)):
        test = num(float(tested[i - offset]), 0) if i >= offset else ""
        rows.append([quarter, num(float(value), 0), test, ""])
    for i, quarter in enumerate(ahead):
        interval = ""
        if lower is not None and upper is not None:
            interval = f"{num(float(lower[i]), 0)} – {num(float(upper[i]), 0)}"
        rows.append([quarter, "", num(float(mean[i]), 0), interval])
    return rows
