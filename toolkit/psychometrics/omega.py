"""McDonald's omega total from a one-factor minimum-residual fit, as ``psych::omega(x, nfactors=1)``."""
from __future__ import annotations

import numpy as np

from .correlation import smc

_MIN_PSI = 0.005  # psych's lower bound for the uniquenesses
_PARSCALE = 0.01  # psych's optim(control = list(parscale = 0.01)): L-BFGS-B works on psi / 0.01


def minres_one_factor(r) -> np.ndarray:
    """Loadings of a one-factor minimum-residual fit of a correlation matrix, as ``psych::fa(r, 1, fm="minres")``.

    psych minimises the sum of squared lower-triangle residuals of R (diagonal 1 - psi) against the first
    principal axis of R - diag(psi), over the uniquenesses psi in [0.005, 1], by L-BFGS-B from psi = 1 - smc
    with its gradient lambda^2 + psi - 1 and ``parscale = 0.01``; the loadings are the first eigenvector of
    R - diag(psi) times the root of its eigenvalue (Harman & Jones 1966). We run the same optimisation, so
    Heywood cases (a communality pushed above 1) come out as psych reports them.

    >>> r = np.array([[1, .42, .35], [.42, 1, .30], [.35, .30, 1]])
    >>> minres_one_factor(r).round(4).tolist()
    [0.7, 0.6, 0.5]
    """
    from scipy.optimize import minimize

    r = np.asarray(r, dtype=float)
    p = r.shape[0]
    if p < 3:
        raise ValueError("a one-factor model needs at least three variables")
    il = np.tril_indices(p, -1)
    eps = np.finfo(float).eps

    def loadings(psi):
        s = r.copy()
        np.fill_diagonal(s, 1.0 - psi)
        values, vectors = np.linalg.eigh(s)
        return vectors[:, -1] * np.sqrt(max(values[-1], 100 * eps)), s

    def objective(x):
        lam, s = loadings(x * _PARSCALE)
        return float(((s - np.outer(lam, lam))[il] ** 2).sum())

    def gradient(x):
        psi = x * _PARSCALE
        lam, _ = loadings(psi)
        return (lam**2 + psi - 1.0) * _PARSCALE

    start = 1.0 - smc(r)
    upper = 1.0  # psych: max(smc, 1)
    fit = minimize(objective, start / _PARSCALE, jac=gradient, method="L-BFGS-B",
                   bounds=[(_MIN_PSI / _PARSCALE, upper / _PARSCALE)] * p,
                   options={"maxcor": 5, "ftol": 1e7 * eps, "gtol": 0.0, "maxiter": 1000})
    lam, _ = loadings(fit.x * _PARSCALE)
    return lam if lam.sum() >= 0 else -lam


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
