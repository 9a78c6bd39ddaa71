"""Stage 3 of lavaan's two-step ordinal statistics: Muthen's (1984) Gamma, the asymptotic covariance matrix of
the thresholds and polychoric correlations (``muthen1984`` in lavaan 0.6-14), from casewise scores.

With S = [univariate threshold scores | correlation scores] (one row per respondent, evaluated at the stage-1 and
stage-2 estimates): INNER = S'S; A11 = block-diagonal threshold information (per item, sum of s s'); A21 = sum of
correlation scores times the bivariate threshold scores; A22 = diag(sum of squared correlation scores);
B^-1 = [[A11^-1, 0], [-A22^-1 A21 A11^-1, A22^-1]] and Gamma = N B^-1 INNER B^-T.
"""
from __future__ import annotations

import numpy as np
from scipy.special import ndtr

from ...errors import AnalysisError
from .bivnorm import cell_probabilities
from .bvord import SQRT_EPS, dbinorm, grid_combo


def muthen_gamma(codes, tau, T, nlev, rho, tab, ii, jj, n) -> np.ndarray:
    """Muthen's (1984) Gamma from casewise scores, as lavaan's ``muthen1984`` (no exogenous covariates)."""
    p = codes.shape[1]
    nth = nlev - 1
    th_start = np.concatenate([[0], np.cumsum(nth)[:-1]])
    n_th = int(nth.sum())
    npair = len(ii)
    size = n_th + npair

    # univariate threshold scores per category: s[c] = (1{c=a} phi(t_a) - 1{c=a-1} phi(t_{a-1})) / P_a
    uni = []
    A11 = np.zeros((n_th, n_th))
    for j in range(p):
        t = tau[j]
        cum = np.concatenate([[0.0], ndtr(t), [1.0]])
        prob = np.diff(cum)
        dens = np.exp(-0.5 * t * t) / np.sqrt(2 * np.pi)
        k = nlev[j]
        s = np.zeros((k, k - 1))
        for a in range(k):
            if a < k - 1:
                s[a, a] += dens[a]
            if a > 0:
                s[a, a - 1] -= dens[a - 1]
        s /= prob[:, None]
        uni.append(s)
        f = np.bincount(codes[:, j], minlength=k).astype(float)
        sl = slice(th_start[j], th_start[j] + k - 1)
        A11[sl, sl] = (s * f[:, None]).T @ s

    # bivariate scores per cell of each pair's table (rows: item jj (earlier), columns: item ii)
    t1, t2 = T[jj], T[ii]
    pi = cell_probabilities(rho, t1, t2)
    pi = np.where(pi < SQRT_EPS, SQRT_EPS, pi)
    lik = np.where(pi <= SQRT_EPS, np.nan, pi)
    dens = dbinorm(t1[:, :, None], t2[:, None, :], rho[:, None, None])
    phi = grid_combo(dens)
    with np.errstate(invalid="ignore", divide="ignore"):
        drho = np.nan_to_num(phi / lik)                    # (m, K, K)
    # threshold scores of the row item (jj) and the column item (ii), per cell and threshold
    th_row = _biv_threshold_scores(t1, t2, rho, lik, nlev[jj])        # (m, K, K, K-1)
    th_col = _biv_threshold_scores(t2, t1, rho, np.swapaxes(lik, 1, 2), nlev[ii]).swapaxes(1, 2)

    A21 = np.zeros((npair, n_th))
    A22 = np.zeros(npair)
    kmax = T.shape[1] + 1
    for q in range(npair):
        f = tab[q]            # counts (zero-cell additions only changed the estimate, not the scores)
        w = f * drho[q]
        a, b = jj[q], ii[q]
        A21[q, th_start[a]:th_start[a] + nth[a]] = np.einsum("rc,rct->t", w, th_row[q][:, :, :nth[a]])
        A21[q, th_start[b]:th_start[b] + nth[b]] = np.einsum("rc,rct->t", w, th_col[q][:, :, :nth[b]])
        A22[q] = (f * drho[q] ** 2).sum()

    # Gamma = N B^-1 (S'S) B^-T with S = [threshold scores | correlation scores], one row per respondent.
    # B^-1 is block-triangular (A11^-1 block-diagonal, A22^-1 diagonal), so each chunk of rows is first
    # mapped to S B^-T (cheap) and Gamma accumulates its Gram matrix (BLAS syrk, half the work of S'S).
    from scipy.linalg.blas import dsyrk

    A11_inv = np.zeros_like(A11)
    for j in range(p):
        sl = slice(th_start[j], th_start[j] + nth[j])
        A11_inv[sl, sl] = np.linalg.inv(A11[sl, sl])
    if (A22 == 0).any():
        q = int(np.flatnonzero(A22 == 0)[0])
        raise AnalysisError(f"the polychoric correlation of items {jj[q] + 1} and {ii[q] + 1} carries no information "
                            "(its score is zero for everyone), so Gamma cannot be computed")
    A22_inv = 1.0 / A22
    C = -(A22_inv[:, None] * A21) @ A11_inv                  # lower-left block of B^-1
    cell = codes[:, jj] * kmax + codes[:, ii]                # (n, m) cell of each respondent in each pair table
    flat = drho.reshape(npair, -1)
    acc = np.zeros((size, size), order="F")
    chunk = max(1, min(n, 2_000_000 // max(size, 1)))
    for s0 in range(0, n, chunk):
        rows = slice(s0, min(n, s0 + chunk))
        S_th = np.empty((rows.stop - s0, n_th))
        for j in range(p):
            S_th[:, th_start[j]:th_start[j] + nth[j]] = uni[j][codes[rows, j]]
        T = np.empty((rows.stop - s0, size), order="F")
        T[:, :n_th] = S_th @ A11_inv.T
        T[:, n_th:] = S_th @ C.T + flat[np.arange(npair)[None, :], cell[rows]] * A22_inv
        acc = dsyrk(1.0, T, beta=1.0, c=acc, trans=1, overwrite_c=1)
    G = np.triu(acc) + np.triu(acc, 1).T
    return n * G


def _biv_threshold_scores(ta, tb, rho, lik, k_a):
    """d log pi / d tau_a for every cell (rows = categories of item a, columns = of item b) and threshold:
    +phi(z1)[Phi((w1 - rho z1)/R) - Phi((w2 - rho z1)/R)] for the cell's upper threshold z1, minus the same at
    its lower threshold z2, divided by pi (lavaan's ``lav_bvord_cor_scores``)."""
    m, ka1 = ta.shape
    K = ka1 + 1
    R = np.sqrt(1.0 - rho * rho)[:, None, None]
    r = rho[:, None, None]
    # Z[t, b] = phi(ta_t) [Phi((tb_b - rho ta_t)/R) - Phi((tb_{b-1} - rho ta_t)/R)] for each threshold t of a
    ext_b = np.concatenate([np.full((m, 1), -np.inf), tb, np.full((m, 1), np.inf)], axis=1)   # (m, K+1)
    u = ta[:, :, None]                                                                       # (m, K-1, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cdf = ndtr((ext_b[:, None, :] - r * u) / R)                                          # (m, K-1, K+1)
    dens = np.where(np.isfinite(u), np.exp(-0.5 * u * u) / np.sqrt(2 * np.pi), 0.0)
    # |rho| = 1 (a 2x2 table with two empty cells): lavaan takes half the density
    width = np.where(R == 0, 0.5, cdf[:, :, 1:] - cdf[:, :, :-1])
    Z = np.nan_to_num(dens * width)                                                          # (m, K-1, K)
    out = np.zeros((m, K, K, ka1))
    idx = np.arange(ka1)
    # cell in category a of item a: + Z[a] on threshold a (its upper bound), - Z[a-1] on threshold a-1
    out[:, idx, :, idx] += Z.transpose(1, 0, 2)
    out[:, idx + 1, :, idx] -= Z.transpose(1, 0, 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.nan_to_num(out / lik[:, :, :, None])
    return out
