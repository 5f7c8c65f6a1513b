"""Tests for del_tool.stats.forecast: ETS(A,A,N) forecasts, their intervals and the back-test."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from del_tool.stats.forecast import backtest, ets_forecast, forecast_variance

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def population() -> np.ndarray:
    """Australia's population 1960-2017 in millions (FPP3 section 8.2: Pop = Population / 1e6)."""
    frame = pd.read_csv(DATA / "fpp3_aus_population.csv")
    assert list(frame["year"]) == list(range(1960, 2018))
    return frame["population"].to_numpy(dtype=float) / 1e6


def test_reproduces_fpp3_table_8_2_holts_method_for_the_australian_population(population):
    # Hyndman & Athanasopoulos (2021), FPP3 section 8.2, "Example: Australian population":
    # ETS(Pop ~ error("A") + trend("A") + season("N")) gives alpha = 0.9999, beta* = 0.3267,
    # and Table 8.2 lists l0 = 10.05, b0 = 0.22, in 2017 the level 24.60 and slope 0.37, and
    # the forecasts for 2018-2027 below (two decimals). fable and statsmodels optimise the same
    # likelihood with different optimisers: alpha agrees to four decimals, beta* to 0.002
    # (statsmodels finds 0.3255 on this flat ridge), and every printed forecast to the cent.
    fc = ets_forecast(population, horizon=10)
    assert fc.n == 58 and fc.reason is None
    assert fc.alpha == pytest.approx(0.9999, abs=1e-4)
    assert fc.beta / fc.alpha == pytest.approx(0.3267, abs=0.002)  # statsmodels: beta = a b*
    assert round(fc.slope, 2) == 0.37
    assert [round(v, 2) for v in fc.mean] == [
        24.97, 25.34, 25.71, 26.07, 26.44, 26.81, 27.18, 27.55, 27.92, 28.29,
    ]  # fmt: skip
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    sm = ETSModel(pd.Series(population), error="add", trend="add").fit(disp=False)
    assert round(float(sm.params.iloc[2]), 2) == 10.05  # l0
    assert round(float(sm.params.iloc[3]), 2) == 0.22  # b0
    assert round(float(sm.level.iloc[-1]), 2) == 24.60


def test_the_interval_is_the_closed_form_of_fpp3_table_8_8_with_sse_over_t_minus_4(population):
    # FPP3 Table 8.8, ETS(A,A,N): sigma_h^2 = sigma^2 [1 + (h-1){a^2 + a b h + b^2 h(2h-1)/6}].
    # statsmodels computes the same closed form with sigma^2 = SSE / T; DEL takes SSE / (T - 4)
    # as R's forecast::ets does, so its half-widths are statsmodels' times sqrt(T / (T - 4)).
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    fc = ets_forecast(population, horizon=4, level=0.95)
    sm = ETSModel(pd.Series(population), error="add", trend="add").fit(disp=False)
    frame = sm.get_prediction(start=58, end=61).summary_frame(alpha=0.05)
    np.testing.assert_allclose(fc.mean, frame["mean"], rtol=1e-9)
    ours = np.asarray(fc.upper) - np.asarray(fc.mean)
    theirs = frame["pi_upper"].to_numpy() - frame["mean"].to_numpy()
    np.testing.assert_allclose(ours / theirs, np.sqrt(58 / 54), rtol=1e-6)
    sse = float(np.sum(np.asarray(sm.resid) ** 2))
    assert fc.sigma2 == pytest.approx(sse / 54)
    z = stats.norm.ppf(0.975)
    by_hand = z * np.sqrt(forecast_variance(sse / 54, fc.alpha, fc.beta, [1, 2, 3, 4]))
    np.testing.assert_allclose(ours, by_hand, rtol=1e-9)


def test_forecast_variance_by_hand():
    # alpha 0.5, beta 0.1, sigma^2 4:
    # h=1: 4 * 1 = 4
    # h=2: 4 * [1 + 1 * (0.25 + 0.05 * 2 + 0.01 * 2 * 3 / 6)] = 4 * 1.36 = 5.44
    # h=3: 4 * [1 + 2 * (0.25 + 0.05 * 3 + 0.01 * 3 * 5 / 6)] = 4 * [1 + 2 * 0.425] = 7.4
    np.testing.assert_allclose(forecast_variance(4.0, 0.5, 0.1, [1, 2, 3]), [4.0, 5.44, 7.4])


def test_fewer_than_eight_quarters_are_not_forecast():
    fc = ets_forecast([10, 12, 11, 13, 12, 14, 13], horizon=4)
    assert not fc.available and fc.lower is None
    assert "7 periods: at least 8" in fc.reason


def test_a_series_without_variation_gets_its_value_ahead_and_no_interval():
    fc = ets_forecast([91.0] * 9, horizon=4)
    assert fc.mean == (91.0,) * 4 and fc.lower is None and fc.upper is None
    assert "same" in fc.reason
    line = ets_forecast([10.0 + 2 * i for i in range(10)], horizon=2)
    assert [round(v, 6) for v in line.mean] == [30.0, 32.0] and line.lower is None
    assert "line" in line.reason


def test_the_floor_cuts_forecasts_and_limits():
    falling = [100, 90, 82, 70, 61, 52, 40, 31, 22, 12.0]
    fc = ets_forecast(falling, horizon=4, floor=0.0)
    raw = ets_forecast(falling, horizon=4)
    assert min(raw.lower) < 0 and min(fc.lower) == 0.0
    assert all(m >= 0 for m in fc.mean)
    assert all(lo <= m <= hi for lo, m, hi in zip(fc.lower, fc.mean, fc.upper, strict=True))


def test_backtest_by_hand_on_a_flat_training_part():
    # Training: eight quarters of 10 -> the forecast is 10 for each of the four held out
    # (no interval: the training part never varied). Actual 10, 12, 8, 5:
    # APE = 0, 2/12 = 16.667 %, 2/8 = 25 %, 5/5 = 100 %; MAPE = 141.667 / 4 = 35.417 %.
    result = backtest([10.0] * 8 + [10, 12, 8, 5], horizon=4)
    assert result.n_train == 8 and result.forecast.mean == (10.0,) * 4
    assert result.ape == pytest.approx((0.0, 100 * 2 / 12, 25.0, 100.0))
    assert result.mape == pytest.approx((0 + 100 * 2 / 12 + 25 + 100) / 4)
    assert result.inside == () and result.n_inside == 0


def test_backtest_with_an_actual_zero_has_no_mape():
    result = backtest([10.0] * 8 + [10, 0, 8, 5], horizon=4)
    assert result.mape is None and "actual value is 0" in result.reason
    assert result.ape[1] is None and result.ape[0] == 0.0


def test_backtest_counts_the_actuals_inside_their_intervals(population):
    # Fit to 1960-2013, forecast 2014-2017 and compare with the recorded population.
    result = backtest(population, horizon=4)
    fc = result.forecast
    assert result.n_train == 54 and result.actual == tuple(population[-4:])
    expected = [
        lo <= a <= hi for a, lo, hi in zip(population[-4:], fc.lower, fc.upper, strict=True)
    ]
    assert list(result.inside) == expected
    errors = np.abs(population[-4:] - np.asarray(fc.mean)) / population[-4:] * 100
    assert result.mape == pytest.approx(float(errors.mean()))
    assert result.mape < 1  # a smooth series: its forecasts are within a per cent


def test_too_short_for_a_backtest_says_so():
    result = backtest(list(range(1, 12)), horizon=4)  # 7 quarters to fit on
    assert result.mape is None and not result.forecast.available
    assert "at least 8" in result.reason


@pytest.mark.parametrize(
    ("values", "kwargs", "match"),
    [
        ([1.0, np.nan] * 5, {}, "without gaps"),
        ([1.0] * 10, {"horizon": 0}, "horizon"),
        ([1.0] * 10, {"level": 1.0}, "level"),
    ],
)
def test_programming_errors_raise(values, kwargs, match):
    with pytest.raises(ValueError, match=match):
        ets_forecast(values, **kwargs)
