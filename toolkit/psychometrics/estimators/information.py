"""Information matrices and the covariance of the estimates (lavaan's ``lav_model_information``,
``lav_model_h1_information`` and ``lav_model_vcov``), on lavaan's unit scale: vcov = I^-1 / N.

- h1 (moment-space) information of group g, at the model-implied moments ("structured") or at the sample /
  EM moments ("unstructured"): expected (Sigma^-1 (+) 1/2 D'(Sigma^-1 x Sigma^-1)D, or its FIML version summed
  over rows), observed (FIML: the Hessian of -logL/N, analytic) and first order ((1/N) sum of score outer
  products).
- parameter-space information: expected = sum_g (N_g/N) Delta_g' A1_g Delta_g; observed = 1/2 the Hessian of
  F (5-point differences, :meth:`Discrepancy.hessian`); first order B0 = sum_g (N_g/N) Delta_g' B1_g Delta_g.
- vcov: standard = I^-1 / N with the estimator's information (expected for complete-data ML, observed under
  FIML and for MLR); robust.huber.white = E^-1 B0 E^-1 / N (the sandwich of MLR); robust.sem (DWLS) =
  E^-1 [sum_g f_g Delta_g' W_g Gamma_g W_g Delta_g] E^-1 / (N - G).
"""
from __future__ import annotations

import numpy as np

from ..implied import delta
from .optimizer import single_thread_blas


def _moments(fit, g: int, structured: bool) -> tuple[np.ndarray, np.ndarray]:
    ss = fit.stats
    if not structured:
        return ss.mean[g], ss.cov[g]
    sigma, mu = fit.implied[g]
    if not fit.structure.meanstructure:  # no mean structure: the means are the sample means
        mu = ss.mean[g]
    return mu, sigma


def deltas(fit) -> list[np.ndarray]:
    if "delta" not in fit.cache:
        jac = getattr(fit.structure, "jacobian", None)  # ordinal structures: d(tau*, vech0 Sigma*)/d theta
        fit.cache["delta"] = [jac(fit.theta, g) if jac else delta(fit.structure, fit.theta, g)
                              for g in range(fit.ngroups)]
    return fit.cache["delta"]


def h1_information(fit, g: int, kind: str = "expected", structured: bool = True) -> np.ndarray:
    """Unit information of the saturated model of group g in the coordinates (mu, vech Sigma)."""
    key = ("h1", g, kind, structured)
    if key not in fit.cache:
        mu, sigma = _moments(fit, g, structured)
        with single_thread_blas():
            fit.cache[key] = fit.disc.h1_information(fit, g, kind, mu, sigma)
    return fit.cache[key]


def information(fit, kind: str | None = None) -> np.ndarray:
    """Parameter-space unit information: "expected", "observed" or "firstorder" (None: the estimator's)."""
    kind = kind or fit.estimator.information_for(fit.stats.missing)
    key = ("info", kind)
    if key not in fit.cache:
        w = fit.stats.weights
        with single_thread_blas():
            if kind == "observed":
                out = fit.disc.hessian(fit.theta) / fit.disc.scale
            else:
                h1kind = "firstorder" if kind == "firstorder" else "expected"
                out = np.zeros((fit.npar, fit.npar))
                for g, dl in enumerate(deltas(fit)):
                    out += w[g] * dl.T @ h1_information(fit, g, h1kind) @ dl
                out = (out + out.T) / 2
        fit.cache[key] = out
    return fit.cache[key]


def inverted_information(fit, kind: str | None = None) -> np.ndarray:
    kind = kind or fit.estimator.information_for(fit.stats.missing)
    key = ("inv", kind)
    if key not in fit.cache:
        try:
            fit.cache[key] = np.linalg.inv(information(fit, kind))
        except np.linalg.LinAlgError:
            fit.cache[key] = np.full((fit.npar, fit.npar), np.nan)
    return fit.cache[key]


def identified(fit) -> bool:
    """False when the information matrix is (numerically) singular, so the estimates have no standard errors
    (lavaan: "Could not compute standard errors! The information matrix could not be inverted")."""
    info = information(fit)
    if not np.all(np.isfinite(info)):
        return False
    ev = np.linalg.eigvalsh((info + info.T) / 2)
    return bool(ev[0] > 1e-10 * max(ev[-1], 1e-300))


def vcov(fit) -> np.ndarray:
    """Covariance matrix of the free parameters as lavaan's default for the estimator."""
    if "vcov" not in fit.cache:
        n = fit.stats.ntotal
        einv = inverted_information(fit)
        if fit.estimator.se == "robust.huber.white":
            out = einv @ information(fit, "firstorder") @ einv / n
        elif fit.estimator.se == "robust.sem":
            from .dwls import robust_sem_vcov

            out = robust_sem_vcov(fit, einv, deltas(fit))
        else:
            out = einv / n
        fit.cache["vcov"] = out
    return fit.cache["vcov"]
