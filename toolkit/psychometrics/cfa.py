"""Confirmatory factor analysis with lavaan's conventions: ML, FIML for missing answers, MLR.

The model is given in lavaan syntax (``"visual =~ x1 + x2 + x3"``) or taken from an instrument (one factor per
construct, its items as indicators). The pieces follow lavaan's source: the model representation
(:mod:`.sem_model`, :mod:`.implied`), sample statistics (:mod:`.samplestats`), estimators behind one
interface (:mod:`.estimators`: ML, FIML, MLR), test statistics (:mod:`.teststats`), fit indices
(:mod:`.fitindices`, :mod:`.fiml_robust`), modification indices (:mod:`.modindices`) and the result
(:mod:`.cfa_results`). Fit indices are lavaan 0.6's ``fitMeasures``; under FIML the chi-square is
2 (logL_H1 - logL_H0) with lavaan's truncated-EM H1, and with MLR come the Yuan-Bentler scaled statistic,
sandwich standard errors and the scaled and robust CFI/TLI/RMSEA.

References: Rosseel (2012) lavaan, JSS 48(2); Hu & Bentler (1999) SEM 6:1-55; Fornell & Larcker (1981) JMR
18:39-50; Henseler, Ringle & Sarstedt (2015) JAMS 43:115-135; Enders (2010) Applied Missing Data Analysis.

>>> import pandas as pd, toolkit
>>> hs = pd.read_csv("tests/data/hs1939.csv")                              # doctest: +SKIP
>>> res = toolkit.cfa(hs, model="visual =~ x1+x2+x3; textual =~ x4+x5+x6; speed =~ x7+x8+x9")  # doctest: +SKIP
>>> round(res.fit["cfi"], 3)                                               # doctest: +SKIP
0.931
"""
from __future__ import annotations

import pandas as pd

from ..errors import AnalysisError
from .cfa_input import Prepared, check_identified, model_from_instrument, prepare
from .cfa_results import CFAResult, fit_verdicts, fitted_tables, reliability_verdicts
from .estimators import fit_model, get_estimator
from .modindices import modification_indices
from .samplestats.moments import SampleStats
from .sem_model import build_structure

__all__ = ["cfa", "prepare", "model_from_instrument", "CFAResult", "Prepared"]

N_MODINDICES = 10


def cfa(data: pd.DataFrame, model=None, instrument=None, constructs=None, *, estimator: str | None = None,
        missing: str = "auto", missing_codes=(), modindices: int | None = N_MODINDICES, ordered=None) -> CFAResult:
    """Confirmatory factor analysis, as ``lavaan::cfa(model, data, estimator=, missing=)``.

    Parameters
    ----------
    data : DataFrame with one column per item.
    model : lavaan-style syntax (string with new lines or ``;``, or a list of lines), e.g.
        ``"visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6"``; ``x1 ~~ x4`` adds a residual covariance.
    instrument : instrument name/path or :class:`~toolkit.instruments.model.Instrument`: one factor per
        construct; declared missing codes become NaN and reverse-keyed items are recoded (min + max - x).
    constructs : with an instrument, only these constructs (ids) form the model.
    estimator : ``"ml"`` (default for continuous items), ``"mlr"`` (ML with Huber-White standard errors and the
        Yuan-Bentler scaled chi-square, lavaan's ``estimator = "MLR"``) or ``"wlsmv"`` (default with *ordered*:
        DWLS on polychoric correlations with robust standard errors and the scaled-and-shifted chi-square).
    ordered : ``True`` (every indicator is ordinal, e.g. Likert items) or the list of the model's items
        (it must name all of them): thresholds become model parameters (lavaan ``ordered =``, delta
        parameterization), rows with a missing answer are left out (FIML does not exist for ordered data).
    missing : ``"auto"`` (default: FIML as soon as an item has a missing value), ``"fiml"`` (lavaan's
        ``missing = "ml"``) or ``"listwise"`` (complete cases, with a warning saying how many rows it drops).
    missing_codes : values that mean "missing" in every item (e.g. ``[9]`` for Don't know), besides an
        instrument's declared codes; answers outside an instrument's response range are set to missing too,
        and ``screening`` / the warnings say how many.
    modindices : how many modification indices to report (largest first); 0 or None for none.

    Fit: chi-square, CFI, TLI, RMSEA with its 90% interval, SRMR (Bentler), log-likelihood, AIC, BIC; with MLR
    or FIML also lavaan's ``*_scaled`` / ``*_robust`` indices; standardized (std.all) loadings, factor
    correlations, CR/AVE, HTMT, modification indices with EPC, and Hu & Bentler (1999) verdicts.

    Example
    -------
    >>> res = cfa(hs, model="visual =~ x1+x2+x3; textual =~ x4+x5+x6; speed =~ x7+x8+x9")  # doctest: +SKIP
    >>> res.fit["chisq"], res.fit["df"]                                                     # doctest: +SKIP
    (85.3055..., 24)
    >>> res = cfa(hs, model=..., estimator="mlr", missing="fiml")                           # doctest: +SKIP
    >>> res.fit["chisq_scaled"], res.fit["cfi_robust"]                                      # doctest: +SKIP
    """
    estimator = resolve_estimator(estimator, ordered, missing)
    if ordered:
        from .cfa_ordinal import cfa_ordinal, prepare_ordinal

        prep, mom = prepare_ordinal(data, model=model, instrument=instrument, constructs=constructs,
                                    missing_codes=missing_codes, ordered=ordered)
        return cfa_ordinal(prep, mom, modindices)
    prep = prepare(data, model=model, instrument=instrument, constructs=constructs, missing=missing,
                   missing_codes=missing_codes)
    return _cfa_prepared(prep, estimator, modindices)


def resolve_estimator(estimator: str | None, ordered, missing: str = "auto") -> str:
    """The estimator name for *ordered* (WLSMV by default) or continuous items (ML by default); one clear error
    for WLSMV on continuous items, ML/MLR on ordered items or FIML with ordered items."""
    name = (estimator or ("wlsmv" if ordered else "ml")).lower()
    get_estimator(name)
    if ordered and name != "wlsmv":
        raise AnalysisError(f"estimator {name.upper()} is not available for ordered items: use --estimator wlsmv "
                            "(the default with --ordered)", field="--estimator")
    if not ordered and name == "wlsmv":
        raise AnalysisError("WLSMV needs ordered (ordinal) indicators: add --ordered (ordered=True), or use ml/mlr "
                            "for continuous items", field="--estimator")
    if ordered and missing == "fiml":
        raise AnalysisError("FIML is not available for ordered items (lavaan refuses missing = \"ml\" for "
                            "categorical data): WLSMV uses complete cases, so drop --missing fiml", field="--missing")
    return name


def _cfa_prepared(prep: Prepared, estimator: str = "ml", modindices: int | None = N_MODINDICES) -> CFAResult:
    spec = prep.spec
    check_identified(spec)
    obs = spec.observed
    n = len(prep.data)
    if n < 2:
        raise AnalysisError(f"only {n} usable row(s) on the model's items", field="data")
    fiml = prep.missing == "fiml"
    st = build_structure(spec, 1, meanstructure=fiml)
    if st.df < 0:
        raise AnalysisError(f"the model is not identified: {st.nfree} free parameters for "
                            f"{st.moments_per_group()} sample moments (df = {st.df})", field="model")
    ss = SampleStats.from_frame(prep.data, obs, missing=prep.missing)
    fit = fit_model(st, ss, estimator)
    t = fitted_tables(fit, spec, ss.cov[0], prep.warnings)
    fm, est, ld, phi, rel, ht, warn = (t[k] for k in ("fit", "estimates", "loadings", "phi", "reliability", "htmt",
                                                     "warnings"))
    if n < 100:
        warn.append(f"only {n} {'rows' if fiml else 'complete cases'}: ML fit indices and chi-square are "
                    "unreliable in small samples")
    if fm["df"] == 0:
        warn.append("df = 0: the model is just identified and reproduces the covariances exactly, so the fit "
                    "indices say nothing about fit")
    mi = modification_indices(fit, modindices) if modindices and fm["df"] > 0 else pd.DataFrame()
    robust = fit.estimator.robust
    verdicts = (fit_verdicts(fm, robust) if fm["df"] > 0 else []) + reliability_verdicts(rel, ht)
    if ss.missing and max(ss.em_iterations) >= 500:
        warn.append("the EM estimate of the unrestricted model stopped after 500 iterations (as lavaan's): "
                    "chi-square and fit indices may be imprecise")
    return CFAResult(n, prep.n_dropped, spec.text or spec.to_syntax(), fm, ld, phi, rel, ht, verdicts, warn,
                     list(prep.notes), est, fit, estimator=fit.estimator.name, missing=prep.missing,
                     n_incomplete=prep.n_incomplete, modification_indices=mi, screening=prep.screening)
