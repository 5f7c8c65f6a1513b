"""One convention for which way is better, in every report table and chart.

Changes are shown as **improvement**: signed so that positive is always better, whatever the
scale's raw direction (after minus before where higher scores are better, before minus after
where lower scores are better, as on the 0-4 functioning scale, where 0 is no impairment).
Charts plot improvement up or to the right. Raw levels (before, after, at admission) keep the
scale's own numbers, and each table says once which raw direction is better.
"""

from __future__ import annotations

from typing import Any

from del_tool.reports.common.labels import lazy as _l

#: The sentence every table and chart of improvements carries once.
IMPROVEMENT_RULE = _l(
    "Forbedring har fortegn, så positiv altid er bedre: efter minus før, hvor højere er bedre, "
    "og før minus efter, hvor lavere er bedre (som funktionsevne 0-4, hvor 0 er bedst)."
)


def improvement(value: Any, higher_is_better: bool) -> Any:
    """A raw change (after minus before, a slope, a d_z) signed so that positive is better;
    None and NaN pass through."""
    if value is None:
        return None
    return value if higher_is_better else -value


def improvement_interval(low: Any, high: Any, higher_is_better: bool) -> tuple[Any, Any]:
    """A raw interval as an interval of improvement, lower bound first."""
    if higher_is_better or low is None or high is None:
        return low, high
    return -high, -low


def improvement_ci(ci: tuple[Any, Any] | None, higher_is_better: bool) -> tuple[Any, Any]:
    """An optional raw (low, high) pair as an interval of improvement; blanks when missing."""
    if ci is None:
        return None, None
    return improvement_interval(ci[0], ci[1], higher_is_better)
