"""Test statistics of a fitted model and difference tests between nested fits (lavaan's ``lav_test*.R``).

- standard: chi-square = N F_ML (complete data) or 2 (logL_H1 - logL_H0) (FIML), p-value on df.
- Yuan-Bentler, Mplus variant (``test = "yuan.bentler.mplus"``, MLR's default; Yuan & Bentler 2000):
  c = sum_g [tr(A1_g^-1 B1_g) - (N_g/N) tr(B0_g E^-1)] / df, with A1 the observed h1 information and B1 the
  first-order h1 information at the unstructured (sample or EM) moments, B0_g = Delta_g' B1_g Delta_g at the
  model-implied moments and E the observed information; T_scaled = T / c.
- scaled-shifted (WLSMV's ``test = "scaled.shifted"``; Asparouhov & Muthen 2010): T_ss = a T + b, see
  :func:`scaled_shifted`.
- differences: the plain chi-square difference, for Yuan-Bentler tests the Satorra-Bentler (2001) scaled
  difference c_d = (df0 c0 - df1 c1) / (df0 - df1), T_d = (T0 - T1) / c_d (lavTestLRT's default for MLR), and
  for scaled-shifted tests Satorra's (2000) scaled-shifted difference (:func:`satorra_2000`).
"""
from __future__ import annotations

import numpy as np
from scipy import stats

from .estimators.information import deltas, h1_information, inverted_information


def _pvalue(x2: float, df: float) -> float:
    return float(stats.chi2.sf(x2, df)) if df > 0 and np.isfinite(x2) else float("nan")


def standard_test(fit) -> dict:
    x2 = fit.chisq
    return {"test": "standard", "stat": x2, "df": fit.df, "pvalue": _pvalue(x2, fit.df),
            "stat_group": list(fit.chisq_group)}


def yuan_bentler_mplus(fit) -> dict:
    """lavaan's ``lav_test_yuan_bentler`` with ``test = "yuan.bentler.mplus"``."""
    base = standard_test(fit)
    df = fit.df
    out = dict(base, test="yuan.bentler.mplus", scaling_factor=float("nan"), trace=float("nan"))
    if df <= 0:
        return out
    einv = inverted_information(fit, "observed")
    if not np.all(np.isfinite(einv)):
        return out
    w = fit.stats.weights
    h1_kind = "observed" if fit.stats.missing else "expected"
    tr = 0.0
    for g, dl in enumerate(deltas(fit)):
        a1 = h1_information(fit, g, h1_kind, structured=False)
        b1 = h1_information(fit, g, "firstorder", structured=False)
        keep = np.diag(a1) != 0
        a1, b1 = a1[np.ix_(keep, keep)], b1[np.ix_(keep, keep)]
        b0 = dl.T @ h1_information(fit, g, "firstorder", structured=True) @ dl
        tr += float(np.sum(b1 * np.linalg.inv(a1).T)) - w[g] * float(np.sum(b0 * einv.T))
    c = tr / df
    if c < 0:
        return out
    stat = base["stat"] / c
    return dict(out, stat=stat, pvalue=_pvalue(stat, df), scaling_factor=c, trace=tr,
                stat_group=[s / c for s in base["stat_group"]])


def scaled_shifted_ab(deltas, ws, gammas, f, einv, df) -> tuple[float, float]:
    """(a, b) of the mean-and-variance adjusted statistic (lavaan's ``lav_test_satorra_bentler`` with
    ``test = "scaled.shifted"``): V = bdiag(f_g W_g), Gamma = bdiag(Gamma_g / f_g),
    U = V - V Delta E^-1 Delta' V, a = sqrt(df / tr((U Gamma)^2)), b = df - a tr(U Gamma)."""
    blocks = []
    for dl, w, gm, fg in zip(deltas, ws, gammas, f):
        blocks.append((fg * w[:, None] * dl, gm / fg, fg * w))
    vd = np.vstack([b[0] for b in blocks])  # V Delta (rows of all groups)
    m = vd @ einv  # V Delta E^-1
    sizes = [len(b[2]) for b in blocks]
    ug = np.zeros((sum(sizes), sum(sizes)))
    lo = 0
    for (vdg, gm, v), size in zip(blocks, sizes):
        sl = slice(lo, lo + size)
        # U Gamma, column block g: V_g Gamma_g (diagonal part) - V Delta E^-1 Delta_g' V_g Gamma_g
        ug[:, sl] = -m @ (vdg.T @ gm)
        ug[sl, sl] += v[:, None] * gm
        lo += size
    tr1 = float(np.trace(ug))
    tr2 = float(np.sum(ug * ug.T))
    a = float(np.sqrt(df / tr2))
    return a, float(df - a * tr1)


def scaled_shifted(fit) -> dict:
    """The WLSMV test (lavaan ``test = "scaled.shifted"``): T_ss = a T + b on df; ``scaling_factor`` = 1/a
    and ``shift_parameter`` = b as lavaan reports them; per group a T_g + f_g b."""
    from .estimators.information import information

    base = standard_test(fit)
    df = fit.df
    out = dict(base, test="scaled.shifted", scaling_factor=float("nan"), shift_parameter=float("nan"))
    if df <= 0:
        return out
    ss = fit.stats
    try:
        einv = np.linalg.inv(information(fit, "expected"))
    except np.linalg.LinAlgError:
        return out
    a, b = scaled_shifted_ab(deltas(fit), ss.w, ss.gamma, ss.weights, einv, df)
    stat = a * base["stat"] + b
    return dict(out, stat=stat, pvalue=_pvalue(stat, df), scaling_factor=1.0 / a, shift_parameter=b,
                stat_group=[a * t + fg * b for t, fg in zip(base["stat_group"], ss.weights)])


TESTS = {"standard": standard_test, "yuan.bentler.mplus": yuan_bentler_mplus, "scaled.shifted": scaled_shifted}


def tests(fit) -> dict:
    """{"standard": ..., <the estimator's test>: ...} (cached on the fit)."""
    if "tests" not in fit.cache:
        out = {"standard": standard_test(fit)}
        name = fit.estimator.test
        if name != "standard":
            out[name] = TESTS[name](fit)
        fit.cache["tests"] = out
    return fit.cache["tests"]


def scaled_test(fit) -> dict | None:
    t = tests(fit)
    return t.get(fit.estimator.test) if fit.estimator.test != "standard" else None


def difference_test(restricted, free) -> dict:
    """Chi-square difference of nested fits (*restricted* has more df): plain for standard tests, Satorra-Bentler
    (2001) scaled for Yuan-Bentler/Satorra-Bentler tests, as ``lavTestLRT``'s defaults."""
    s0 = scaled_test(restricted)
    if s0 is not None and s0["test"] == "scaled.shifted":
        return satorra_2000(restricted, free)
    t0, t1 = tests(restricted)["standard"], tests(free)["standard"]
    ddf = t0["df"] - t1["df"]
    dx2 = t0["stat"] - t1["stat"]
    out = {"delta_chisq": dx2, "delta_df": ddf, "delta_pvalue": _pvalue(max(dx2, 0.0), ddf), "method": "standard"}
    s0, s1 = scaled_test(restricted), scaled_test(free)
    if s0 is not None and s1 is not None and s0["test"] in ("yuan.bentler.mplus", "satorra.bentler") and ddf > 0:
        c0, c1 = s0["scaling_factor"], s1["scaling_factor"]
        cd = (t0["df"] * c0 - t1["df"] * (c1 if t1["df"] > 0 else 0.0)) / ddf
        out["method"] = "satorra.bentler.2001"
        out["scaling_factor"] = cd
        if cd > 0 and np.isfinite(cd):
            out["delta_chisq"] = dx2 / cd
            out["delta_pvalue"] = _pvalue(max(dx2 / cd, 0.0), ddf)
        else:
            out["delta_chisq"] = out["delta_pvalue"] = float("nan")
    return out


def satorra_2000(restricted, free) -> dict:
    """lavTestLRT's default for scaled-shifted (WLSMV) tests (``lav_test_diff_Satorra2000``, ``A.method =
    "delta"``): with P the expected information of the *free* model m1, Delta_1 (rows of all groups) at its
    estimates, H = Delta_1^+ Delta_0 (the restricted model's Jacobian at its estimates) and A' the orthogonal
    complement of H, M = P^-1 A' (A P^-1 A')^+ A P^-1, U = W Delta_1 M Delta_1' W and Gamma = bdiag(f_g Gamma_g):
    a = sqrt(m / tr((U Gamma)^2)), b = m - a tr(U Gamma), T_d = a (T0 - T1) + b on m = df0 - df1 df."""
    from scipy.linalg import block_diag

    from .estimators.information import information

    t0, t1 = tests(restricted)["standard"], tests(free)["standard"]
    m = t0["df"] - t1["df"]
    out = {"method": "satorra.2000", "delta_df": m, "delta_chisq": float("nan"), "delta_pvalue": float("nan"),
           "scale": float("nan"), "shift": float("nan")}
    if m <= 0:
        return out
    ss = free.stats
    d1 = np.vstack(deltas(free))
    d0 = np.vstack(deltas(restricted))
    pinv = np.linalg.inv(information(free, "expected"))
    h = np.linalg.pinv(d1) @ d0
    u, sv, _ = np.linalg.svd(h, full_matrices=True)
    rank = int(np.sum(sv > max(h.shape) * np.finfo(float).eps * (sv[0] if len(sv) else 0.0)))
    a_mat = u[:, rank:].T  # rows span the orthogonal complement of H's columns
    apa = a_mat @ pinv @ a_mat.T
    keep = ~(np.all(np.abs(apa) < 1e-12, axis=0) & np.all(np.abs(apa) < 1e-12, axis=1))
    a_mat, apa = a_mat[keep], apa[np.ix_(keep, keep)]
    mm = pinv @ a_mat.T @ np.linalg.pinv(apa) @ a_mat @ pinv
    wall = np.concatenate(ss.w)
    gall = block_diag(*[fg * gm for fg, gm in zip(ss.weights, ss.gamma)])
    wd = wall[:, None] * d1
    ug = (wd @ mm @ wd.T) @ gall
    tr1, tr2 = float(np.trace(ug)), float(np.sum(ug * ug.T))
    a = float(np.sqrt(m / tr2))
    b = float(m - a * tr1)
    td = a * (t0["stat"] - t1["stat"]) + b
    return dict(out, delta_chisq=td, delta_pvalue=_pvalue(max(td, 0.0), m), scale=a, shift=b)
