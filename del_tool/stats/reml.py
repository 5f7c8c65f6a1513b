"""Profiled REML for the growth model y = b0 + b1*t + u0_g + u1_g*t + e, vectorised over groups.

The model is the one `del_tool.stats.mixed_models.trajectory` fits (Laird & Ware 1982): per
group (u0, u1) ~ N(0, G) with unstructured G, e ~ N(0, sigma^2); or a random intercept only.
General-purpose fitters (statsmodels MixedLM) loop over groups in Python at every evaluation of
the likelihood, which takes seconds for a few hundred groups and hours for tens of thousands.
Here the random-effects design equals (part of) the fixed-effects design, so each group enters
the likelihood only through a few sums (n, sum t, sum t^2, sum y, sum t*y), and every
evaluation is a handful of numpy operations on stacked 2x2 matrices.

The criterion is lme4's profiled REML deviance (Bates, Maechler, Bolker & Walker 2015, J Stat
Softw 67(1), eqs. 34-42) in the relative covariance factor Lambda (G = sigma^2 Lambda Lambda'):

    d(theta) = sum_g log|C_g| + log|P| + (N - p) (1 + log(2 pi RSS / (N - p)))

with C_g = Lambda' Z_g'Z_g Lambda + I, P = X'X - sum_g W_g' C_g^-1 W_g (W_g = Lambda' Z_g'X_g),
beta = P^-1 (X'y - sum_g W_g' C_g^-1 w_g) (w_g = Lambda' Z_g'y_g) and RSS the profiled residual
sum of squares. Then sigma^2 = RSS / (N - p), G = sigma^2 Lambda Lambda' and
cov(beta) = sigma^2 P^-1, as lme4 reports them. The diagonal of Lambda is bounded below by 0, so
singular fits (a variance of 0) are found on the boundary, as in lme4.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import optimize

FloatArray = npt.NDArray[np.float64]

#: Relative tolerance on the deviance and the projected gradient (tighter than scipy's default,
#: so that estimates agree with lme4 to the reported digits).
_FTOL = 1e-13
_GTOL = 1e-9
_MAXITER = 1000


@dataclass(frozen=True, slots=True)
class RemlFit:
    """Estimates of a converged fit."""

    beta: FloatArray  # (b0, b1)
    cov_beta: FloatArray  # 2x2
    cov_re: FloatArray  # G: 2x2 (random slope) or 1x1 (random intercept)
    sigma2: float
    deviance: float
    iterations: int


@dataclass(frozen=True, slots=True)
class _Sums:
    """Per-group sums (arrays of length n_groups) and totals of the data."""

    n: FloatArray
    t: FloatArray
    tt: FloatArray
    y: FloatArray
    ty: FloatArray
    yy_total: float
    n_total: int


def _sums(t: FloatArray, y: FloatArray, groups: object) -> _Sums:
    codes, _ = pd.factorize(np.asarray(groups), sort=False)
    size = int(codes.max()) + 1 if len(codes) else 0

    def total(weights: FloatArray | None) -> FloatArray:
        return np.bincount(codes, weights=weights, minlength=size).astype(np.float64)

    return _Sums(
        n=total(None),
        t=total(t),
        tt=total(t * t),
        y=total(y),
        ty=total(t * y),
        yy_total=float(y @ y),
        n_total=len(y),
    )


class _Criterion:
    """The profiled REML deviance as a function of theta (the free entries of Lambda).

    Lambda = [[a, 0], [b, c]] (random slope) or [[a]] (random intercept). With X = [1, t] and
    Z_g = X_g (or its first column), every per-group matrix is 2x2 (1x1) and is written out in
    closed form on arrays over the groups.
    """

    def __init__(self, sums: _Sums, random_slope: bool) -> None:
        self.s = sums
        self.random_slope = random_slope
        self.xtx = np.array([[sums.n.sum(), sums.t.sum()], [sums.t.sum(), sums.tt.sum()]])
        self.xty = np.array([sums.y.sum(), sums.ty.sum()])

    def lam(self, theta: FloatArray) -> FloatArray:
        """Lambda (lower triangular) from theta."""
        if self.random_slope:
            return np.array([[theta[0], 0.0], [theta[1], theta[2]]])
        return np.array([[theta[0]]])

    def pieces(self, theta: FloatArray) -> tuple[float, FloatArray, FloatArray, float]:
        """(sum log|C_g|, P, q, r) at theta, with r = y'y - sum w_g' C_g^-1 w_g."""
        if not self.random_slope:
            return self._intercept_pieces(float(theta[0]))
        a, b, c = (float(v) for v in theta)
        s = self.s
        # C_g = Lambda' Z'Z Lambda + I, Z'Z = [[n, T], [T, S]].
        c00 = a * a * s.n + 2 * a * b * s.t + b * b * s.tt + 1.0
        c01 = c * (a * s.t + b * s.tt)
        c11 = c * c * s.tt + 1.0
        det = c00 * c11 - c01 * c01
        # Columns of W_g = Lambda' Z'X (= Lambda' Z'Z) and w_g = Lambda' Z'y, as (row0, row1).
        cols = ((a * s.n + b * s.t, c * s.t), (a * s.t + b * s.tt, c * s.tt))
        wy = (a * s.y + b * s.ty, c * s.ty)

        def quad(x: tuple[FloatArray, FloatArray], z: tuple[FloatArray, FloatArray]) -> float:
            """sum_g x_g' C_g^-1 z_g."""
            num = x[0] * (c11 * z[0] - c01 * z[1]) + x[1] * (c00 * z[1] - c01 * z[0])
            return float((num / det).sum())

        p = self.xtx - np.array(
            [
                [quad(cols[0], cols[0]), quad(cols[0], cols[1])],
                [quad(cols[1], cols[0]), quad(cols[1], cols[1])],
            ]
        )
        q = self.xty - np.array([quad(cols[0], wy), quad(cols[1], wy)])
        r = self.s.yy_total - quad(wy, wy)
        return float(np.log(det).sum()), p, q, r

    def _intercept_pieces(self, a: float) -> tuple[float, FloatArray, FloatArray, float]:
        s = self.s
        c = a * a * s.n + 1.0
        wx0, wx1, wy = a * s.n, a * s.t, a * s.y
        p = self.xtx - np.array(
            [
                [(wx0 * wx0 / c).sum(), (wx0 * wx1 / c).sum()],
                [(wx1 * wx0 / c).sum(), (wx1 * wx1 / c).sum()],
            ]
        )
        q = self.xty - np.array([(wx0 * wy / c).sum(), (wx1 * wy / c).sum()])
        r = s.yy_total - float((wy * wy / c).sum())
        return float(np.log(c).sum()), p, q, r

    def deviance(self, theta: FloatArray) -> float:
        """The REML criterion (-2 log restricted likelihood) profiled over beta and sigma^2."""
        logdet_c, p, q, r = self.pieces(theta)
        sign, logdet_p = np.linalg.slogdet(p)
        if sign <= 0:
            return math.inf
        rss = r - float(q @ np.linalg.solve(p, q))
        dof = self.s.n_total - 2
        if rss <= 0 or dof <= 0:
            return math.inf
        return logdet_c + logdet_p + dof * (1.0 + math.log(2.0 * math.pi * rss / dof))


def fit_growth_reml(
    t: FloatArray,
    y: FloatArray,
    groups: object,
    *,
    random_slope: bool = True,
    maxiter: int | None = None,
) -> RemlFit | None:
    """Fit the model by REML; None when the optimiser does not converge to finite estimates.

    `t`, `y` and `groups` hold complete rows (no missing values); the caller checks that there
    are enough groups and that time varies.
    """
    crit = _Criterion(_sums(np.asarray(t, float), np.asarray(y, float), groups), random_slope)
    start = np.array([1.0, 0.0, 1.0]) if random_slope else np.array([1.0])
    bounds = [(0.0, None), (None, None), (0.0, None)] if random_slope else [(0.0, None)]
    with np.errstate(all="ignore"):
        result = optimize.minimize(
            crit.deviance,
            start,
            method="L-BFGS-B",
            jac="3-point",
            bounds=bounds,
            options={"ftol": _FTOL, "gtol": _GTOL, "maxiter": maxiter or _MAXITER},
        )
        if not result.success or not math.isfinite(result.fun):
            return None
        theta = np.asarray(result.x, dtype=float)
        _, p, q, r = crit.pieces(theta)
        beta = np.asarray(np.linalg.solve(p, q), dtype=np.float64)
        sigma2 = (r - float(q @ beta)) / (crit.s.n_total - 2)
        lam = crit.lam(theta)
        cov_beta = np.asarray(sigma2 * np.linalg.inv(p), dtype=np.float64)
        cov_re = sigma2 * (lam @ lam.T)
    if not (np.all(np.isfinite(cov_beta)) and np.all(np.isfinite(cov_re)) and sigma2 > 0):
        return None
    return RemlFit(beta, cov_beta, cov_re, float(sigma2), float(result.fun), int(result.nit))
