"""Forecasts of a short quarterly series with prediction intervals, and their back-test.

The model is ETS(A,A,N): Holt's linear trend with additive errors, as an innovations state
space model (Hyndman & Athanasopoulos 2021, sections 8.2, 8.5 and 8.7):

    y_t = l_{t-1} + b_{t-1} + e_t,   l_t = l_{t-1} + b_{t-1} + alpha e_t,
    b_t = b_{t-1} + beta e_t,        e_t ~ NID(0, sigma^2).

The smoothing parameters and the initial level and slope are estimated by maximum likelihood
(statsmodels' `ETSModel`; for additive errors this is least squares on the one-step errors).
The point forecast h quarters ahead is l_T + h b_T, and the forecast variance is the closed
form of Hyndman et al. (2008, chapter 6; FPP3 Table 8.8):

    sigma_h^2 = sigma^2 [1 + (h - 1) {alpha^2 + alpha beta h + beta^2 h (2h - 1) / 6}],

so the interval is the forecast +- z sigma_h with z the normal quantile of the level.
sigma^2 is SSE / (T - 4), the residual variance with the four estimated parameters taken off,
as R's forecast::ets does; statsmodels' own intervals use SSE / T, which on 8 to 20 quarters
makes them markedly too narrow.

Why this model: it is the simplest one with a trend, and a trend is what a buyer of places
asks about; it has proper prediction intervals in closed form (no simulation); and with four
parameters it can be fitted to the 8 quarters a report may have. A damped trend needs a fifth
parameter, and seasonal models need at least three years of quarters to estimate four seasonal
states; neither can be estimated from two or three years of data. What it cannot do: foresee a
change in the municipality's need or a unit opening or closing; its intervals assume the errors
of the past.

Back-test (time-series cross-validation with one origin, FPP3 section 5.10): the model is
fitted on the series up to `horizon` quarters before its end, forecasts those quarters, and is
compared with what happened: the mean absolute percentage error, MAPE = mean |y - yhat| / |y|
x 100 (FPP3 section 5.8; undefined when an actual value is 0), and whether each actual value
fell inside its interval.

References
----------
Hyndman, R. J., & Athanasopoulos, G. (2021). Forecasting: Principles and Practice, 3rd ed.
OTexts. https://otexts.com/fpp3/ (sections 5.8, 5.10, 8.2, 8.5-8.7, Tables 8.2 and 8.8).
Hyndman, R. J., Koehler, A. B., Ord, J. K., & Snyder, R. D. (2008). Forecasting with
Exponential Smoothing: The State Space Approach. Springer, chapter 6.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from del_tool.stats._results import as_float_array, captured_warnings, join_reasons

#: Fewer quarters than this are not forecast (four parameters need some to spare).
MIN_OBSERVATIONS = 8
#: alpha, beta, l0 and b0: the degrees of freedom the residual variance loses.
N_PARAMETERS = 4
METHOD = (
    "ETS(A,A,N) (Holt's linear trend, additive errors), maximum likelihood (statsmodels "
    "ETSModel); interval: forecast +- z sigma_h, sigma_h^2 as Hyndman et al. (2008), "
    "sigma^2 = SSE / (T - 4)"
)


@dataclass(frozen=True, slots=True)
class Forecast:
    """Point forecasts and prediction intervals for the next `horizon` periods.

    `lower` and `upper` are None when the series cannot carry an interval (`reason` says why);
    `mean` is empty when no forecast can be made at all.
    """

    n: int
    horizon: int
    level: float
    mean: tuple[float, ...]
    lower: tuple[float, ...] | None
    upper: tuple[float, ...] | None
    alpha: float | None
    beta: float | None
    slope: float | None
    sigma2: float | None
    method: str
    reason: str | None
    warnings: tuple[str, ...] = ()

    @property
    def available(self) -> bool:
        """Whether there are point forecasts."""
        return bool(self.mean)


@dataclass(frozen=True, slots=True)
class Backtest:
    """The forecast made `horizon` periods before the series' end, against what happened."""

    n_train: int
    forecast: Forecast
    actual: tuple[float, ...]
    ape: tuple[float | None, ...]
    mape: float | None
    inside: tuple[bool, ...]
    reason: str | None

    @property
    def n_inside(self) -> int:
        """How many actual values fell inside their prediction interval."""
        return sum(self.inside)


def ets_forecast(
    values: Any,
    *,
    horizon: int = 4,
    level: float = 0.95,
    floor: float | None = None,
    min_observations: int = MIN_OBSERVATIONS,
) -> Forecast:
    """Forecast the next `horizon` values of an equally spaced series with ETS(A,A,N).

    `floor` is a value the series cannot go below (0 for days): forecasts and limits under it
    are set to it (a truncation, not a model of the bound). A series shorter than
    `min_observations` gets no forecast; a series without variation around its level and
    trend (every value the same, or exactly on a line) gets point forecasts but no interval,
    since nothing in it tells how uncertain they are. ValueError for missing values, a level
    outside (0, 1) or a horizon below 1.
    """
    y = _checked(values, horizon, level)
    n = int(y.size)
    if n < min_observations:
        return _none(n, horizon, level, f"{n} periods: at least {min_observations} are needed")
    if np.ptp(y) == 0:
        return _flat(n, horizon, level, float(y[-1]), floor)
    with captured_warnings() as caught:
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        fit = ETSModel(pd.Series(y), error="add", trend="add").fit(disp=False)
    alpha, beta = float(fit.params.iloc[0]), float(fit.params.iloc[1])
    last_level, slope = float(fit.level.iloc[-1]), float(fit.slope.iloc[-1])
    steps = np.arange(1, horizon + 1, dtype=float)
    mean = last_level + steps * slope
    sse = float(fit.sse)
    sigma2 = sse / (n - N_PARAMETERS)
    notes = tuple(caught)
    if sigma2 <= 1e-12 * max(1.0, float(np.mean(y**2))):
        reason = "the series lies exactly on a line: no interval can be estimated"
        return Forecast(
            n,
            horizon,
            level,
            _cut(mean, floor),
            None,
            None,
            alpha,
            beta,
            slope,
            0.0,
            METHOD,
            reason,
            notes,
        )
    spread = stats.norm.ppf(0.5 + level / 2) * np.sqrt(
        forecast_variance(sigma2, alpha, beta, steps)
    )
    return Forecast(
        n=n,
        horizon=horizon,
        level=level,
        mean=_cut(mean, floor),
        lower=_cut(mean - spread, floor),
        upper=_cut(mean + spread, floor),
        alpha=alpha,
        beta=beta,
        slope=slope,
        sigma2=sigma2,
        method=METHOD,
        reason=None,
        warnings=notes,
    )


def forecast_variance(sigma2: float, alpha: float, beta: float, steps: Any) -> np.ndarray:
    """sigma_h^2 of ETS(A,A,N) for the given steps h (FPP3 Table 8.8; beta = alpha beta*)."""
    h = np.asarray(steps, dtype=float)
    return sigma2 * (1 + (h - 1) * (alpha**2 + alpha * beta * h + beta**2 * h * (2 * h - 1) / 6))


def backtest(
    values: Any,
    *,
    horizon: int = 4,
    level: float = 0.95,
    floor: float | None = None,
    min_observations: int = MIN_OBSERVATIONS,
) -> Backtest:
    """Fit on all but the last `horizon` values, forecast them, and compare (module docstring).

    The training part needs `min_observations` values, so the series needs that many plus
    `horizon`; otherwise the result has no forecast and says so.
    """
    y = _checked(values, horizon, level)
    train, actual = y[:-horizon], y[-horizon:]
    forecast = ets_forecast(
        train, horizon=horizon, level=level, floor=floor, min_observations=min_observations
    )
    if not forecast.available:
        return Backtest(int(train.size), forecast, tuple(actual), (), None, (), forecast.reason)
    predicted = np.asarray(forecast.mean)
    ape = tuple(
        None if a == 0 else float(abs(a - p) / abs(a) * 100)
        for a, p in zip(actual, predicted, strict=True)
    )
    known = [e for e in ape if e is not None]
    mape = float(np.mean(known)) if len(known) == len(ape) else None
    inside: tuple[bool, ...] = ()
    if forecast.lower is not None and forecast.upper is not None:
        inside = tuple(
            bool(lo <= a <= hi)
            for a, lo, hi in zip(actual, forecast.lower, forecast.upper, strict=True)
        )
    zero = "an actual value is 0: percentage errors are undefined" if mape is None else None
    return Backtest(
        int(train.size),
        forecast,
        tuple(float(a) for a in actual),
        ape,
        mape,
        inside,
        join_reasons([zero, forecast.reason]),
    )


def _checked(values: Any, horizon: int, level: float) -> np.ndarray:
    y = as_float_array(values, "values")
    if not np.all(np.isfinite(y)):
        raise ValueError("values must be finite numbers without gaps")
    if horizon < 1:
        raise ValueError(f"horizon must be at least 1, got {horizon}")
    if not 0 < level < 1:
        raise ValueError(f"level must lie in (0, 1), got {level}")
    return y


def _cut(values: Any, floor: float | None) -> tuple[float, ...]:
    array = np.asarray(values, dtype=float)
    if floor is not None:
        array = np.maximum(array, floor)
    return tuple(float(v) + 0.0 for v in array)


def _none(n: int, horizon: int, level: float, reason: str) -> Forecast:
    return Forecast(n, horizon, level, (), None, None, None, None, None, None, METHOD, reason)


def _flat(n: int, horizon: int, level: float, value: float, floor: float | None) -> Forecast:
    """Every value the same: that value ahead, without an interval."""
    reason = "every value is the same: no interval can be estimated"
    flat = _cut([value] * horizon, floor)
    return Forecast(n, horizon, level, flat, None, None, None, None, 0.0, 0.0, METHOD, reason)
