"""The baseline (independence) model of a fit, as lavaan's ``lav_object_independence``.

Free variances (and means, with a mean structure) in every group, no covariances, estimated with the fit's
own estimator and data. Its likelihood factors by variable, so the estimates have a closed form: the sample
variances and means, or under FIML the mean and ML variance of each variable's observed values (lavaan's
nlminb reaches the same point to ~1e-9). The observed information has a closed form there too and is stored
in the fit's cache, so robust baseline statistics cost no numerical Hessian.
"""
from __future__ import annotations

import numpy as np

from .estimators import ModelFit, fit_model
from .sem_model import baseline_structure


def fit_baseline(fit: ModelFit) -> ModelFit:
    """The independence model of *fit* (cached on *fit*)."""
    if "baseline" in fit.cache:
        return fit.cache["baseline"]
    ss = fit.stats
    st = baseline_structure(ss.observed, fit.ngroups, fit.structure.meanstructure)
    x = np.zeros(st.nfree)
    info = np.zeros(st.nfree)
    w = ss.weights
    for g in range(fit.ngroups):
        if ss.missing:
            cnt, mean, var = ss.rows[g].observed_moments()
            share = cnt / ss.n[g]
        else:
            mean, var, share = ss.mean[g], np.diag(ss.cov[g]), np.ones(len(ss.observed))
        i = np.diag(st.idx["theta"][g])
        x[i] = var
        info[i] = w[g] * share / (2.0 * var ** 2)
        if st.meanstructure:
            j = st.idx["nu"][g]
            x[j] = mean
            info[j] = w[g] * share / var
    out = fit_model(st, ss, fit.estimator, x0=x)
    if np.allclose(out.theta, x, rtol=1e-7, atol=1e-10):
        out.theta = x
        out.cache[("info", "observed")] = np.diag(info)
    fit.cache["baseline"] = out
    return out
