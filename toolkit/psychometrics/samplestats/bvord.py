"""Stage 2 of lavaan's two-step ordinal statistics: the polychoric correlation of each pair of ordered items
with both items' thresholds fixed (``lav_bvord_cor_twostep_fit`` in lavaan 0.6-14), all pairs at once.

rho maximises sum_kl n_kl log pi_kl(rho), pi floored at sqrt(eps), within [-.999, .999]. The score is
sum n phi_kl / pi_kl and the Hessian sum n g_kl / pi_kl - n phi_kl^2 / pi_kl^2, where phi_kl and g_kl are
corner combinations of the bivariate normal density (|rho| capped at .9999, as lavaan's ``dbinorm``) and of the
density times g(u, v) = (uv(1-r^2) - r(u^2 - 2ruv + v^2) + r(1-r^2)) / (1-r^2)^2. lavaan's 2x2 zero-cell rules
(``zero.add = c(0.5, 0)``, ``zero.keep.margins = TRUE``) come first.
"""
from __future__ import annotations

import numpy as np

from .bivnorm import bvn_pdf, cell_probabilities

SQRT_EPS = np.sqrt(np.finfo(float).eps)
RHO_BOUND = 0.999     # nlminb's bounds in lav_bvord_cor_twostep_fit


def dbinorm(u, v, rho):
    """lavaan's ``dbinorm``: the bivariate normal density with |rho| capped at .9999."""
    rho = np.clip(rho, -0.9999, 0.9999)
    return bvn_pdf(u, v, rho)


def grid_combo(d: np.ndarray) -> np.ndarray:
    """Corner combination of a (m, r-1, c-1) grid of values at threshold crossings into (m, r, c) cells:
    cell[a, b] = d[a, b] - d[a-1, b] - d[a, b-1] + d[a-1, b-1] with zeros outside the grid."""
    m, r1, c1 = d.shape
    g = np.zeros((m, r1 + 2, c1 + 2))
    g[:, 1:-1, 1:-1] = d
    return g[:, 1:, 1:] - g[:, :-1, 1:] - g[:, 1:, :-1] + g[:, :-1, :-1]


def _derivs(rho, tab, t1, t2, n):
    """-logL/N is what lavaan minimises; here: logL, its gradient and Hessian in rho, per pair."""
    pi = cell_probabilities(rho, t1, t2)
    pi = np.where(pi < SQRT_EPS, SQRT_EPS, pi)          # lavaan floors pi at sqrt(eps)
    logl = (tab * np.log(pi)).sum(axis=(1, 2))
    u = t1[:, :, None]
    v = t2[:, None, :]
    r = rho[:, None, None]
    dens = dbinorm(u, v, r)                             # 0 at padded (infinite) thresholds
    s = 1.0 - r * r
    with np.errstate(invalid="ignore"):
        guv = (u * v * s - r * (u * u - 2 * r * u * v + v * v) + r * s) / (s * s)
        gd = np.where(dens > 0, dens * guv, 0.0)
    phi = grid_combo(dens)
    gnorm = grid_combo(gd)
    ok = pi > SQRT_EPS
    w = np.where(ok, tab / pi, 0.0)
    grad = (w * phi).sum(axis=(1, 2))
    hess = (w * gnorm).sum(axis=(1, 2)) - (w * phi * phi / pi).sum(axis=(1, 2))
    return logl, grad, hess


def _maximise(tab, t1, t2, start, n, tol=1e-13, max_iter=200):
    """Maximise each pair's log-likelihood in rho on [-.999, .999] from lavaan's start: Newton steps on the
    score, kept inside a bracket [lo, hi] that the score's sign narrows, bisecting whenever a Newton step would
    leave it. A maximum beyond the bounds ends on the bound, as nlminb's box constraint does."""
    m = len(tab)
    lo = np.full(m, -RHO_BOUND)
    hi = np.full(m, RHO_BOUND)
    x = np.clip(start, -RHO_BOUND, RHO_BOUND).astype(float)
    out = np.full(m, np.nan)
    act = np.arange(m)
    for _ in range(max_iter):
        if act.size == 0:
            break
        _, g, h = _derivs(x[act], tab[act], t1[act], t2[act], n)
        pos = g > 0
        lo[act] = np.where(pos, x[act], lo[act])
        hi[act] = np.where(pos, hi[act], x[act])
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.where(h < 0, -g / h, np.nan)
        new = x[act] + step
        bad = ~np.isfinite(new) | (new < lo[act]) | (new > hi[act])
        new = np.where(bad, (lo[act] + hi[act]) / 2, new)
        done = (np.abs(new - x[act]) < tol) | (g == 0) | (hi[act] - lo[act] < tol)
        x[act] = new
        out[act[done]] = new[done]
        act = act[~done]
    out[act] = x[act]
    return out


def pair_correlations(codes, tab, t1, t2, k1, k2, n):
    """Polychoric correlations of all pairs with lavaan's zero-cell rules; returns (rho, empty-cell flags,
    tables as used)."""
    m = len(tab)
    tab = tab.copy()
    zero = np.array([(tab[q, :k1[q], :k2[q]] == 0).any() for q in range(m)])
    rho = np.full(m, np.nan)
    two = np.flatnonzero((k1 == 2) & (k2 == 2))
    for q in two:
        f = tab[q, :2, :2]
        nz = np.flatnonzero((f == 0).ravel(order="F"))   # column-major, as R's which()
        if nz.size == 2:
            rho[q] = 1.0 if f[0, 0] > 0 else -1.0
            continue
        if nz.size == 1:
            if nz[0] in (0, 3):
                f += np.array([[0.5, -0.5], [-0.5, 0.5]])
            else:
                f += np.array([[-0.5, 0.5], [0.5, -0.5]])
        if f[0, 0] * f[1, 1] == f[0, 1] * f[1, 0]:
            rho[q] = 0.0
        elif t1[q, 0] == 0 and t2[q, 0] == 0:
            rho[q] = -np.cos(2 * np.pi * f[0, 0] / f.sum())
    todo = np.flatnonzero(np.isnan(rho))
    if todo.size:
        start = _pearson_start(codes, tab[todo])
        rho[todo] = _maximise(tab[todo], t1[todo], t2[todo], start, n)
    return rho, zero, tab


def _pearson_start(codes, tab):
    """lavaan starts at the Pearson correlation of the category codes (any start in (-1, 1) reaches the same
    maximum; this one only saves iterations)."""
    m, r, c = tab.shape
    a = np.arange(r, dtype=float)[None, :, None]
    b = np.arange(c, dtype=float)[None, None, :]
    tot = tab.sum(axis=(1, 2))
    ma = (tab * a).sum(axis=(1, 2)) / tot
    mb = (tab * b).sum(axis=(1, 2)) / tot
    cov = (tab * (a - ma[:, None, None]) * (b - mb[:, None, None])).sum(axis=(1, 2))
    va = (tab * (a - ma[:, None, None]) ** 2).sum(axis=(1, 2))
    vb = (tab * (b - mb[:, None, None]) ** 2).sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        r0 = cov / np.sqrt(va * vb)
    return np.where(np.isfinite(r0) & (np.abs(r0) < 1), r0, 0.0)
