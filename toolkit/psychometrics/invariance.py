"""Measurement invariance across groups: configural, metric and scalar multi-group CFA, as lavaan.

Each step is one multi-group fit with a mean structure (ML, FIML for missing answers, or MLR; see
:mod:`toolkit.psychometrics.estimators`):

- configural: the same pattern in every group, all parameters free (latent means fixed at 0);
- metric: loadings equal across groups (``group.equal = "loadings"``);
- scalar: loadings and intercepts equal, latent means free in groups 2+ (``c("loadings", "intercepts")``).

Partial invariance (lavaan's ``group.partial``): the parameters named in ``free`` (``"visual=~x3"``,
``"x3~1"``) stay free in every group at the steps that would constrain them.

chi-square = sum_g N_g F_g (with the mean term; 2 (logL_H1 - logL_H0) under FIML), RMSEA = sqrt(max(chi2/(N df)
- 1/N, 0)) * sqrt(G), CFI/TLI against the independence model with free means and variances per group,
SRMR = sum_g (N_g/N) SRMR_g including mean residuals: all as lavaan 0.6's ``fitMeasures``. Steps are compared
by the chi-square difference test (``lavTestLRT``: plain for ML, the Satorra-Bentler 2001 scaled difference for
MLR) and by changes in CFI, RMSEA and SRMR judged by Chen (2007): non-invariance is indicated by
dCFI <= -.010 together with dRMSEA >= .015 or dSRMR >= .030 (metric) / .010 (scalar).

References: Chen (2007) SEM 14:464-504; Cheung & Rensvold (2002) SEM 9:233-255; Byrne, Shavelson & Muthen (1989)
Psych. Bull. 105:456-466 (partial invariance); Rosseel (2012) lavaan.

>>> res = invariance(hs, "visual =~ x1+x2+x3; textual =~ x4+x5+x6; speed =~ x7+x8+x9", "school")  # doctest: +SKIP
>>> res.table[["step", "chisq", "df", "cfi", "rmsea"]]                                            # doctest: +SKIP
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..report.tables import p_clause
from .cfa_input import check_identified, prepare
from .cfa_results import EXTRA_KEYS, FIT_KEYS, ROBUST_KEYS, estimates_table
from .estimators import fit_model, get_estimator
from .fitindices import fit_measures
from .samplestats.moments import SampleStats
from .sem_model import build_structure, parse_partial
from .teststats import difference_test

STEPS = {"configural": (), "metric": ("loadings",), "scalar": ("loadings", "intercepts")}
# Chen (2007), total N > 300 and equal groups: (dCFI <=, dRMSEA >=, dSRMR >=)
CHEN = {"metric": (-0.010, 0.015, 0.030), "scalar": (-0.010, 0.015, 0.010)}
_WHAT = {"=~": "loadings", "~1": "intercepts"}


def _label(key) -> str:
    op, lhs, rhs = key
    return f"{lhs}=~{rhs}" if op == "=~" else f"{lhs}~1"


@dataclass
class InvarianceResult:
    """Fit of each step, the comparisons and Chen (2007) verdicts."""

    n: int
    n_dropped: int
    groups: dict
    fits: dict
    table: pd.DataFrame
    verdicts: list[str]
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    estimates: dict = field(default_factory=dict, repr=False)  # step -> parameter table (per group)
    estimator: str = "ML"
    missing: str = "listwise"
    free: list[str] = field(default_factory=list)  # released parameters (group.partial)
    models: dict = field(default_factory=dict, repr=False)  # step -> fitted ModelFit
    score_tests: dict = field(default_factory=dict, repr=False)  # constrained step -> lavTestScore table

    def __post_init__(self):
        if not self.score_tests:
            self.score_tests = constraint_tests(self.models, self.warnings)

    def to_dict(self) -> dict:
        inv = {}
        for step, fit in self.fits.items():
            d = {k: fit[k] for k in FIT_KEYS + EXTRA_KEYS + ROBUST_KEYS if k in fit}
            for k in ("thresholds",):  # WLSMV: the thresholds per group
                if k in fit:
                    d[k] = fit[k]
            row = self.table[self.table["step"] == step].iloc[0]
            if row["released"]:
                d["released"] = row["released"].split(", ")
            if step != "configural":
                d["compared_with"] = row["compared_with"]
                for k in ("delta_chisq", "delta_df", "delta_pvalue", "delta_cfi", "delta_rmsea", "delta_srmr"):
                    d[k] = row[k]
                if fit.get("lrt_scale") is not None:  # Satorra (2000) scaled-shifted difference: a and b
                    d["delta_scale"], d["delta_shift"] = fit["lrt_scale"], fit["lrt_shift"]
                d["verdict"] = row["verdict"]
            if step in self.score_tests:
                d["score_tests"] = [{"parameter": r.parameter, "group": r.group, "X2": r.X2, "df": int(r.df),
                                     "pvalue": r.pvalue, "epc": r.epc} for r in self.score_tests[step].itertuples()]
            inv[step] = d
        return {"n": self.n, "n_dropped": self.n_dropped, "groups": self.groups, "estimator": self.estimator,
                "missing": self.missing, "free": self.free, "invariance": inv, "verdicts": self.verdicts,
                "warnings": self.warnings, "notes": self.notes}

    def summary(self, skip_notes=()) -> str:
        cols = ["step", "chisq", "df", "cfi", "rmsea", "srmr", "delta_chisq", "delta_df", "delta_pvalue",
                "delta_cfi", "delta_rmsea", "delta_srmr", "verdict"]
        if "chisq_scaled" in self.table:  # WLSMV: the scaled statistics beside the plain ones
            cols[3:5] = ["chisq_scaled", "cfi_scaled", "rmsea_scaled"]
        head = ", ".join(f"{k} (n={v})" for k, v in self.groups.items())
        lines = [f"Measurement invariance across {len(self.groups)} groups ({self.estimator}"
                 f"{', FIML' if self.missing == 'fiml' else ''}): {head}"]
        if self.free:
            lines.append(f"partial invariance: free in every group: {', '.join(self.free)}")
        lines.append(self.table[cols].to_string(index=False, float_format=lambda v: f"{v:.4f}", na_rep=""))
        lines += ["  " + v for v in self.verdicts]
        lines += self.release_advice()
        lines += [f"note: {n}" for n in self.notes if n not in skip_notes]
        return "\n".join(lines)


    def failed_steps(self) -> list[tuple[str, pd.DataFrame]]:
        """(step, its score tests, largest first) for each constrained step that is not supported by Chen's
        criteria or whose difference test is significant: where a researcher looks for what to release."""
        out = []
        for step, tests in self.score_tests.items():
            row = self.table[self.table["step"] == step]
            if row.empty or not len(tests):
                continue
            row = row.iloc[0]
            if row["verdict"] == "supported" and not row["delta_pvalue"] < 0.05:
                continue
            out.append((step, tests))
        return out

    def release_advice(self, top: int = 3) -> list[str]:
        """For each failed step (:meth:`failed_steps`): the *top* largest score tests and which constraint to
        release first."""
        lines = []
        for step, tests in self.failed_steps():
            best = tests.iloc[0]
            plain = " (not scaled: lavaan has no robust version)" if self.estimator in ("MLR", "WLSMV") else ""
            lines.append(f"  {step}: score tests (lavTestScore) for releasing one equality constraint at a time"
                         f"{plain}, largest first:")
            first = next(iter(self.groups))
            for r in tests.head(top).itertuples():
                lines.append(f"    {r.parameter}: X2 = {r.X2:.2f}, {p_clause(r.pvalue)}, EPC ({r.group} minus "
                             f"{first}) {r.epc:+.3f}")
            lines.append(f'  release first: --free "{best.parameter}" (X2 = {best.X2:.1f}, {p_clause(best.pvalue)}); '
                         "free parameters one at a time, refit and look again, and only where theory explains "
                         "the difference (each release capitalises on chance)")
        return lines

    def excel_tables(self) -> list:
        """The Invariance and Score tests sheets for the CFA workbook (the toolkit's one table writer)."""
        from ..report.tables import Column, Table

        groups = ", ".join(f"{g} n = {n}" for g, n in self.groups.items())
        out = [Table("Invariance", self.table, title=f"Measurement invariance across {len(self.groups)} "
                     f"groups ({groups})", note="\n".join(self.verdicts + self.notes) or None)]
        parts = [t.assign(step=step) for step, t in self.score_tests.items() if len(t)]
        if parts:
            st = pd.concat(parts, ignore_index=True)
            out.append(Table("Score tests", st, title="Score tests for releasing each equality constraint "
                             "(lavaan lavTestScore, univariate), largest first per step",
                             columns=["step", Column("parameter", "Parameter (--free)"), "group",
                                      Column("X2", "X² (1 df)", "num3"), "df", Column("pvalue", "p", "p"),
                                      Column("epc", "EPC (group difference)", "num3")],
                             note="X² = expected drop in chi-square if this one constraint were released; EPC = "
                                  "expected difference of the parameter between this group and the first. Release "
                                  "one parameter at a time (--free), refit, and only where theory supports it."))
        return out


def constraint_tests(models: dict, warnings: list | None = None) -> dict:
    """Score tests (:func:`.scoretest.score_tests`) of each fitted model with equality constraints, by step."""
    from .scoretest import score_tests

    out = {}
    for step, fit in models.items():
        try:
            t = score_tests(fit)
        except (np.linalg.LinAlgError, ValueError) as exc:
            if warnings is not None:
                warnings.append(f"{step}: score tests for the equality constraints failed ({exc})")
            continue
        if len(t):
            out[step] = t
    return out


def _chen(step: str, dcfi: float, drmsea: float, dsrmr: float) -> tuple[str, str]:
    c_cut, r_cut, s_cut = CHEN[step]
    flags = [dcfi <= c_cut, drmsea >= r_cut, dsrmr >= s_cut]
    detail = (f"dCFI {dcfi:+.3f} ({'<=' if flags[0] else '>'} {c_cut:+.3f}), "
              f"dRMSEA {drmsea:+.3f} ({'>=' if flags[1] else '<'} {r_cut:.3f}), "
              f"dSRMR {dsrmr:+.3f} ({'>=' if flags[2] else '<'} {s_cut:.3f})")
    if flags[0] and (flags[1] or flags[2]):
        return "not supported", detail
    if not any(flags):
        return "supported", detail
    which = [n for n, f in zip(("dCFI", "dRMSEA", "dSRMR"), flags) if f]
    return f"borderline (only {' and '.join(which)} crosses)", detail


def invariance(data: pd.DataFrame, model=None, group: str | None = None, *, instrument=None,
               constructs=None, estimator: str | None = None, missing: str = "auto", missing_codes=(),
               free=(), ordered=None) -> InvarianceResult:
    """Configural, metric and scalar invariance of a CFA model across the groups in column *group*.

    Parameters
    ----------
    data : DataFrame with the items and the grouping column.
    model : lavaan-style model syntax (or use ``instrument=``: one factor per construct, optionally only the
        ``constructs`` listed).
    group : column whose values define the groups (order of first appearance = lavaan's group order;
        rows with a missing group are dropped).
    estimator, missing, missing_codes, ordered : as :func:`~toolkit.psychometrics.cfa.cfa` (FIML by default when
        answers are missing). With *ordered*, the steps are configural and thresholds_loadings (WLSMV, see
        :mod:`.invariance_ordinal`).
    free : parameters released from the equality constraints (lavaan ``group.partial``), e.g.
        ``["visual=~x3", "x3~1"]``.

    Returns an :class:`InvarianceResult` whose ``estimates[step]`` are lavaan-style parameter tables (one
    row per parameter and group, incl. intercepts ``~1`` and latent means) and whose ``table`` has
    chi-square, df, p, CFI, TLI, RMSEA (+ 90% CI),
    SRMR, AIC, BIC per step and the differences to the previous step (chi-square difference test, dCFI,
    dRMSEA, dSRMR) with Chen's (2007) verdicts, which are guidance rather than a test.

    Example
    -------
    >>> res = invariance(hs, "visual =~ x1+x2+x3; textual =~ x4+x5+x6; speed =~ x7+x8+x9", "school")  # doctest: +SKIP
    >>> res.fits["metric"]["chisq"]                                                                   # doctest: +SKIP
    124.0435...
    >>> invariance(hs, model, "school", free=["x3~1", "x7~1"]).fits["scalar"]["chisq"]               # doctest: +SKIP
    129.4227...
    """
    if group is None:
        raise AnalysisError("give the grouping column", field="--group")
    from .cfa import resolve_estimator

    estimator = resolve_estimator(estimator, ordered, missing)
    if ordered:
        from .invariance_ordinal import ordinal_invariance

        return ordinal_invariance(data, model, group, instrument=instrument, constructs=constructs,
                                  missing_codes=missing_codes, free=free, ordered=ordered)
    spec_est = get_estimator(estimator)
    prep = prepare(data, model=model, instrument=instrument, group=group, constructs=constructs, missing=missing,
                   missing_codes=missing_codes)
    spec = prep.spec
    check_identified(spec)
    partial = parse_partial(free, spec)
    d = prep.data
    miss = d[group].isna()
    d = d[~miss].reset_index(drop=True)
    n_dropped = prep.n_dropped + int(miss.sum())
    notes = list(prep.notes)
    if miss.any():
        notes.append(f"{int(miss.sum())} row(s) without a value in '{group}' were dropped")
    counts = d[group].value_counts(sort=False)
    labels = list(dict.fromkeys(d[group].tolist()))
    if len(labels) < 2:
        raise AnalysisError(f"column '{group}' has {len(labels)} group(s) among the rows used: "
                            "invariance needs at least 2", field="--group")
    p = len(spec.observed)
    small = [f"'{g}' ({counts[g]})" for g in labels if counts[g] <= p]
    if small:
        raise AnalysisError(f"group(s) with no more usable rows than the {p} indicators: {', '.join(small)}",
                            field="--group")
    ss = SampleStats.from_frame(d, spec.observed, group, missing=prep.missing)
    fits, models, ests, warns = {}, {}, {}, list(prep.warnings)
    released = {}
    for step, equal in STEPS.items():
        rel = [k for k in partial if _WHAT[k[0]] in equal]
        released[step] = [_label(k) for k in rel]
        st = build_structure(spec, len(labels), meanstructure=True, equal=equal, partial=rel)
        res = fit_model(st, ss, spec_est)
        warns += [f"{step}: {w}" for w in res.warnings]
        models[step] = res
        fits[step] = fit_measures(res)
        ests[step] = estimates_table(res)
    unused = [_label(k) for k in partial if not any(_label(k) in r for r in released.values())]
    if unused:
        notes.append(f"--free {', '.join(unused)}: not constrained at any step, nothing to release")
    rows, verdicts = [], []
    prev = None
    for step, fm in fits.items():
        row = {"step": step, **{k: fm[k] for k in ("chisq", "df", "pvalue", "cfi", "tli", "rmsea")},
               "rmsea_ci_lower": fm["rmsea_ci"][0], "rmsea_ci_upper": fm["rmsea_ci"][1],
               "srmr": fm["srmr"], "aic": fm["aic"], "bic": fm["bic"], "npar": fm["npar"],
               "released": ", ".join(released[step]),
               "compared_with": "", "delta_chisq": np.nan, "delta_df": np.nan, "delta_pvalue": np.nan,
               "delta_cfi": np.nan, "delta_rmsea": np.nan, "delta_srmr": np.nan, "verdict": ""}
        if prev is not None:
            pf = fits[prev]
            dt = difference_test(models[step], models[prev])
            dx2, ddf = dt["delta_chisq"], dt["delta_df"]
            dcfi, drm, dsr = fm["cfi"] - pf["cfi"], fm["rmsea"] - pf["rmsea"], fm["srmr"] - pf["srmr"]
            verdict, detail = _chen(step, dcfi, drm, dsr)
            row.update(compared_with=prev, delta_chisq=dx2, delta_df=ddf, delta_pvalue=dt["delta_pvalue"],
                       delta_cfi=dcfi, delta_rmsea=drm, delta_srmr=dsr, verdict=verdict)
            scaled = " (Satorra-Bentler scaled)" if dt["method"] != "standard" else ""
            verdicts.append(f"{step} vs {prev}: {detail}: {verdict} by Chen's (2007) criteria; "
                            f"chi2 difference{scaled} {dx2:.3f} on {ddf} df, {p_clause(row['delta_pvalue'])}")
        rows.append(row)
        prev = step
    notes.append("Chen's (2007) cut-offs are for total N > 300 with equal group sizes; he suggests stricter ones "
                 "for smaller or unequal samples. Treat them as guidance, not as a test.")
    sizes = [int(counts[g]) for g in labels]
    if min(sizes) < 100:
        warns.append(f"smallest group has {min(sizes)} rows: multi-group ML estimates are unstable")
    return InvarianceResult(len(d), n_dropped, {str(g): int(counts[g]) for g in labels}, fits, pd.DataFrame(rows),
                            verdicts, warns, notes, ests, spec_est.name, prep.missing,
                            [_label(k) for k in partial], models)
