"""Fit indices of a WLSMV fit on ordered indicators, as lavaan 0.6-14's ``fitMeasures``.

- chi-square: T = sum_g (N_g - 1) (s_g - sigma_g)' W_g (s_g - sigma_g); scaled-shifted T_ss = a T + b
  (:func:`..teststats.scaled_shifted`).
- baseline (``lav_partable_unrestricted``, independence): thresholds free, no correlations, so
  T_B = sum_g (N_g - 1) sum_{i<j} w_ij r_ij^2 on G p(p-1)/2 df; its scaled-shifted version uses
  Delta_B = [I; 0].
- CFI, TLI: the usual formulas with (T, T_B), scaled versions with (T_ss, T_B,ss). RMSEA uses N - G
  (lavaan's ``lav_utils_get_ntotal`` for DWLS): sqrt(G) sqrt(max(T / ((N - G) df) - 1/(N - G), 0)); the scaled
  RMSEA plugs in T_ss on df.
- robust CFI/TLI/RMSEA (Savalei 2021; ``lav_fit_catml_dwls``): at the DWLS estimates, with P the implied and
  R the sample polychoric matrix, XX3 = sum_g N_g [log|P| + tr(R P^-1) - log|R| - p];
  k = tr(M' V M Gamma) over the correlation rows (M = I - Delta E^-1 Delta' W, V the normal-theory weight
  V_kl = (P^-1)_ia (P^-1)_jb + (P^-1)_ib (P^-1)_ja; W, V weighted by f_g, Gamma by 1/f_g), c3 = k/df;
  baseline XX3_B = -sum_g N_g log|R_g|, c3_B = sum_g tr(Gamma_g,r)/f_g / df_B; then the robust formulas of
  :mod:`.fitindices`, with N - G in the RMSEA (0.6-14). NaN when a polychoric matrix is not positive definite
  (eigenvalue < sqrt(eps)), and when thresholds are held equal across groups (lavaan 0.6-14 cannot refit
  those models as catML and reports NA).
- SRMR: sqrt(sum_{i<j} (r_ij - rho_ij)^2 / (p (p+1)/2)) per group, weighted by N_g/N.
No log-likelihood, AIC or BIC exist for DWLS (None).

References: Muthen, du Toit & Spisic (1997); Savalei (2021) MBR 56:390-407; Rosseel (2012) lavaan.
"""
from __future__ import annotations

import numpy as np

from .fitindices import cfi, rmsea, rmsea_ci, rmsea_pvalue, tli
from .teststats import _pvalue, scaled_shifted_ab, tests


def _pairs(p):
    jj, ii = np.triu_indices(p, 1)
    return ii, jj


def baseline_tests(fit) -> dict:
    """(T_B, df_B, T_B,ss, 1/a_B, b_B) of the independence model."""
    if "ord_baseline" in fit.cache:
        return fit.cache["ord_baseline"]
    ss, st = fit.stats, fit.structure
    nth = int(sum(st.nthr))
    G = fit.ngroups
    p = st.p
    bdf = G * p * (p - 1) // 2
    x2 = float(sum((ss.n[g] - 1) * np.sum(ss.w[g][nth:] * ss.s[g][nth:] ** 2) for g in range(G)))
    deltas, info = [], np.zeros((G * nth, G * nth))
    for g in range(G):
        d = np.zeros((len(ss.s[g]), G * nth))
        d[np.arange(nth), g * nth + np.arange(nth)] = 1.0
        deltas.append(d)
        info += ss.weights[g] * d.T @ (ss.w[g][:, None] * d)
    a, b = scaled_shifted_ab(deltas, ss.w, ss.gamma, ss.weights, np.linalg.inv(info), bdf)
    out = {"stat": x2, "df": bdf, "stat_ss": a * x2 + b, "scaling_factor": 1.0 / a, "shift": b}
    fit.cache["ord_baseline"] = out
    return out


def catml_robust(fit) -> dict | None:
    """XX3, c3, XX3_B, c3_B of lavaan's ``lav_fit_catml_dwls`` (None when a polychoric matrix is not PD)."""
    from .estimators.information import deltas, inverted_information

    ss, st = fit.stats, fit.structure
    p = st.p
    ii, jj = _pairs(p)
    nth = int(sum(st.nthr))
    xx3 = xx3b = kb = 0.0
    rows_d, ws, vs, gs = [], [], [], []
    for g in range(fit.ngroups):
        r = ss.cov[g]
        if np.linalg.eigvalsh(r).min() < np.finfo(float).eps ** 0.5:
            return None
        m = st.matrices(fit.theta, g)
        lam, dl = m["lambda"], m["delta"]
        pm = dl[:, None] * (lam @ m["psi"] @ lam.T + m["theta"]) * dl[None, :]
        pinv = np.linalg.inv(pm)
        ld_p, ld_r = np.linalg.slogdet(pm)[1], np.linalg.slogdet(r)[1]
        xx3 += ss.n[g] * (ld_p + np.sum(r * pinv) - ld_r - p)
        xx3b += -ss.n[g] * ld_r
        f = ss.weights[g]
        v = pinv[np.ix_(ii, ii)] * pinv[np.ix_(jj, jj)] + pinv[np.ix_(ii, jj)] * pinv[np.ix_(jj, ii)]
        rows_d.append(deltas(fit)[g][nth:])
        ws.append(f * ss.w[g][nth:])
        vs.append(f * v)
        gm = ss.gamma[g][nth:, nth:] / f
        gs.append(gm)
        kb += float(np.trace(gm))
    einv = inverted_information(fit, "expected")
    dall = np.vstack(rows_d)
    wall = np.concatenate(ws)
    # M = I - Delta E^-1 Delta' W (W diagonal); k = tr(M' V M Gamma) with block-diagonal V and Gamma
    mm = -(dall @ einv @ dall.T) * wall[None, :]
    mm[np.diag_indices_from(mm)] += 1.0
    from scipy.linalg import block_diag

    vall, gall = block_diag(*vs), block_diag(*gs)
    k = float(np.sum((mm.T @ vall @ mm) * gall.T))
    df, bdf = fit.df, fit.ngroups * p * (p - 1) // 2
    return {"XX3": xx3, "c3": k / df if df > 0 else float("nan"), "XX3_null": xx3b, "c3_null": kb / bdf}


def thresholds_constrained(st) -> bool:
    """True when a threshold is held equal across groups: lavaan 0.6-14's catML refit then fails (its
    equality constraints refer to the removed thresholds) and it reports no robust CFI/TLI/RMSEA; so do we."""
    ids = st.tau_idx[st.tau_idx >= 0]
    return len(ids) != len(np.unique(ids))


def srmr_categorical(fit) -> float:
    ss, st = fit.stats, fit.structure
    p = st.p
    ii, jj = _pairs(p)
    nth = int(sum(st.nthr))
    vals = []
    for g in range(fit.ngroups):
        res = ss.s[g][nth:] - st.star(fit.theta, g)[nth:]
        vals.append(np.sqrt(np.sum(res ** 2) / (p * (p + 1) / 2)))
    return float(np.sum(ss.weights * np.asarray(vals)))


def ordinal_fit_measures(fit) -> dict:
    """The fit keys of :func:`.fitindices.fit_measures` for a WLSMV fit (see the module docstring)."""
    G = fit.ngroups
    n = fit.stats.ntotal - G
    t = tests(fit)
    std, sc = t["standard"], t["scaled.shifted"]
    x2, df = std["stat"], std["df"]
    bt = baseline_tests(fit)
    bx2, bdf = bt["stat"], bt["df"]
    out = {
        "chisq": x2, "df": df, "pvalue": std["pvalue"], "cfi": cfi(x2, df, bx2, bdf), "tli": tli(x2, df, bx2, bdf),
        "rmsea": rmsea(x2, df, n, G), "rmsea_ci": rmsea_ci(x2, df, n, G), "rmsea_pvalue": rmsea_pvalue(x2, df, n, G),
        "srmr": srmr_categorical(fit), "loglik": None, "loglik_unrestricted": None, "aic": None, "bic": None,
        "npar": fit.npar, "ntotal": fit.stats.ntotal, "baseline_chisq": bx2, "baseline_df": bdf,
    }
    ts, bts = sc["stat"], bt["stat_ss"]
    out.update({
        "chisq_scaled": ts, "df_scaled": df, "pvalue_scaled": sc["pvalue"],
        "chisq_scaling_factor": sc["scaling_factor"], "chisq_shift_parameter": sc["shift_parameter"],
        "baseline_chisq_scaled": bts, "baseline_df_scaled": bdf, "baseline_pvalue_scaled": _pvalue(bts, bdf),
        "baseline_chisq_scaling_factor": bt["scaling_factor"],
        "cfi_scaled": cfi(ts, df, bts, bdf), "tli_scaled": tli(ts, df, bts, bdf),
        "rmsea_scaled": rmsea(ts, df, n, G), "rmsea_ci_scaled": rmsea_ci(ts, df, n, G),
        "rmsea_pvalue_scaled": rmsea_pvalue(ts, df, n, G),
    })
    rb = catml_robust(fit) if df > 0 and not thresholds_constrained(fit.structure) else None
    if rb is None:
        nan = float("nan")
        out.update({"cfi_robust": nan, "tli_robust": nan, "rmsea_robust": nan, "rmsea_ci_robust": [nan, nan],
                    "rmsea_pvalue_robust": nan})
        return out
    xx3, c3, xx3b, c3b = rb["XX3"], rb["c3"], rb["XX3_null"], rb["c3_null"]
    out.update({
        "cfi_robust": cfi(xx3, df, xx3b, bdf, c3, c3b), "tli_robust": tli(xx3, df, xx3b, bdf, c3, c3b),
        "rmsea_robust": rmsea(xx3, df, n, G, c3), "rmsea_ci_robust": rmsea_ci(xx3 / c3, df, n, G, c3),
        "rmsea_pvalue_robust": rmsea_pvalue(xx3 / c3, df, n, G, c3),
    })
    return out
