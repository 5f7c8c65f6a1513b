"""Which trajectory model the effect report uses, and the words that say why.

The random-intercept and random-slope growth models are compared by a likelihood-ratio test on
their ML fits against the 50:50 mixture of chi2(1) and chi2(2) (Self & Liang 1987;
``del_tool.stats.compare_trajectory_models``): the report fits the random slopes (by REML) when
the test finds that the slopes vary between stays (p < 0.05), the random intercept otherwise.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from del_tool.reports.common.labels import Text, fmt
from del_tool.reports.common.labels import lazy as _l
from del_tool.stats import ModelComparison, Trajectory, compare_trajectory_models


def compare(data: pd.DataFrame) -> ModelComparison:
    """The comparison of the two models on a scale's trajectory data (stay, score, years)."""
    return compare_trajectory_models(data, time="years", score="score", group="stay")


def wants_slope(comparison: ModelComparison) -> bool:
    """Whether the report should fit the random slopes ("slope", or no comparison possible)."""
    return comparison.chosen != "intercept"


def _p(value: float) -> Text:
    """A p-value as reports print it: three decimals, or < 0.001."""
    if value < 0.001:
        return Text(lambda: "< " + str(fmt(0.001, 3)))
    return Text(lambda: "= " + str(fmt(value, 3)))


def model_text(fit: Trajectory, comparison: ModelComparison | None) -> Any:
    """The model column of the trajectory table: the model used and why."""
    model = _l("tilfældigt niveau og hældning") if fit.random_slope else _l("tilfældigt niveau")
    if comparison is None or comparison.lr_statistic is None or comparison.p_value is None:
        if fit.random_slope:
            return model
        return _l(
            "%(model)s (for få forløb med to tidspunkter, eller hældningsmodellen kunne ikke "
            "tilpasses)",
            model=model,
        )
    slopes, intercept = comparison.slope, comparison.intercept
    values = {
        "model": model,
        "lr": fmt(comparison.lr_statistic, 1),
        "p": _p(comparison.p_value),
        "aic_slope": fmt(slopes.aic if slopes else None, 1),
        "aic_intercept": fmt(intercept.aic if intercept else None, 1),
    }
    if fit.random_slope:
        return _l(
            "%(model)s: hældningerne varierer mellem forløb (LR = %(lr)s, p %(p)s; AIC "
            "%(aic_slope)s mod %(aic_intercept)s uden hældning)",
            **values,
        )
    return _l(
        "%(model)s: ingen tegn på, at hældningerne varierer mellem forløb (LR = %(lr)s, "
        "p %(p)s; AIC %(aic_slope)s med hældning mod %(aic_intercept)s)",
        **values,
    )


METHOD = _l(
    "Forløbsmodel: lineær mixed model pr. forløb, tilpasset med REML (DELs egen tilpasning med "
    "samme kriterium som lme4) over alle målinger fra indskrivning til periodens slutning af "
    "alle forløb målt i perioden, ikke kun forløb med to målinger. Modellen med tilfældigt "
    "niveau og hældning bruges, når en likelihood ratio-test af ML-tilpasningerne viser, at "
    "hældningerne varierer mellem forløb (p < 0,05; da variansen testes på grænsen af sit "
    "område, er p fra en 50:50-blanding af chi²(1) og chi²(2), Self & Liang 1987); ellers "
    "modellen med tilfældigt niveau. Tabellen viser testen og AIC for begge modeller."
)
