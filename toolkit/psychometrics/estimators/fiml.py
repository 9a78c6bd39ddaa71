"""Full-information maximum likelihood on incomplete data (lavaan ``missing = "ml"``).

Each row contributes the normal log-likelihood of its observed values,

    l_i = -1/2 [k_i log 2 pi + log|Sigma_OO| + (y_O - mu_O)' Sigma_OO^-1 (y_O - mu_O)],

and the group discrepancy is F_g = (-2 l_g + 2 l_H1,g) / N_g with l_H1 the truncated-EM saturated
log-likelihood (:mod:`..samplestats.em`), so chi-square = N F = 2 (l_H1 - l_H0) as in lavaan's
``estimator.FIML``. The gradient needs no per-row derivatives: it equals the complete-data gradient with the
sample moments replaced by the E-step moments at the current parameters (A = (1/N_g) sum_i (r_i r_i' + C_i),
d = mean of the completed residuals; Dempster, Laird & Rubin 1977), computed in one batched E-step.

Rows entirely missing are dropped before (as lavaan, with a note). Standard errors use the observed
information, lavaan's default for ``missing = "ml"``. lavaan takes 5-point differences of the analytic
gradient (4 gradients, i.e. 4 E-steps over all rows, per parameter); here the same Hessian is assembled from
its two exact parts, Delta' (d2F/dm2) Delta with the analytic observed information of the saturated model at
the implied moments (:meth:`RowData.information`), plus the term sum_k dF/dm_k d2m_k/dtheta2, taken by 5-point
differences of the chain rule with dF/dm held fixed (polynomial in theta, so exact to rounding). It agrees
with the 5-point Hessian of the gradient (``hessian(theta, method="numeric")``) to ~1e-9 and costs no E-step
per parameter, which matters at tens of thousands of rows.

References: Arbuckle (1996) Full information estimation in the presence of incomplete data; Enders (2010)
Applied Missing Data Analysis; lavaan 0.6-14 ``R/lav_mvnorm_missing.R``.
"""
from __future__ import annotations

import numpy as np

from ..implied import delta
from .base import Discrepancy


class FIMLDiscrepancy(Discrepancy):
    name = "fiml"
    newton = False  # each gradient is an E-step over every row: the optimiser uses Fisher scoring only

    def __init__(self, st, ss):
        super().__init__(st, ss)
        if not st.meanstructure:
            raise ValueError("FIML needs a mean structure")

    def group_terms(self, g, sigma, mu, chol, p_inv):
        es = self.ss.rows[g].estep(mu, sigma)
        n = self.ss.n[g]
        fg = (-2.0 * es.loglik + 2.0 * self.ss.h1_loglik[g]) / n
        return fg, es.t, es.d

    def chisq_group(self, fit) -> list[float]:
        """2 (logL_H1,g - logL_g), clipped at 0 as lavaan clips the objective."""
        return [max(0.0, 2.0 * (h1 - ll)) for h1, ll in zip(self.ss.h1_loglik, fit.group_loglik())]

    def batch_terms(self, g, sigma, mu):
        return self.ss.rows[g].estep_batch(mu, sigma)

    def hessian(self, theta: np.ndarray, h: float = 1e-6, method: str = "analytic") -> np.ndarray:
        """Observed Hessian of F (see the module docstring); ``method="numeric"`` gives lavaan's 5-point
        differences of the gradient instead."""
        if method != "analytic":
            return super().hessian(theta, h)
        hess = np.zeros((self.k, self.k))
        for g in range(self.st.ngroups):
            loc = self.local[g]
            mats = self.matrices(theta, g)
            lam = mats["lambda"]
            sigma = lam @ mats["psi"] @ lam.T + mats["theta"]
            mu = mats["nu"] + lam @ mats["alpha"]
            rows = self.ss.rows[g]
            es = rows.estep(mu, sigma)
            info = rows.information(es, "observed", meanstructure=True)
            dl = delta(self.st, theta, g)[:, loc]
            first = 2.0 * dl.T @ info @ dl
            w = es.p_inv - es.p_inv @ es.t @ es.p_inv
            v = es.p_inv @ es.d
            second = self._five_point(self._chain(self._batch_mats(self._perturbed(theta, loc, h), g), w, v, g), h)
            block = first + second
            if not np.all(np.isfinite(block)):
                raise np.linalg.LinAlgError("not positive definite")
            hess[np.ix_(loc, loc)] += self.weights[g] * block
        return (hess + hess.T) / 2
