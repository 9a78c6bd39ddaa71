"""Case-wise normal-theory computations for rows with gaps (lavaan's ``lav_mvnorm_missing_*``).

For a row with observed set O and missing set M, every quantity FIML needs comes from the full inverse
P = Sigma^-1 and the small inverse Q = (P_MM)^-1, which is the conditional covariance of y_M given y_O:

- log|Sigma_OO| = log|Sigma| + log|P_MM|;
- r_O' Sigma_OO^-1 r_O = r'Pr - u'Qu with r = y - mu (zeros at M) and u = (Pr)_M;
- E[y_M | y_O] - mu_M = -Qu (the E-step), and Sigma_OO^-1 padded with zeros = K = P - P_.M Q P_M. .

Rows are grouped by their number of missing values so that each group is one batched computation; a row with
37 items and 4 gaps costs a 4 x 4 inverse instead of a 33 x 33 one. Complete rows (no gaps) are the special
case Q = empty, which gives the complete-data formulas.

References: Little & Rubin (2002) Statistical Analysis with Missing Data, ch. 8 and 11; Savalei (2010)
Expected versus observed information in SEM with incomplete normal and nonnormal data, Psych. Methods 15(4).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..implied import vech_pairs

LOG2PI = float(np.log(2 * np.pi))


@dataclass
class EStep:
    """The E-step of one group at (mu, Sigma)."""

    loglik: float  # sum over rows of the log-likelihood, with the 2 pi constant
    d: np.ndarray  # mean of the completed residuals: E[y] - mu
    t: np.ndarray  # (1/n) sum (r_hat r_hat' + C_i): the completed second moments around mu
    rhat: np.ndarray  # completed residuals (n x p)
    p_inv: np.ndarray  # Sigma^-1
    q: list  # per block of rows: Q = (P_MM)^-1, shape (n_m, m, m)
    c_sum: np.ndarray  # sum_i of the conditional covariances, padded (p x p)


class RowData:
    """The rows of one group (n x p, NaN = missing), organised for FIML. Rows must not be entirely missing."""

    def __init__(self, y: np.ndarray):
        y = np.asarray(y, dtype=float)
        self.n, self.p = y.shape
        obs = ~np.isnan(y)
        self.obs = obs
        self.yz = np.where(obs, y, 0.0)
        self.k = obs.sum(axis=1)
        nmiss = self.p - self.k
        self.blocks = []  # (rows, missing column indices (n_m x m), flat p*p positions of the m x m blocks)
        for m in np.unique(nmiss):
            if m == 0:
                continue
            rows = np.flatnonzero(nmiss == m)
            idx = np.nonzero(~obs[rows])[1].reshape(len(rows), m)
            flat = (idx[:, :, None] * self.p + idx[:, None, :]).reshape(len(rows), -1)
            self.blocks.append((rows, idx, flat))
        self.n_incomplete = int((nmiss > 0).sum())
        self.npatterns = len(np.unique(obs, axis=0)) if self.n else 0

    @property
    def has_missing(self) -> bool:
        return bool(self.blocks)

    def observed_moments(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per variable: number observed, mean and ML variance (divisor = number observed) of the observed values."""
        cnt = self.obs.sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = self.yz.sum(axis=0) / cnt
            var = (np.where(self.obs, self.yz - mean, 0.0) ** 2).sum(axis=0) / cnt
        return cnt, mean, var

    def estep(self, mu: np.ndarray, sigma: np.ndarray) -> EStep:
        """Log-likelihood and completed statistics at (mu, Sigma); raises LinAlgError if Sigma is not PD."""
        c = np.linalg.cholesky(sigma)
        logdet = 2.0 * float(np.log(np.diag(c)).sum())
        ci = np.linalg.inv(c)
        pinv = ci.T @ ci
        r = np.where(self.obs, self.yz - mu, 0.0)
        z = r @ pinv
        quad = np.einsum("ij,ij->i", r, z)
        ld = np.full(self.n, logdet)
        rhat = r.copy()
        csum = np.zeros(self.p * self.p)
        qs = []
        for rows, idx, flat in self.blocks:
            pmm = pinv[idx[:, :, None], idx[:, None, :]]
            if idx.shape[1] == 1:
                q = 1.0 / pmm
                ldp = np.log(pmm[:, 0, 0])
            else:
                sign, ldp = np.linalg.slogdet(pmm)
                q = np.linalg.inv(pmm)
            u = np.take_along_axis(z[rows], idx, axis=1)
            qu = np.einsum("nij,nj->ni", q, u)
            quad[rows] -= np.einsum("ni,ni->n", u, qu)
            ld[rows] += ldp
            rhat[rows[:, None], idx] = -qu
            csum += np.bincount(flat.ravel(), weights=q.reshape(len(rows), -1).ravel(), minlength=self.p ** 2)
            qs.append(q)
        loglik = -0.5 * float(np.sum(self.k) * LOG2PI + ld.sum() + quad.sum())
        cmat = csum.reshape(self.p, self.p)
        t = (rhat.T @ rhat + cmat) / self.n
        return EStep(loglik, rhat.mean(axis=0), t, rhat, pinv, qs, cmat)

    def estep_batch(self, mu: np.ndarray, sigma: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The E-step moments (t, d) of :meth:`estep` at B parameter points at once (mu: B x p, sigma: B x p x p),
        for the numerical Hessian, whose hundreds of gradients would otherwise each pay Python's overhead."""
        nb, n, p = len(mu), self.n, self.p
        pinv = np.linalg.inv(sigma)
        r = np.where(self.obs[None], self.yz[None] - mu[:, None, :], 0.0)
        z = r @ pinv
        rhat = r
        csum = np.zeros(nb * p * p)
        shift = (np.arange(nb) * p * p)[:, None]
        for rows, idx, flat in self.blocks:
            pmm = pinv[:, idx[:, :, None], idx[:, None, :]]
            q = 1.0 / pmm if idx.shape[1] == 1 else np.linalg.inv(pmm)
            u = z[:, rows[:, None], idx]
            qu = np.einsum("bnij,bnj->bni", q, u)
            rhat[:, rows[:, None], idx] = -qu
            pos = (flat.reshape(1, -1) + shift).ravel()
            csum += np.bincount(pos, weights=q.reshape(nb, -1).ravel(), minlength=nb * p * p)
        t = (rhat.transpose(0, 2, 1) @ rhat + csum.reshape(nb, p, p)) / n
        return t, rhat.mean(axis=1)

    # ---------------------------------------------------------------------------------- information matrices

    def _q_dense(self, es: EStep):
        """Sparse n x p^2 matrix whose row i is vec of row i's padded conditional covariance Q."""
        from scipy import sparse

        ri, ci, vals = [], [], []
        for (rows, idx, flat), q in zip(self.blocks, es.q):
            m2 = flat.shape[1]
            ri.append(np.repeat(rows, m2))
            ci.append(flat.ravel())
            vals.append(q.reshape(len(rows), -1).ravel())
        if not ri:
            return sparse.csr_matrix((self.n, self.p ** 2))
        return sparse.csr_matrix((np.concatenate(vals), (np.concatenate(ri), np.concatenate(ci))),
                                 shape=(self.n, self.p ** 2))

    def _kk_sum(self, es: EStep) -> np.ndarray:
        """U[w,x,y,z] = sum_i K_i[w,x] K_i[y,z] with K_i the padded inverse of Sigma_OO."""
        p, pinv, n = self.p, es.p_inv, self.n
        b = pinv @ es.c_sum @ pinv
        u = n * np.einsum("wx,yz->wxyz", pinv, pinv) - np.einsum("wx,yz->wxyz", pinv, b) \
            - np.einsum("wx,yz->wxyz", b, pinv)
        if self.blocks:
            v = np.zeros(p ** 4)
            for (rows, idx, flat), q in zip(self.blocks, es.q):
                m = idx.shape[1]
                pos = (flat[:, :, None] * p * p + flat[:, None, :]).reshape(len(rows), -1)
                w = (q.reshape(len(rows), m * m, 1) * q.reshape(len(rows), 1, m * m)).reshape(len(rows), -1)
                v += np.bincount(pos.ravel(), weights=w.ravel(), minlength=p ** 4)
            u += _modes(v.reshape(p, p, p, p), pinv, (0, 1, 2, 3))
        return u

    def information(self, es: EStep, kind: str, meanstructure: bool = True) -> np.ndarray:
        """Unit (1/n) information of the saturated model at the E-step's (mu, Sigma), in the coordinates
        (mu, vech Sigma): ``"observed"`` (the Hessian of -loglik/n, lavaan's
        ``lav_mvnorm_missing_information_observed_samplestats``) or ``"expected"``
        (``lav_mvnorm_missing_information_expected``)."""
        p, n, pinv = self.p, self.n, es.p_inv
        r, c = vech_pairs(p)
        w = np.where(r == c, 0.5, 1.0)
        ta = self._kk_sum(es)  # ta[w,x,y,z]; the tensor of tr(K E K D) is ta.transpose: H[z,w,x,y] = U[w,x,y,z]
        h = 0.5 * ta.transpose(3, 0, 1, 2) / n  # expected part: + 1/2 tr(K E K D)
        hmu = None
        if kind == "observed":
            a = es.rhat @ pinv
            qd = self._q_dense(es)
            h = -h
            # T_B[z,w,x,y] = sum_i a_x a_w K_i[y,z] = (A'A)[x,w] P[y,z] - sum_i a_x a_w (P Q_i P)[y,z]
            tb = np.einsum("xw,yz->zwxy", a.T @ a, pinv)
            if self.blocks:
                y = np.zeros((p * p, p * p))
                for lo in range(0, n, 1000):
                    aa = (a[lo:lo + 1000, :, None] * a[lo:lo + 1000, None, :]).reshape(-1, p * p)
                    y += np.asarray(qd[lo:lo + 1000].T @ aa).T  # y[(x,w),(c,d)] = sum a_x a_w Q[c,d]
                y = _modes(y.reshape(p, p, p, p), pinv, (2, 3))  # [x,w,y,z]
                tb -= y.transpose(3, 1, 0, 2)
            h = h + tb / n
            # mean-covariance block: Hmu[j,x,y] = sum_i K_i[j,x] a_i[y]
            hmu = np.einsum("jx,y->jxy", pinv, a.sum(axis=0))
            if self.blocks:
                z3 = np.asarray(qd.T @ a).reshape(p, p, p)  # [c,d,y]
                hmu -= _modes(z3, pinv, (0, 1))
            hmu /= n
        hs = h + h.transpose(1, 0, 2, 3) + h.transpose(0, 1, 3, 2) + h.transpose(1, 0, 3, 2)
        cov = hs[r, c][:, r, c] * np.outer(w, w)
        if not meanstructure:
            return cov
        mm = (n * pinv - pinv @ es.c_sum @ pinv) / n
        out = np.zeros((p + len(r), p + len(r)))
        out[:p, :p] = mm
        out[p:, p:] = cov
        if hmu is not None:
            cross = (hmu[:, r, c] + hmu[:, c, r]) * w
            out[:p, p:] = cross
            out[p:, :p] = cross.T
        return out

    def scores(self, es: EStep, meanstructure: bool = True) -> np.ndarray:
        """Case-wise gradients of the log-likelihood with respect to (mu, vech Sigma), off-diagonal elements
        counted twice (lavaan's ``lav_mvnorm_missing_scores_mu_vech_sigma``): n x (p + p*)."""
        p, pinv = self.p, es.p_inv
        r, c = vech_pairs(p)
        a = es.rhat @ pinv
        w2 = np.where(r == c, 1.0, 2.0)
        kv = np.broadcast_to(pinv[r, c], (self.n, len(r))).copy()
        for (rows, idx, flat), q in zip(self.blocks, es.q):
            for lo in range(0, len(rows), 1000):
                sl = slice(lo, lo + 1000)
                pm = pinv[:, idx[sl]].transpose(1, 0, 2)  # (n_m, p, m)
                b = np.einsum("npa,nab,nqb->npq", pm, q[sl], pm)
                kv[rows[sl]] -= b[:, r, c]
        sig = 0.5 * (a[:, r] * a[:, c] - kv) * w2
        return np.hstack([a, sig]) if meanstructure else sig


def _modes(t: np.ndarray, m: np.ndarray, axes) -> np.ndarray:
    """Multiply tensor *t* by the symmetric matrix *m* along each of *axes*."""
    for ax in axes:
        t = np.moveaxis(np.tensordot(m, t, axes=([1], [ax])), 0, ax)
    return t
