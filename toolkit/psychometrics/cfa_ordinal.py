"""CFA of ordered (Likert) indicators by WLSMV, as ``lavaan::cfa(model, data, ordered = TRUE)`` (0.6-14).

Three stages, each in its own module as in lavaan's source: the sample thresholds, polychoric correlations
and their asymptotic covariance Gamma (:mod:`.samplestats.ordinal`, listwise: FIML does not exist for
ordered data); DWLS estimates of the delta-parameterization model (:mod:`.sem_ordinal`,
:mod:`.estimators.dwls`) with robust.sem standard errors; the scaled-and-shifted chi-square and the plain,
scaled and robust (Savalei 2021) CFI/TLI/RMSEA and the categorical SRMR (:mod:`.fitindices_ordinal`); beside
composite reliability and AVE, the categorical omega of each factor (semTools ``compRelSEM``,
:mod:`.omega_categorical`).

>>> import pandas as pd, toolkit
>>> bfi = pd.read_csv("tests/data/bfi.csv")                                              # doctest: +SKIP
>>> res = toolkit.cfa(bfi, model="N =~ N1 + N2 + N3 + N4 + N5", ordered=True)            # doctest: +SKIP
>>> round(res.fit["chisq_scaled"], 3), round(res.fit["cfi_robust"], 4)                   # doctest: +SKIP
(547.768, 0.914)
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from .cfa_input import Prepared, check_identified, prepare
from .cfa_results import CFAResult, fit_verdicts, fitted_tables, reliability_verdicts
from .estimators import fit_model
from .estimators.optimizer import start_values
from .samplestats.ordinal import ordinal_sample_stats
from .samplestats.ordinal_moments import OrdinalMoments
from .sem_model import ModelSpec
from .sem_ordinal import OrdinalStructure, build_ordinal_structure

LISTWISE_HINT = "--missing fiml uses every answer"


def check_ordered(spec: ModelSpec, ordered) -> None:
    """*ordered* (True or a list of items) must cover every indicator: mixed models are not supported."""
    if ordered is True:
        return
    items = [ordered] if isinstance(ordered, str) else list(ordered)
    unknown = [x for x in items if x not in spec.observed]
    if unknown:
        raise AnalysisError(f"ordered item(s) not in the model: {', '.join(unknown)}", field="--ordered")
    rest = [x for x in spec.observed if x not in items]
    if rest:
        raise AnalysisError("models mixing ordered and continuous indicators are not supported; continuous here: "
                            f"{', '.join(rest)} (declare every indicator ordered, or none)", field="--ordered")


def prepare_ordinal(data: pd.DataFrame, *, model=None, instrument=None, constructs=None, missing_codes=(),
                    group: str | None = None, ordered=True) -> tuple[Prepared, OrdinalMoments]:
    """Screen the answers (as :func:`.cfa_input.prepare`), then the ordinal sample statistics with listwise
    deletion (lavaan's default for ordered data). The categories of each item are those observed in all rows,
    before deletion, as lavaan's ``ov.levels``: a category used only by dropped rows (or absent from a group)
    is an empty category, one clear error as in lavaan."""
    if isinstance(instrument, str):
        from ..instruments import load_instrument

        instrument = load_instrument(instrument)
    prep = prepare(data, model=model, instrument=instrument, group=group, constructs=constructs, missing="fiml",
                   missing_codes=missing_codes)
    check_identified(prep.spec)
    check_ordered(prep.spec, ordered)
    if instrument is not None:  # its Likert (ordered-category) items are the ordered ones
        numeric = [x for x in prep.spec.observed if instrument.scale_of(x).kind == "numeric"]
        if numeric:
            raise AnalysisError(f"item(s) {', '.join(numeric)} have a numeric response scale, not ordered categories: "
                                "leave their constructs out (--construct) or drop --ordered", field="--ordered")
    prep.notes = [n for n in prep.notes if "full-information ML" not in n]
    mom = OrdinalMoments(ordinal_sample_stats(prep.data, prep.spec.observed, group))
    st = mom.stats
    prep.warnings.extend(w.replace("(lavaan's default for ordered items)", "(lavaan's default for ordered items; "
                                   "FIML is not available for ordered data)") for w in st.warnings)
    prep.warnings.extend(w for g in st for w in g.warnings)
    prep.n_dropped += st.n_dropped
    prep.missing = "listwise"
    prep.n_incomplete = 0
    return prep, mom


def ordinal_start(st: OrdinalStructure, mom: OrdinalMoments) -> np.ndarray:
    """Start values: loadings/factor (co)variances from the polychoric matrices as for continuous data,
    thresholds at their sample values, scale factors 1, latent means 0."""
    x = np.zeros(st.nfree)
    xb = start_values(st.base, mom)
    x[:len(xb)] = xb
    nth = int(sum(st.nthr))
    for g in range(st.ngroups):
        i = st.tau_idx[g]
        free = i >= 0
        x[i[free]] = mom.s[g][:nth][free]
        d = st.delta_idx[g]
        x[d[d >= 0]] = 1.0
    for r in st.base.table:
        if r["mat"] == "alpha" and r["free"] >= 0:
            x[r["free"]] = 0.0
    return x


def fit_ordinal(st: OrdinalStructure, mom: OrdinalMoments):
    fit = fit_model(st, mom, "wlsmv", x0=ordinal_start(st, mom))
    for g, r in enumerate(mom.cov):
        if np.linalg.eigvalsh(r).min() < np.finfo(float).eps ** 0.5:
            where = "" if mom.groups[g] is None else f" in group '{mom.groups[g]}'"
            fit.warnings.append(f"the polychoric correlation matrix{where} is not positive definite: the DWLS "
                                "estimates and scaled test are computed, the robust CFI/TLI/RMSEA are not (as lavaan)")
    return fit


def thresholds_table(fit, est: pd.DataFrame) -> pd.DataFrame:
    """Threshold estimates with robust SEs (item, threshold label, group, est, se)."""
    th = est[est["op"] == "|"].copy()
    th["label"] = th["lhs"] + "|" + th["rhs"]
    cols = ["label", "lhs", "rhs"] + (["group"] if "group" in th else []) + ["est", "se", "z", "pvalue"]
    return th[cols].rename(columns={"lhs": "item", "rhs": "threshold"}).reset_index(drop=True)


def categorical_omegas(fit, mom: OrdinalMoments, g: int = 0) -> list[float]:
    """semTools ``compRelSEM`` per factor (categorical omega, Green & Yang 2009) from the fit's loadings, factor
    variance, thresholds and scale factors and the sample polychoric matrix (:mod:`.omega_categorical`)."""
    from .omega_categorical import omega_categorical

    st = fit.structure
    m = fit.matrices(g)
    out = []
    for j in range(len(st.factors)):
        rows = np.flatnonzero(m["lambda"][:, j] != 0)
        tau = [m["tau"][st.item_of_tau == i] for i in rows]
        out.append(float(omega_categorical(m["lambda"][rows, j], m["psi"][j, j], tau,
                                           mom.cov[g][np.ix_(rows, rows)], m["delta"][rows])))
    return out


def cfa_ordinal(prep: Prepared, mom: OrdinalMoments, modindices: int | None) -> CFAResult:
    from .modindices import modification_indices

    spec = prep.spec
    n = mom.ntotal
    st = build_ordinal_structure(spec, mom.nthresholds, 1)
    if st.df < 0:
        raise AnalysisError(f"the model is not identified: {st.nfree} free parameters for {st.nstat} sample "
                            f"statistics (df = {st.df})", field="model")
    fit = fit_ordinal(st, mom)
    t = fitted_tables(fit, spec, mom.cov[0], prep.warnings)
    fm, est, ld, phi, rel, ht, warn = (t[k] for k in ("fit", "estimates", "loadings", "phi", "reliability", "htmt",
                                                     "warnings"))
    rel["omega_categorical"] = categorical_omegas(fit, mom)
    if n < 200:
        warn.append(f"only {n} complete cases: WLSMV with polychoric correlations needs larger samples for stable "
                    "standard errors and tests")
    if fm["df"] == 0:
        warn.append("df = 0: the model is just identified, so the fit indices say nothing about fit")
    mi = modification_indices(fit, modindices) if modindices and fm["df"] > 0 else pd.DataFrame()
    judged = dict(fm)
    if not np.isfinite(fm["cfi_robust"]):  # no robust indices (non-PD polychorics): judge the scaled ones
        judged.update({f"{k}_robust": fm[f"{k}_scaled"] for k in ("cfi", "tli", "rmsea")})
    verdicts = (fit_verdicts(judged, True) if fm["df"] > 0 else []) + reliability_verdicts(rel, ht)
    if not np.isfinite(fm["cfi_robust"]) and fm["df"] > 0:
        verdicts = [v.replace("(robust)", "(scaled)") for v in verdicts]
    notes = list(prep.notes) + [
        "ordered indicators: WLSMV (DWLS estimates, robust standard errors, mean-and-variance adjusted "
        "chi-square) on polychoric correlations, delta parameterization, as lavaan's cfa(..., ordered = TRUE); "
        "read the *_scaled chi-square and the *_robust CFI/TLI/RMSEA (Savalei 2021)"]
    res = CFAResult(n, prep.n_dropped, spec.text or spec.to_syntax(), fm, ld, phi, rel, ht, verdicts, warn, notes,
                    est, fit, estimator="WLSMV", missing="listwise", n_incomplete=0, modification_indices=mi,
                    screening=prep.screening)
    res.thresholds = thresholds_table(fit, est)
    return res
