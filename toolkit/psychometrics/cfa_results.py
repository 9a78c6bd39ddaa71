"""What a CFA reports: the parameter table, the standardized solution, reliability, discriminant validity and
guidance, collected in :class:`CFAResult` (``to_dict`` is the ``--json`` structure, ``summary`` the text).

References: Fornell & Larcker (1981) JMR 18:39-50; Henseler, Ringle & Sarstedt (2015) JAMS 43:115-135;
Hu & Bentler (1999) SEM 6:1-55.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ..report.tables import p_clause
from .estimators import ModelFit
from .estimators.information import vcov
from .sem_model import ModelSpec

# Hu & Bentler (1999) cut-offs: index -> (direction, cut-off)
CUTOFFS = {"cfi": (">=", 0.95), "tli": (">=", 0.95), "rmsea": ("<=", 0.06), "srmr": ("<=", 0.08)}
FIT_KEYS = ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci", "srmr", "loglik", "aic", "bic")
EXTRA_KEYS = ("npar", "rmsea_pvalue", "loglik_unrestricted", "baseline_chisq", "baseline_df")
ROBUST_KEYS = ("chisq_scaled", "df_scaled", "pvalue_scaled", "chisq_scaling_factor", "chisq_shift_parameter",
               "baseline_chisq_scaled",
               "baseline_df_scaled", "baseline_pvalue_scaled", "baseline_chisq_scaling_factor", "cfi_scaled",
               "tli_scaled", "rmsea_scaled", "rmsea_ci_scaled", "cfi_robust", "tli_robust", "rmsea_robust",
               "rmsea_ci_robust")


def fit_verdicts(fit: dict, robust: bool = False) -> list[str]:
    """Hu & Bentler (1999) cut-offs as guidance, e.g. ``"CFI .931 < .95: below the usual cut-off"``; with
    *robust* on the robust CFI, TLI and RMSEA (MLR)."""
    out = []
    for k, (op, cut) in CUTOFFS.items():
        key = f"{k}_robust" if robust and k != "srmr" and f"{k}_robust" in fit else k
        v = fit.get(key)
        if v is None or not np.isfinite(v):
            continue
        ok = v >= cut if op == ">=" else v <= cut
        sym = (">=" if ok else "<") if op == ">=" else ("<=" if ok else ">")
        word = "meets the usual cut-off" if ok else ("below the usual cut-off" if op == ">=" else
                                                     "above the usual cut-off")
        name = k.upper() + (" (robust)" if key != k else "")
        out.append(f"{name} {_f3(v)} {sym} {_f3(cut, 2)}: {word} (Hu & Bentler 1999)")
    return out


def _f3(v: float, digits: int = 3) -> str:
    s = f"{v:.{digits}f}"
    return s.replace("0.", ".", 1) if abs(v) < 1 else s


def htmt(cov: np.ndarray, spec: ModelSpec) -> pd.DataFrame:
    """Heterotrait-monotrait ratio (Henseler et al. 2015) on the absolute item correlations of *cov* (the
    sample covariance, or under FIML the EM estimate, as ``lavCor(missing = "ml")``).

    HTMT_ij = mean |r| between items of i and items of j / sqrt(mean |r| within i * mean |r| within j),
    within-factor means over the off-diagonal correlations (semTools' ``htmt(absolute=TRUE, htmt2=FALSE)``).
    """
    sd = np.sqrt(np.diag(cov))
    r = pd.DataFrame(np.abs(cov / np.outer(sd, sd)), index=spec.observed, columns=spec.observed)
    f = spec.factors
    mono = {}
    for a in f:
        it = spec.indicators[a]
        sub = r.loc[it, it].to_numpy()
        k = len(it)
        mono[a] = (sub.sum() - k) / (k * (k - 1)) if k > 1 else np.nan
    out = pd.DataFrame(np.nan, index=f, columns=f)
    for i, a in enumerate(f):
        out.loc[a, a] = 1.0
        for b in f[i + 1:]:
            het = r.loc[spec.indicators[a], spec.indicators[b]].to_numpy().mean()
            den = mono[a] * mono[b]
            v = het / np.sqrt(den) if den > 0 else np.nan
            out.loc[a, b] = out.loc[b, a] = v
    return out


def standardized(fit: ModelFit, g: int = 0) -> dict:
    """std.all solution of group *g*: loadings, residual variances and factor correlations."""
    m = fit.matrices(g)
    sigma = fit.implied[g][0]
    sd_obs = np.sqrt(np.diag(sigma))
    psi = m["psi"]
    sd_lat = np.sqrt(np.abs(np.diag(psi)))
    lam_std = m["lambda"] * sd_lat[None, :] / sd_obs[:, None]
    theta_std = m["theta"] / np.outer(sd_obs, sd_obs)
    with np.errstate(invalid="ignore", divide="ignore"):
        phi = psi / np.outer(sd_lat, sd_lat)
    return {"lambda": lam_std, "theta": theta_std, "phi": phi}


def estimates_table(fit: ModelFit) -> pd.DataFrame:
    """Parameter table (lhs, op, rhs, group, est, se, z, pvalue, std_all) as lavaan's parameterEstimates, with
    the standard errors of the fit's estimator (expected/observed information, or the MLR sandwich)."""
    st = fit.structure
    se_all = np.sqrt(np.clip(np.diag(vcov(fit)), 0, None))
    rows = []
    std = [standardized(fit, g) for g in range(fit.ngroups)]
    oi = {v: i for i, v in enumerate(st.observed)}
    fi = {v: i for i, v in enumerate(st.factors)}
    for r in st.table:
        g, k = r["group"], r["free"]
        mats = fit.matrices(g)
        est = float(mats[r["mat"]][(r["pos"])])
        se = float(se_all[k]) if k >= 0 else np.nan
        z = est / se if k >= 0 and se > 0 else np.nan
        s = std[g]
        if r["op"] == "=~":
            sv = s["lambda"][oi[r["rhs"]], fi[r["lhs"]]]
        elif r["op"] == "~*~":  # scale factors of ordered items: 1 in the standardized solution (lavaan)
            sv = 1.0
        elif r["op"] == "~~" and r["lhs"] in oi:
            sv = s["theta"][oi[r["lhs"]], oi[r["rhs"]]]
            if r["lhs"] != r["rhs"]:  # lavaan: residual correlation
                t = mats["theta"]
                i, j = oi[r["lhs"]], oi[r["rhs"]]
                sv = t[i, j] / np.sqrt(t[i, i] * t[j, j]) if t[i, i] > 0 and t[j, j] > 0 else np.nan
        elif r["op"] == "~~":
            sv = s["phi"][fi[r["lhs"]], fi[r["rhs"]]]
        elif r["lhs"] in oi:
            sv = est / np.sqrt(fit.implied[g][0][oi[r["lhs"]], oi[r["lhs"]]])
        else:
            sv = est / np.sqrt(abs(mats["psi"][fi[r["lhs"]], fi[r["lhs"]]]))
        rows.append({"lhs": r["lhs"], "op": r["op"], "rhs": r["rhs"],
                     "group": fit.stats.groups[g] if fit.ngroups > 1 else None, "est": est, "se": se, "z": z,
                     "pvalue": 2 * stats.norm.sf(abs(z)) if np.isfinite(z) else np.nan, "std_all": float(sv)})
    out = pd.DataFrame(rows)
    if fit.ngroups == 1:
        out = out.drop(columns="group")
    return out


def reliability_table(spec: ModelSpec, loadings: pd.DataFrame, theta_std: np.ndarray, phi: np.ndarray,
                      observed: list[str]) -> pd.DataFrame:
    """Composite reliability and AVE per factor on the standardized solution (Fornell & Larcker 1981).

    CR = (sum lambda)^2 / ((sum lambda)^2 + sum theta); AVE = sum lambda^2 / (sum lambda^2 + sum theta).
    The Fornell-Larcker criterion compares sqrt(AVE) with the factor's largest absolute correlation.
    """
    oi = {v: i for i, v in enumerate(observed)}
    rows = []
    for j, f in enumerate(spec.factors):
        sub = loadings[loadings["factor"] == f]
        lam = sub["std_all"].to_numpy()
        th = np.array([theta_std[oi[x], oi[x]] for x in sub["item"]])
        cr = lam.sum() ** 2 / (lam.sum() ** 2 + th.sum())
        ave = (lam ** 2).sum() / ((lam ** 2).sum() + th.sum())
        others = [abs(phi[j, k]) for k in range(len(spec.factors)) if k != j]
        max_r = max(others) if others else np.nan
        rows.append({"factor": f, "n_items": len(lam), "cr": cr, "ave": ave, "sqrt_ave": np.sqrt(max(ave, 0)),
                     "max_abs_r": max_r,
                     "fornell_larcker": bool(np.sqrt(max(ave, 0)) > max_r) if others else None})
    return pd.DataFrame(rows)


def reliability_verdicts(rel: pd.DataFrame, ht: pd.DataFrame) -> list[str]:
    out = []
    for r in rel.itertuples():
        if r.cr < 0.70:
            out.append(f"{r.factor}: CR {_f3(r.cr)} < .70: below the usual cut-off")
        if r.ave < 0.50:
            out.append(f"{r.factor}: AVE {_f3(r.ave)} < .50: the factor explains less than half of its items' "
                       "variance (Fornell & Larcker 1981)")
        if r.fornell_larcker is False:
            out.append(f"{r.factor}: sqrt(AVE) {_f3(r.sqrt_ave)} <= |r| {_f3(r.max_abs_r)} with another factor "
                       "(Fornell-Larcker criterion not met)")
    f = list(ht.index)
    for i, a in enumerate(f):
        for b in f[i + 1:]:
            v = ht.loc[a, b]
            if np.isfinite(v) and v >= 0.85:
                out.append(f"HTMT {a}/{b} {_f3(v)} >= .85: discriminant validity doubtful (Henseler et al. 2015)")
    return out


def fitted_tables(fit: ModelFit, spec: ModelSpec, cov: np.ndarray, warnings) -> dict:
    """What every CFA reports from a fitted model, whatever the estimator: fit measures, estimates, loadings with
    R², standardized factor correlations, composite reliability/AVE and HTMT (on *cov*), and the warnings (those
    given, the fit's, and unidentified standard errors blanked out with a note)."""
    from .estimators.information import identified
    from .fitindices import fit_measures

    obs = spec.observed
    std = standardized(fit)
    est = estimates_table(fit)
    ld = est[est["op"] == "=~"].rename(columns={"lhs": "factor", "rhs": "item"}).drop(columns="op")
    ld = ld[["factor", "item", "est", "se", "z", "pvalue", "std_all"]].reset_index(drop=True)
    oi = {v: i for i, v in enumerate(obs)}
    ld["r2"] = [1 - std["theta"][oi[x], oi[x]] for x in ld["item"]]
    warn = list(warnings) + list(fit.warnings)
    if not identified(fit):
        warn.append("standard errors could not be computed: the information matrix cannot be inverted (the model "
                    "may not be identified, e.g. a factor whose items do not correlate)")
        est["se"] = est["z"] = est["pvalue"] = float("nan")
        ld[["se", "z", "pvalue"]] = float("nan")
    return {"fit": fit_measures(fit), "std": std, "estimates": est, "loadings": ld,
            "phi": pd.DataFrame(std["phi"], index=spec.factors, columns=spec.factors),
            "reliability": reliability_table(spec, ld, std["theta"], std["phi"], obs), "htmt": htmt(cov, spec),
            "warnings": warn}


@dataclass
class CFAResult:
    """Result of :func:`~toolkit.psychometrics.cfa.cfa`: fit indices, loadings, reliability, discriminant
    validity, modification indices, verdicts."""

    n: int
    n_dropped: int
    model: str
    fit: dict
    loadings: pd.DataFrame
    factor_correlations: pd.DataFrame
    reliability: pd.DataFrame
    htmt: pd.DataFrame
    verdicts: list[str]
    warnings: list[str]
    notes: list[str]
    estimates: pd.DataFrame
    model_fit: ModelFit = field(repr=False)
    invariance: object | None = None  # InvarianceResult, filled by the CLI when --group is given
    estimator: str = "ML"
    missing: str = "listwise"
    n_incomplete: int = 0
    modification_indices: pd.DataFrame = field(default_factory=pd.DataFrame)
    screening: object = None  # what screening set to missing (toolkit.psychometrics.screening.Screening)
    thresholds: pd.DataFrame | None = None  # WLSMV: threshold estimates (label, item, threshold, est, se, ...)

    @property
    def fit_table(self) -> pd.DataFrame:
        """One row per fit index with Hu & Bentler's cut-off where one exists."""
        rows = []
        for k in FIT_KEYS + tuple(k for k in ROBUST_KEYS if k in self.fit):
            v = self.fit[k]
            if v is None:  # e.g. no log-likelihood for WLSMV
                continue
            if isinstance(v, list):
                rows.append({"index": f"{k}_lower", "value": v[0], "cutoff": ""})
                rows.append({"index": f"{k}_upper", "value": v[1], "cutoff": ""})
                continue
            cut = CUTOFFS.get(k.replace("_robust", ""))
            rows.append({"index": k, "value": v, "cutoff": f"{cut[0]} {cut[1]}" if cut else ""})
        rows.append({"index": "npar", "value": self.fit["npar"], "cutoff": ""})
        rows.append({"index": "n", "value": self.n, "cutoff": ""})
        rows.append({"index": "n_dropped", "value": self.n_dropped, "cutoff": ""})
        return pd.DataFrame(rows)

    def to_dict(self) -> dict:
        fc = self.factor_correlations
        f = list(fc.index)
        keys = FIT_KEYS + EXTRA_KEYS + tuple(k for k in ROBUST_KEYS if k in self.fit)
        out = {
            "n": self.n,
            "n_dropped": self.n_dropped,
            "model": self.model,
            "estimator": self.estimator,
            "missing": self.missing,
            "n_incomplete": self.n_incomplete,
            "fit": {k: self.fit[k] for k in keys},
            "std_loadings": {f"{r.factor}=~{r.item}": r.std_all for r in self.loadings.itertuples()},
            "loadings": self.loadings.to_dict(orient="records"),
            "reliability": {r.factor: {"cr": r.cr, "ave": r.ave, **({"omega_categorical": r.omega_categorical}
                                                                 if hasattr(r, "omega_categorical") else {})}
                            for r in self.reliability.itertuples()},
            "factor_correlations": {f"{a}~~{b}": fc.loc[a, b] for i, a in enumerate(f) for b in f[i + 1:]},
            "htmt": {f"{a}~~{b}": self.htmt.loc[a, b] for i, a in enumerate(f) for b in f[i + 1:]},
            "modification_indices": self.modification_indices.to_dict(orient="records"),
            "verdicts": self.verdicts,
            "warnings": self.warnings,
            "notes": self.notes,
        }
        if self.thresholds is not None:
            out["thresholds"] = {r.label: r.est for r in self.thresholds.itertuples()}
        if self.screening is not None:
            out["screening"] = self.screening.to_dict()
        if self.invariance is not None:
            inv = self.invariance.to_dict()
            out["invariance"] = inv["invariance"]
            out["groups"] = inv["groups"]
            if inv.get("free"):
                out["free"] = inv["free"]
        return out

    def summary(self) -> str:
        """A short plain-text report."""
        f = self.fit
        if self.missing == "fiml":
            rows = f"{self.n} rows, FIML ({self.n_incomplete} with missing answers, {self.n_dropped} dropped)"
        else:
            rows = f"{self.n} complete cases ({self.n_dropped} dropped)"
        ll = "" if f.get("loglik") is None else \
            f"; logL = {f['loglik']:.3f}, AIC = {f['aic']:.3f}, BIC = {f['bic']:.3f}"
        lines = [f"CFA ({self.estimator}, lavaan conventions): n = {rows}",
                 f"chi2({f['df']}) = {f['chisq']:.3f}, {p_clause(f['pvalue'])}; CFI = {f['cfi']:.3f}, "
                 f"TLI = {f['tli']:.3f}, RMSEA = {f['rmsea']:.3f} [{f['rmsea_ci'][0]:.3f}, {f['rmsea_ci'][1]:.3f}], "
                 f"SRMR = {f['srmr']:.3f}{ll}"]
        if "chisq_shift_parameter" in f:
            lines.append(f"scaled-shifted (WLSMV): chi2({f['df']}) = {f['chisq_scaled']:.3f}, "
                         f"{p_clause(f['pvalue_scaled'])} (scaling factor {f['chisq_scaling_factor']:.3f}, shift "
                         f"{f['chisq_shift_parameter']:.3f}); CFI = {f['cfi_scaled']:.3f}, TLI = {f['tli_scaled']:.3f}, "
                         f"RMSEA = {f['rmsea_scaled']:.3f}")
        elif "chisq_scaled" in f:
            lines.append(f"scaled (Yuan-Bentler): chi2({f['df']}) = {f['chisq_scaled']:.3f}, "
                         f"{p_clause(f['pvalue_scaled'])}, scaling factor {f['chisq_scaling_factor']:.3f}; CFI = "
                         f"{f['cfi_scaled']:.3f}, TLI = {f['tli_scaled']:.3f}, RMSEA = {f['rmsea_scaled']:.3f}")
        if "cfi_robust" in f:
            ci = f["rmsea_ci_robust"]
            lines.append(f"robust: CFI = {f['cfi_robust']:.3f}, TLI = {f['tli_robust']:.3f}, RMSEA = "
                         f"{f['rmsea_robust']:.3f} [{ci[0]:.3f}, {ci[1]:.3f}]")
        lines += ["  " + v for v in self.verdicts]
        lines.append("")
        lines.append("Loadings:")
        lines.append(self.loadings.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        if self.thresholds is not None:
            lines.append("")
            lines.append("Thresholds (latent-response scale, robust SEs):")
            lines.append(self.thresholds.drop(columns=["item", "threshold"]).to_string(
                index=False, float_format=lambda v: f"{v:.3f}"))
        lines.append("")
        lines.append("Reliability (standardized solution):")
        lines.append(self.reliability.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        if len(self.factor_correlations) > 1:
            lines.append("")
            lines.append("Factor correlations:")
            lines.append(self.factor_correlations.to_string(float_format=lambda v: f"{v:.3f}"))
            lines.append("")
            lines.append("HTMT (Henseler et al. 2015; < .85 suggests discriminant validity):")
            lines.append(self.htmt.to_string(float_format=lambda v: f"{v:.3f}"))
        if len(self.modification_indices):
            lines.append("")
            lines.append("Modification indices (largest first; MI = expected drop in chi-square if freed, EPC = "
                         "expected parameter change; free a parameter only if theory supports it):")
            lines.append(self.modification_indices.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        if self.invariance is not None:
            lines.append("")
            lines.append(self.invariance.summary(skip_notes=self.notes))
        for n in self.notes:
            lines.append(f"note: {n}")
        return "\n".join(lines)

    def to_excel(self, path, provenance: dict | None = None) -> None:
        """Sheets Fit, Loadings, Reliability (with the factor correlations), HTMT, Invariance and Modification
        indices through the toolkit's one table writer (:func:`toolkit.report.tables.write_workbook`)."""
        from ..report.labels import label
        from ..report.tables import Column, Table, write_workbook

        est = f"{self.estimator}, " + ("FIML" if self.missing == "fiml" else "complete cases")
        if self.thresholds is not None:
            est += ", ordered items"
        fit = self.fit_table.assign(index=lambda d: [FIT_LABELS.get(k, label(k)) for k in d["index"]])
        # counts by what they are, not by their value (a CFI of exactly 1 or an RMSEA of 0 is an index, not a count)
        counts = self.fit_table["index"].map(lambda k: k in ("npar", "n", "n_dropped", "n_incomplete")
                                             or k == "df" or k.startswith(("df_", "baseline_df")))
        guidance = "\n".join(["Guidance, not truth:"] + self.verdicts + self.warnings + self.notes)
        tables = [
            Table("Fit", fit[~counts], title=f"Model fit ({est}, lavaan conventions), n = {self.n}",
                  columns=[Column("index", "Index"), Column("value", "Value", "num3"), Column("cutoff", "Cut-off")]),
            Table("Fit", fit[counts], title="Degrees of freedom, parameters and rows",
                  columns=[Column("index", "Index"), Column("value", "Value", "int")], note=guidance),
            Table("Loadings", self.loadings, title="Loadings: estimate, SE, z, p, standardized (std.all), R²",
                  columns=["factor", "item", "est", "se", "z", "pvalue", "std_all", Column("r2", "R²", "prop")]),
            Table("Reliability", self.reliability, title="Composite reliability and AVE (Fornell & Larcker 1981)",
                  columns=["factor", "n_items", "cr", "ave", Column("sqrt_ave", "√AVE", "prop"),
                           Column("max_abs_r", "Largest |r| with another factor", "prop"),
                           Column("fornell_larcker", "Fornell-Larcker criterion met")]
                  + ([Column("omega_categorical", "Categorical omega (Green & Yang 2009)", "prop")]
                     if "omega_categorical" in self.reliability else [])),
        ]
        if self.thresholds is not None:
            th = self.thresholds
            cols = ["item", "threshold"] + (["group"] if "group" in th else []) + ["est", "se", "z", "pvalue"]
            tables.insert(3, Table("Thresholds", th[cols], title="Thresholds (latent-response scale) with robust SEs",
                                   columns=cols, note="Threshold c of an item: the point on the standard normal "
                                   "latent response above which answers fall in category c+1 or higher."))
        if len(self.factor_correlations) > 1:
            fc = self.factor_correlations.rename_axis("factor")
            tables.append(Table("Reliability", fc, index=True, title="Factor correlations",
                                columns=["factor"] + [Column(c, kind="prop") for c in fc.columns]))
        ht = self.htmt.rename_axis("factor")
        tables.append(Table("HTMT", ht, index=True, title="Heterotrait-monotrait ratio (HTMT)",
                            columns=["factor"] + [Column(c, kind="prop") for c in ht.columns],
                            note="HTMT < .85 suggests discriminant validity (Henseler et al. 2015)."))
        if self.invariance is None:
            tables.append(Table("Invariance", pd.DataFrame({"note": [
                "No grouping column given (use --group COLUMN for measurement invariance)."]}), header=False))
        else:
            tables += self.invariance.excel_tables()
        mi = self.modification_indices
        if len(mi):
            tables.append(Table("Modification indices", mi, title="Largest modification indices (lavaan modindices)",
                                note="MI = expected drop in chi-square if the parameter were freed; EPC = expected "
                                     "parameter change. Free a parameter only if theory supports it."))
        write_workbook(path, tables, provenance=provenance)


# the Fit sheet's row labels that the shared vocabulary does not spell out
FIT_LABELS = {"loglik": "Log-likelihood", "rmsea_ci_lower": "RMSEA 90% CI lower", "rmsea_ci_upper": "RMSEA 90% CI upper",
              "rmsea_ci_scaled_lower": "RMSEA (scaled) 90% CI lower", "rmsea_ci_scaled_upper": "RMSEA (scaled) 90% CI upper",
              "rmsea_ci_robust_lower": "RMSEA (robust) 90% CI lower", "rmsea_ci_robust_upper": "RMSEA (robust) 90% CI upper",
              "npar": "Free parameters", "baseline_chisq_scaled": "Baseline χ² (scaled)",
              "baseline_df_scaled": "Baseline df (scaled)", "baseline_pvalue_scaled": "Baseline p (scaled)",
              "baseline_chisq_scaling_factor": "Baseline scaling factor",
              "chisq_shift_parameter": "Shift parameter (scaled-shifted test)"}
