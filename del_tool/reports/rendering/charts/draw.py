"""Report charts: each ChartSpec drawn with the shared Figure-API helpers in `del_tool.charts`.

Every chart has a title, alt text that says what it shows (with n), a data table, and notes.
Texts are evaluated when drawing, so charts come out in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable

from del_tool.charts import Chart
from del_tool.reports.common.model import ChartSpec, Report
from del_tool.reports.rendering.charts.compare import (
    adjusted,
    cohort,
    compare,
    funnel,
    hbars,
    trend,
)
from del_tool.reports.rendering.charts.economy import better_cheaper
from del_tool.reports.rendering.charts.effect import forest, jt_scatter, share_bars, trajectory
from del_tool.reports.rendering.charts.forecast import forecast

DRAWERS: dict[str, Callable[[ChartSpec], Chart]] = {
    "share_bars": share_bars,
    "forest": forest,
    "jt_scatter": jt_scatter,
    "trajectory": trajectory,
    "funnel": funnel,
    "adjusted": adjusted,
    "trend": trend,
    "cohort": cohort,
    "hbars": hbars,
    "compare": compare,
    "better_cheaper": better_cheaper,
    "forecast": forecast,
}


def draw(spec: ChartSpec) -> Chart:
    """Render one chart spec (KeyError for an unknown kind: a programming error)."""
    return DRAWERS[spec.kind](spec)


def draw_all(report: Report) -> dict[str, Chart]:
    """Every chart of a report, by its key."""
    return {spec.key: draw(spec) for section in report.sections for spec in section.charts}
