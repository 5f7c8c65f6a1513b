"""The council summary's opening page in plain words, read from the summary as published.

It is made from the cells the council sees (after suppression and the union audit), never
from the data behind them, so it can say nothing a hidden cell would: a withheld change reads
"too few to say". Regenerate it after withholding (`council_verdict` is idempotent).
"""

from __future__ import annotations

from typing import Any

from del_tool.reports.common.labels import Text, fmt
from del_tool.reports.common.labels import lazy as _l
from del_tool.reports.common.model import Hidden, Report, Section
from del_tool.reports.common.verdict import NO_CAUSE, VERDICT_INTRO, Change, judge

#: Rows of the change table: (label, decimals). The table shows improvement (positive is
#: better, `common/direction.py`), so each row is judged as a higher-is-better change.
CHANGE_ROWS = (
    (_l("Funktionsevnen (0-4, hvor 0 er bedst)"), 1),
    (_l("Trivslen (WHO-5, 0-100, hvor 100 er bedst)"), 1),
)


def council_verdict(report: Report, min_n: int) -> Section:
    """The verdict of a council summary from its published cells."""
    section = Section("verdict", _l("Resumé"), intro=VERDICT_INTRO)
    change = report.table("council_change")
    for row, (label, decimals) in zip(change.rows, CHANGE_ROWS, strict=False):
        cells = dict(zip((c.key for c in change.columns), row, strict=True))
        ours = _change(label, cells, decimals)
        if ours.mean is None:  # hidden or missing: say so without an n
            section.messages.append(
                _l("%(what)s: for få borgere bag tallet til at vise det.", what=label)
            )
            continue
        judgement = judge(ours, min_n=min_n)
        parts: list[Any] = [judgement.sentence]
        region: Any = cells.get("region_diff")
        if judgement.category != "too_few" and _shown(region) and _shown(cells.get("region_n")):
            parts.append(
                _l(
                    "Hele regionen: %(change)s (n = %(n)s).",
                    change=fmt(float(region), decimals),
                    n=cells["region_n"],
                )
            )
        section.messages.append(_joined(parts))
    figures = {f.key: f for s in report.sections for f in s.figures}
    cost = figures.get("cost_per_year")
    if cost is not None and _shown(cost.value):
        section.messages.append(
            _l(
                "Udgift: %(cost)s kr. pr. borgerår (takst gange dage); hele regionen "
                "%(region)s kr. %(note)s.",
                cost=fmt(float(cost.value)),
                region=fmt(float(cost.benchmark)) if _shown(cost.benchmark) else "-",
                note=cost.note or "",
            )
        )
    section.messages.append(NO_CAUSE)
    return section


def _change(label: Any, cells: dict[str, Any], decimals: int) -> Change:
    """The published improvement of one row (already signed so that positive is better)."""
    values: list[Any] = [cells.get(k) for k in ("n", "diff", "ci_low", "ci_high")]
    if not all(_shown(v) for v in values):
        return Change(label, 0, None, None, True, decimals=decimals)
    n, diff, low, high = values
    return Change(label, int(n), float(diff), (float(low), float(high)), True, decimals=decimals)


def _joined(parts: list[Any]) -> Text:
    return Text(lambda: " ".join(str(p) for p in parts))


def _shown(value: Any) -> bool:
    return value is not None and not isinstance(value, Hidden)
