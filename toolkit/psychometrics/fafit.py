"""Factor extraction from a correlation matrix, as psych::fa (``fm=``) and psych::principal do it.

Each extractor takes a correlation matrix ``R`` (numpy, p x p) and the number of factors ``k`` and returns an
:class:`Extraction`: unrotated loadings (p x k), the uniquenesses the optimiser ended on and diagnostics.
The registry :data:`EXTRACTORS` maps method names to functions.

* ``minres``: minimum residual (Harman & Jones 1966). psych minimises the squared off-diagonal residuals over
  the uniquenesses ``psi`` with L-BFGS-B, bounds [0.005, 1], start ``1 - SMC``; loadings are the first ``k``
  eigenvectors of ``R - diag(psi)`` scaled by the square roots of their eigenvalues. We minimise the
  unweighted least-squares criterion ``sum_{m>k} lambda_m(R - diag psi)^2`` (whole matrix), whose gradient is
  ``-2 diag(R - diag psi - LL')`` (the gradient psych supplies); inside the bounds both criteria have the
  same minimiser (the diagonal residual is zero there), so the solutions agree.
* ``ml``: maximum likelihood (Joreskog 1967), psych's criterion and gradient: with ``e`` the eigenvalues of
  ``Psi^-1/2 R Psi^-1/2``, minimise ``-(sum_{m>k} (log e_m - e_m) - k + p)``.
* ``pa``: iterated principal axis, SMC start, stop when the sum of communalities changes by < 0.001 or after
  50 iterations (psych's ``min.err``/``max.iter``).
* ``principal``: principal components (psych::principal): ``L = V_k diag(sqrt(lambda_k))``.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

import numpy as np

LOWER, UPPER = 0.005, 1.0


@dataclass
class Extraction:
    loadings: np.ndarray
    psi: np.ndarray | None = None          # optimiser's uniquenesses (None for principal components)
    converged: bool = True
    iterations: int = 0
    message: str = ""
    at_bound: list = field(default_factory=list)   # indices of items whose uniqueness sits at the lower bound


def small_blas():
    """Context: run BLAS/LAPACK single-threaded. Factor analysis solves many small (p x p) eigenproblems, for
    which OpenBLAS threads cost far more than they save (20x slower on a busy 2-core machine)."""
    try:
        from threadpoolctl import threadpool_limits

        return threadpool_limits(limits=1, user_api="blas")
    except Exception:  # noqa: BLE001 - threadpoolctl is optional; without it we just run as is
        return contextlib.nullcontext()


def smc(R: np.ndarray) -> np.ndarray:
    """Squared multiple correlations ``1 - 1/diag(R^+)`` (pseudo-inverse, as psych::smc), clipped to [0, 1]."""
    inv = np.linalg.pinv(R, hermitian=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = 1.0 - 1.0 / np.diag(inv)
    s = np.where(np.isfinite(s), s, 1.0)
    return np.clip(s, 0.0, 1.0)


def _top(S: np.ndarray, k: int):
    vals, vecs = np.linalg.eigh(S)
    order = np.argsort(vals)[::-1]
    return vals[order], vecs[:, order]


def _loadings_from(S: np.ndarray, k: int) -> np.ndarray:
    vals, vecs = _top(S, k)
    return vecs[:, :k] * np.sqrt(np.maximum(vals[:k], 0.0))


def _bounded_fit(fun, start):
    from scipy.optimize import minimize

    start = np.clip(start, LOWER, UPPER)
    res = minimize(fun, start, jac=True, method="L-BFGS-B", bounds=[(LOWER, UPPER)] * len(start),
                   options={"maxiter": 5000, "ftol": 1e-15, "gtol": 1e-10, "maxcor": 20})
    psi = res.x
    at_bound = [int(i) for i in np.flatnonzero(psi <= LOWER + 1e-6)]
    return psi, bool(res.success), int(res.nit), str(res.message), at_bound


def minres(R: np.ndarray, k: int) -> Extraction:
    p = R.shape[0]
    diagR = np.diag(R).copy()

    def fun(psi):
        S = R.copy()
        S[np.diag_indices(p)] = diagR - psi
        vals, vecs = _top(S, k)
        L = vecs[:, :k] * np.sqrt(np.maximum(vals[:k], 0.0))
        resid = S - L @ L.T
        f = float((resid ** 2).sum())
        g = -2.0 * np.diag(resid)
        return f, g

    psi, ok, nit, msg, at_bound = _bounded_fit(fun, diagR - smc(R))
    S = R.copy()
    S[np.diag_indices(p)] = diagR - psi
    return Extraction(_loadings_from(S, k), psi, ok, nit, msg, at_bound)


def ml(R: np.ndarray, k: int) -> Extraction:
    p = R.shape[0]

    def fun(psi):
        sc = 1.0 / np.sqrt(psi)
        Sstar = R * np.outer(sc, sc)
        e, V = _top(Sstar, k)
        rest = e[k:]
        f = -(np.sum(np.log(np.maximum(rest, 1e-300)) - rest) - k + p)
        load = np.sqrt(psi)[:, None] * (V[:, :k] * np.sqrt(np.maximum(e[:k] - 1.0, 0.0)))
        g = (np.sum(load ** 2, axis=1) + psi - np.diag(R)) / psi ** 2
        return float(f), g

    psi, ok, nit, msg, at_bound = _bounded_fit(fun, np.diag(R) - smc(R))
    sc = 1.0 / np.sqrt(psi)
    e, V = _top(R * np.outer(sc, sc), k)
    L = np.sqrt(psi)[:, None] * (V[:, :k] * np.sqrt(np.maximum(e[:k] - 1.0, 0.0)))
    return Extraction(L, psi, ok, nit, msg, at_bound)


def pa(R: np.ndarray, k: int, min_err: float = 0.001, max_iter: int = 50) -> Extraction:
    p = R.shape[0]
    S = R.copy()
    S[np.diag_indices(p)] = smc(R)
    comm = float(np.trace(S))
    err, it, ok = comm, 0, True
    L = None
    while err > min_err:
        vals, vecs = _top(S, k)
        if np.any(vals[:k] < 0):
            ok = False
            break
        L = vecs[:, :k] * np.sqrt(vals[:k])
        new = (L ** 2).sum(axis=1)
        comm1 = float(new.sum())
        S[np.diag_indices(p)] = new
        err = abs(comm - comm1)
        comm = comm1
        it += 1
        if it >= max_iter:
            ok = err <= min_err
            break
    if L is None:
        L = _loadings_from(S, k)
    h2 = (L ** 2).sum(axis=1)
    return Extraction(L, np.diag(R) - h2, ok, it, "" if ok else "principal axis iteration did not converge",
                      [int(i) for i in np.flatnonzero(h2 >= 1.0)])


def principal(R: np.ndarray, k: int) -> Extraction:
    vals, vecs = _top(R, k)
    vals = np.maximum(vals, np.finfo(float).eps)
    return Extraction(vecs[:, :k] * np.sqrt(vals[:k]))


EXTRACTORS = {"minres": minres, "ml": ml, "pa": pa, "principal": principal}
PREFIX = {"minres": "MR", "ml": "ML", "pa": "PA", "principal": "PC"}
