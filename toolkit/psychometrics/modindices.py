"""Modification indices and expected parameter changes (lavaan's ``modindices``; Sorbom 1989).

Every parameter the model leaves out (cross-loadings, residual covariances) or fixes (e.g. ``visual ~~
0*speed``, marker loadings) is added as free to an *extended* model evaluated at the current estimates;
nothing is re-estimated. With I the expected unit information of the extended model, g = dF/dtheta (lavaan's
objective) and I_mm^-1 the inverted information of the fitted model, the score variance of an extra
parameter j is V_jj = [I_ee - I_em I_mm^-1 I_me]_jj and

    MI_j = N g_j^2 / V_jj,    EPC_j = -g_j / V_jj.

Rows with V_jj < eps^(1/3) (not identified, e.g. a marker loading beside a free factor variance) are left out.
sepc.all standardizes |EPC| with the model-implied SDs (residual covariances by the residual SDs, as lavaan's
``cov.std = TRUE``) and keeps its sign. The information and the gradient come from the fit's own estimator
(:meth:`Discrepancy.h1_information`), so another estimator (DWLS) gets its indices from the same code.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .estimators import evaluate_at
from .estimators.information import information, inverted_information
from .estimators.optimizer import single_thread_blas
from .sem_model import Structure


def extended_structure(st: Structure) -> tuple[Structure, list[dict]]:
    """*st* plus every fixed or absent loading, residual covariance, factor (co)variance and mean as free
    parameters (lavaan's ``lav_partable_full`` + ``lav_object_extended(all.free = TRUE)``); returns the new
    structure and one row (lhs, op, rhs, group, free, value) per added parameter."""
    idx, fix, added = add_candidates(st, st.nfree)
    ext = Structure(list(st.observed), list(st.factors), st.ngroups, st.meanstructure, idx, fix, st.table + added)
    return ext, added


def add_candidates(st, k: int, variances: bool = True, means: bool = True, fixed_loadings: bool = True):
    """Copies of the LISREL index/fixed-value matrices of *st* with every parameter that is not free made free,
    numbered from *k* on, and one row (lhs, op, rhs, group, free, value, mat, pos) per added parameter.

    *variances*: also (residual and factor) variances; *means*: also intercepts and latent means (with a mean
    structure); *fixed_loadings*: also loadings fixed to a non-zero value (markers). The ordinal model leaves
    out variances and means (its residual variances are computed, intercepts fixed by the parameterization)
    and markers."""
    idx = {key: v.copy() for key, v in st.idx.items()}
    fix = {key: v.copy() for key, v in st.fix.items()}
    obs, fac = st.observed, st.factors
    added: list[dict] = []

    def new(mat, pos, lhs, op, rhs, g):
        nonlocal k
        value = float(fix[mat][(g,) + pos[0]])
        for ps in pos:
            idx[mat][(g,) + ps] = k
        added.append(dict(lhs=lhs, op=op, rhs=rhs, group=g, free=k, value=value, mat=mat, pos=pos[0]))
        k += 1

    first = 0 if variances else 1
    for g in range(st.ngroups):
        for j, f in enumerate(fac):
            for i, x in enumerate(obs):
                if idx["lambda"][g, i, j] < 0 and (fixed_loadings or fix["lambda"][g, i, j] == 0):
                    new("lambda", [(i, j)], f, "=~", x, g)
        for i, x in enumerate(obs):
            for i2 in range(i + first, len(obs)):
                if idx["theta"][g, i, i2] < 0:
                    new("theta", [(i, i2)] if i == i2 else [(i, i2), (i2, i)], x, "~~", obs[i2], g)
        for j, f in enumerate(fac):
            for j2 in range(j + first, len(fac)):
                if idx["psi"][g, j, j2] < 0:
                    new("psi", [(j, j2)] if j == j2 else [(j, j2), (j2, j)], f, "~~", fac[j2], g)
        if means and st.meanstructure:
            for j, f in enumerate(fac):
                if idx["alpha"][g, j] < 0:
                    new("alpha", [(j,)], f, "~1", "", g)
            for i, x in enumerate(obs):
                if idx["nu"][g, i] < 0:
                    new("nu", [(i,)], x, "~1", "", g)
    return idx, fix, added


def modification_indices(fit, top: int | None = None, minimum: float = 0.0) -> pd.DataFrame:
    """lhs, op, rhs, (group), mi, epc, sepc_all for every added parameter, largest MI first; *top* keeps the
    first rows (lavaan: ``modindices(fit, sort. = TRUE, maximum.number = top)``)."""
    st = fit.structure
    ext, added = st.extended() if hasattr(st, "extended") else extended_structure(st)
    cols = ["lhs", "op", "rhs", "group", "mi", "epc", "sepc_all"]
    if not added:
        return pd.DataFrame(columns=cols)
    theta = np.concatenate([fit.theta, [r["value"] for r in added]])
    with single_thread_blas():
        efit = evaluate_at(ext, fit.stats, fit.estimator, theta)
        info = information(efit, "expected")
        _, grad = efit.disc(theta)
        grad = grad / efit.disc.scale
    k = st.nfree
    # the extended model's information restricted to the model's own parameters is the model's information
    try:
        i22inv = np.linalg.inv(info[:k, :k])
    except np.linalg.LinAlgError:
        i22inv = inverted_information(fit, "expected")
    e = np.arange(k, ext.nfree)
    v = info[np.ix_(e, e)] - info[np.ix_(e, np.arange(k))] @ i22inv @ info[np.ix_(np.arange(k), e)]
    vd = np.diag(v).copy()
    vd[vd < np.finfo(float).eps ** (1 / 3)] = np.nan
    ge = grad[e]
    n = fit.stats.ntotal
    mi = n * ge ** 2 / vd
    epc = -ge / vd
    rows = []
    oi = {x: i for i, x in enumerate(st.observed)}
    fi = {f: i for i, f in enumerate(st.factors)}
    for r, m, ep in zip(added, mi, epc):
        if not np.isfinite(m) or m < minimum:
            continue
        g = r["group"]
        mats = fit.matrices(g)
        sd_obs = np.sqrt(np.diag(fit.implied[g][0]))
        sd_lat = np.sqrt(np.abs(np.diag(mats["psi"])))
        th = np.abs(np.diag(mats["theta"]))
        a = abs(ep)
        lhs, op, rhs = r["lhs"], r["op"], r["rhs"]
        if op == "=~":
            s = a * sd_lat[fi[lhs]] / sd_obs[oi[rhs]]
        elif op == "~~" and lhs in oi:
            s = (r["value"] / sd_obs[oi[lhs]] ** 2) if lhs == rhs else a / np.sqrt(th[oi[lhs]] * th[oi[rhs]])
        elif op == "~~":
            s = 1.0 if lhs == rhs else a / (sd_lat[fi[lhs]] * sd_lat[fi[rhs]])
        elif lhs in oi:
            s = a / sd_obs[oi[lhs]]
        else:
            s = a / sd_lat[fi[lhs]]
        rows.append({"lhs": lhs, "op": op, "rhs": rhs,
                     "group": fit.stats.groups[g] if fit.ngroups > 1 else None,
                     "mi": float(m), "epc": float(ep), "sepc_all": float(np.sign(ep) * s)})
    out = pd.DataFrame(rows, columns=cols)
    out = out.sort_values("mi", ascending=False, kind="stable").reset_index(drop=True)
    if fit.ngroups == 1:
        out = out.drop(columns="group")
    return out.head(top) if top is not None else out
