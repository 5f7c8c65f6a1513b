"""The council summary's development over earlier quarters (issue #16, item 5).

The last four quarters up to the summary's end, and the same quarter a year earlier, for the
municipality and the region. Every number is taken from that quarter's frozen publication
(published now if it is due and missing), never computed afresh: a fresh figure for an
earlier quarter would count records that arrived after its publication, and set beside the
frozen one it would give them away. So the trend adds nothing the council could not already
read, and the union audit that cleared each publication covers it (`reports/outputs.py`).
Quarters not yet due, or before DEL had data, are marked as such.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.labels import period_label
from del_tool.reports.common.model import Column, Hidden, KeyFigure, Report, Section, Table
from del_tool.reports.common.period import Period, quarter_of

#: The key figures the trend follows, as (key, kind, decimals).
MEASURES = (
    ("citizens", "int", 0),
    ("functioning_improvement", "signed", 1),
    ("wellbeing_improvement", "signed", 1),
    ("documentation", "pct", 0),
    ("goals_met", "pct", 0),
)
#: Publications made before changes were shown as improvement have the raw change under these
#: keys: (raw key, sign that turns it into improvement). Functioning 0-4 is lower-is-better.
LEGACY = {
    "functioning_improvement": ("functioning_change", -1),
    "wellbeing_improvement": ("wellbeing_change", 1),
}


def trend_quarters(period: Period) -> list[Period]:
    """The same quarter a year earlier, then the four quarters ending with the period's."""
    last = quarter_of(period.end)
    quarters = last.quarters(4)
    year_before = quarter_of(date(last.start.year - 1, last.start.month, 1))
    return [year_before, *quarters]


def trend_section(
    report: Report,
    code: str,
    period: Period,
    today: date,
    language: str,
    *,
    publish_missing: bool = True,
) -> Section:
    """The trend tables of a summary, from the quarters' own publications (a due quarter not
    yet published is published now, unless `publish_missing` is False: packs for every
    municipality read what is there)."""
    from del_tool.db import get_db
    from del_tool.reports.codec import decode
    from del_tool.reports.council.publication import (
        in_language,
        is_published,
        publish,
        published_content,
    )

    quarters = trend_quarters(period)
    figures: list[dict[str, KeyFigure] | None] = []
    for quarter in quarters:
        if quarter.key == period.key:
            summary = report
        elif is_published(quarter, today) and quarter.end < period.end + timedelta(days=1):
            content: dict[str, Any] | None
            if publish_missing:
                content = publish(code, quarter)
            else:
                with get_db().session(write=False) as session:
                    content = published_content(session, code, quarter)
            if content is None:
                figures.append(None)
                continue
            summary = decode(in_language(content, language)["report"])
        else:
            figures.append(None)
            continue
        figures.append({f.key: f for s in summary.sections for f in s.figures})
    section = Section(
        "trend",
        _l("Udvikling over de seneste kvartaler"),
        intro=_l(
            "Hvert kvartals tal er dem, kommunerapporten for kvartalet blev offentliggjort med, "
            "så de ændrer sig ikke bagefter; skjulte tal er også skjult her."
        ),
    )
    # The labels of the newest publication: the convention the values are shown in.
    labels = {
        key: next((f[key].label for f in reversed(figures) if f and key in f), key)
        for key, *_ in MEASURES
    }
    columns = [Column("quarter", _l("Kvartal"))]
    columns += [Column(key, labels[key], kind, decimals) for key, kind, decimals in MEASURES]  # type: ignore[arg-type]
    for who, title in (("value", _l("Kommunen")), ("benchmark", _l("Hele regionen"))):
        rows = [
            [period_label(quarter), *(_cell(f, key, who) for key, *_ in MEASURES)]
            for quarter, f in zip(quarters, figures, strict=True)
        ]
        section.tables.append(Table(f"council_trend_{who}", title, columns, rows))
    return section


def _cell(figures: dict[str, KeyFigure] | None, key: str, who: str) -> Any:
    """The quarter's published value ("-" before DEL had it or before it is due); a raw change
    of an older publication is shown as improvement, like the rest of the column."""
    figure = figures.get(key) if figures is not None else None
    sign = 1
    if figure is None and figures is not None and key in LEGACY:
        legacy, sign = LEGACY[key]
        figure = figures.get(legacy)
    if figure is None:
        return Hidden("-")
    value = figure.value if who == "value" else figure.benchmark
    if value is None:
        return Hidden("-")
    return sign * value + 0.0 if isinstance(value, int | float) and sign != 1 else value


def with_trend(report: Report, code: str, today: date, language: str, **options: Any) -> Report:
    """`report` with its trend section before the glossary."""
    section = trend_section(report, code, report.period, today, language, **options)
    at = next((i for i, s in enumerate(report.sections) if s.key == "glossary"), None)
    report.sections.insert(len(report.sections) if at is None else at, section)
    return report
