"""Maximum likelihood on complete data (lavaan ``estimator = "ML"``, ``likelihood = "normal"``).

For each group with N_g cases, sample covariance S_g (divisor N_g) and means m_g:

    F_g = log|Sigma_g| + tr(S_g Sigma_g^-1) - log|S_g| - p + (m_g - mu_g)' Sigma_g^-1 (m_g - mu_g)

(the mean term only with a mean structure, i.e. with several groups), F = sum_g (N_g/N) F_g and
chi-square = N F_min. In the notation of :mod:`.base`, A = S_g + d d' and d = m_g - mu_g.

Reference: Joreskog (1969) Psychometrika 34:183-202; Rosseel (2012) lavaan, JSS 48(2).
"""
from __future__ import annotations

import numpy as np

from .base import Discrepancy


class MLDiscrepancy(Discrepancy):
    name = "ml"

    def __init__(self, st, ss):
        super().__init__(st, ss)
        self.logdet_s = [float(np.linalg.slogdet(s)[1]) for s in ss.cov]

    def group_terms(self, g, sigma, mu, chol, p_inv):
        s = self.ss.cov[g]
        fg = 2.0 * float(np.sum(np.log(np.diag(chol)))) + float(np.sum(s * p_inv)) - self.logdet_s[g] - self.p
        if not self.st.meanstructure:
            return fg, s, None
        d = self.ss.mean[g] - mu
        return fg + float(d @ p_inv @ d), s + np.outer(d, d), d

    def batch_terms(self, g, sigma, mu):
        s = self.ss.cov[g][None]
        if not self.st.meanstructure:
            return s, None
        d = self.ss.mean[g][None] - mu
        return s + d[:, :, None] * d[:, None, :], d
