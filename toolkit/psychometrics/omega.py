"""McDonald's omega total from a one-factor minimum-residual fit, as ``psych::omega(x, nfactors=1)``."""
from __future__ import annotations

import numpy as np

from .correlation import smc

# psych's fa() bounds the uniquenesses at 0.005, so no communality exceeds 0.995
_MAX_H2 = 0.995


def minres_one_factor(r) -> np.ndarray:
    """Loadings of a one-factor minimum-residual (unweighted least squares) fit of a correlation matrix.

    Minimises the sum of squared off-diagonal residuals sum_{i<j} (r_ij - l_i l_j)^2, the objective of
    ``psych::fa(r, 1, fm="minres")`` (Harman & Jones 1966), starting, as psych does, from the principal axis
    solution with SMC communalities. Communalities are bounded at 0.995 like psych's uniqueness bound.

    >>> r = np.array([[1, .42, .35], [.42, 1, .30], [.35, .30, 1]])
    >>> minres_one_factor(r).round(4).tolist()
    [0.7, 0.6, 0.5]
    """
    from scipy.optimize import least_squares

    r = np.asarray(r, dtype=float)
    p = r.shape[0]
    if p < 3:
        raise ValueError("a one-factor model needs at least three variables")
    iu, ju = np.triu_indices(p, 1)
    target = r[iu, ju]
    start_r = r.copy()
    np.fill_diagonal(start_r, smc(r))
    values, vectors = np.linalg.eigh(start_r)
    lam0 = vectors[:, -1] * np.sqrt(max(values[-1], 1e-12))
    if lam0.sum() < 0:
        lam0 = -lam0
    bound = np.sqrt(_MAX_H2)
    lam0 = np.clip(lam0, -bound + 1e-9, bound - 1e-9)

    def resid(lam):
        return target - lam[iu] * lam[ju]

    def jac(lam):
        j = np.zeros((len(iu), p))
        rows = np.arange(len(iu))
        j[rows, iu] = -lam[ju]
        j[rows, ju] = -lam[iu]
        return j

    lam = _gauss_newton(resid, jac, lam0, bound)
    if lam is None:  # no quick convergence (e.g. a Heywood case at the bound): bounded trust-region solver
        lam = least_squares(resid, lam0, jac=jac, bounds=(-bound, bound), method="trf", xtol=1e-14, ftol=1e-14,
                            gtol=1e-14).x
    return lam if lam.sum() >= 0 else -lam


def _gauss_newton(resid, jac, lam, bound, max_iter=100):
    """Plain Gauss-Newton steps; None unless it converges strictly inside the bounds."""
    for _ in range(max_iter):
        step = np.linalg.lstsq(jac(lam), -resid(lam), rcond=None)[0]
        lam = lam + step
        if not np.all(np.isfinite(lam)) or np.any(np.abs(lam) >= bound):
            return None
        if np.max(np.abs(step)) < 1e-13:
            return lam
    return None


def omega_total(r) -> float:
    """McDonald's omega total of a one-factor model: (V_t - sum u2) / V_t.

    V_t is the sum of the correlation matrix after items with negative loadings are flipped and
    u2 = 1 - l^2 the uniquenesses of the minres fit (McDonald 1999; ``psych::omega(x, nfactors=1)$omega.tot``,
    which uses ``cor(x, use="pairwise")``). Needs at least three items.

    >>> r = np.array([[1, .42, .35], [.42, 1, .30], [.35, .30, 1]])
    >>> round(omega_total(r), 4)
    0.6304
    """
    return omega_total_fit(r)[0]


def omega_total_fit(r) -> tuple[float, np.ndarray]:
    """:func:`omega_total` and the one-factor loadings it came from (negative ones were flipped for V_t)."""
    r = np.asarray(r, dtype=float)
    lam = minres_one_factor(r)
    key = np.where(lam < 0, -1.0, 1.0)
    vt = float((key[:, None] * r * key[None, :]).sum())
    u2 = 1.0 - lam**2
    return (vt - float(u2.sum())) / vt, lam
