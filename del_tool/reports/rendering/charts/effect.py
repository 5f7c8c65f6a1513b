"""Charts of effect and goals: shares, effect sizes, the Jacobson-Truax plot, trajectories."""

from __future__ import annotations

import numpy as np

from del_tool.charts import Chart, new_figure
from del_tool.reports.common.direction import improvement, improvement_ci
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import ChartSpec
from del_tool.reports.rendering.charts.kit import (
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    PURPLE,
    RED,
    TEAL,
    best_end,
    finish,
    num,
    pct,
    set_better_up,
)

CATEGORY_COLOURS = {
    "recovered": GREEN,
    "improved": TEAL,
    "unchanged": GREY,
    "deteriorated": ORANGE,
    "harmed": RED,
}
CATEGORY_LABELS = {
    "recovered": _l("Restitueret"),
    "improved": _l("Forbedret"),
    "unchanged": _l("Uændret"),
    "deteriorated": _l("Forværret"),
    "harmed": _l("Skadet"),
}


def share_bars(spec: ChartSpec) -> Chart:
    """Horizontal bars of shares with their Wilson 95% intervals."""
    labels = [str(label) for label in spec.data["labels"]]
    shares = spec.data["shares"]
    values = np.array([np.nan if s.share is None else s.share for s in shares], dtype=float)
    low = np.array([np.nan if s.ci_low is None else s.ci_low for s in shares], dtype=float)
    high = np.array([np.nan if s.ci_high is None else s.ci_high for s in shares], dtype=float)
    figure = new_figure(7.0, 0.9 + 0.42 * len(labels))
    ax = figure.add_subplot()
    y = np.arange(len(labels))
    ax.barh(y, values * 100, color=BLUE, height=0.6)
    # Clipped at 0: an interval's end can differ from its share by rounding (e.g. 1 - 1e-16).
    errors = np.clip([(values - low) * 100, (high - values) * 100], 0, None)
    ax.errorbar(values * 100, y, xerr=errors, fmt="none", ecolor="#222222", capsize=3)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel(str(_l("Andel nået (%), med 95 % KI")))
    if "ylabel" in spec.data:
        ax.set_ylabel(str(spec.data["ylabel"]))
    rows = [
        [label, s.n, pct(s.share), f"{pct(s.ci_low)} – {pct(s.ci_high)}"]
        for label, s in zip(labels, shares, strict=True)
    ]
    alt = str(_l("Søjlediagram: %(title)s. ", title=spec.title))
    alt += "; ".join(f"{r[0]}: {r[2]} (n = {r[1]})" for r in rows)
    headers = [_l("Gruppe"), "n", _l("Andel"), _l("95 % KI")]
    return finish(figure, spec, alt, headers, rows)


def forest(spec: ChartSpec) -> Chart:
    """Effect sizes with their intervals, one row per scale; right is better."""
    labels = [str(label) for label in spec.data["labels"]]
    values = np.asarray(spec.data["values"], dtype=float)
    lows = np.asarray(spec.data["lows"], dtype=float)
    highs = np.asarray(spec.data["highs"], dtype=float)
    figure = new_figure(7.0, 1.0 + 0.4 * max(len(labels), 1))
    ax = figure.add_subplot()
    y = np.arange(len(labels))
    ax.axvline(0, color=GREY, linewidth=1)
    errors = np.clip([values - lows, highs - values], 0, None)
    ax.errorbar(values, y, xerr=errors, fmt="o", color=BLUE, ecolor=BLUE, capsize=3)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel(str(_l("Effektstørrelse d_z (til højre = forbedring)")))
    rows = [
        [label, n, num(v), f"{num(lo)} – {num(hi)}"]
        for label, n, v, lo, hi in zip(labels, spec.data["ns"], values, lows, highs, strict=True)
    ]
    alt = str(_l("Effektstørrelser med 95 %% KI for %(n)s skalaer. ", n=len(rows)))
    alt += "; ".join(f"{r[0]}: {r[2]} (n = {r[1]})" for r in rows)
    return finish(figure, spec, alt, [_l("Skala"), "n", "d_z", _l("95 % KI")], rows)


def jt_scatter(spec: ChartSpec) -> Chart:
    """Before vs after, the identity line, the band of unreliable change and the cut-off."""
    d = spec.data
    low, high = d["range"]
    figure = new_figure(5.8, 5.0)
    ax = figure.add_subplot()
    grid = np.array([low, high], dtype=float)
    band = 1.96 * d["s_diff"]
    ax.fill_between(
        grid,
        grid - band,
        grid + band,
        color="#dddddd",
        linewidth=0,
        label=str(_l("Ingen pålidelig ændring")),
    )
    ax.plot(grid, grid, color=GREY, linewidth=1)
    if d["cutoff"] is not None:
        ax.axvline(d["cutoff"], color=PURPLE, linestyle="--", linewidth=1)
        ax.axhline(
            d["cutoff"], color=PURPLE, linestyle="--", linewidth=1, label=str(_l("Klinisk grænse"))
        )
    for name, colour in CATEGORY_COLOURS.items():
        mask = d["category"] == name
        if mask.any():
            # One point per stay: drawn as an embedded image, as in the trajectory chart. As
            # vector markers a national region's 20,000 stays made a 4 MB SVG per scale and
            # the effect report's PDF took 80 s.
            ax.scatter(
                d["pre"][mask],
                d["post"][mask],
                s=16,
                color=colour,
                alpha=0.8,
                label=str(CATEGORY_LABELS[name]),
                rasterized=True,
            )
    higher = bool(d["higher_is_better"])
    set_better_up(ax, (low, high), higher, both=True)
    best = best_end((low, high), higher)
    ax.set_xlabel(str(_l("Ved indskrivning (%(best)s)", best=best)))
    ax.set_ylabel(str(_l("Seneste måling (%(best)s)", best=best)))
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    counts = d["counts"]
    rows = [
        [CATEGORY_LABELS[c], "–" if counts.get(c) is None else counts[c]] for c in CATEGORY_COLOURS
    ]
    better = _l("højere") if d["higher_is_better"] else _l("lavere")
    alt = str(
        _l(
            "Punktdiagram af %(n)s forløb: indskrivning mod seneste måling; punkter uden for det "
            "grå bånd har ændret sig pålideligt; %(better)s er bedre. ",
            n=counts.get("n", 0),
            better=better,
        )
    )
    alt += "; ".join(f"{r[0]}: {r[1]}" for r in rows)
    return finish(figure, spec, alt, [_l("Kategori"), _l("Forløb")], rows)


def trajectory(spec: ChartSpec) -> Chart:
    """Measurements by years since admission with the model's average line."""
    d = spec.data
    figure = new_figure(7.0, 3.4)
    ax = figure.add_subplot()
    # Many points: drawn as one embedded image, which keeps the SVG and the PDF light.
    ax.scatter(
        d["years"],
        d["score"],
        s=8,
        color=GREY,
        alpha=0.35,
        label=str(_l("Målinger")),
        rasterized=True,
    )
    top = float(np.nanmax(d["years"])) if len(d["years"]) else 1.0
    x = np.linspace(0, max(top, 0.5), 50)
    line = d["intercept"] + d["slope"] * x
    ax.plot(x, line, color=BLUE, linewidth=2.2, label=str(_l("Gennemsnitligt forløb")))
    higher = bool(d["higher_is_better"])
    set_better_up(ax, d["range"], higher)
    ax.set_xlabel(str(_l("År siden indskrivning")))
    ax.set_ylabel(str(_l("Score (%(best)s)", best=best_end(d["range"], higher))))
    ax.legend(loc="best", fontsize=8, frameon=False)
    slope = improvement(d["slope"], higher)
    ci = improvement_ci(d["slope_ci"], higher)
    rows = [
        [_l("Niveau ved indskrivning"), num(d["intercept"])],
        [_l("Forbedring pr. år"), num(slope)],
        [_l("95 % KI for forbedring pr. år"), f"{num(ci[0])} – {num(ci[1])}"],
    ]
    alt = str(
        _l(
            "Linjediagram: gennemsnitligt forløb fra niveau %(a)s med en forbedring på %(b)s "
            "pr. år; op er bedre.",
            a=num(d["intercept"]),
            b=num(slope),
        )
    )
    return finish(figure, spec, alt, [_l("Størrelse"), _l("Værdi")], rows)
