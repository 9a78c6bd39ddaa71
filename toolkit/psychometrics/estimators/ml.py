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

    def local_grads(self, thetas: np.ndarray, g: int) -> np.ndarray:
        """Batched version of the group gradient: all perturbed parameter vectors in a few array operations."""
        st, loc = self.st, self.local[g]
        at = np.full(self.k, -1)
        at[loc] = np.arange(len(loc))
        nb = len(thetas)
        mats = {}
        for key, (where, ids) in self.pos[g].items():
            m = np.repeat(st.fix[key][g][None], nb, axis=0)
            m[(slice(None),) + where] = thetas[:, ids]
            mats[key] = m
        lam, ps = mats["lambda"], mats["psi"]
        lam_t = lam.transpose(0, 2, 1)
        sigma = lam @ ps @ lam_t + mats["theta"]
        si = np.linalg.inv(sigma)
        a = self.ss.cov[g][None]
        if st.meanstructure:
            d = self.ss.mean[g][None] - (mats["nu"] + np.einsum("bpm,bm->bp", lam, mats["alpha"]))
            sid = np.einsum("bij,bj->bi", si, d)
            a = a + d[:, :, None] * d[:, None, :]
        w = si - si @ a @ si
        wl = w @ lam
        parts = {"lambda": 2.0 * wl @ ps, "psi": lam_t @ wl, "theta": w}
        if st.meanstructure:
            parts["lambda"] = parts["lambda"] - 2.0 * sid[:, :, None] * mats["alpha"][:, None, :]
            parts["nu"] = -2.0 * sid
            parts["alpha"] = -2.0 * np.einsum("bpm,bp->bm", lam, sid)
        out = np.zeros((nb, len(loc)))
        for key, gm in parts.items():
            where, ids = self.pos[g][key]
            if len(ids):
                vals = gm[(slice(None),) + where]
                scatter = np.zeros((len(ids), len(loc)))
                scatter[np.arange(len(ids)), at[ids]] = 1.0
                out += vals @ scatter
        return out
