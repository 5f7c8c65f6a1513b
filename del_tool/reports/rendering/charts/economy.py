"""Economy charts: cost per citizen-year beside outcomes, unit by unit, year by year."""

from __future__ import annotations

from typing import Any

import numpy as np

from del_tool.charts import Chart, new_figure
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import ChartSpec
from del_tool.reports.rendering.charts.kit import finish, num, pct

#: Line styles cycled after the palette's colours, so that more units than colours stay apart.
_STYLES = ("-", "--", ":", "-.")


def better_cheaper(spec: ChartSpec) -> Chart:
    """Three panels over the years, one line per unit: cost per citizen-year (1.000 kr.), the
    share reliably improved and the share of goals met (%; up is better in all but the first,
    where down is cheaper). Gaps are years without a figure (no days, or fewer than k)."""
    d = spec.data
    units = [str(u) for u in d["units"]]
    years = [str(y) for y in d["years"]]
    cost = np.asarray(d["cost"], dtype=float)
    improved = np.asarray(d["improved"], dtype=float) * 100
    goals = np.asarray(d["goals"], dtype=float) * 100
    x = np.arange(len(years))
    figure = new_figure(7.0, 6.4 + 0.18 * max(len(units) - 4, 0))
    top, middle, bottom = figure.subplots(3, 1, sharex=True)
    for i, name in enumerate(units):
        style: dict[str, Any] = {
            "marker": "o",
            "linestyle": _STYLES[(i // 7) % len(_STYLES)],
            "label": name,
        }
        top.plot(x, cost[i] / 1000, **style)
        middle.plot(x, improved[i], **style)
        bottom.plot(x, goals[i], **style)
    top.set_ylabel(str(_l("Udgift pr. borgerår (1.000 kr.)")), fontsize=8)
    middle.set_ylabel(str(_l("Pålideligt forbedret (%)")), fontsize=8)
    bottom.set_ylabel(str(_l("Mål nået (%)")), fontsize=8)
    for ax in (middle, bottom):
        ax.set_ylim(0, 100)
    bottom.set_xticks(x, years)
    figure.legend(
        *top.get_legend_handles_labels(),
        loc="outside lower center",
        ncols=min(3, max(len(units), 1)),
        fontsize=7,
        frameon=False,
    )
    rows = [
        [name, year, num(cost[i, j], 0), pct(improved[i, j] / 100), pct(goals[i, j] / 100)]
        for i, name in enumerate(units)
        for j, year in enumerate(years)
    ]
    alt = str(
        _l(
            "Linjediagram for %(n)s tilbud over %(years)s år: udgift pr. borgerår, andel "
            "pålideligt forbedret og andel mål nået.",
            n=len(units),
            years=len(years),
        )
    )
    headers = [
        _l("Tilbud"),
        _l("År"),
        _l("Udgift pr. borgerår (kr.)"),
        _l("Pålideligt forbedret"),
        _l("Mål nået"),
    ]
    return finish(figure, spec, alt, headers, rows)
