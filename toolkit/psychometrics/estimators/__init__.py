"""Estimators behind one fitting interface: :func:`fit_model` (structure, sample statistics, estimator name).

An estimator is a registry entry (:data:`ESTIMATORS`), as lavaan's ``estimator=`` shorthand: which
discrepancy to minimise for which kind of data, how standard errors are computed and which test statistic
comes with it. ``"ml"`` and ``"mlr"`` share the normal-theory discrepancies (complete-data ML, FIML) and
differ in their standard errors (information-based vs Huber-White sandwich) and test (standard vs
Yuan-Bentler).

``"wlsmv"`` (lavaan's ``estimator = "WLSMV"`` for ordered indicators) is DWLS on the ordinal sample
statistics (thresholds, polychorics and Gamma, :mod:`..samplestats.ordinal_moments`, data kind
``"ordinal"``) for the delta-parameterization model of :mod:`..sem_ordinal`: :class:`.dwls.DWLSDiscrepancy`
gives F_g = (s_g - sigma_g)' W_g (s_g - sigma_g) with weights (N_g - 1)/N, its gradient, the weight matrix as
the h1 information and (N_g - 1) F_g as the per-group statistic; standard errors are ``robust.sem``
(:func:`.information.vcov`) and the test ``scaled.shifted`` (:data:`..teststats.TESTS`). The optimiser,
:class:`ModelFit` and :mod:`..modindices` (expected information and gradient of the extended model) are
shared with ML.

>>> sorted(ESTIMATORS)
['ml', 'mlr', 'wlsmv']
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...errors import AnalysisError
from .base import Discrepancy, ModelFit
from .dwls import DWLSDiscrepancy
from .fiml import FIMLDiscrepancy
from .ml import MLDiscrepancy
from .optimizer import minimize, single_thread_blas, start_values


@dataclass(frozen=True)
class EstimatorSpec:
    """lavaan's options behind one ``estimator=`` name."""

    name: str  # as lavaan prints it: "ML", "MLR"
    se: str  # "standard" | "robust.huber.white" | "robust.sem"
    test: str  # "standard" | "yuan.bentler.mplus" | "scaled.shifted"
    information: str | None  # None: lavaan's default for the data ("expected"; "observed" under FIML)
    discrepancies: dict = field(default_factory=dict)  # data kind ("complete", "missing") -> Discrepancy class

    def information_for(self, missing: bool) -> str:
        return self.information or ("observed" if missing else "expected")

    @property
    def robust(self) -> bool:
        return self.test != "standard"


_NORMAL = {"complete": MLDiscrepancy, "missing": FIMLDiscrepancy}
ESTIMATORS: dict[str, EstimatorSpec] = {
    "ml": EstimatorSpec("ML", "standard", "standard", None, _NORMAL),
    "mlr": EstimatorSpec("MLR", "robust.huber.white", "yuan.bentler.mplus", "observed", _NORMAL),
    "wlsmv": EstimatorSpec("WLSMV", "robust.sem", "scaled.shifted", "expected", {"ordinal": DWLSDiscrepancy}),
}


def get_estimator(name: str | EstimatorSpec) -> EstimatorSpec:
    if isinstance(name, EstimatorSpec):
        return name
    spec = ESTIMATORS.get(str(name).lower())
    if spec is None:
        raise AnalysisError(f"unknown estimator '{name}' (known: {', '.join(sorted(ESTIMATORS))})",
                            field="--estimator")
    return spec


def _discrepancy(st, ss, spec: EstimatorSpec) -> Discrepancy:
    kind = ss.kind
    cls = spec.discrepancies.get(kind)
    if cls is None:
        hint = (" (use --estimator wlsmv with --ordered)" if kind == "ordinal" else
                " (WLSMV needs ordered indicators: add --ordered)" if spec.name == "WLSMV" else "")
        raise AnalysisError(f"estimator {spec.name} is not available for {kind} data{hint}", field="--estimator")
    return cls(st, ss)


def evaluate_at(st, ss, estimator: str | EstimatorSpec, theta: np.ndarray) -> ModelFit:
    """A :class:`ModelFit` at given parameter values, without estimation (lavaan's ``optim.method = "none"``):
    for modification indices (the extended model at the estimates) and for checks at lavaan's estimates."""
    spec = get_estimator(estimator)
    disc = _discrepancy(st, ss, spec)
    theta = np.asarray(theta, float)
    with single_thread_blas():
        f = disc.value(theta)
    return ModelFit(st, ss, spec, disc, theta, f, True, 0)


def fit_model(st, ss, estimator: str | EstimatorSpec = "ml", x0: np.ndarray | None = None,
              tol: float = 1e-9) -> ModelFit:
    """Estimate structure *st* on sample statistics *ss*; raise :class:`AnalysisError` when the model cannot
    be estimated, add warnings (non-convergence, Heywood cases, ...) to the returned :class:`ModelFit`."""
    spec = get_estimator(estimator)
    with single_thread_blas():
        disc = _discrepancy(st, ss, spec)
        x = start_values(st, ss) if x0 is None else np.asarray(x0, float)
        x, f, converged, iters, gmax = minimize(disc, x, tol)
    if not np.isfinite(f):
        raise AnalysisError("the estimation did not converge (the model-implied covariance matrix is not "
                            "positive definite); check the model and the items")
    out = ModelFit(st, ss, spec, disc, x, f, converged, iters)
    if not converged:
        out.warnings.append(f"the {spec.name} estimation did not converge (largest gradient {gmax:.2g}): "
                            "estimates and fit indices are not trustworthy (the model may be empirically "
                            "under-identified, e.g. a factor whose items barely correlate)")
    for g in range(st.ngroups):
        m = out.matrices(g)
        gl = "" if ss.groups[g] is None else f" in group '{ss.groups[g]}'"
        neg = [st.observed[i] for i in np.flatnonzero(np.diag(m["theta"]) < 0)]
        if neg:
            out.warnings.append(f"negative residual variance(s){gl} (Heywood case): {', '.join(neg)}")
        if st.factors and np.linalg.eigvalsh(m["psi"]).min() <= 0:
            out.warnings.append(f"the factor covariance matrix{gl} is not positive definite "
                                "(a factor variance is negative or a correlation exceeds 1)")
    return out


__all__ = ["ESTIMATORS", "EstimatorSpec", "Discrepancy", "ModelFit", "evaluate_at", "fit_model",
           "get_estimator"]
