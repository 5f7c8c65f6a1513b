"""Charts that compare: funnel plots, quarterly trends, cohorts, costs, municipality vs region."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
from matplotlib.ticker import MaxNLocator

from del_tool.charts import Chart, new_figure
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import ChartSpec
from del_tool.reports.rendering.charts.kit import (
    BLUE,
    GREY,
    ORANGE,
    RED,
    finish,
    num,
    pct,
    place_labels,
)


def _flag_label(flag: str, higher_is_better: bool) -> str:
    """A unit's place in the funnel in words: better or worse than average, or within."""
    if flag in ("above", "below"):
        better = (flag == "above") == higher_is_better
        return str(_l("bedre end gennemsnittet") if better else _l("dårligere end gennemsnittet"))
    return str(_l("inden for")) if flag == "within" else "–"


def funnel(spec: ChartSpec) -> Chart:
    """Units' values against their size, with 95% and 99.8% control limits.

    Each point carries its unit's number, and the key below the chart (and the data table and
    alt text) names them; a share's axis stays within 0-100 %, and n has whole-number ticks.
    """
    d = spec.data
    scale = 100.0 if d["percent"] else 1.0
    figure = new_figure(7.0, 4.0)
    ax = figure.add_subplot()
    if d["limits"] is not None:
        lim = d["limits"]
        for lower, upper, style, label in (
            (lim.lower95, lim.upper95, "--", _l("Grænse på 95 %")),
            (lim.lower998, lim.upper998, "-", _l("Grænse på 99,8 %")),
        ):
            ax.plot(
                d["grid"], lower * scale, color=GREY, linestyle=style, linewidth=1, label=str(label)
            )
            ax.plot(d["grid"], upper * scale, color=GREY, linestyle=style, linewidth=1)
    if d["target"] is not None:
        ax.axhline(d["target"] * scale, color=BLUE, linewidth=1, label=str(_l("Gennemsnit")))
    flagged = np.isin(d["flag"], ["above", "below"])
    ax.scatter(d["n"][~flagged], d["value"][~flagged] * scale, s=28, color=BLUE, zorder=3)
    if flagged.any():
        ax.scatter(
            d["n"][flagged],
            d["value"][flagged] * scale,
            s=40,
            color=ORANGE,
            zorder=4,
            label=str(_l("Uden for 99,8 %")),
        )
    numbers = point_numbers(d["names"])
    ax.set_xlabel(str(_l("Borgere (n) i tilbuddet")))
    default = _l("Andel (%)") if d["percent"] else _l("Gennemsnitlig forbedring")
    ax.set_ylabel(str(d.get("ylabel") or default))
    ax.set_xlim(left=0)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # n counts people
    if d["percent"]:  # a share is 0-100 % (its limits are cut there, `benchmark.funnels`)
        low, high = ax.get_ylim()
        ax.set_ylim(max(low, -3.0), min(high, 103.0))
    # The legend below the axes, so that no point's number can fall on it.
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=4, fontsize=8, frameon=False)
    place_labels(figure, ax, d["n"], d["value"] * scale, [str(n) for n in numbers])
    shown = pct if d["percent"] else num
    higher = bool(d.get("higher_is_better", True))
    order = sorted(range(len(numbers)), key=numbers.__getitem__)  # as the key reads
    rows = [
        [
            numbers[i],
            str(d["names"][i]),
            int(d["n"][i]),
            shown(d["value"][i]),
            _flag_label(str(d["flag"][i]), higher),
        ]
        for i in order
    ]
    key = "; ".join(f"{r[0]} {r[1]}" for r in rows)
    alt = str(
        _l(
            "Tragtdiagram med %(n)s tilbud; %(out)s uden for 99,8 %%-grænsen.",
            n=len(rows),
            out=int(flagged.sum()),
        )
    )
    alt += " " + "; ".join(f"{r[0]} {r[1]}: {r[3]} (n = {r[2]}, {r[4]})" for r in rows)
    headers = [_l("Nr."), _l("Tilbud"), "n", _l("Værdi"), _l("Ift. grænserne (99,8 %)")]
    keyed = replace(spec, notes=(*spec.notes, _l("Numrene i diagrammet: %(key)s.", key=key)))
    return finish(figure, keyed, alt, headers, rows)


def point_numbers(names: Any) -> list[int]:
    """Each point's number in the key: 1, 2, ... in the alphabetical order of the names."""
    order = sorted(range(len(names)), key=lambda i: (str(names[i]), i))
    numbers = [0] * len(order)
    for number, i in enumerate(order, start=1):
        numbers[i] = number
    return numbers


def adjusted(spec: ChartSpec) -> Chart:
    """Adjusted means per unit with their 95% intervals and the overall mean."""
    d = spec.data
    labels = [str(label) for label in d["labels"]]
    values = np.asarray(d["values"], dtype=float)
    lows, highs = np.asarray(d["lows"], dtype=float), np.asarray(d["highs"], dtype=float)
    figure = new_figure(7.0, 1.0 + 0.32 * max(len(labels), 1))
    ax = figure.add_subplot()
    y = np.arange(len(labels))
    if d["overall"] is not None:
        ax.axvline(d["overall"], color=GREY, linewidth=1, label=str(_l("Gennemsnit")))
    errors = np.clip([values - lows, highs - values], 0, None)
    ax.errorbar(values, y, xerr=errors, fmt="o", color=BLUE, ecolor=BLUE, capsize=3)
    ax.set_yticks(y, labels)
    ax.tick_params(axis="y", labelsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(str(d["xlabel"]))
    rows = [
        [label, int(n), num(v), f"{num(lo)} – {num(hi)}", str(flag)]
        for label, n, v, lo, hi, flag in zip(
            labels, d["ns"], values, lows, highs, d["flags"], strict=True
        )
    ]
    alt = str(
        _l(
            "Justeret forbedring med 95 %% KI for %(n)s tilbud (til højre er bedre, bedst "
            "øverst). ",
            n=len(rows),
        )
    )
    alt += "; ".join(f"{r[0]}: {r[2]} (n = {r[1]})" for r in rows)
    headers = [
        _l("Tilbud"),
        "n",
        _l("Justeret forbedring"),
        _l("95 % KI"),
        _l("Ift. gennemsnit"),
    ]
    return finish(figure, spec, alt, headers, rows)


def trend(spec: ChartSpec) -> Chart:
    """Goals met and change since admission, quarter by quarter, with 95% intervals."""
    rows = spec.data["rows"]
    quarters = [r[0] for r in rows]
    x = np.arange(len(rows))
    figure = new_figure(7.0, 4.6)
    top, bottom = figure.subplots(2, 1, sharex=True)
    share = np.array([np.nan if r[4] is None else r[4] for r in rows], dtype=float) * 100
    low = np.array([np.nan if r[5] is None else r[5] for r in rows], dtype=float) * 100
    high = np.array([np.nan if r[6] is None else r[6] for r in rows], dtype=float) * 100
    top.fill_between(x, low, high, color=BLUE, alpha=0.15, linewidth=0)
    top.plot(x, share, marker="o", color=BLUE)
    top.set_ylabel(str(_l("Mål nået (%)")))
    top.set_ylim(0, 100)
    change = np.array([np.nan if r[8] is None else r[8] for r in rows], dtype=float)
    c_low = np.array([np.nan if r[9] is None else r[9] for r in rows], dtype=float)
    c_high = np.array([np.nan if r[10] is None else r[10] for r in rows], dtype=float)
    bottom.axhline(0, color=GREY, linewidth=1)
    bottom.fill_between(x, c_low, c_high, color=RED, alpha=0.12, linewidth=0)
    bottom.plot(x, change, marker="o", color=RED)
    bottom.set_ylabel(str(_l("Forbedring i funktionsevne")))
    bottom.set_xticks(x, quarters)
    table_rows = [[r[0], r[1], r[2], pct(r[4]), num(r[8])] for r in rows]
    alt = str(
        _l(
            "Linjediagram over %(n)s kvartaler: andel mål nået og forbedring i funktionsevne "
            "(op er bedre).",
            n=len(rows),
        )
    )
    headers = [_l("Kvartal"), _l("Borgere"), _l("Opfølgninger"), _l("Mål nået"), _l("Forbedring")]
    return finish(figure, spec, alt, headers, table_rows)


def cohort(spec: ChartSpec) -> Chart:
    """Change from admission at 3, 6, 12 and 24 months, one panel per scale."""
    series = spec.data["series"]
    figure = new_figure(7.0, 2.2 + 1.6 * max(len(series), 1))
    axes = figure.subplots(max(len(series), 1), 1, squeeze=False)[:, 0]
    table_rows: list[list[Any]] = []
    for ax, rows in zip(axes, series.values(), strict=False):
        months = np.array([r[1] for r in rows], dtype=float)
        diff = np.array([np.nan if r[5] is None else r[5] for r in rows], dtype=float)
        low = np.array([np.nan if r[6] is None else r[6] for r in rows], dtype=float)
        high = np.array([np.nan if r[7] is None else r[7] for r in rows], dtype=float)
        ax.axhline(0, color=GREY, linewidth=1)
        errors = np.clip([diff - low, high - diff], 0, None)
        ax.errorbar(months, diff, yerr=errors, fmt="o-", color=BLUE, capsize=3)
        ax.set_title(str(rows[0][0]), fontsize=9, loc="left")
        ax.set_xticks([3, 6, 12, 24])
        ax.set_ylabel(str(_l("Forbedring")))
        table_rows.extend([str(r[0]), r[1], r[2], num(r[5])] for r in rows)
    axes[-1].set_xlabel(str(_l("Måneder efter indskrivning")))
    alt = str(
        _l(
            "Forbedring fra indskrivning ved 3, 6, 12 og 24 måneder for %(n)s skalaer (op er "
            "bedre).",
            n=len(series),
        )
    )
    headers = [_l("Skala"), _l("Måneder"), "n", _l("Forbedring")]
    return finish(figure, spec, alt, headers, table_rows)


def hbars(spec: ChartSpec) -> Chart:
    """Horizontal bars of one value per group."""
    labels = [str(label) for label in spec.data["labels"]]
    values = np.asarray(spec.data["values"], dtype=float)
    decimals = int(spec.data.get("decimals", 0))
    figure = new_figure(7.0, 0.9 + 0.32 * max(len(labels), 1))
    ax = figure.add_subplot()
    y = np.arange(len(labels))
    ax.barh(y, values, color=BLUE, height=0.65)
    ax.set_yticks(y, labels)
    ax.tick_params(axis="y", labelsize=8)
    rows = [[label, num(v, decimals)] for label, v in zip(labels, values, strict=True)]
    alt = str(_l("Søjlediagram: %(title)s. ", title=spec.title)) + "; ".join(
        f"{r[0]}: {r[1]}" for r in rows
    )
    return finish(figure, spec, alt, [_l("Gruppe"), _l("Værdi")], rows)


def compare(spec: ChartSpec) -> Chart:
    """The municipality's shares beside the region's."""
    labels = [str(label) for label in spec.data["labels"]]
    ours = np.asarray(spec.data["ours"], dtype=float) * 100
    region = np.asarray(spec.data["region"], dtype=float) * 100
    figure = new_figure(7.0, 1.0 + 0.55 * max(len(labels), 1))
    ax = figure.add_subplot()
    y = np.arange(len(labels))
    ax.barh(y - 0.18, ours, height=0.36, color=BLUE, label=str(_l("Kommunen")))
    ax.barh(y + 0.18, region, height=0.36, color=GREY, label=str(_l("Regionen")))
    ax.set_yticks(y, labels)
    ax.tick_params(axis="y", labelsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel(str(_l("Andel (%)")))
    ax.legend(loc="lower right", fontsize=8, frameon=False)
    rows = [
        [label, pct(o / 100), pct(r / 100)]
        for label, o, r in zip(labels, ours, region, strict=True)
    ]
    alt = str(_l("Søjlediagram: kommunen og regionen. ")) + "; ".join(
        f"{r[0]}: {r[1]} / {r[2]}" for r in rows
    )
    return finish(figure, spec, alt, [_l("Mål"), _l("Kommunen"), _l("Regionen")], rows)
