"""Diagonally weighted least squares on ordinal sample statistics (lavaan ``estimator = "WLSMV"``).

With s_g the sample thresholds and polychoric correlations of group g, sigma_g(theta) their model-implied
values (:meth:`~..sem_ordinal.OrdinalStructure.star`, delta parameterization) and W_g = diag(1/diag Gamma_g)
(lavaan's ``WLS.VD``), lavaan minimises (``lav_model_objective.R``, "else" branch)

    F = sum_g 1/2 (N_g - 1)/N (s_g - sigma_g)' W_g (s_g - sigma_g),

so chi-square_g = (N_g - 1) (s_g - sigma_g)' W_g (s_g - sigma_g). Here F carries lavaan's factor 2
(``scale = 2``). The gradient is -2 sum_g (N_g - 1)/N Delta_g' W_g (s_g - sigma_g); the expected information
is sum_g (N_g/N) Delta_g' W_g Delta_g. Standard errors are lavaan's ``robust.sem``
(:func:`robust_sem_vcov`), the test the scaled-and-shifted statistic (:mod:`..teststats`).

Reference: Muthen, du Toit & Spisic (1997), Robust inference using weighted least squares and quadratic
estimating equations; Rosseel (2012) lavaan, JSS 48(2).
"""
from __future__ import annotations

import numpy as np

from .base import Discrepancy


class DWLSDiscrepancy(Discrepancy):
    name = "dwls"
    newton = False  # BFGS started from the expected information (Gauss-Newton matrix): no numerical Hessian
    scale = 2.0

    def __init__(self, st, ss):
        self.st, self.ss = st, ss
        self.k = st.nfree
        self.p = st.p
        n = np.asarray(ss.n, float)
        self.weights = (n - 1) / n.sum()
        self.local = [np.arange(self.k) for _ in range(st.ngroups)]

    def residual(self, theta: np.ndarray, g: int) -> np.ndarray:
        return self.ss.s[g] - self.st.star(theta, g)

    def group(self, theta, g, want_grad=True):
        r = self.residual(theta, g)
        w = self.ss.w[g]
        fg = float(r @ (w * r))
        if not want_grad:
            return fg, None
        return fg, -2.0 * self.st.jacobian(theta, g).T @ (w * r)

    def expected_hessian(self, theta):
        hess = np.zeros((self.k, self.k))
        for g in range(self.st.ngroups):
            dl = self.st.jacobian(theta, g)
            hess += 2.0 * self.weights[g] * dl.T @ (self.ss.w[g][:, None] * dl)
        return (hess + hess.T) / 2

    def hessian(self, theta, h: float = 1e-6):
        """Observed Hessian of F by 5-point differences of the analytic gradient (rarely needed)."""
        k = self.k
        hess = np.zeros((k, k))
        for j in range(k):
            cols = []
            for step in (-2 * h, -h, h, 2 * h):
                t = theta.copy()
                t[j] += step
                cols.append(self(t)[1])
            hess[:, j] = (cols[0] - 8 * cols[1] + 8 * cols[2] - cols[3]) / (12 * h)
        return (hess + hess.T) / 2

    def chisq_group(self, fit):
        return [float((self.ss.n[g] - 1) * self.group(fit.theta, g, want_grad=False)[0])
                for g in range(self.st.ngroups)]

    def h1_information(self, fit, g, kind, mu, sigma):
        """The DWLS weight matrix W_g (lavaan's expected h1 information for DWLS)."""
        return np.diag(self.ss.w[g])


def robust_sem_vcov(fit, einv: np.ndarray, deltas: list[np.ndarray]) -> np.ndarray:
    """lavaan's ``lav_model_nvcov_robust_sem``: E^-1 [sum_g f_g Delta_g' W_g Gamma_g W_g Delta_g] E^-1 / (N - G)."""
    ss = fit.stats
    meat = np.zeros_like(einv)
    for g, dl in enumerate(deltas):
        wd = ss.w[g][:, None] * dl
        meat += ss.weights[g] * wd.T @ ss.gamma[g] @ wd
    return einv @ meat @ einv / (ss.ntotal - fit.ngroups)
