"""Minimising a discrepancy: start values and Fisher scoring with Newton steps near the optimum.

Far from the optimum, Fisher scoring (the expected information, as LISREL/EQS) with step halving is robust;
near it, Newton steps on the observed Hessian (5-point differences of the analytic gradient) converge
quadratically, so estimates agree with lavaan's to ~1e-6 or better within a few iterations. Estimators whose
Hessian is expensive (FIML: an E-step per gradient) use BFGS updates started from the expected information
instead (superlinear, one gradient per iteration). An L-BFGS-B run is the fallback when no step decreases F.
"""
from __future__ import annotations

import warnings

import numpy as np
from scipy import optimize

MAX_ITER = 500


def single_thread_blas():
    """Multi-threaded BLAS is much slower than one thread on the small matrices of a CFA (notably on busy
    machines), so estimation runs with one BLAS thread where threadpoolctl (a scikit-learn dependency) exists."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        import contextlib

        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def start_values(st, ss) -> np.ndarray:
    """Starting values: per factor, the first principal axis of its indicators scaled to the marker; residual
    variances what is left of the item variances; intercepts the (EM) means; variances for a baseline model."""
    k = st.nfree
    acc, cnt = np.zeros(k), np.zeros(k)
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
        psi = np.where(st.idx["psi"][g] >= 0, psi, st.fix["psi"][g])
        common = np.diag(lam @ psi @ lam.T)
        theta = np.diag(np.maximum(np.diag(s) - common, 0.1 * np.diag(s)))
        if not st.factors:
            theta = np.diag(np.diag(s))
        vals = {"lambda": lam, "psi": psi, "theta": theta, "nu": ss.mean[g], "alpha": np.zeros(len(st.factors))}
        for key, m in vals.items():
            i = st.idx[key][g]
            mask = i >= 0
            np.add.at(acc, i[mask], m[mask])
            np.add.at(cnt, i[mask], 1)
    return acc / np.maximum(cnt, 1)


def minimize(disc, x0: np.ndarray, tol: float = 1e-9) -> tuple[np.ndarray, float, bool, int, float]:
    """Minimise *disc* from *x0*: returns (x, F, converged, iterations, largest |gradient|)."""
    x = np.asarray(x0, float).copy()
    f, gr = disc(x)
    if not np.isfinite(f):  # start not positive definite: inflate residual variances
        st, ss = disc.st, disc.ss
        for g in range(st.ngroups):
            i = np.diag(st.idx["theta"][g])
            x[i[i >= 0]] = np.diag(ss.cov[g])[i >= 0]
        f, gr = disc(x)
        if not np.isfinite(f):
            return x, f, False, 0, np.inf
    if not disc.newton:
        return _quasi_newton(disc, x, f, gr, tol)
    iters, used_fallback, converged, prev_gmax = 0, False, False, None
    while iters < MAX_ITER:
        gmax = np.max(np.abs(gr))
        if gmax < tol:
            converged = True
            break
        step = None
        slow = prev_gmax is not None and gmax > 0.05 * prev_gmax  # scoring converging only linearly
        prev_gmax = gmax
        if disc.newton and (gmax < 1e-3 or (gmax < 1e-2 and slow)):
            try:
                hess = disc.hessian(x)
                np.linalg.cholesky(hess)
                step = np.linalg.solve(hess, gr)
            except np.linalg.LinAlgError:
                step = None
        if step is None:
            try:
                step = np.linalg.solve(disc.expected_hessian(x), gr)
            except np.linalg.LinAlgError:
                step = None
        accepted = False
        if step is not None and np.all(np.isfinite(step)):
            t = 1.0
            while t > 1e-8:
                fn, gn = disc(x - t * step)
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
        for method, opts in (("L-BFGS-B", {"maxiter": 20000, "maxfun": 40000, "ftol": 1e-15, "gtol": tol}),
                             ("BFGS", {"maxiter": 20000, "gtol": tol})):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                res = optimize.minimize(disc, x, jac=True, method=method, options=opts)
            iters += int(res.nit)
            if np.isfinite(res.fun) and res.fun <= f:
                x = res.x
                f, gr = disc(x)
            if np.max(np.abs(gr)) < 1e-6:
                break
    gmax = float(np.max(np.abs(gr)))
    if not converged:
        converged = bool(np.isfinite(f) and gmax < 1e-6)
    return x, float(f), converged, iters, gmax


def _quasi_newton(disc, x, f, gr, tol):
    """BFGS on the inverse Hessian, started (and restarted when a step fails) from the expected information."""
    k = len(x)
    hinv, iters, fails = None, 0, 0
    while iters < MAX_ITER:
        gmax = float(np.max(np.abs(gr)))
        if gmax < tol:
            return x, f, True, iters, gmax
        if hinv is None:
            try:
                hinv = np.linalg.inv(disc.expected_hessian(x))
            except np.linalg.LinAlgError:
                hinv = np.eye(k)
        step = hinv @ gr
        t, accepted = 1.0, False
        while t > 1e-10 and np.all(np.isfinite(step)):
            fn, gn = disc(x - t * step)
            if np.isfinite(fn) and (fn <= f + 1e-13 * max(1.0, abs(f)) or (
                    abs(fn - f) <= 1e-12 * max(1.0, abs(f)) and np.max(np.abs(gn)) < gmax)):
                accepted = True
                break
            t /= 2
        if not accepted:
            if gmax < 1e-6 and fails:
                return x, f, True, iters, gmax
            fails += 1
            if fails > 3:
                break
            hinv = None
            continue
        s, y = -t * step, gn - gr
        x, f, gr = x + s, fn, gn
        iters += 1
        sy = float(s @ y)
        if sy > 1e-300:
            rho = 1.0 / sy
            hy = hinv @ y
            hinv = hinv + ((sy + y @ hy) * rho * rho) * np.outer(s, s) - rho * (np.outer(hy, s) + np.outer(s, hy))
    gmax = float(np.max(np.abs(gr)))
    return x, float(f), bool(np.isfinite(f) and gmax < 1e-6), iters, gmax
