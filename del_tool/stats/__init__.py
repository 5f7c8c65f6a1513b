"""Statistics for DEL: pure functions on arrays and frames that return small frozen dataclasses.

Every function documents its formula and literature reference, and every result says what it is
(``n``, ``method``) and, where the data cannot support a number, why not (``reason``). See
``del_tool.stats._results`` for the conventions on missing values, None and errors.

Submodules load on first use (PEP 562): importing the light scoring functions (numpy only) for
the questionnaire engine does not pull in scipy and statsmodels, which keeps start-up fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from del_tool.stats.scoring import (
    ScaleResult,
    ScaleSpec,
    band_index,
    band_indices,
    reverse_value,
    score_frame,
    score_scale,
)

if TYPE_CHECKING:
    from del_tool.stats.adjusted import AdjustedComparison, adjusted_comparison
    from del_tool.stats.agreement import (
        LimitsOfAgreement,
        WeightedKappa,
        limits_of_agreement,
        weighted_kappa,
    )
    from del_tool.stats.attrition import Attrition
    from del_tool.stats.change_thresholds import (
        ThresholdChange,
        anchor_change,
        percentage_change,
    )
    from del_tool.stats.charges import (
        ServiceCosts,
        service_costs,
        settlements_in_period,
        whole_years,
    )
    from del_tool.stats.cost import StayCosts, cost_summary, stay_costs
    from del_tool.stats.disclosure import SuppressedTable, may_show, suppress_small_cells
    from del_tool.stats.effect_sizes import (
        RepeatedMeasuresEffect,
        TwoGroupEffect,
        repeated_measures_effect,
        two_group_effect,
    )
    from del_tool.stats.funnel import FunnelResult, funnel_means, funnel_proportions
    from del_tool.stats.funnel_limits import (
        FunnelLimits,
        exact_proportion_limits,
        proportion_limits,
    )
    from del_tool.stats.funnel_poisson import (
        exact_poisson_limits,
        funnel_rates,
        funnel_ratios,
        poisson_funnel_points,
    )
    from del_tool.stats.goals import (
        GasTScore,
        GoalAttainment,
        GoalShare,
        gas_t_score,
        goal_attainment,
        wilson_interval,
    )
    from del_tool.stats.jacobson_truax import (
        ReliableChange,
        jacobson_truax_cutoff,
        reliable_change,
    )
    from del_tool.stats.mixed_models import Trajectory, trajectory
    from del_tool.stats.occupancy import Occupancy, spans
    from del_tool.stats.paired import PairedChange, paired_change
    from del_tool.stats.reliability import (
        CronbachAlpha,
        ScaleReliability,
        cronbach_alpha,
        scale_reliability,
    )
    from del_tool.stats.reliable_change_hlm import HlmReliableChange, reliable_change_hlm
    from del_tool.stats.tariff_growth import TariffGrowth
    from del_tool.stats.trajectory_models import (
        ModelComparison,
        ModelFit,
        compare_trajectory_models,
    )

#: Public name -> the submodule that defines it. (`occupancy.occupancy`, `attrition.attrition` and
#: `tariff_growth.tariff_growth` are imported from their modules: a lazy name equal to its
#: module's would be shadowed by the module once it is imported.)
_LAZY: dict[str, str] = {
    "AdjustedComparison": "adjusted",
    "adjusted_comparison": "adjusted",
    "LimitsOfAgreement": "agreement",
    "WeightedKappa": "agreement",
    "limits_of_agreement": "agreement",
    "weighted_kappa": "agreement",
    "Attrition": "attrition",
    "ServiceCosts": "charges",
    "service_costs": "charges",
    "settlements_in_period": "charges",
    "whole_years": "charges",
    "StayCosts": "cost",
    "cost_summary": "cost",
    "stay_costs": "cost",
    "SuppressedTable": "disclosure",
    "may_show": "disclosure",
    "suppress_small_cells": "disclosure",
    "RepeatedMeasuresEffect": "effect_sizes",
    "TwoGroupEffect": "effect_sizes",
    "repeated_measures_effect": "effect_sizes",
    "two_group_effect": "effect_sizes",
    "FunnelResult": "funnel",
    "funnel_means": "funnel",
    "funnel_proportions": "funnel",
    "exact_poisson_limits": "funnel_poisson",
    "funnel_rates": "funnel_poisson",
    "funnel_ratios": "funnel_poisson",
    "poisson_funnel_points": "funnel_poisson",
    "FunnelLimits": "funnel_limits",
    "exact_proportion_limits": "funnel_limits",
    "proportion_limits": "funnel_limits",
    "ThresholdChange": "change_thresholds",
    "anchor_change": "change_thresholds",
    "percentage_change": "change_thresholds",
    "GasTScore": "goals",
    "GoalAttainment": "goals",
    "GoalShare": "goals",
    "gas_t_score": "goals",
    "goal_attainment": "goals",
    "wilson_interval": "goals",
    "PairedChange": "paired",
    "paired_change": "paired",
    "CronbachAlpha": "reliability",
    "ScaleReliability": "reliability",
    "cronbach_alpha": "reliability",
    "scale_reliability": "reliability",
    "IntraclassCorrelation": "retest",
    "intraclass_correlation": "retest",
    "retest_reliability": "retest",
    "ReliableChange": "jacobson_truax",
    "jacobson_truax_cutoff": "jacobson_truax",
    "reliable_change": "jacobson_truax",
    "HlmReliableChange": "reliable_change_hlm",
    "reliable_change_hlm": "reliable_change_hlm",
    "Occupancy": "occupancy",
    "spans": "occupancy",
    "TariffGrowth": "tariff_growth",
    "Trajectory": "mixed_models",
    "ModelComparison": "trajectory_models",
    "ModelFit": "trajectory_models",
    "compare_trajectory_models": "trajectory_models",
    "trajectory": "mixed_models",
}


def __getattr__(name: str) -> Any:
    """Import the defining submodule on first use of a public name."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'del_tool.stats' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"del_tool.stats.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """Public names, loaded or not."""
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "AdjustedComparison",
    "Attrition",
    "CronbachAlpha",
    "FunnelLimits",
    "FunnelResult",
    "GasTScore",
    "GoalAttainment",
    "GoalShare",
    "HlmReliableChange",
    "IntraclassCorrelation",
    "LimitsOfAgreement",
    "ModelComparison",
    "ModelFit",
    "Occupancy",
    "PairedChange",
    "ReliableChange",
    "RepeatedMeasuresEffect",
    "ScaleReliability",
    "ScaleResult",
    "ScaleSpec",
    "ServiceCosts",
    "StayCosts",
    "SuppressedTable",
    "TariffGrowth",
    "ThresholdChange",
    "Trajectory",
    "TwoGroupEffect",
    "WeightedKappa",
    "adjusted_comparison",
    "anchor_change",
    "band_index",
    "band_indices",
    "compare_trajectory_models",
    "cost_summary",
    "cronbach_alpha",
    "exact_poisson_limits",
    "exact_proportion_limits",
    "funnel_means",
    "funnel_proportions",
    "funnel_rates",
    "funnel_ratios",
    "gas_t_score",
    "goal_attainment",
    "intraclass_correlation",
    "jacobson_truax_cutoff",
    "limits_of_agreement",
    "may_show",
    "paired_change",
    "percentage_change",
    "poisson_funnel_points",
    "proportion_limits",
    "reliable_change",
    "reliable_change_hlm",
    "repeated_measures_effect",
    "retest_reliability",
    "reverse_value",
    "scale_reliability",
    "score_frame",
    "score_scale",
    "service_costs",
    "settlements_in_period",
    "spans",
    "stay_costs",
    "suppress_small_cells",
    "trajectory",
    "two_group_effect",
    "weighted_kappa",
    "whole_years",
    "wilson_interval",
]
