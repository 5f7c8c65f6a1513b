"""Profiled REML for the growth model y = b0 + b1*t + u0_g + u1_g*t + e, vectorised over groups.

The model is the one `del_tool.stats.mixed_models.trajectory` fits (Laird & Ware 1982): per
group (u0, u1) ~ N(0, G) with unstructured G, e ~ N(0, sigma^2); or a random intercept only.
General-purpose fitters (statsmodels MixedLM) loop over groups in Python at every evaluation of
the likelihood, which takes seconds for a few hundred groups and hours for tens of thousands.
Here the random-effects design Z equals (part of) the fixed-effects design X = [1, t], so each
group enters the likelihood only through a few sums (n, sum t, sum t^2, sum y, sum t*y), and
every evaluation is a handful of numpy operations on stacked 2x2 (1x1) matrices.

The criterion is lme4's profiled REML deviance (Bates, Maechler, Bolker & Walker 2015, J Stat
Softw 67(1), eqs. 34-42) in the relative covariance factor Lambda (G = sigma^2 Lambda Lambda'):

    d(theta) = sum_g log|C_g| + log|P| + (N - p) (1 + log(2 pi RSS / (N - p)))

with C_g = Lambda' A_g Lambda + I (A_g = Z_g'Z_g), M_g = Lambda C_g^-1 Lambda',
P = X'X - sum_g R_g' M_g R_g (R_g = Z_g'X_g), beta = P^-1 (X'y - sum_g R_g' M_g v_g)
(v_g = Z_g'y_g) and RSS the profiled residual sum of squares. Then sigma^2 = RSS / (N - p),
G = sigma^2 Lambda Lambda' and cov(beta) = sigma^2 P^-1, as lme4 reports them. The diagonal of
Lambda is bounded below by 0, so singular fits (a variance of 0) are found on the boundary.

The gradient is analytic. With K_g = C_g^-1 Lambda', dM_g = B_g' dLambda K_g + (.)' where
B_g = I - A_g M_g, and e_g = v_g - R_g beta, differentiating the terms above gives

    dd = 2 sum_g tr(F_g dLambda),  F_g = K_g (A_g - Q_g B_g'),
    Q_g = R_g P^-1 R_g' + (N - p) / RSS * e_g e_g',

so d d / d Lambda_ij = 2 sum_g (F_g)_ji: one evaluation costs about two of the deviance alone,
where a finite-difference gradient costs 2 per parameter (lme4 itself uses a derivative-free
optimiser, so this is our addition; tests check it against finite differences).
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
    deviance: float  # the minimised criterion: REML criterion, or -2 log L for ML
    iterations: int
    evaluations: int


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


def _mm(x: FloatArray, y: FloatArray) -> FloatArray:
    """Matrix products of stacked matrices (groups on the last axis; 2-d operands broadcast)."""
    return np.einsum("ij...,jk...->ik...", x, y)


def _t(x: FloatArray) -> FloatArray:
    """Transposes of stacked matrices."""
    return np.swapaxes(x, 0, 1)


def _inverse(c: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Inverses and determinants of stacked 1x1 or 2x2 matrices, in closed form."""
    if c.shape[0] == 1:
        return 1.0 / c, c[0, 0]
    det = c[0, 0] * c[1, 1] - c[0, 1] * c[1, 0]
    adjugate = np.array([[c[1, 1], -c[0, 1]], [-c[1, 0], c[0, 0]]])
    return adjugate / det, det


@dataclass(frozen=True, slots=True)
class _Point:
    """The criterion's pieces at one theta: per-group K, M and the profiled quantities."""

    k: FloatArray
    m: FloatArray
    logdet_c: float
    p: FloatArray
    q: FloatArray
    r: float


class _Criterion:
    """The profiled REML deviance (and its gradient) as a function of theta.

    theta holds the free entries of Lambda = [[a, 0], [b, c]] (random slope) or [[a]] (random
    intercept). Per group, zz = A = Z'Z, zx = R = Z'X and zy = v = Z'y are stacked with the groups
    on the last axis.
    """

    def __init__(self, sums: _Sums, random_slope: bool, reml: bool = True) -> None:
        self.s = sums
        self.random_slope = random_slope
        self.reml = reml
        s = sums
        full_a = np.array([[s.n, s.t], [s.t, s.tt]])
        self.zz = full_a if random_slope else full_a[:1, :1]
        self.zx = full_a if random_slope else full_a[:1]
        self.zy = np.array([s.y, s.ty]) if random_slope else np.array([s.y])
        self.xtx = full_a.sum(axis=2)
        self.xty = np.array([s.y.sum(), s.ty.sum()])
        self.dof = s.n_total - 2 if reml else s.n_total

    def lam(self, theta: FloatArray) -> FloatArray:
        """Lambda (lower triangular) from theta."""
        if self.random_slope:
            return np.array([[theta[0], 0.0], [theta[1], theta[2]]])
        return np.array([[theta[0]]])

    def point(self, theta: FloatArray) -> _Point:
        """K, M, sum log|C_g|, P, q = X'y - sum R'Mv and r = y'y - sum v'Mv at theta."""
        lam = self.lam(theta)
        c = _mm(_mm(lam.T, self.zz), lam) + np.eye(len(lam))[:, :, None]
        c_inv, det = _inverse(c)
        k = _mm(c_inv, lam.T)
        m = _mm(lam, k)
        mr = _mm(m, self.zx)
        mv = np.einsum("ijg,jg->ig", m, self.zy)
        p = self.xtx - np.einsum("jig,jkg->ik", self.zx, mr)
        q = self.xty - np.einsum("jig,jg->i", self.zx, mv)
        r = self.s.yy_total - float(np.einsum("ig,ig->", self.zy, mv))
        return _Point(k, m, float(np.log(det).sum()), p, q, r)

    def deviance(self, theta: FloatArray) -> float:
        """The REML (or ML) criterion, -2 log likelihood profiled over beta and sigma^2."""
        return self.profiled(self.point(theta))[0]

    def profiled(self, at: _Point) -> tuple[float, FloatArray, float]:
        """(deviance, beta, RSS); the deviance is inf where it is not defined."""
        sign, logdet_p = np.linalg.slogdet(at.p)
        if sign <= 0 or self.dof <= 0:
            return math.inf, np.zeros(2), math.nan
        beta = np.asarray(np.linalg.solve(at.p, at.q), dtype=np.float64)
        rss = at.r - float(at.q @ beta)
        if rss <= 0:
            return math.inf, beta, rss
        dof = self.dof
        value = at.logdet_c + dof * (1.0 + math.log(2.0 * math.pi * rss / dof))
        if self.reml:
            value += float(logdet_p)
        return value, beta, rss

    def deviance_and_gradient(self, theta: FloatArray) -> tuple[float, FloatArray]:
        """The deviance and its analytic gradient in theta (see the module docstring)."""
        at = self.point(theta)
        value, beta, rss = self.profiled(at)
        if not math.isfinite(value):
            return value, np.zeros_like(theta)
        e = self.zy - np.einsum("ijg,j->ig", self.zx, beta)
        q_g = (self.dof / rss) * e[:, None, :] * e[None, :, :]
        if self.reml:
            q_g = q_g + np.einsum("ijg,jk,lkg->ilg", self.zx, np.linalg.inv(at.p), self.zx)
        b_t = np.eye(len(at.k))[:, :, None] - _mm(at.m, self.zz)
        f = _mm(at.k, self.zz - _mm(q_g, b_t)).sum(axis=2)
        if self.random_slope:
            return value, 2.0 * np.array([f[0, 0], f[0, 1], f[1, 1]])
        return value, 2.0 * np.array([f[0, 0]])


def fit_growth_reml(
    t: FloatArray,
    y: FloatArray,
    groups: object,
    *,
    random_slope: bool = True,
    maxiter: int | None = None,
    reml: bool = True,
) -> RemlFit | None:
    """Fit the model by REML (or ML); None when the optimiser does not converge to finite estimates.

    `t`, `y` and `groups` hold complete rows (no missing values); the caller checks that there
    are enough groups and that time varies. With ``reml=False`` the criterion is lme4's profiled
    ML deviance (Bates et al. 2015, eq. 35), sum_g log|C_g| + N (1 + log(2 pi RSS / N)): no
    log|P| term and N instead of N - p, so sigma^2 = RSS / N; ``deviance`` is then -2 log L.
    """
    crit = _Criterion(_sums(np.asarray(t, float), np.asarray(y, float), groups), random_slope, reml)
    start = np.array([1.0, 0.0, 1.0]) if random_slope else np.array([1.0])
    bounds = [(0.0, None), (None, None), (0.0, None)] if random_slope else [(0.0, None)]
    with np.errstate(all="ignore"):
        result = optimize.minimize(
            crit.deviance_and_gradient,
            start,
            method="L-BFGS-B",
            jac=True,
            bounds=bounds,
            options={"ftol": _FTOL, "gtol": _GTOL, "maxiter": maxiter or _MAXITER},
        )
        if not result.success or not math.isfinite(result.fun):
            return None
        theta = np.asarray(result.x, dtype=float)
        at = crit.point(theta)
        _, beta, rss = crit.profiled(at)
        sigma2 = rss / crit.dof
        lam = crit.lam(theta)
        cov_beta = np.asarray(sigma2 * np.linalg.inv(at.p), dtype=np.float64)
        cov_re = sigma2 * (lam @ lam.T)
    if not (np.all(np.isfinite(cov_beta)) and np.all(np.isfinite(cov_re)) and sigma2 > 0):
        return None
    return RemlFit(
        np.asarray(beta, dtype=np.float64),
        cov_beta,
        cov_re,
        float(sigma2),
        float(result.fun),
        int(result.nit),
        int(result.nfev),
    )
