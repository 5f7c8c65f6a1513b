"""The effect report's trajectory states the model it chose and why (#22 item 7).

The choice is ``compare_trajectory_models`` on the same rows (boundary LR test of the random
slopes, Self & Liang 1987; its published sleepstudy values are in tests/stats/
test_trajectory_models.py); the fitted model is ``trajectory`` with that choice.
"""

from __future__ import annotations

import pandas as pd
import pytest

from del_tool.reports.common.labels import number
from del_tool.reports.effect import model_choice
from del_tool.reports.effect.analysis import OPTIMIZERS
from del_tool.stats import compare_trajectory_models, trajectory
from tests.reports import expect
from tests.reports.test_effect import MEAN, PERIOD, _build, _row


@pytest.mark.parametrize("level", ["unit", "region"])
def test_the_model_column_gives_the_chosen_model_and_the_test(session, world, level):
    report, stays = _build(session, world, level)
    frame = expect.trajectory_frame(stays, MEAN, PERIOD.start, PERIOD.end)
    choice = compare_trajectory_models(frame, time="years", score="score", group="stay")
    fitted = trajectory(
        frame,
        time="years",
        score="score",
        group="stay",
        optimizers=OPTIMIZERS,
        random_slope=choice.chosen != "intercept",
    )
    row = _row(report.table("effect_trajectory"), "DEL funktionsprofil: Gennemsnit")
    assert expect.close(row[4], -fitted.slope, rel=1e-6)
    text = str(row[7])
    assert choice.lr_statistic is not None
    assert f"LR = {number(choice.lr_statistic, 1)}" in text
    assert number(choice.slope.aic, 1) in text and number(choice.intercept.aic, 1) in text
    if choice.chosen == "slope":
        assert text.startswith("tilfældigt niveau og hældning: hældningerne varierer")
    else:
        assert text.startswith("tilfældigt niveau: ingen tegn på")
    methods = " ".join(str(m) for m in report.methods)
    assert "50:50-blanding af chi²(1) og chi²(2)" in methods


def _frame(slope_sd: float, seed: int = 3) -> pd.DataFrame:
    import numpy as np

    rng = np.random.default_rng(seed)
    rows = []
    for stay in range(40):
        level, slope = rng.normal(2.0, 0.5), rng.normal(-0.3, slope_sd)
        for years in (0.0, 0.25, 0.5, 0.75, 1.0):
            score = level + slope * years + rng.normal(0, 0.2)
            rows.append({"stay": stay, "years": years, "score": score})
    return pd.DataFrame(rows)


def test_varying_slopes_are_kept_and_constant_slopes_dropped():
    varying = model_choice.compare(_frame(slope_sd=0.8))
    assert varying.chosen == "slope" and model_choice.wants_slope(varying)
    constant = model_choice.compare(_frame(slope_sd=0.0))
    assert constant.chosen == "intercept" and not model_choice.wants_slope(constant)
    fit = trajectory(_frame(0.0), time="years", score="score", group="stay", random_slope=False)
    assert not fit.random_slope
    assert str(model_choice.model_text(fit, constant)).startswith("tilfældigt niveau: ingen")
