"""The saturated (H1) model under missing data: lavaan's truncated EM (``lav_mvnorm_missing_h1_estimate_moments``).

lavaan 0.6-14 does not run EM to convergence, and its unrestricted log-likelihood, chi-square, SRMR and robust
FIML indices all use the truncated solution, so these steps copy lavaan's rules exactly:

1. start: mu_j = mean of the observed values of y_j, Sigma = diag of their variances (divisor = number
   observed); a zero or non-finite variance becomes 1;
2. E-step at (mu, Sigma) (:meth:`RowData.estep`), M-step mu = T1/N, Sigma = T2/N - mu mu';
3. ridge: if the smallest eigenvalue of Sigma is below 1e-6, add 1e-8 * max(diag Sigma) to its diagonal;
4. stop when max |(mu, vech Sigma)_new - (mu, vech Sigma)_old| < 1e-5, or after 500 iterations.

Reference: Dempster, Laird & Rubin (1977) JRSS B 39:1-38; lavaan 0.6-14 ``R/lav_mvnorm_missing_h1.R``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..implied import vech
from .missing import RowData

MAX_ITER = 500  # lavaan's em.h1.iter.max
TOL = 1e-5  # em.h1.tol


@dataclass
class H1:
    mean: np.ndarray
    cov: np.ndarray
    loglik: float  # log-likelihood at (mean, cov), with the 2 pi constant
    iterations: int
    converged: bool


def em_h1(rows: RowData, max_iter: int = MAX_ITER, tol: float = TOL) -> H1:
    """EM estimates of the unrestricted mean and covariance of *rows*, stopped as lavaan stops them."""
    _, mu, var = rows.observed_moments()
    var = np.where(np.isfinite(var) & (var != 0), var, 1.0)
    sigma = np.diag(var)
    old = np.concatenate([mu, vech(sigma)])
    it, converged = 0, False
    for it in range(1, max_iter + 1):
        es = rows.estep(mu, sigma)
        mu = mu + es.d
        sigma = es.t - np.outer(es.d, es.d)
        sigma = (sigma + sigma.T) / 2
        if np.linalg.eigvalsh(sigma)[0] < 1e-6:
            sigma = sigma + np.eye(len(mu)) * (np.max(np.diag(sigma)) * 1e-8)
        new = np.concatenate([mu, vech(sigma)])
        if np.max(np.abs(new - old)) < tol:
            converged = True
            break
        old = new
    return H1(mu, sigma, rows.estep(mu, sigma).loglik, it, converged)
