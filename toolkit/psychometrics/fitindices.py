"""Fit indices as lavaan 0.6-14's ``fitMeasures`` (``lav_fit_cfi.R``, ``lav_fit_rmsea.R``, ``lav_fit_srmr.R``).

- CFI = 1 - max(T - df, 0) / max(T - df, T_B - df_B, 0); TLI = 1 - (T - df) df_B / ((T_B - df_B) df);
  RMSEA = sqrt(G) sqrt(max(T / (N df) - 1/N, 0)) with a 90% interval from the noncentral chi-square, found
  with a port of R's ``uniroot`` (Brent's zeroin, tol = eps^0.25) so the bounds equal lavaan's.
- scaled versions plug the scaled statistics into the same formulas (RMSEA on df = c df);
- robust versions (Brosseau-Liard & Savalei 2014; Brosseau-Liard, Savalei & Li 2012) use
  max(T - c df, 0) and sqrt(max(T / (N df) - c / N, 0)); under FIML, T and c come from Zhang & Savalei's
  (2022) corrected statistic (:mod:`.fiml_robust`), reported by lavaan even for plain ML.
- SRMR (Bentler): residuals (s_ij - sigma_ij)/sqrt(s_ii s_jj) over the lower triangle with the diagonal, plus
  (m_i - mu_i)/sqrt(s_ii) with a mean structure, with the EM moments as "sample" moments under FIML; groups
  averaged with weights N_g/N.

References: Bentler (1990) Psych. Bull. 107:238-246; Steiger (1990) MBR 25:173-180; Hu & Bentler (1999).
"""
from __future__ import annotations

import numpy as np
from scipy import stats

EPS = np.finfo(float).eps


def uniroot(f, lower: float, upper: float, tol: float = EPS ** 0.25, maxiter: int = 1000) -> float:
    """R's ``uniroot(f, c(lower, upper))$root``: Brent's zeroin as R's ``R_zeroin2``; NaN without a sign change."""
    a, b = float(lower), float(upper)
    fa, fb = f(a), f(b)
    if not (np.isfinite(fa) and np.isfinite(fb)) or fa * fb > 0:
        return float("nan")
    if fa == 0:
        return a
    if fb == 0:
        return b
    c, fc = a, fa
    for _ in range(maxiter + 1):
        prev_step = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2 * EPS * abs(b) + tol / 2
        new_step = (c - b) / 2
        if abs(new_step) <= tol_act or fb == 0:
            return b
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:
                t1 = fb / fa
                p = cb * t1
                q = 1.0 - t1
            else:
                q, t1, t2 = fa / fc, fb / fc, fb / fa
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0))
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0:
                q = -q
            else:
                p = -p
            if p < (0.75 * cb * q - abs(tol_act * q) / 2) and p < abs(prev_step * q / 2):
                new_step = p / q
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = f(b)
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
    return b


def _pchisq(x2: float, df: float, ncp: float) -> float:
    return float(stats.chi2.cdf(x2, df)) if ncp <= 0 else float(stats.ncx2.cdf(x2, df, ncp))


def cfi(x2, df, bx2, bdf, c: float | None = None, cb: float | None = None) -> float:
    """CFI; with scaling factors c, cb (both != 1 and df > 0) the robust version."""
    if any(v is None or not np.isfinite(v) for v in (x2, df, bx2, bdf)) or \
            (c is not None and not np.isfinite(c)) or (cb is not None and not np.isfinite(cb)):
        return float("nan")
    if df > 0 and c is not None and cb is not None and c != 1 and cb != 1:
        t1 = max(x2 - c * df, 0.0)
        t2 = max(x2 - c * df, bx2 - cb * bdf, 0.0)
    else:
        t1 = max(x2 - df, 0.0)
        t2 = max(x2 - df, bx2 - bdf, 0.0)
    if abs(t1) < 1.5e-8 and abs(t2) < 1.5e-8:  # R: isTRUE(all.equal(t, 0))
        return 1.0
    return 1.0 - t1 / t2


def tli(x2, df, bx2, bdf, c: float | None = None, cb: float | None = None) -> float:
    if any(v is None or not np.isfinite(v) for v in (x2, df, bx2, bdf)) or \
            (c is not None and not np.isfinite(c)) or (cb is not None and not np.isfinite(cb)):
        return float("nan")
    if df > 0 and c is not None and cb is not None and c != 1 and cb != 1:
        t1, t2 = (x2 - c * df) * bdf, (bx2 - cb * bdf) * df
    else:
        t1, t2 = (x2 - df) * bdf, (bx2 - bdf) * df
    if df > 0 and abs(t2) > 0:
        return 1.0 - t1 / t2
    return 1.0


def rmsea(x2: float, df: float, n: int, groups: int = 1, c: float = 1.0) -> float:
    """lavaan: sqrt(max(X2/(N df) - c/N, 0)) * sqrt(G); 0 when df = 0."""
    if not (np.isfinite(x2) and np.isfinite(df) and np.isfinite(c)):
        return float("nan")
    if df <= 0:
        return 0.0
    return float(np.sqrt(max(x2 / n / df - c / n, 0.0)) * np.sqrt(groups))


def rmsea_ci(x2: float, df: float, n: int, groups: int = 1, c: float = 1.0, level: float = 0.90) -> list[float]:
    """Interval from the noncentral chi-square as ``lav_fit_rmsea_ci``: lambda with P(X2; df, lambda) = .95
    (lower) and .05 (upper), bound = sqrt(c lambda / (N df)) sqrt(G)."""
    if not (np.isfinite(x2) and np.isfinite(df) and np.isfinite(c)):
        return [float("nan"), float("nan")]
    hi_p, lo_p = 1 - (1 - level) / 2, (1 - level) / 2
    scale = np.sqrt(groups) if groups > 1 else 1.0
    if df < 1 or _pchisq(x2, df, 0) - hi_p < 0:
        lower = 0.0
    else:
        lam = uniroot(lambda v: _pchisq(x2, df, v) - hi_p, 0.0, x2)
        lower = float(np.sqrt(c * lam / (n * df)) * scale)
    n_rmsea = max(n, x2 * 4)
    if df < 1 or _pchisq(x2, df, n_rmsea) - lo_p > 0 or _pchisq(x2, df, 0) - lo_p < 0:
        upper = 0.0
    else:
        lam = uniroot(lambda v: _pchisq(x2, df, v) - lo_p, 0.0, n_rmsea)
        upper = float(np.sqrt(c * lam / (n * df)) * scale)
    return [lower, upper]


def rmsea_pvalue(x2: float, df: float, n: int, groups: int = 1, c: float = 1.0, h0: float = 0.05) -> float:
    """Test of close fit: 1 - P(X2; df, ncp = N df h0^2 / (c G))."""
    if df <= 0 or not (np.isfinite(x2) and np.isfinite(c)):
        return float("nan")
    return 1.0 - _pchisq(x2, df, n * df / c * h0 ** 2 / groups)


def srmr(fit) -> float:
    """Bentler's SRMR as lavaan's default ``srmr`` (see the module docstring)."""
    vals = []
    for g, (sigma, mu) in enumerate(fit.implied):
        s = fit.stats.cov[g]
        sd = np.sqrt(np.diag(s))
        r = (s - sigma) / np.outer(sd, sd)
        e = list(r[np.tril_indices_from(r)])
        if fit.structure.meanstructure:
            e += list((fit.stats.mean[g] - mu) / sd)
        vals.append(np.sqrt(np.mean(np.square(e))))
    return float(np.sum(fit.stats.weights * np.asarray(vals)))


def fit_measures(fit) -> dict:
    """chisq, df, pvalue, cfi, tli, rmsea (+ 90% CI and close-fit p), srmr, loglik, aic, bic, baseline; with a
    scaled test the ``*_scaled`` keys, and with MLR or FIML the ``*_robust`` keys (lavaan's names, dots as _)."""
    from .baseline import fit_baseline
    from .teststats import scaled_test, tests

    if getattr(fit.stats, "kind", "") == "ordinal":  # WLSMV on ordered indicators
        from .fitindices_ordinal import ordinal_fit_measures

        return ordinal_fit_measures(fit)
    n, g = fit.stats.ntotal, fit.ngroups
    std = tests(fit)["standard"]
    x2, df = std["stat"], std["df"]
    base = fit_baseline(fit)
    bstd = tests(base)["standard"]
    bx2, bdf = bstd["stat"], bstd["df"]
    ll, ll1 = fit.loglik()
    k = fit.npar
    out = {
        "chisq": x2, "df": df, "pvalue": std["pvalue"], "cfi": cfi(x2, df, bx2, bdf), "tli": tli(x2, df, bx2, bdf),
        "rmsea": rmsea(x2, df, n, g), "rmsea_ci": rmsea_ci(x2, df, n, g), "rmsea_pvalue": rmsea_pvalue(x2, df, n, g),
        "srmr": srmr(fit), "loglik": ll, "loglik_unrestricted": ll1, "aic": -2 * ll + 2 * k,
        "bic": float(-2 * ll + np.log(n) * k), "npar": k, "ntotal": n, "baseline_chisq": bx2, "baseline_df": bdf,
    }
    sc = scaled_test(fit)
    if sc is not None:
        bsc = scaled_test(base)
        c, cb = sc["scaling_factor"], bsc["scaling_factor"]
        tr = sc["trace"]
        out.update({
            "chisq_scaled": sc["stat"], "df_scaled": df, "pvalue_scaled": sc["pvalue"], "chisq_scaling_factor": c,
            "baseline_chisq_scaled": bsc["stat"], "baseline_df_scaled": bdf, "baseline_pvalue_scaled": bsc["pvalue"],
            "baseline_chisq_scaling_factor": cb,
            "cfi_scaled": cfi(sc["stat"], df, bsc["stat"], bdf), "tli_scaled": tli(sc["stat"], df, bsc["stat"], bdf),
            "rmsea_scaled": rmsea(x2, tr, n, g), "rmsea_ci_scaled": rmsea_ci(x2, tr, n, g),
            "rmsea_pvalue_scaled": rmsea_pvalue(x2, tr, n, g),
        })
    if fit.stats.missing:
        from .fiml_robust import fiml_corrected

        fc = fiml_corrected(fit, "V3" if sc is not None else "V6")
        xx3, c3, xx3b, c3b = fc["XX3"], fc["c3"], fc["XX3_null"], fc["c3_null"]
    elif sc is not None:
        xx3, c3, xx3b, c3b = x2, sc["scaling_factor"], bx2, scaled_test(base)["scaling_factor"]
    else:
        return out
    out.update({
        "cfi_robust": cfi(xx3, df, xx3b, bdf, c3, c3b), "tli_robust": tli(xx3, df, xx3b, bdf, c3, c3b),
        "rmsea_robust": rmsea(xx3, df, n, g, c3), "rmsea_ci_robust": rmsea_ci(xx3 / c3, df, n, g, c3),
        "rmsea_pvalue_robust": rmsea_pvalue(xx3 / c3, df, n, g, c3),
    })
    return out
