"""The profile's goal chart: each goal's reviewed level against its target and baseline."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from flask_babel import gettext as _
from matplotlib.axes import Axes
from matplotlib.dates import date2num

from del_tool.charts import PALETTE, Chart, ChartTable, render
from del_tool.citizens.charts import date_axis, hide_panel, level_axis, panel_figure
from del_tool.citizens.profile import GoalView
from del_tool.i18n import format_day

MAX_GOAL_PANELS = 6


def goal_chart(goals: Sequence[GoalView], lang: str) -> Chart | None:
    """Each goal's reviewed level against its target and baseline (small multiples)."""
    shown = [g for g in goals if g.reviews][:MAX_GOAL_PANELS]
    if not shown:
        return None
    columns = 2 if len(shown) > 1 else 1
    rows = (len(shown) + columns - 1) // columns
    figure, axes = panel_figure(2.1 * rows + 0.4, rows, columns)
    span = [r.day for g in shown for r in g.reviews]
    for index, view in enumerate(shown):
        ax = axes[index // columns][index % columns]
        _goal_panel(ax, view, span, columns, labelled=index % columns == 0)
    for index in range(len(shown), rows * columns):
        hide_panel(axes, index, columns)
    return render(
        figure,
        title=_("Målenes niveau i forhold til målniveauet"),
        alt=_goal_alt(shown),
        table=ChartTable(
            headers=[_("Mål"), _("Dato"), _("Niveau"), _("Målniveau"), _("Udgangsniveau")],
            rows=[
                [
                    g.goal.title,
                    format_day(r.day),
                    r.level,
                    g.goal.target_level,
                    g.goal.baseline_level,
                ]
                for g in shown
                for r in g.reviews
            ],
        ),
        notes=(
            _("Stiplet linje: målniveau. Prikket linje: udgangsniveau. 0 er bedst og står øverst."),
        ),
    )


def _goal_panel(
    ax: Axes, view: GoalView, span: Sequence[date], columns: int, *, labelled: bool
) -> None:
    goal = view.goal
    days = [r.day for r in view.reviews]
    ax.axhline(goal.target_level, color=PALETTE[2], linestyle="--", linewidth=1.4)
    ax.axhline(goal.baseline_level, color="#777777", linestyle=":", linewidth=1.2)
    ax.plot(
        date2num(days), [r.level for r in view.reviews], marker="o", color=PALETTE[0], markersize=4
    )
    level_axis(ax, labelled)
    date_axis(ax, span, panels=columns)
    title = goal.title if len(goal.title) <= 38 else goal.title[:36] + "…"
    ax.set_title(f"{title} ({goal.direction.label})", fontsize=9, loc="left")
    ax.tick_params(labelsize=7)


def _goal_alt(goals: Sequence[GoalView]) -> str:
    parts = [
        _(
            "%(title)s: niveau %(level)s ved seneste opfølgning, målniveau %(target)s, "
            "udgangsniveau %(baseline)s%(met)s",
            title=g.goal.title,
            level=g.latest_level,
            target=g.goal.target_level,
            baseline=g.goal.baseline_level,
            met=" (" + _("nået") + ")" if g.met else "",
        )
        for g in goals
    ]
    return _("Små grafer for %(n)s mål.", n=len(goals)) + " " + "; ".join(parts) + "."
