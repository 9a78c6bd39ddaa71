"""Measurement invariance of ordered indicators (WLSMV, delta parameterization), as lavaan 0.6-14.

Two steps, each a multi-group WLSMV fit (:mod:`.cfa_ordinal`):

- configural: the same pattern in every group; thresholds and loadings free per group, scale factors 1,
  latent means 0 (lavaan's defaults);
- thresholds_loadings: ``group.equal = c("thresholds", "loadings")``; in groups 2+ the scale factors
  (``~*~``) and the latent means are freed (lavaan's ``lav_partable_flat`` for the delta parameterization;
  Wu & Estabrook 2016 call this the thresholds-and-loadings model).

Robust CFI/TLI/RMSEA are not reported (NaN) for the constrained step, as lavaan 0.6-14 (see
:func:`.fitindices_ordinal.thresholds_constrained`); the changes in CFI/RMSEA then use the scaled indices.

Partial invariance (``group.partial``): ``free=["N=~N3", "N3|t2"]`` keeps that loading / threshold free in every
group. The constrained step is compared with the configural one by lavTestLRT's scaled-shifted difference
(Satorra 2000; :func:`..teststats.satorra_2000`) and by the changes in the robust CFI/RMSEA and SRMR with
Chen's (2007) cut-offs as guidance.

References: Wu & Estabrook (2016) Psychometrika 81:1014-1045; Satorra (2000); Chen (2007) SEM 14:464-504.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..report.tables import p_clause
from .cfa_ordinal import fit_ordinal, prepare_ordinal
from .cfa_results import estimates_table
from .fitindices import fit_measures
from .invariance import InvarianceResult, _chen
from .sem_ordinal import build_ordinal_structure, parse_partial_ordinal
from .teststats import difference_test

STEPS = {"configural": (), "thresholds_loadings": ("thresholds", "loadings")}


def _robust_both(a: dict, b: dict) -> bool:
    return all(np.isfinite(f.get(f"{k}_robust", np.nan)) for f in (a, b) for k in ("cfi", "rmsea"))


def ordinal_invariance(data: pd.DataFrame, model=None, group: str | None = None, *, instrument=None,
                       constructs=None, missing_codes=(), free=(), ordered=True) -> InvarianceResult:
    """Configural and thresholds+loadings invariance of ordered indicators across the groups of *group*.

    >>> res = ordinal_invariance(bfi, "N =~ N1 + N2 + N3 + N4 + N5", "gender")      # doctest: +SKIP
    >>> res.table[["step", "chisq", "delta_chisq", "delta_df"]]                       # doctest: +SKIP
    """
    if group is None:
        raise AnalysisError("give the grouping column", field="--group")
    prep, mom = prepare_ordinal(data, model=model, instrument=instrument, constructs=constructs,
                                missing_codes=missing_codes, group=group, ordered=ordered)
    spec = prep.spec
    labels = list(mom.groups)
    if len(labels) < 2:
        raise AnalysisError(f"column '{group}' has {len(labels)} group(s) among the rows used: invariance needs at "
                            "least 2", field="--group")
    n_dropped, notes = prep.n_dropped, list(prep.notes)
    nthr = mom.nthresholds
    loads, ths = parse_partial_ordinal(free, spec, dict(zip(spec.observed, nthr)))
    warns = list(prep.warnings)
    fits, models, ests, released = {}, {}, {}, {}
    for step, equal in STEPS.items():
        rl = loads if "loadings" in equal else []
        rt = ths if "thresholds" in equal else []
        released[step] = [f"{f}=~{x}" for _, f, x in rl] + [f"{x}|t{c + 1}" for x, c in rt]
        st = build_ordinal_structure(spec, nthr, len(labels), equal, rl, rt)
        res = fit_ordinal(st, mom)
        warns += [f"{step}: {w}" for w in res.warnings]
        models[step] = res
        fm = fit_measures(res)
        est = estimates_table(res)
        th = est[est["op"] == "|"]
        fm["thresholds"] = {str(gl): {f"{r.lhs}|{r.rhs}": r.est for r in th[th["group"] == gl].itertuples()}
                            for gl in labels}
        fits[step] = fm
        ests[step] = est
    rows, verdicts, prev = [], [], None
    for step, fm in fits.items():
        row = {"step": step, **{k: fm[k] for k in ("chisq", "df", "pvalue", "cfi", "tli", "rmsea")},
               "rmsea_ci_lower": fm["rmsea_ci"][0], "rmsea_ci_upper": fm["rmsea_ci"][1], "srmr": fm["srmr"],
               "chisq_scaled": fm["chisq_scaled"], "cfi_scaled": fm["cfi_scaled"], "rmsea_scaled": fm["rmsea_scaled"],
               "cfi_robust": fm["cfi_robust"], "rmsea_robust": fm["rmsea_robust"],
               "npar": fm["npar"], "released": ", ".join(released[step]), "compared_with": "",
               "delta_chisq": np.nan, "delta_df": np.nan, "delta_pvalue": np.nan, "delta_cfi": np.nan,
               "delta_rmsea": np.nan, "delta_srmr": np.nan, "verdict": ""}
        if prev is not None:
            pf = fits[prev]
            dt = difference_test(models[step], models[prev])
            kind = "_robust" if _robust_both(fm, pf) else "_scaled"
            dcfi = fm[f"cfi{kind}"] - pf[f"cfi{kind}"]
            drm = fm[f"rmsea{kind}"] - pf[f"rmsea{kind}"]
            dsr = fm["srmr"] - pf["srmr"]
            verdict, detail = _chen("scalar", dcfi, drm, dsr)
            row.update(compared_with=prev, delta_chisq=dt["delta_chisq"], delta_df=dt["delta_df"],
                       delta_pvalue=dt["delta_pvalue"], delta_cfi=dcfi, delta_rmsea=drm, delta_srmr=dsr,
                       verdict=verdict)
            fm["lrt_scale"], fm["lrt_shift"] = dt.get("scale"), dt.get("shift")
            verdicts.append(f"{step} vs {prev}: {detail} ({kind[1:]} CFI/RMSEA): {verdict} by Chen's (2007) criteria; "
                            f"scaled-shifted chi2 difference (Satorra 2000) {dt['delta_chisq']:.3f} on "
                            f"{dt['delta_df']} df, {p_clause(dt['delta_pvalue'])}")
        rows.append(row)
        prev = step
    if any(not np.isfinite(f["cfi_robust"]) for f in fits.values()):
        notes.append("robust CFI/TLI/RMSEA are not reported for models with thresholds held equal across groups "
                     "(lavaan 0.6-14 cannot compute them there); the changes in CFI/RMSEA use the scaled indices")
    notes.append("Chen's (2007) cut-offs were proposed for continuous ML; with ordered items treat them (and the "
                 "CFI/RMSEA changes) as guidance, the scaled-shifted difference test as the test.")
    unused = [t for t in (f"{f}=~{x}" for _, f, x in loads) if not any(t in r for r in released.values())]
    if unused:
        notes.append(f"--free {', '.join(unused)}: not constrained at any step, nothing to release")
    counts = {str(g): int(n) for g, n in zip(labels, mom.n)}
    if min(mom.n) < 200:
        warns.append(f"smallest group has {min(mom.n)} complete rows: WLSMV in small groups is unstable")
    return InvarianceResult(int(sum(mom.n)), n_dropped, counts, fits, pd.DataFrame(rows), verdicts, warns, notes,
                            ests, "WLSMV", "listwise", [f"{f}=~{x}" for _, f, x in loads] +
                            [f"{x}|t{c + 1}" for x, c in ths], models)
