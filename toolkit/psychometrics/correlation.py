"""Pairwise-complete covariances and correlations (as R's ``use="pairwise"``) and squared multiple correlations.

Everything works on a float array with ``NaN`` for missing values and is vectorised through a few matrix
products, so a 100,000 x 10 block costs milliseconds rather than a pandas loop over column pairs.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class PairwiseMoments:
    """Pairwise-complete statistics of the columns of a data matrix.

    ``n[i, j]`` rows answer both i and j; ``cov`` is R's ``cov(x, use="pairwise")`` (diagonal: each column's
    own variance); ``corr`` is R's ``cor(x, use="pairwise")`` (each pair standardised by the variances *of the
    rows the pair shares*, so it is not ``cov2cor(cov)`` when data are missing).
    """

    n: np.ndarray
    cov: np.ndarray
    corr: np.ndarray


def pairwise_moments(x, weights=None) -> PairwiseMoments:
    """Pairwise-complete counts, covariances and correlations of the columns of *x* (rows = cases).

    *weights* (optional, one per row) are frequency weights: a row with weight 3 counts as three identical
    rows, so data compressed to distinct response patterns give exactly the statistics of the full data.

    With M the 0/1 "answered" mask and X0 the data shifted to about mean 0 with missing cells set to 0::

        n = M'M,  S = X0'M,  P = X0'X0,  Q = (X0*X0)'M
        cov_ij = (P_ij - S_ij S_ji / n_ij) / (n_ij - 1)
        var_i|j = (Q_ij - S_ij^2 / n_ij) / (n_ij - 1),   r_ij = cov_ij / sqrt(var_i|j var_j|i)

    Shifting each column by (an estimate of) its mean first keeps the one-pass sums accurate to ~1e-15. Pairs
    with fewer than two shared rows get ``NaN``.

    >>> m = pairwise_moments([[1, 2], [2, 1], [3, float("nan")], [4, 4]])
    >>> round(float(m.cov[0, 1]), 6), int(m.n[0, 1])
    (1.833333, 3)
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 2:
        raise ValueError("x must be a 2-D array (rows = cases, columns = variables)")
    return item_major_moments(np.ascontiguousarray(x.T), weights)[0]


def item_major_moments(xt: np.ndarray, weights=None, mask=None):
    """:func:`pairwise_moments` of item-major data (``xt[j]`` = variable j), also returning the intermediates
    ``(moments, mx, shift)``: ``mx`` stacks the 0/1 answered mask M (rows 0..p-1) on the shifted data
    X0 = x - shift with 0 for missing (rows p..2p-1), and ``shift`` is the per-variable shift (a mean of the
    first rows), so callers can reuse them without another pass over the data.

    All sums come from one matrix product: with L = [M; X0; X0*X0] (rows weighted when *weights* are given),
    L [M; X0]' holds n = M M', S = X0 M', P = X0 X0' and Q = (X0*X0) M'.
    """
    mask = ~np.isnan(xt) if mask is None else mask
    p, n_obs = xt.shape
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a variable with no answers in the first rows
        shift = np.nanmean(xt[:, :1024], axis=1)
    if not np.isfinite(shift).all():  # no answer among the first rows: use the full column (0 if empty)
        shift = np.where(np.isfinite(shift), shift, np.nan_to_num(_row_nanmean(xt)))
    lmat = np.empty((3 * p if weights is None else 5 * p, n_obs))  # one allocation for every product
    m, x0, x2 = lmat[:p], lmat[p:2 * p], lmat[2 * p:3 * p]
    np.copyto(m, mask)
    x0.fill(0.0)
    np.subtract(xt, shift[:, None], out=x0, where=mask)  # near-centred: the one-pass sums stay exact
    np.multiply(x0, x0, out=x2)
    if weights is None:
        g = lmat @ lmat[:2 * p].T
    else:
        right = lmat[3 * p:]
        np.multiply(lmat[:2 * p], np.asarray(weights, dtype=float), out=right)
        g = lmat[:3 * p] @ right.T
    n, s, pp, q = g[:p, :p], g[p:2 * p, :p], g[p:2 * p, p:], g[2 * p:, :p]
    with np.errstate(invalid="ignore", divide="ignore"):
        denom = np.where(n > 1, n - 1, np.nan)
        cov = (pp - s * s.T / n) / denom
        var_ij = (q - s * s / n) / denom
        corr = cov / np.sqrt(var_ij * var_ij.T)
        np.fill_diagonal(corr, np.where(np.diag(var_ij) > 0, 1.0, np.nan))
    return PairwiseMoments(n.copy(), cov, corr), lmat[:2 * p], shift


def _row_nanmean(xt: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(xt, axis=1)


def pairwise_cov(x) -> np.ndarray:
    """R's ``cov(x, use="pairwise")``; see :func:`pairwise_moments`."""
    return pairwise_moments(x).cov


def pairwise_corr(x) -> np.ndarray:
    """R's ``cor(x, use="pairwise")``; see :func:`pairwise_moments`."""
    return pairwise_moments(x).corr


def cov2cor(c) -> np.ndarray:
    """R's ``cov2cor``: r_ij = c_ij / sqrt(c_ii c_jj).

    >>> round(float(cov2cor([[4.0, 2.0], [2.0, 9.0]])[0, 1]), 4)
    0.3333
    """
    c = np.asarray(c, dtype=float)
    d = 1.0 / np.sqrt(np.diag(c))
    r = c * d[:, None] * d[None, :]
    np.fill_diagonal(r, 1.0)
    return r


def smc(r) -> np.ndarray:
    """Squared multiple correlations, smc_i = 1 - 1 / (R^-1)_ii, as ``psych::smc``.

    Uses the pseudo-inverse (psych's ``Pinv``) and clips to [0, 1] as psych does. For two variables this is
    r_12^2. *r* may also be a stack of matrices (..., p, p).

    >>> smc([[1.0, 0.5], [0.5, 1.0]]).round(4).tolist()
    [0.25, 0.25]
    """
    r = np.asarray(r, dtype=float)
    if r.ndim == 2:
        r = cov2cor(r)
    else:  # a stack of matrices (..., p, p), each rescaled to a correlation matrix
        d = 1.0 / np.sqrt(np.diagonal(r, axis1=-2, axis2=-1))
        r = r * d[..., :, None] * d[..., None, :]
    values, vectors = np.linalg.eigh(r)
    mags = np.abs(values)
    keep = mags > np.sqrt(np.finfo(float).eps) * mags.max(axis=-1, keepdims=True)  # psych's Pinv tolerance
    inv_values = np.where(keep, 1.0 / np.where(keep, values, 1.0), 0.0)
    diag_inv = (vectors**2 * inv_values[..., None, :]).sum(axis=-1)
    out = 1.0 - 1.0 / diag_inv
    return np.clip(out, 0.0, 1.0)
