"""Maximum-likelihood estimation of (multi-group) CFA models with lavaan's conventions.

For each group g with N_g complete cases, sample covariance S_g (divisor N_g) and means m_g, the model implies
Sigma_g = Lambda Psi Lambda' + Theta and mu_g = nu + Lambda alpha. The discrepancy minimised is

    F = sum_g (N_g / N) [log|Sigma_g| + tr(S_g Sigma_g^-1) - log|S_g| - p + (m_g - mu_g)' Sigma_g^-1 (m_g - mu_g)]

(the mean term only with a mean structure, i.e. with several groups), and chi-square = N * F_min, as lavaan's
``estimator="ML"`` with ``likelihood="normal"``. The gradient is analytic; the minimiser is Fisher scoring (the
expected information, as LISREL/EQS) with step halving, switching to Newton steps on the observed Hessian
(finite differences of the analytic gradient) near the optimum, so estimates agree with lavaan to ~1e-6
within a few iterations. Hessians are assembled group by group (each group's parameters form a block).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize, stats

from ..errors import AnalysisError
from .sem_model import Structure

LOG2PI = float(np.log(2 * np.pi))


@dataclass
class SampleStats:
    """Complete-case sample statistics per group (covariance with divisor N, as lavaan's ML)."""

    observed: list[str]
    groups: list
    n: list[int]
    cov: list[np.ndarray]
    mean: list[np.ndarray]

    @property
    def ntotal(self) -> int:
        return int(sum(self.n))

    @classmethod
    def from_frame(cls, df, observed: list[str], group: str | None = None) -> "SampleStats":
        """Statistics of the columns *observed* of *df* (already complete cases), split by *group*."""
        if group is None:
            parts = [(None, df)]
        else:
            labels = list(dict.fromkeys(df[group].tolist()))  # order of first appearance, as lavaan
            parts = [(lab, df[df[group] == lab]) for lab in labels]
        with _single_thread_blas():
            return cls._from_parts(parts, list(observed))

    @classmethod
    def _from_parts(cls, parts, observed: list[str]) -> "SampleStats":
        groups, ns, covs, means = [], [], [], []
        p = len(observed)
        for lab, part in parts:
            x = part[observed].to_numpy(dtype=float)
            n = x.shape[0]
            where = "" if lab is None else f" in group '{lab}'"
            if n <= p:
                raise AnalysisError(f"{n} complete case(s){where} for {p} indicators: need more rows than indicators")
            mu = x.mean(axis=0)
            xc = x - mu
            s = xc.T @ xc / n
            sd = np.sqrt(np.diag(s))
            flat = [observed[i] for i in np.flatnonzero(sd < 1e-12)]
            if flat:
                raise AnalysisError(f"item(s) without variance{where}: {', '.join(flat)}")
            ev = np.linalg.eigvalsh(s / np.outer(sd, sd))
            if ev.min() < 1e-10:
                raise AnalysisError(f"the sample covariance matrix{where} is not positive definite "
                                    "(an item is a linear combination of others, or too few rows)")
            groups.append(lab)
            ns.append(n)
            covs.append(s)
            means.append(mu)
        return cls(observed, groups, ns, covs, means)


@dataclass
class MLFit:
    """Estimates and likelihood-based statistics of one ML fit."""

    structure: Structure
    stats: SampleStats
    theta: np.ndarray
    fmin: float
    converged: bool
    iterations: int
    implied: list[tuple[np.ndarray, np.ndarray]]
    warnings: list[str] = field(default_factory=list)

    @property
    def npar(self) -> int:
        return self.structure.nfree

    @property
    def ngroups(self) -> int:
        return self.structure.ngroups

    @property
    def chisq(self) -> float:
        return float(self.stats.ntotal * self.fmin)

    @property
    def df(self) -> int:
        p = len(self.structure.observed)
        moments = p * (p + 1) // 2 + (p if self.structure.meanstructure else 0)
        return self.ngroups * moments - self.npar

    def matrices(self, g: int = 0) -> dict[str, np.ndarray]:
        return self.structure.matrices(self.theta, g)

    def loglik(self) -> tuple[float, float]:
        """(model, unrestricted) multivariate-normal log-likelihood, summed over groups."""
        p = len(self.structure.observed)
        ll = ll1 = 0.0
        for g, (sigma, mu) in enumerate(self.implied):
            n, s, m = self.stats.n[g], self.stats.cov[g], self.stats.mean[g]
            si = np.linalg.inv(sigma)
            d = m - mu if self.structure.meanstructure else np.zeros(p)
            ll += -n / 2 * (p * LOG2PI + np.linalg.slogdet(sigma)[1] + np.trace(s @ si) + d @ si @ d)
            ll1 += -n / 2 * (p * LOG2PI + np.linalg.slogdet(s)[1] + p)
        return float(ll), float(ll1)

    def baseline(self) -> tuple[float, int]:
        """Chi-square and df of the independence model (variances and means free in every group)."""
        p = len(self.structure.observed)
        x2 = sum(n * (np.sum(np.log(np.diag(s))) - np.linalg.slogdet(s)[1])
                 for n, s in zip(self.stats.n, self.stats.cov))
        return float(x2), self.ngroups * p * (p - 1) // 2

    def vcov(self) -> np.ndarray:
        """Covariance matrix of the free parameters from the expected information (lavaan's default for ML):
        (N/2 * E[d2F])^-1."""
        with _single_thread_blas():
            h = _Evaluator(self.structure, self.stats).expected_hessian(self.theta)
            try:
                return np.linalg.inv(h) * 2.0 / self.stats.ntotal
            except np.linalg.LinAlgError:
                return np.full(h.shape, np.nan)

    def fit_measures(self) -> dict:
        """chisq, df, pvalue, cfi, tli, rmsea (+ 90% CI), srmr, loglik, aic, bic, as lavaan's fitMeasures."""
        return fit_measures(self)


class _Evaluator:
    """ML discrepancy, gradient and Hessians of one structure on one set of sample statistics.

    Positions of free parameters are precomputed per group so each evaluation is a few small matrix products;
    Hessians are assembled group by group from the parameters each group uses (block structure).
    """

    def __init__(self, st: Structure, ss: SampleStats):
        self.st, self.ss = st, ss
        self.k = st.nfree
        self.p = len(st.observed)
        self.weights = np.asarray(ss.n, float) / ss.ntotal
        self.logdet_s = [float(np.linalg.slogdet(s)[1]) for s in ss.cov]
        self.pos = []  # per group: {matrix: (positions tuple, ids)}
        self.local = []  # per group: sorted ids of the free parameters the group uses
        for g in range(st.ngroups):
            d = {}
            used = []
            for key in ("lambda", "theta", "psi", "nu", "alpha"):
                i = st.idx[key][g]
                where = np.nonzero(i >= 0)
                d[key] = (where, i[where])
                used.append(i[where])
            self.pos.append(d)
            self.local.append(np.unique(np.concatenate(used)))

    def matrices(self, theta: np.ndarray, g: int) -> dict[str, np.ndarray]:
        out = {}
        for key, (where, ids) in self.pos[g].items():
            m = self.st.fix[key][g].copy()
            m[where] = theta[ids]
            out[key] = m
        return out

    def group(self, theta: np.ndarray, g: int, want_grad: bool = True):
        """F_g and its gradient (full length) for group g; (inf, None) when Sigma is not positive definite."""
        mats = self.matrices(theta, g)
        lam, th, ps = mats["lambda"], mats["theta"], mats["psi"]
        sigma = lam @ ps @ lam.T + th
        try:
            c = np.linalg.cholesky(sigma)  # numpy's LAPACK is far quicker than scipy's on small matrices
        except np.linalg.LinAlgError:
            return np.inf, None
        si = np.linalg.inv(sigma)
        s = self.ss.cov[g]
        fg = 2.0 * np.sum(np.log(np.diag(c))) + np.sum(s * si) - self.logdet_s[g] - self.p
        a = s
        if self.st.meanstructure:
            d = self.ss.mean[g] - (mats["nu"] + lam @ mats["alpha"])
            sid = si @ d
            fg += d @ sid
            a = s + np.outer(d, d)
        if not want_grad:
            return fg, None
        w = si - si @ a @ si
        wl = w @ lam
        parts = {"lambda": 2.0 * wl @ ps, "psi": lam.T @ wl, "theta": w}
        if self.st.meanstructure:
            parts["lambda"] = parts["lambda"] - 2.0 * np.outer(sid, mats["alpha"])
            parts["nu"] = -2.0 * sid
            parts["alpha"] = -2.0 * lam.T @ sid
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

    def _local_grads(self, thetas: np.ndarray, g: int) -> np.ndarray:
        """Gradients of F_g at a batch of parameter vectors (B x k), restricted to the group's parameters."""
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
                vals = gm[(slice(None),) + where]  # B x positions
                scatter = np.zeros((len(ids), len(loc)))
                scatter[np.arange(len(ids)), at[ids]] = 1.0
                out += vals @ scatter
        return out

    def observed_hessian(self, theta: np.ndarray) -> np.ndarray:
        """Observed Hessian by central differences of the analytic gradient, one group block at a time
        (all perturbations of a group evaluated as one batch)."""
        h = np.zeros((self.k, self.k))
        for g in range(self.st.ngroups):
            loc = self.local[g]
            n = len(loc)
            e = 1e-6 * np.maximum(1.0, np.abs(theta[loc]))
            thetas = np.repeat(theta[None], 2 * n, axis=0)
            thetas[np.arange(n), loc] += e
            thetas[n + np.arange(n), loc] -= e
            gr = self._local_grads(thetas, g)
            block = (gr[:n] - gr[n:]) / (2 * e[:, None])
            if not np.all(np.isfinite(block)):
                raise np.linalg.LinAlgError("not positive definite")
            h[np.ix_(loc, loc)] += self.weights[g] * block
        return (h + h.T) / 2

    def jacobian(self, theta: np.ndarray, g: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Analytic d Sigma_g / d theta and d mu_g / d theta for the group's own parameters (local order)."""
        loc = self.local[g]
        at = {int(k): j for j, k in enumerate(loc)}
        mats = self.matrices(theta, g)
        lam, ps = mats["lambda"], mats["psi"]
        lp = lam @ ps
        p = self.p
        dsig = np.zeros((len(loc), p, p))
        dmu = np.zeros((len(loc), p))
        (r, c), ids = self.pos[g]["lambda"]
        for i, f, k in zip(r, c, ids):
            j = at[int(k)]
            dsig[j, i, :] += lp[:, f]
            dsig[j, :, i] += lp[:, f]
            if self.st.meanstructure:
                dmu[j, i] += mats["alpha"][f]
        (r, c), ids = self.pos[g]["psi"]
        for f, h, k in zip(r, c, ids):
            dsig[at[int(k)]] += np.outer(lam[:, f], lam[:, h])
        (r, c), ids = self.pos[g]["theta"]
        for i, i2, k in zip(r, c, ids):
            dsig[at[int(k)], i, i2] += 1.0
        (r,), ids = self.pos[g]["nu"]
        for i, k in zip(r, ids):
            dmu[at[int(k)], i] += 1.0
        (r,), ids = self.pos[g]["alpha"]
        for f, k in zip(r, ids):
            dmu[at[int(k)]] += lam[:, f]
        return loc, dsig, dmu

    def expected_hessian(self, theta: np.ndarray) -> np.ndarray:
        """Expected second derivative of F: sum_g w_g [tr(Si dS_k Si dS_l) + 2 dmu_k' Si dmu_l]."""
        h = np.zeros((self.k, self.k))
        for g in range(self.st.ngroups):
            loc, dsig, dmu = self.jacobian(theta, g)
            m = self.matrices(theta, g)
            sigma = m["lambda"] @ m["psi"] @ m["lambda"].T + m["theta"]
            si = np.linalg.inv(sigma)
            mk = np.matmul(si, dsig)  # Si dSigma_k
            n = len(loc)
            block = mk.reshape(n, -1) @ mk.transpose(0, 2, 1).reshape(n, -1).T  # tr(Si dS_k Si dS_l)
            if self.st.meanstructure:
                block += 2.0 * dmu @ si @ dmu.T
            h[np.ix_(loc, loc)] += self.weights[g] * block
        return (h + h.T) / 2


def start_values(st: Structure, ss: SampleStats) -> np.ndarray:
    """Starting values: per factor, the first principal axis of its indicators scaled to the marker."""
    k = st.nfree
    acc, cnt = np.zeros(k), np.zeros(k)
    oi = {v: i for i, v in enumerate(st.observed)}
    for g in range(st.ngroups):
        s = ss.cov[g]
        lam = st.fix["lambda"][g].copy()
        psi = np.zeros((len(st.factors),) * 2)
        lam_idx = st.idx["lambda"][g]
        for j, f in enumerate(st.factors):
            rows = np.flatnonzero((lam_idx[:, j] >= 0) | (st.fix["lambda"][g][:, j] != 0))
            sub = s[np.ix_(rows, rows)]
            ev, vec = np.linalg.eigh(sub)
            load = vec[:, -1] * np.sqrt(max(ev[-1], 1e-6))
            fixed_rows = [r for r, row in enumerate(rows) if lam_idx[row, j] < 0]
            if fixed_rows:
                r0 = fixed_rows[0]
                c = st.fix["lambda"][g][rows[r0], j]
                if abs(load[r0]) > 1e-3 * np.sqrt(sub[r0, r0]) and c != 0:
                    psi[j, j] = (load[r0] / c) ** 2
                    scaled = load * c / load[r0]
                else:
                    psi[j, j] = 0.05 * sub[r0, r0]
                    scaled = np.full(len(rows), c if c != 0 else 1.0)
            else:
                psi[j, j] = 1.0
                scaled = load * (1 if load.sum() >= 0 else -1)
            for r, row in enumerate(rows):
                if lam_idx[row, j] >= 0:
                    lam[row, j] = scaled[r]
        ps_fix = st.fix["psi"][g]
        psi_idx = st.idx["psi"][g]
        psi = np.where(psi_idx >= 0, psi, ps_fix)
        common = np.diag(lam @ psi @ lam.T)
        theta = np.diag(np.maximum(np.diag(s) - common, 0.1 * np.diag(s)))
        vals = {"lambda": lam, "psi": psi, "theta": theta,
                "nu": ss.mean[g] if st.meanstructure else np.zeros(len(oi)),
                "alpha": np.zeros(len(st.factors))}
        for key, m in vals.items():
            i = st.idx[key][g]
            mask = i >= 0
            np.add.at(acc, i[mask], m[mask])
            np.add.at(cnt, i[mask], 1)
    return acc / np.maximum(cnt, 1)


def _implied(st: Structure, theta: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    out = []
    for g in range(st.ngroups):
        m = st.matrices(theta, g)
        out.append((m["lambda"] @ m["psi"] @ m["lambda"].T + m["theta"], m["nu"] + m["lambda"] @ m["alpha"]))
    return out


def _single_thread_blas():
    """Multi-threaded BLAS is much slower than one thread on the small matrices of a CFA (notably on busy
    machines), so estimation runs with one BLAS thread where threadpoolctl (a scikit-learn dependency) exists."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        import contextlib

        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def fit_ml(st: Structure, ss: SampleStats, x0: np.ndarray | None = None, tol: float = 1e-9) -> MLFit:
    """Minimise the ML discrepancy by Fisher scoring (expected information, step halving), with an
    L-BFGS-B fallback; raise :class:`AnalysisError` when the model cannot be estimated."""
    with _single_thread_blas():
        return _fit_ml(st, ss, x0, tol)


def _fit_ml(st: Structure, ss: SampleStats, x0: np.ndarray | None, tol: float) -> MLFit:
    fun = _Evaluator(st, ss)
    x = start_values(st, ss) if x0 is None else np.asarray(x0, float)

    f, gr = fun(x)
    if not np.isfinite(f):  # start not positive definite: inflate residual variances
        for g in range(st.ngroups):
            i = np.diag(st.idx["theta"][g])
            x[i[i >= 0]] = np.diag(ss.cov[g])[i >= 0]
        f, gr = fun(x)
        if not np.isfinite(f):
            raise AnalysisError("cannot find starting values with a positive definite implied covariance matrix")
    iters = 0
    used_fallback = False
    converged = False
    prev_gmax = None
    while iters < 500:
        if np.max(np.abs(gr)) < tol:
            converged = True
            break
        step = None
        gmax = np.max(np.abs(gr))
        slow = prev_gmax is not None and gmax > 0.05 * prev_gmax  # Fisher scoring converging only linearly
        prev_gmax = gmax
        if gmax < 1e-3 or (gmax < 1e-2 and slow):  # near the optimum: Newton on the observed Hessian
            try:
                hess = fun.observed_hessian(x)
                np.linalg.cholesky(hess)
                step = np.linalg.solve(hess, gr)
            except np.linalg.LinAlgError:
                step = None
        if step is None:  # Fisher scoring: robust far from the optimum, linear near it
            try:
                step = np.linalg.solve(fun.expected_hessian(x), gr)
            except np.linalg.LinAlgError:
                step = None
        accepted = False
        if step is not None and np.all(np.isfinite(step)):
            t = 1.0
            while t > 1e-8:
                fn, gn = fun(x - t * step)
                if np.isfinite(fn) and fn <= f + 1e-13 * max(1.0, abs(f)):
                    accepted = True
                    break
                t /= 2
        if accepted:
            x, f, gr = x - t * step, fn, gn
            iters += 1
            continue
        if gmax < 1e-6:  # no further decrease is possible in floating point
            converged = True
            break
        if used_fallback:
            break
        used_fallback = True
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            res = optimize.minimize(fun, x, jac=True, method="L-BFGS-B",
                                    options={"maxiter": 20000, "maxfun": 40000, "ftol": 1e-15, "gtol": tol})
        iters += int(res.nit)
        if np.isfinite(res.fun) and res.fun <= f:
            x = res.x
            f, gr = fun(x)
    if not converged:
        converged = bool(np.isfinite(f) and np.max(np.abs(gr)) < 1e-6)
    if not np.isfinite(f):
        raise AnalysisError("the ML estimation did not converge (the model-implied covariance matrix is not "
                            "positive definite); check the model and the items")
    out = MLFit(st, ss, x, float(f), converged, iters, _implied(st, x))
    if not converged:
        out.warnings.append(f"the ML estimation did not converge (largest gradient {np.max(np.abs(gr)):.2g}): "
                            "estimates and fit indices are not trustworthy (the model may be empirically "
                            "under-identified, e.g. a factor whose items barely correlate)")
    for g in range(st.ngroups):
        m = out.matrices(g)
        gl = "" if ss.groups[g] is None else f" in group '{ss.groups[g]}'"
        neg = [st.observed[i] for i in np.flatnonzero(np.diag(m["theta"]) < 0)]
        if neg:
            out.warnings.append(f"negative residual variance(s){gl} (Heywood case): {', '.join(neg)}")
        if np.linalg.eigvalsh(m["psi"]).min() <= 0:
            out.warnings.append(f"the factor covariance matrix{gl} is not positive definite "
                                "(a factor variance is negative or a correlation exceeds 1)")
    return out


# ---------------------------------------------------------------------------------------------- fit measures

def rmsea(x2: float, df: int, n: int, groups: int = 1) -> float:
    """lavaan: sqrt(max(X2/(N df) - 1/N, 0)) * sqrt(G)."""
    if df <= 0:
        return 0.0
    return float(np.sqrt(max(x2 / n / df - 1.0 / n, 0.0)) * np.sqrt(groups))


def rmsea_ci(x2: float, df: int, n: int, groups: int = 1, level: float = 0.90) -> tuple[float, float]:
    """Interval from the noncentral chi-square: lambda with P(X2; df, lambda) = .95 / .05 (lavaan)."""
    if df < 1 or not np.isfinite(x2):
        return 0.0, 0.0
    hi_p, lo_p = 1 - (1 - level) / 2, (1 - level) / 2

    def cdf(lam):
        return stats.chi2.cdf(x2, df) if lam <= 0 else stats.ncx2.cdf(x2, df, lam)

    scale = np.sqrt(groups)
    if cdf(0) - hi_p < 0:
        lower = 0.0
    else:
        lam_l = optimize.brentq(lambda lam: cdf(lam) - hi_p, 0, max(x2, 1e-8), xtol=1e-12)
        lower = np.sqrt(lam_l / (n * df)) * scale
    n_rmsea = max(n, x2 * 4)
    if cdf(n_rmsea) - lo_p > 0 or cdf(0) - lo_p < 0:
        upper = 0.0
    else:
        lam_u = optimize.brentq(lambda lam: cdf(lam) - lo_p, 0, n_rmsea, xtol=1e-12)
        upper = np.sqrt(lam_u / (n * df)) * scale
    return float(lower), float(upper)


def srmr(fit: MLFit) -> float:
    """Bentler's SRMR as lavaan's default: residuals (s_ij - sigma_ij)/sqrt(s_ii s_jj) over the lower triangle
    with the diagonal, plus (m_i - mu_i)/sqrt(s_ii) with a mean structure; root mean square per group, then
    averaged over groups with weights N_g/N."""
    vals = []
    for g, (sigma, mu) in enumerate(fit.implied):
        s = fit.stats.cov[g]
        sd = np.sqrt(np.diag(s))
        r = (s - sigma) / np.outer(sd, sd)
        e = list(r[np.tril_indices_from(r)])
        if fit.structure.meanstructure:
            e += list((fit.stats.mean[g] - mu) / sd)
        vals.append(np.sqrt(np.mean(np.square(e))))
    w = np.asarray(fit.stats.n, float) / fit.stats.ntotal
    return float(np.sum(w * np.asarray(vals)))


def fit_measures(fit: MLFit) -> dict:
    n, g = fit.stats.ntotal, fit.ngroups
    x2, df = fit.chisq, fit.df
    pval = float(stats.chi2.sf(x2, df)) if df > 0 else float("nan")
    bx2, bdf = fit.baseline()
    t1 = max(x2 - df, 0.0)
    t2 = max(x2 - df, bx2 - bdf, 0.0)
    cfi = 1.0 - t1 / t2 if t2 > 0 else 1.0
    tli = ((bx2 / bdf - x2 / df) / (bx2 / bdf - 1.0)) if df > 0 and bdf > 0 else 1.0  # lavaan: 1 at df 0
    lo, hi = rmsea_ci(x2, df, n, g)
    rm = rmsea(x2, df, n, g)
    ll, ll1 = fit.loglik()
    k = fit.npar
    close = float(stats.ncx2.sf(x2, df, n * df * 0.05 ** 2 / g)) if df > 0 else float("nan")
    return {
        "chisq": x2, "df": df, "pvalue": pval, "cfi": cfi, "tli": tli, "rmsea": rm, "rmsea_ci": [lo, hi],
        "rmsea_pvalue": close, "srmr": srmr(fit), "loglik": ll, "loglik_unrestricted": ll1,
        "aic": -2 * ll + 2 * k, "bic": float(-2 * ll + np.log(n) * k), "npar": k, "ntotal": n,
        "baseline_chisq": bx2, "baseline_df": bdf,
    }
