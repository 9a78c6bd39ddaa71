"""The fitting interface every estimator implements, and the fitted-model object they all return.

An estimator's discrepancy F(theta) = sum_g (N_g/N) F_g is evaluated group by group. For the normal-theory
estimators (ML on complete data, FIML on incomplete data) F_g depends on theta only through the implied
moments (Sigma_g, mu_g), and its derivatives with respect to them have the common form

    dF_g/dSigma = P - P A P,   dF_g/dmu = -2 P d,   P = Sigma^-1,

where (A, d) are the sample second moments around mu and the mean residual: observed ones for complete
data, E-step ones for FIML (:meth:`Discrepancy.group_terms`). The chain rule to the parameters (Lambda, Psi,
Theta, nu, alpha) is shared here; an estimator with another discrepancy (e.g. DWLS on thresholds and
polychorics) overrides :meth:`Discrepancy.group` instead and keeps everything else: the optimiser
(:mod:`.optimizer`), the observed Hessian by 5-point differences, :class:`ModelFit`, and the tests and fit
indices built on it.

F is lavaan's objective times 2 (chi-square = N F for complete-data ML); information matrices and
covariances elsewhere use lavaan's scale (vcov = I^-1 / N).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..sem_model import Structure

MATS = ("lambda", "theta", "psi", "nu", "alpha")


class Discrepancy:
    """Discrepancy, gradient and Hessians of one structure on one set of sample statistics."""

    name = "ml"
    newton = True  # the optimiser may take Newton steps on the observed Hessian (cheap enough)
    scale = 2.0  # F here = scale x lavaan's objective (information and vcov use lavaan's scale)

    def __init__(self, st: Structure, ss):
        self.st, self.ss = st, ss
        self.k = st.nfree
        self.p = st.p
        self.weights = ss.weights
        self.pos = []  # per group: {matrix: (positions tuple, ids)}
        self.local = []  # per group: sorted ids of the free parameters the group uses
        for g in range(st.ngroups):
            d, used = {}, []
            for key in MATS:
                i = st.idx[key][g]
                where = np.nonzero(i >= 0)
                d[key] = (where, i[where])
                used.append(i[where])
            self.pos.append(d)
            self.local.append(np.unique(np.concatenate(used)).astype(int))

    def matrices(self, theta: np.ndarray, g: int) -> dict[str, np.ndarray]:
        out = {}
        for key, (where, ids) in self.pos[g].items():
            m = self.st.fix[key][g].copy()
            m[where] = theta[ids]
            out[key] = m
        return out

    def group_terms(self, g: int, sigma: np.ndarray, mu: np.ndarray, chol: np.ndarray, p_inv: np.ndarray):
        """(F_g, A, d) at the implied moments; see the module docstring."""
        raise NotImplementedError

    def group(self, theta: np.ndarray, g: int, want_grad: bool = True):
        """F_g and its gradient (full length) for group g; (inf, None) when Sigma is not positive definite."""
        mats = self.matrices(theta, g)
        lam, ps = mats["lambda"], mats["psi"]
        sigma = lam @ ps @ lam.T + mats["theta"]
        mu = mats["nu"] + lam @ mats["alpha"]
        try:
            c = np.linalg.cholesky(sigma)
        except np.linalg.LinAlgError:
            return np.inf, None
        ci = np.linalg.inv(c)
        si = ci.T @ ci
        try:
            fg, a, d = self.group_terms(g, sigma, mu, c, si)
        except np.linalg.LinAlgError:
            return np.inf, None
        if not want_grad or not np.isfinite(fg):
            return fg, None
        w = si - si @ a @ si
        wl = w @ lam
        parts = {"lambda": 2.0 * wl @ ps, "psi": lam.T @ wl, "theta": w}
        if d is not None:
            v = si @ d
            parts["lambda"] = parts["lambda"] - 2.0 * np.outer(v, mats["alpha"])
            parts["nu"] = -2.0 * v
            parts["alpha"] = -2.0 * lam.T @ v
        grad = np.zeros(self.k)
        for key, gm in parts.items():
            where, ids = self.pos[g][key]
            if len(ids):
                grad += np.bincount(ids, weights=gm[where], minlength=self.k)
        return fg, grad

    def __call__(self, theta: np.ndarray):
        f, grad = 0.0, np.zeros(self.k)
        for g in range(self.st.ngroups):
            fg, gg = self.group(theta, g)
            if not np.isfinite(fg):
                return np.inf, grad
            f += self.weights[g] * fg
            grad += self.weights[g] * gg
        return f, grad

    def value(self, theta: np.ndarray) -> float:
        f = 0.0
        for g in range(self.st.ngroups):
            fg, _ = self.group(theta, g, want_grad=False)
            if not np.isfinite(fg):
                return np.inf
            f += self.weights[g] * fg
        return f

    def batch_terms(self, g: int, sigma: np.ndarray, mu: np.ndarray):
        """(A, d) of :meth:`group_terms` for a batch of implied moments (B x p x p, B x p); None if the
        estimator has no batched form (then :meth:`local_grads` loops)."""
        return None

    def local_grads(self, thetas: np.ndarray, g: int, chunk: int | None = None) -> np.ndarray:
        """Gradients of F_g at a batch of parameter vectors (B x k), restricted to the group's parameters
        (evaluated in chunks whose row-by-item arrays stay near 3 million numbers)."""
        if chunk is None:
            chunk = int(max(4, min(64, 3e6 / (self.ss.n[g] * self.p))))
        out = np.empty((len(thetas), len(self.local[g])))
        for lo in range(0, len(thetas), chunk):
            out[lo:lo + chunk] = self._local_grads(thetas[lo:lo + chunk], g)
        return out

    def _batch_mats(self, thetas: np.ndarray, g: int) -> dict[str, np.ndarray]:
        """Lambda, Theta, Psi, nu, alpha of group g for each parameter vector of *thetas* (B x k)."""
        nb, mats = len(thetas), {}
        for key, (where, ids) in self.pos[g].items():
            m = np.repeat(self.st.fix[key][g][None], nb, axis=0)
            m[(slice(None),) + where] = thetas[:, ids]
            mats[key] = m
        return mats

    def _chain(self, mats: dict, w: np.ndarray, v: np.ndarray | None, g: int) -> np.ndarray:
        """The chain rule from the moment derivatives (dF/dSigma = W, dF/dmu = -2v; batched or shared) to the
        group's parameters, for each parameter vector behind *mats*: B x (group's parameters)."""
        loc = self.local[g]
        lam, ps = mats["lambda"], mats["psi"]
        nb = len(lam)
        w = np.broadcast_to(w, (nb,) + w.shape[-2:])
        wl = w @ lam
        parts = {"lambda": 2.0 * wl @ ps, "psi": lam.transpose(0, 2, 1) @ wl, "theta": w}
        if v is not None:
            v = np.broadcast_to(v, (nb, v.shape[-1]))
            parts["lambda"] = parts["lambda"] - 2.0 * v[:, :, None] * mats["alpha"][:, None, :]
            parts["nu"] = -2.0 * v
            parts["alpha"] = -2.0 * np.einsum("bpm,bp->bm", lam, v)
        at = np.full(self.k, -1)
        at[loc] = np.arange(len(loc))
        out = np.zeros((nb, len(loc)))
        for key, gm in parts.items():
            where, ids = self.pos[g][key]
            if len(ids):
                vals = gm[(slice(None),) + where]
                scatter = np.zeros((len(ids), len(loc)))
                scatter[np.arange(len(ids)), at[ids]] = 1.0
                out += vals @ scatter
        return out

    def _local_grads(self, thetas: np.ndarray, g: int) -> np.ndarray:
        loc = self.local[g]
        nb = len(thetas)
        mats = self._batch_mats(thetas, g)
        lam = mats["lambda"]
        sigma = lam @ mats["psi"] @ lam.transpose(0, 2, 1) + mats["theta"]
        mu = mats["nu"] + np.einsum("bpm,bm->bp", lam, mats["alpha"])
        terms = self.batch_terms(g, sigma, mu)
        if terms is None:
            out = np.empty((nb, len(loc)))
            for b, t in enumerate(thetas):
                fg, gg = self.group(t, g)
                out[b] = gg[loc] if gg is not None else np.nan
            return out
        a, d = terms
        si = np.linalg.inv(sigma)
        w = si - si @ a @ si
        v = None if d is None else np.einsum("bij,bj->bi", si, d)
        return self._chain(mats, w, v, g)

    @staticmethod
    def _perturbed(theta: np.ndarray, loc: np.ndarray, h: float) -> np.ndarray:
        """theta shifted by -2h, -h, +h, +2h in each of the parameters *loc* (4 n x k)."""
        n = len(loc)
        thetas = np.repeat(theta[None], 4 * n, axis=0)
        for j, step in enumerate((-2 * h, -h, h, 2 * h)):
            thetas[j * n + np.arange(n), loc] += step
        return thetas

    @staticmethod
    def _five_point(gr: np.ndarray, h: float) -> np.ndarray:
        n = len(gr) // 4
        return (gr[:n] - 8 * gr[n:2 * n] + 8 * gr[2 * n:3 * n] - gr[3 * n:]) / (12 * h)

    def hessian(self, theta: np.ndarray, h: float = 1e-6) -> np.ndarray:
        """Observed Hessian of F: 5-point differences of the analytic gradient with step h, symmetrized
        (lavaan's ``lav_model_hessian``), one group block at a time."""
        hess = np.zeros((self.k, self.k))
        for g in range(self.st.ngroups):
            loc = self.local[g]
            if not len(loc):
                continue
            block = self._five_point(self.local_grads(self._perturbed(theta, loc, h), g), h)
            if not np.all(np.isfinite(block)):
                raise np.linalg.LinAlgError("not positive definite")
            hess[np.ix_(loc, loc)] += self.weights[g] * block
        return (hess + hess.T) / 2

    def chisq_group(self, fit) -> list[float]:
        """Per-group test statistic: N_g F_g (complete-data ML); FIML overrides it with 2 (logL_H1 - logL)."""
        return [float(self.ss.n[g] * self.group(fit.theta, g, want_grad=False)[0]) for g in range(self.st.ngroups)]

    def h1_information(self, fit, g: int, kind: str, mu: np.ndarray, sigma: np.ndarray) -> np.ndarray:
        """Unit information of the saturated model of group g at (mu, Sigma) in the coordinates
        (mu, vech Sigma): "expected", "observed" (FIML) or "firstorder"; normal theory here (an estimator on
        other sample statistics overrides this with its own weight matrix)."""
        from ..implied import h1_expected_information

        ms = self.st.meanstructure
        rows = self.ss.rows[g]
        if kind == "firstorder":
            sc = rows.scores(rows.estep(mu, sigma), ms)
            return sc.T @ sc / self.ss.n[g]
        if self.ss.missing:
            return rows.information(rows.estep(mu, sigma), kind, ms)
        return h1_expected_information(sigma, ms)  # complete data: observed = expected at the sample moments

    def expected_hessian(self, theta: np.ndarray) -> np.ndarray:
        """2 x the complete-data expected information at the implied moments (the Fisher-scoring matrix)."""
        from ..implied import delta, h1_expected_information

        hess = np.zeros((self.k, self.k))
        for g, (sigma, _) in enumerate(self.st.implied(theta)):
            dl = delta(self.st, theta, g)
            a1 = h1_expected_information(sigma, self.st.meanstructure)
            hess += 2.0 * self.weights[g] * dl.T @ a1 @ dl
        return (hess + hess.T) / 2


@dataclass
class ModelFit:
    """Estimates of one structure by one estimator, with what the tests and fit indices need."""

    structure: Structure
    stats: object  # SampleStats
    estimator: object  # EstimatorSpec
    disc: Discrepancy = field(repr=False)
    theta: np.ndarray
    fmin: float
    converged: bool
    iterations: int
    warnings: list[str] = field(default_factory=list)
    cache: dict = field(default_factory=dict, repr=False)

    @property
    def npar(self) -> int:
        return self.structure.nfree

    @property
    def ngroups(self) -> int:
        return self.structure.ngroups

    @property
    def df(self) -> int:
        return self.structure.df

    @property
    def implied(self) -> list[tuple[np.ndarray, np.ndarray]]:
        if "implied" not in self.cache:
            self.cache["implied"] = self.structure.implied(self.theta)
        return self.cache["implied"]

    def matrices(self, g: int = 0) -> dict[str, np.ndarray]:
        return self.structure.matrices(self.theta, g)

    def group_loglik(self) -> list[float]:
        """Model log-likelihood of each group (with the 2 pi constant)."""
        if "loglik" not in self.cache:
            ss, out = self.stats, []
            p = self.structure.p
            for g, (sigma, mu) in enumerate(self.implied):
                if ss.missing:
                    out.append(ss.rows[g].estep(mu, sigma).loglik)
                    continue
                n, s, m = ss.n[g], ss.cov[g], ss.mean[g]
                si = np.linalg.inv(sigma)
                d = m - mu if self.structure.meanstructure else np.zeros(p)
                out.append(-n / 2 * (p * np.log(2 * np.pi) + np.linalg.slogdet(sigma)[1] + np.sum(s * si)
                                     + d @ si @ d))
            self.cache["loglik"] = out
        return self.cache["loglik"]

    def loglik(self) -> tuple[float, float]:
        """(model, unrestricted) log-likelihood summed over groups."""
        return float(sum(self.group_loglik())), float(sum(self.stats.h1_loglik))

    @property
    def chisq_group(self) -> list[float]:
        """Per-group test statistic, as the estimator defines it (:meth:`Discrepancy.chisq_group`)."""
        if "chisq_group" not in self.cache:
            self.cache["chisq_group"] = self.disc.chisq_group(self)
        return self.cache["chisq_group"]

    @property
    def chisq(self) -> float:
        return float(sum(self.chisq_group))
