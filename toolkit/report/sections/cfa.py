"""Section 5, Confirmatory factor analysis: the fit with the usual cut-offs as guidance, standardized loadings,
a path diagram (factors, items, loadings, factor correlations), and measurement invariance across the
``--group`` column (``toolkit.cfa`` and ``toolkit.invariance``, as lavaan)."""
from __future__ import annotations

from ..tables import p_clause
from .base import Section, fmt, n_, register
from .sample import missing_survey

#: index -> (label, kind, guidance shown beside it)
FIT_ROWS = [
    ("chisq", "χ²", "num", "smaller is better; sensitive to N"),
    ("df", "df", "int", ""),
    ("pvalue", "p (χ² test)", "p", "> .05: exact fit not rejected"),
    ("cfi", "CFI", "prop3", "≥ .95 good, ≥ .90 acceptable"),
    ("tli", "TLI", "prop3", "≥ .95 good, ≥ .90 acceptable"),
    ("rmsea", "RMSEA", "prop3", "≤ .06 good, ≤ .08 acceptable"),
    ("rmsea_ci_lower", "RMSEA 90% CI lower", "prop3", ""),
    ("rmsea_ci_upper", "RMSEA 90% CI upper", "prop3", "upper bound ≤ .10"),
    ("srmr", "SRMR", "prop3", "≤ .08 good"),
    ("chisq_scaled", "χ² (scaled)", "num", "robust (MLR) test statistic"),
    ("pvalue_scaled", "p (scaled χ²)", "p", "> .05: exact fit not rejected"),
    ("cfi_robust", "CFI (robust)", "prop3", "≥ .95 good, ≥ .90 acceptable"),
    ("tli_robust", "TLI (robust)", "prop3", "≥ .95 good, ≥ .90 acceptable"),
    ("rmsea_robust", "RMSEA (robust)", "prop3", "≤ .06 good, ≤ .08 acceptable"),
    ("aic", "AIC", "num", "for comparing models: smaller is better"),
    ("bic", "BIC", "num", "for comparing models: smaller is better"),
]
GOOD = {"cfi": (">=", 0.95), "tli": (">=", 0.95), "rmsea": ("<=", 0.06), "srmr": ("<=", 0.08),
        "rmsea_ci_upper": ("<=", 0.10), "cfi_robust": (">=", 0.95), "tli_robust": (">=", 0.95),
        "rmsea_robust": ("<=", 0.06)}
OK = {"cfi": (">=", 0.90), "tli": (">=", 0.90), "rmsea": ("<=", 0.08), "cfi_robust": (">=", 0.90),
      "tli_robust": (">=", 0.90), "rmsea_robust": ("<=", 0.08)}


#: the fit table of a WLSMV fit (ordered items): the scaled-shifted test and the robust and scaled indices are
#: the ones judged; the plain DWLS chi-square/CFI/TLI/RMSEA look too good with ordered data (Savalei 2021), so
#: they are only in the workbook's "CFA fit measures" sheet, with every other fit measure
FIT_ROWS_ORDERED = [
    ("chisq_scaled", "Scaled-shifted χ²", "num", "smaller is better; sensitive to N"),
    ("df_scaled", "df", "int", ""),
    ("pvalue_scaled", "p (scaled-shifted χ²)", "p", "> .05: exact fit not rejected"),
    ("cfi_robust", "CFI (robust)", "prop3", "≥ .95 good, ≥ .90 acceptable"),
    ("tli_robust", "TLI (robust)", "prop3", "≥ .95 good, ≥ .90 acceptable"),
    ("rmsea_robust", "RMSEA (robust)", "prop3", "≤ .06 good, ≤ .08 acceptable"),
    ("rmsea_ci_robust_lower", "RMSEA (robust) 90% CI lower", "prop3", ""),
    ("rmsea_ci_robust_upper", "RMSEA (robust) 90% CI upper", "prop3", "upper bound ≤ .10"),
    ("cfi_scaled", "CFI (scaled)", "prop3", "≥ .95 good, ≥ .90 acceptable"),
    ("tli_scaled", "TLI (scaled)", "prop3", "≥ .95 good, ≥ .90 acceptable"),
    ("rmsea_scaled", "RMSEA (scaled)", "prop3", "≤ .06 good, ≤ .08 acceptable"),
    ("rmsea_ci_scaled_lower", "RMSEA (scaled) 90% CI lower", "prop3", ""),
    ("rmsea_ci_scaled_upper", "RMSEA (scaled) 90% CI upper", "prop3", "upper bound ≤ .10"),
    ("srmr", "SRMR", "prop3", "≤ .08 good"),
]
for _k in ("cfi", "tli", "rmsea"):
    GOOD[f"{_k}_scaled"], OK[f"{_k}_scaled"] = GOOD[_k], OK[_k]
for _k in ("scaled", "robust"):
    GOOD[f"rmsea_ci_{_k}_upper"] = GOOD["rmsea_ci_upper"]


def is_ordered(res) -> bool:
    """Whether a CFA result is a WLSMV fit of ordered items."""
    return str(getattr(res, "estimator", "") or "").upper() == "WLSMV"


def fit_rows(res) -> "pd.DataFrame":  # noqa: F821
    """The fit table: index, value, guidance and what the value means against it (for a WLSMV fit: the
    scaled-shifted test, the robust and scaled indices and SRMR)."""
    import pandas as pd

    f = dict(res.fit)
    lo, hi = f.get("rmsea_ci", [float("nan"), float("nan")])
    f["rmsea_ci_lower"], f["rmsea_ci_upper"] = lo, hi
    for k in ("scaled", "robust"):
        if f"rmsea_ci_{k}" in f:
            f[f"rmsea_ci_{k}_lower"], f[f"rmsea_ci_{k}_upper"] = f[f"rmsea_ci_{k}"]
    rows = []
    for key, label, kind, guide in FIT_ROWS_ORDERED if is_ordered(res) else FIT_ROWS:
        v = f.get(key)
        if v is None or (isinstance(v, float) and v != v and ("_scaled" in key or "_robust" in key)):
            continue
        verdict = ""
        if key in GOOD:
            op, cut = GOOD[key]
            good = v >= cut if op == ">=" else v <= cut
            ok = False
            if key in OK:
                op2, cut2 = OK[key]
                ok = v >= cut2 if op2 == ">=" else v <= cut2
            verdict = "good" if good else "acceptable" if ok else "poor"
        rows.append({"index": label, "key": key, "value": v, "kind": kind, "guidance": guide, "verdict": verdict})
    return pd.DataFrame(rows)


@register
class CFA(Section):
    id, title, order = "cfa", "Confirmatory factor analysis", 50

    def missing(self, study):
        return missing_survey(study)

    def build(self, study, part):
        import pandas as pd

        from ..tables import Column, Table

        res = study.cfa
        ordered = is_ordered(res)
        f = res.fit
        k = len(res.factor_correlations)
        how, used = estimation(res)
        article = "An" if str(k).startswith("8") or k in (11, 18) else "A"
        text = (f"{article} {k}-factor model (each construct's items on its own factor, factors correlated) was "
                f"estimated by {how} on {used}. ")
        text += _fit_sentence_ordered(f) if ordered else (
            f"χ²({f['df']}) = {fmt(f['chisq'])}, {p_clause(f['pvalue'])}; CFI = {fmt(f['cfi'], 'prop3')}, "
            f"TLI = {fmt(f['tli'], 'prop3')}, RMSEA = {fmt(f['rmsea'], 'prop3')} [90% CI "
            f"{fmt(f['rmsea_ci'][0], 'prop3')}, {fmt(f['rmsea_ci'][1], 'prop3')}], SRMR = {fmt(f['srmr'], 'prop3')}.")
        lo = res.loadings["std_all"]
        text += (f" Standardized loadings range from {fmt(lo.min(), 'prop')} to {fmt(lo.max(), 'prop')}; factor "
                 f"correlations from {fmt(_offdiag(res.factor_correlations).min(), 'prop')} to "
                 f"{fmt(_offdiag(res.factor_correlations).max(), 'prop')}.")
        part.para(text)
        fit = fit_rows(res)
        table = Table("CFA fit", fit, title="Fit of the confirmatory factor model",
                      columns=[Column("index", "Index"), Column("value", "Value", "num3"),
                               Column("guidance", "Guidance"), Column("verdict", "Against the guidance")],
                      note=(ORDERED_FIT_NOTE if ordered else "") +
                      "Cut-offs are guidance, not tests (Hu & Bentler 1999; Browne & Cudeck 1993): judge fit "
                      "from several indices together with the loadings and the residuals.")
        part.table(table, html_table=_fit_html(fit, table))
        if ordered:
            for t in _all_fit_measures(res):
                part.table(t, html=False)
        part.figure(_path_diagram(res, study))
        lt = res.loadings.copy()
        lt["factor"] = lt["factor"].map(study.label)
        rel = res.reliability.set_index("factor")
        part.table(Table("CFA loadings", lt, title="Standardized loadings", group="factor",
                         columns=[Column("factor", "Factor"), Column("item", "Item"), Column("est", "Estimate", "num"),
                                  Column("se", "SE", "num3"), Column("pvalue", "p", "p"),
                                  Column("std_all", "Standardized", "prop"), Column("r2", "R²", "prop")],
                         note="Estimates are unstandardized with the first item of each factor fixed at 1 (marker "
                              "variable), so it has no SE; 'Standardized' is lavaan's std.all."
                              + (" Ordered items: loadings of the latent responses underlying the answers (delta "
                                 "parameterization), SEs robust (WLSMV)." if ordered else "")))
        if ordered:
            th = res.thresholds.copy()
            part.table(Table("CFA thresholds", th, title="Thresholds of the ordered items",
                             columns=[Column("item", "Item"), Column("threshold", "Threshold"),
                                      Column("est", "Estimate", "num"), Column("se", "SE", "num3"),
                                      Column("z", "z", "num"), Column("pvalue", "p", "p")],
                             note="Threshold t_c of an item: the point on the standard-normal latent response above "
                                  "which answers fall in category c + 1 or higher (lavaan's item|tc)."), html=False)
        cr = pd.DataFrame({"factor": [study.label(c) for c in rel.index], "n_items": rel["n_items"].to_numpy(),
                           "cr": rel["cr"].to_numpy(), "ave": rel["ave"].to_numpy(), "sqrt_ave": rel["sqrt_ave"].to_numpy(),
                           "max_abs_r": rel["max_abs_r"].to_numpy(),
                           "fornell_larcker": ["met" if v else "not met" for v in rel["fornell_larcker"]]})
        omega_cat = "omega_categorical" in rel.columns
        if omega_cat:
            cr.insert(3, "omega_categorical", rel["omega_categorical"].to_numpy())
        em = pd.DataFrame(False, index=cr.index, columns=cr.columns)
        em["ave"] = cr["ave"] < 0.5
        em["cr"] = cr["cr"] < 0.7
        columns = [Column("factor", "Factor"), Column("n_items", "Items", "int"), Column("cr", "CR", "prop")]
        if omega_cat:
            columns.append(Column("omega_categorical", "ω categorical", "prop"))
        columns += [Column("ave", "AVE", "prop"), Column("sqrt_ave", "√AVE", "prop"),
                    Column("max_abs_r", "Largest |r| with another factor", "prop"),
                    Column("fornell_larcker", "Fornell–Larcker")]
        title = ("Composite reliability, categorical ω and average variance extracted" if omega_cat else
                 "Composite reliability and average variance extracted")
        part.table(Table("CFA validity", cr, title=title, emphasis=em, columns=columns,
                         note="CR = composite reliability; AVE = average variance extracted; highlighted: CR below "
                              ".70 or AVE below .50. Fornell–Larcker is met when √AVE exceeds the factor's largest "
                              "correlation with another factor (Fornell & Larcker 1981)."
                              + (" ω categorical: the reliability of the sum of the answers as they were given "
                                 "(ordered categories), from the thresholds and the polychoric correlations (Green "
                                 "& Yang 2009; semTools compRelSEM); CR and AVE are on the latent responses."
                                 if omega_cat else "")))
        phi = res.factor_correlations.copy()
        phi.index = [study.label(c) for c in phi.index]
        phi.columns = [study.label(c) for c in phi.columns]
        phi.index.name = "factor"
        part.table(Table("CFA factor correlations", phi.reset_index(), title="Factor correlations",
                         columns=[Column("factor", "Factor")] + [Column(c, c, "prop") for c in phi.columns]),
                   html=False)
        est = res.estimates.copy()
        part.table(Table("CFA estimates", est, title="All parameter estimates (lavaan parameter table)"), html=False)
        for w in res.warnings:
            part.para(f"Note: {w}")
        if study.group:
            _invariance(study, part)
        elif ordered:
            part.para("Measurement invariance: give --group COLUMN (for example role) to test configural and "
                      "thresholds + loadings invariance of each construct's ordered items across its groups.")
        else:
            part.para("Measurement invariance: give --group COLUMN (for example role) to test configural, metric and "
                      "scalar invariance of each construct across its groups.")


ORDERED_FIT_NOTE = ("Ordered items (WLSMV): the scaled-shifted (mean-and-variance adjusted) χ² is the test; the robust "
                    "CFI, TLI and RMSEA (Savalei 2021) and the scaled ones are judged against the cut-offs. The "
                    "unscaled DWLS χ², CFI, TLI and RMSEA look too good with ordered items and are only in the "
                    "workbook (CFA fit measures). ")


def _fit_sentence_ordered(f: dict) -> str:
    """The fit of a WLSMV model in one sentence, scaled-shifted test and robust/scaled indices."""
    text = (f"Scaled-shifted χ²({fmt(f['df_scaled'], 'int')}) = {fmt(f['chisq_scaled'])}, "
            f"{p_clause(f['pvalue_scaled'])}; ")
    robust = all(f.get(f"{k}_robust") == f.get(f"{k}_robust") and f.get(f"{k}_robust") is not None
                 for k in ("cfi", "tli", "rmsea"))
    if robust:
        ci = f.get("rmsea_ci_robust") or [float("nan")] * 2
        text += (f"robust CFI = {fmt(f['cfi_robust'], 'prop3')}, TLI = {fmt(f['tli_robust'], 'prop3')}, "
                 f"RMSEA = {fmt(f['rmsea_robust'], 'prop3')} [90% CI {fmt(ci[0], 'prop3')}, {fmt(ci[1], 'prop3')}]; ")
    text += (f"scaled CFI = {fmt(f['cfi_scaled'], 'prop3')}, TLI = {fmt(f['tli_scaled'], 'prop3')}, "
             f"RMSEA = {fmt(f['rmsea_scaled'], 'prop3')}; SRMR = {fmt(f['srmr'], 'prop3')}.")
    if not robust:
        text += (" The robust indices could not be computed (the polychoric correlation matrix is not positive "
                 "definite), so the scaled ones are judged.")
    return text


def _all_fit_measures(res) -> list:
    """Every fit measure of the result (as the API's fit table: plain, scaled and robust), for the workbook."""
    from ...psychometrics.cfa_results import FIT_LABELS
    from ..labels import label
    from ..tables import Column, Table

    ft = res.fit_table
    judged = ft["index"].str.endswith(("_scaled", "_robust")) | (ft["index"] == "srmr")
    ft = ft.assign(index=[FIT_LABELS.get(k, label(k)) for k in ft["index"]],
                   cutoff=ft["cutoff"].where(judged, ""))
    counts = res.fit_table["index"].map(lambda k: k in ("npar", "n", "n_dropped", "n_incomplete") or k == "df"
                                        or k.startswith(("df_", "baseline_df")))
    return [Table("CFA fit measures", ft[~counts], title=f"Every fit measure of the {res.estimator} fit (as lavaan's "
                  "fitMeasures: plain, scaled and robust)",
                  columns=[Column("index", "Index"), Column("value", "Value", "num3"), Column("cutoff", "Cut-off")],
                  note="The plain (unscaled) DWLS indices are shown for completeness; judge the scaled-shifted test "
                       "and the robust or scaled indices."),
            Table("CFA fit measures", ft[counts], title="Degrees of freedom, parameters and rows",
                  columns=[Column("index", "Index"), Column("value", "Value", "int")])]


def estimation(res) -> tuple[str, str]:
    """``("maximum likelihood ...", "n = 233 complete cases (...)")``: how a CFA result was estimated and on
    whom, for results with or without FIML / MLR, or by WLSMV for ordered items."""
    estimator = str(getattr(res, "estimator", None) or "ML")
    if estimator.upper() == "WLSMV":
        how = ("WLSMV, treating the answers as ordered categories (DWLS estimates on polychoric correlations with "
               "robust standard errors and the mean-and-variance adjusted χ², as lavaan's ordered = TRUE)")
        used = (f"n = {fmt(res.n, 'int')} of {fmt(res.n + res.n_dropped, 'int')} respondents with every item "
                "answered; lavaan does not offer FIML for ordered items")
        return how, used
    missing = str(getattr(res, "missing", None) or "listwise")
    how = "maximum likelihood"
    if estimator.upper() == "MLR":
        how += " with robust (Huber-White) standard errors and the Yuan-Bentler scaled χ² (MLR)"
    if missing == "fiml":
        how = "full-information " + how + " (FIML: every answered item counts)"
        gaps = getattr(res, "n_incomplete", None)
        used = f"n = {fmt(res.n, 'int')} respondents" + (f", {fmt(gaps, 'int')} of them with gaps" if gaps else "")
        if res.n_dropped:
            used += f" ({fmt(res.n_dropped, 'int')} without any answer left out)"
    else:
        used = f"n = {fmt(res.n, 'int')} complete cases" + (
            f" ({fmt(res.n_dropped, 'int')} respondents with a missing answer left out)" if res.n_dropped else "")
    return how, used


def _offdiag(m):
    import numpy as np

    a = m.to_numpy(dtype=float)
    return a[~np.eye(len(a), dtype=bool)] if len(a) > 1 else np.array([float("nan")])


def _fit_html(fit, table) -> str:
    """The fit table with each value in its own number style (χ² with 2 decimals, CFI with 3, ...)."""
    from html import escape

    rows = []
    for r in fit.itertuples(index=False):
        cls = "em" if r.verdict == "poor" else ""
        rows.append(f'<tr><td class="txt">{escape(r.index)}</td><td class="num {cls}">{escape(fmt(r.value, r.kind))}'
                    f'</td><td class="txt">{escape(r.guidance)}</td><td class="txt">{escape(r.verdict)}</td></tr>')
    return ('<table class="apa" id="{{id}}"><caption><span class="tno">Table {{number}}</span><span class="ttitle">'
            f"{escape(table.title)}</span></caption><thead><tr><th class=\"txt\">Index</th><th class=\"num\">Value</th>"
            '<th class="txt">Guidance</th><th class="txt">Against the guidance</th></tr></thead><tbody>'
            + "".join(rows) + f'</tbody><tfoot><tr><td colspan="4"><em>Note.</em> {escape(table.note)}</td></tr>'
            "</tfoot></table>")


def _invariance(study, part):
    import pandas as pd

    from ..tables import Column, Table

    rows, failed, fails, notes = [], [], [], []
    groups = None
    ordered = study.ordered
    for cid, res in study.invariance:
        if not hasattr(res, "table"):
            failed.append(f"{study.label(cid)} ({res.message})")
            fails.append((study.label(cid), res.message))
            continue
        groups = groups or res.groups
        notes += [n for n in res.notes if n not in notes and not n.startswith("reverse-keyed")]
        for r in res.table.to_dict("records"):
            row = {"construct": study.label(cid), "step": STEP_NAMES.get(r["step"], r["step"]), "chisq": r["chisq"],
                   "df": r["df"], "cfi": r["cfi"], "rmsea": r["rmsea"], "srmr": r["srmr"],
                   "delta_chisq": r.get("delta_chisq"), "delta_df": r.get("delta_df"),
                   "delta_pvalue": r.get("delta_pvalue"), "delta_cfi": r.get("delta_cfi"),
                   "delta_rmsea": r.get("delta_rmsea"), "delta_srmr": r.get("delta_srmr"),
                   "verdict": r.get("verdict") or ""}
            if ordered:  # the scaled-shifted test and the scaled indices the changes are computed from
                row.update(n=sum(res.groups.values()), chisq=r["chisq_scaled"], cfi=r["cfi_scaled"],
                           rmsea=r["rmsea_scaled"])
            rows.append(row)
    part.heading(f"Measurement invariance across {study.group}")
    if not rows:
        part.para("Invariance could not be tested: " + "; ".join(failed) + ".")
        return
    df = pd.DataFrame(rows)
    for c in ("df", "delta_df"):
        df[c] = df[c].astype("Int64")
    n_groups = len(groups) if groups is not None else 0
    verdicts = df[df["step"] != "configural"]
    worse = verdicts[verdicts["verdict"].str.startswith("not")]
    if ordered:
        text = (f"Treating the answers as ordered categories, a configural model and a model with equal thresholds "
                f"and loadings (lavaan group.equal = c(\"thresholds\", \"loadings\"), delta parameterization) were "
                f"fitted by WLSMV for each construct across the {n_groups} groups of {study.group}, on the "
                f"respondents who answered every item of the construct, and compared by the scaled-shifted χ² "
                f"difference test (Satorra 2000) and by ΔCFI, ΔRMSEA (scaled) and ΔSRMR judged by Chen (2007) as "
                f"guidance.")
    else:
        text = (f"Configural, metric (equal loadings) and scalar (equal loadings and intercepts) models were fitted "
                f"for each construct across the {n_groups} groups of {study.group}, and each step compared with the "
                f"one before (Δχ² test; ΔCFI, ΔRMSEA and ΔSRMR judged by Chen 2007).")
    if ordered:
        text += (f" By Chen's criteria {n_(len(worse), 'construct')} indicate{'s' if len(worse) == 1 else ''} non-invariance" if len(worse) else
                 " No construct crosses Chen's criteria for non-invariance")
        sig = verdicts[verdicts["delta_pvalue"] < 0.05]
        text += (f"; the difference test rejects equal thresholds and loadings for {n_(len(sig), 'construct')}."
                 if len(sig) else "; the difference test rejects equal thresholds and loadings for none.")
    else:
        text += (f" {n_(len(worse), 'step')} indicate{'s' if len(worse) == 1 else ''} non-invariance." if len(worse) else
                 " No step crosses Chen's criteria for non-invariance.")
    releases = [f"{study.label(cid)}, {STEP_NAMES.get(step, step).lower()}: {tests.iloc[0]['parameter']} "
                f"(χ²(1) = {fmt(tests.iloc[0]['X2'])}, {p_clause(tests.iloc[0]['pvalue'])})"
                for cid, res in study.invariance if hasattr(res, "failed_steps")
                for step, tests in res.failed_steps()]
    if releases:
        text += (" Score tests (lavTestScore) name the equality constraint whose release would improve fit most, "
                 "a candidate for partial invariance if theory explains it: " + "; ".join(releases) + ".")
    if failed and ordered:
        text += " " + _not_testable(fails)
    elif failed:
        text += " Not testable: " + "; ".join(failed) + "."
    part.para(text)
    em = pd.DataFrame(False, index=df.index, columns=df.columns)
    em["verdict"] = df["verdict"].str.startswith("not")
    if ordered:
        em["delta_pvalue"] = df["delta_pvalue"] < 0.05
        columns = [Column("construct", "Construct"), Column("step", "Model"), Column("n", "n", "int"),
                   Column("chisq", "Scaled-shifted χ²", "num"), Column("df", "df", "int"),
                   Column("cfi", "CFI (scaled)", "prop3"), Column("rmsea", "RMSEA (scaled)", "prop3"),
                   Column("srmr", "SRMR", "prop3"), Column("delta_chisq", "Δχ² (Satorra 2000)", "num"),
                   Column("delta_df", "Δdf", "int"), Column("delta_pvalue", "p (Δχ²)", "p"),
                   Column("delta_cfi", "ΔCFI", "prop3"), Column("delta_rmsea", "ΔRMSEA", "prop3"),
                   Column("delta_srmr", "ΔSRMR", "prop3"), Column("verdict", "Verdict (Chen 2007)", wrap=True,
                                                                    width=24)]
        note = ("WLSMV on the ordered answers. Thresholds + loadings: thresholds and loadings equal across groups, "
                "scale factors and latent means free in all but the first group (Wu & Estabrook 2016). Δχ²: "
                "scaled-shifted difference test (Satorra 2000, as lavTestLRT); highlighted p < .05. "
                "Chen (2007): non-invariance when ΔCFI ≤ −.010 together with ΔRMSEA ≥ .015 or ΔSRMR ≥ .010; his "
                "cut-offs were proposed for continuous ML, so with ordered items they are guidance and the "
                "difference test is the test. n: respondents with every item of the construct answered. "
                + " ".join(_sentence(n) for n in notes if "Chen" not in n))
    else:
        columns = [Column("construct", "Construct"), Column("step", "Model"), Column("chisq", "χ²", "num"),
                   Column("df", "df", "int"), Column("cfi", "CFI", "prop3"),
                   Column("rmsea", "RMSEA", "prop3"), Column("srmr", "SRMR", "prop3"),
                   Column("delta_chisq", "Δχ²", "num"), Column("delta_df", "Δdf", "int"),
                   Column("delta_pvalue", "p (Δχ²)", "p"), Column("delta_cfi", "ΔCFI", "prop3"),
                   Column("delta_rmsea", "ΔRMSEA", "prop3"), Column("verdict", "Verdict (Chen 2007)",
                                                                     wrap=True, width=24)]
        note = ("Metric: loadings equal across groups; scalar: loadings and intercepts equal. Chen (2007): "
                "non-invariance when ΔCFI ≤ −.010 together with ΔRMSEA ≥ .015 or ΔSRMR ≥ .030 (metric) / "
                ".010 (scalar); guidance, not a test.")
    part.table(Table("Invariance", df, title=f"Measurement invariance of each construct across {study.group}",
                     emphasis=em, group="construct", columns=columns, note=note))


#: how the ordinal invariance steps are named on the page (the API's step names otherwise)
STEP_NAMES = {"thresholds_loadings": "thresholds + loadings"}


def _not_testable(fails: list[tuple[str, str]]) -> str:
    """"Not testable: A (reason); B (reason)." with the advice the reasons share said once (the ordinal
    empty-category message is long and the same for every construct)."""
    heads, tails = [], []
    for name, msg in fails:
        head, _, tail = str(msg).partition("; ")
        heads.append(f"{name} ({head})")
        tails.append(tail)
    if len(fails) > 1 and tails[0] and len(set(tails)) == 1:
        return "Not testable: " + "; ".join(heads) + f". In each case: {tails[0].rstrip('.')}."
    return "Not testable: " + "; ".join(f"{n} ({m})" for n, m in fails) + "."


def _sentence(text: str) -> str:
    text = str(text).strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "."


def _path_diagram(res, study):
    """Factors (ellipses) on the left of their items (boxes), standardized loadings on the arrows, factor
    correlations as curved two-headed arrows on the far left (line width by |r|)."""
    import numpy as np
    from matplotlib.patches import Ellipse, FancyArrowPatch, FancyBboxPatch
    from matplotlib.path import Path as MPath

    from ..figures import ACCENT, INK, Figure, pyplot

    plt = pyplot()
    lt = res.loadings
    factors = list(dict.fromkeys(lt["factor"]))
    k = len(factors)
    rows = []  # (factor, item, std loading)
    for fac in factors:
        for r in lt[lt["factor"] == fac].itertuples(index=False):
            rows.append((fac, r.item, float(r.std_all)))
    n = len(rows)
    gap = 0.6  # extra space between factors' blocks
    y, pos, fy = 0.0, [], {}
    for fac in factors:
        ys = []
        for (f, item, _) in rows:
            if f == fac:
                pos.append(y)
                ys.append(y)
                y -= 1.0
        fy[fac] = float(np.mean(ys))
        y -= gap
    height_units = -y
    span_max = k - 1
    x_arc0 = 0.0
    arc_w = 0.55          # horizontal reach of an arc per factor of span
    x_fac = x_arc0 + arc_w * max(span_max, 1) + 1.9
    x_item = x_fac + 3.4
    fig_w = min(max(6.0, (x_item + 1.2) * 0.78), 9.8)
    fig_h = max(3.0, height_units * 0.22 + 0.6)
    fig, ax = plt.subplots(figsize=(fig_w, fig_h))
    ax.set_xlim(x_arc0 - 0.3, x_item + 1.1)
    ax.set_ylim(y + gap - 0.8, 0.8)
    ax.axis("off")
    ew, eh = 2.6, 1.5
    # factor correlations
    phi = res.factor_correlations
    for a in range(k):
        for b in range(a + 1, k):
            r = float(phi.iloc[a, b])
            ya, yb = fy[factors[a]], fy[factors[b]]
            x0 = x_fac - ew / 2
            reach = arc_w * (b - a)
            ctrl = (x0 - 2 * reach, (ya + yb) / 2)
            verts = [(x0, ya), ctrl, (x0, yb)]
            path = MPath(verts, [MPath.MOVETO, MPath.CURVE3, MPath.CURVE3])
            ax.add_patch(FancyArrowPatch(path=path, arrowstyle="<|-|>,head_length=2.2,head_width=1.2",
                                         lw=0.4 + 1.6 * abs(r), color="#7a7a7a", alpha=0.9))
            ax.text(x0 - reach, (ya + yb) / 2, fmt(r, "prop"), fontsize=5.6, ha="center", va="center", color="#333",
                    bbox=dict(boxstyle="round,pad=0.08", fc="white", ec="none"))
    # factors, items and loadings
    from ..figures import wrap_label

    for fac in factors:
        label = wrap_label(study.label(fac), 16)
        three = label.count("\n") >= 2
        # a three-line name needs a taller ellipse (there is room when the factor has two items or more)
        tall = three and sum(1 for r in rows if r[0] == fac) > 1
        ax.add_patch(Ellipse((x_fac, fy[fac]), ew, 1.95 if tall else eh, fc="#e8eef5", ec=ACCENT, lw=1.1))
        ax.text(x_fac, fy[fac], label, ha="center", va="center", fontsize=5.9 if three else 6.6, color=INK)
    for (fac, item, lam), yy in zip(rows, pos):
        ax.add_patch(FancyBboxPatch((x_item - 0.55, yy - 0.36), 1.1, 0.72, boxstyle="square,pad=0", fc="white",
                                    ec=INK, lw=0.8))
        ax.text(x_item, yy, item, ha="center", va="center", fontsize=6.6)
        start = (x_fac + ew / 2 * 0.98, fy[fac])
        end = (x_item - 0.58, yy)
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>,head_length=2.5,head_width=1.3", lw=0.5 + 1.2 * abs(lam),
                                     color=ACCENT, shrinkA=0, shrinkB=0))
        t = 0.8
        ax.text(start[0] + (end[0] - start[0]) * t, start[1] + (end[1] - start[1]) * t, fmt(lam, "prop"),
                fontsize=5.8, ha="center", va="center", color=INK,
                bbox=dict(boxstyle="round,pad=0.06", fc="white", ec="none"))
    del n
    how = "Standardized WLSMV solution of the ordered items (std.all, latent responses)" if is_ordered(res) else \
        "Standardized solution (std.all)"
    return Figure.from_matplotlib(fig, "cfa-path", "Path diagram of the confirmatory factor model",
                                  note=f"{how}. Arrows from each factor to its items carry "
                                       "the standardized loadings; curved two-headed arrows on the left are the "
                                       "factor correlations (thicker = stronger). Residual variances are not drawn.")
