"""Confirmatory factor analysis with lavaan's ML conventions, reliability and discriminant validity.

The model is given in lavaan syntax (``"visual =~ x1 + x2 + x3"``) or taken from an instrument (one factor per
construct, its items as indicators). Estimation: :mod:`toolkit.psychometrics.mlfit`; fit indices as lavaan
0.6's ``fitMeasures`` (chi-square = N * F_ML with divisor N; RMSEA = sqrt(max(chi2 - df, 0) / (df N)) with a 90%
noncentral chi-square interval; Bentler's SRMR; CFI/TLI against the independence model; AIC/BIC from the
normal log-likelihood with the number of free parameters).

References: Rosseel (2012) lavaan, JSS 48(2); Hu & Bentler (1999) SEM 6:1-55; Fornell & Larcker (1981) JMR
18:39-50; Henseler, Ringle & Sarstedt (2015) JAMS 43:115-135.

>>> import pandas as pd, toolkit
>>> hs = pd.read_csv("tests/data/hs1939.csv")                              # doctest: +SKIP
>>> res = toolkit.cfa(hs, model="visual =~ x1+x2+x3; textual =~ x4+x5+x6; speed =~ x7+x8+x9")  # doctest: +SKIP
>>> round(res.fit["cfi"], 3)                                               # doctest: +SKIP
0.931
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import AnalysisError, DataError
from .mlfit import MLFit, SampleStats, fit_ml
from .sem_model import ModelSpec, build_structure, parse_model

# Hu & Bentler (1999) cut-offs: index -> (direction, cut-off)
CUTOFFS = {"cfi": (">=", 0.95), "tli": (">=", 0.95), "rmsea": ("<=", 0.06), "srmr": ("<=", 0.08)}
FIT_KEYS = ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci", "srmr", "loglik", "aic", "bic")


# ------------------------------------------------------------------------------------------ data and model

@dataclass
class Prepared:
    spec: ModelSpec
    data: pd.DataFrame  # complete cases on the model's items (plus the group column)
    n_dropped: int
    reversed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _as_numeric(df: pd.DataFrame, cols: list[str], source: str | None) -> pd.DataFrame:
    """Item columns as floats (a new frame without *df*'s attrs); text that is not a number is an error."""
    vals = {}
    for c in cols:
        arr = df[c].to_numpy()
        if arr.dtype.kind in "biuf":
            vals[c] = arr.astype(float)
            continue
        s = pd.Series(arr)
        num = pd.to_numeric(s, errors="coerce")
        bad = num.isna() & s.notna() & (s.astype(str).str.strip() != "")
        if bad.any():
            pos = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(f"non-numeric value {str(s.iloc[pos])!r} (recode answers to numbers first)",
                            file=source, line=pos + 2, field=c, kind="row")
        vals[c] = num.to_numpy(dtype=float)
    return pd.DataFrame(vals)


def model_from_instrument(instrument, constructs=None) -> tuple[ModelSpec, list[str]]:
    """One factor per construct (or per construct in *constructs*) with at least two items; returns (spec,
    notes about skipped constructs)."""
    factors, inds, notes = [], {}, []
    known = [c.id for c in instrument.constructs]
    unknown = [c for c in (constructs or ()) if c not in known]
    if unknown:
        raise AnalysisError(f"unknown construct(s) {', '.join(unknown)} (the instrument has: {', '.join(known)})",
                            field="--construct")
    for c in instrument.constructs:
        if constructs and c.id not in constructs:
            continue
        if len(c.item_ids) < 2:
            notes.append(f"construct '{c.id}' has {len(c.item_ids)} item(s) and is left out of the CFA")
            continue
        factors.append(c.id)
        inds[c.id] = list(c.item_ids)
    if not factors:
        raise AnalysisError("the instrument has no construct with two or more items", field="--instrument")
    spec = ModelSpec(factors, inds)
    spec.text = spec.to_syntax()
    return spec, notes


def prepare(data: pd.DataFrame, model=None, instrument=None, group: str | None = None,
            constructs=None) -> Prepared:
    """Resolve the model, recode missing codes and reverse-keyed items (instrument), keep complete cases."""
    source = data.attrs.get("source")
    if (model is None) == (instrument is None):
        raise AnalysisError("give either a model (lavaan syntax) or an instrument, not both or neither",
                            field="--model")
    reversed_: list[str] = []
    notes: list[str] = []
    if instrument is not None:
        if isinstance(instrument, str):
            from ..instruments import load_instrument

            instrument = load_instrument(instrument)
        spec, notes = model_from_instrument(instrument, constructs)
        where = "--instrument"
    else:
        spec = model if isinstance(model, ModelSpec) else parse_model(model)
        where = "--model"
    items = spec.observed
    missing = [c for c in items if c not in data.columns]
    if missing:
        raise DataError(f"item column(s) not in the data: {', '.join(missing)}", file=source, field=where)
    if group is not None and group not in data.columns:
        raise DataError(f"group column '{group}' is not in the data", file=source, field="--group")
    x = _as_numeric(data, items, source)
    if instrument is not None:
        for it in items:
            sc = instrument.scale_of(it)
            if sc.missing_values:
                x.loc[x[it].isin([float(v) for v in sc.missing_values]), it] = np.nan
            if instrument.item(it).reverse:
                x[it] = sc.min + sc.max - x[it]
                reversed_.append(it)
        if reversed_:
            notes.append(f"reverse-keyed items recoded as (min + max) - x: {', '.join(reversed_)}")
    empty = [c for c in items if x[c].notna().sum() == 0]
    if empty:
        also = f" (also {', '.join(empty[1:])})" if len(empty) > 1 else ""
        raise DataError(f"no answers in this item column, so no complete cases{also}", file=source,
                        field=empty[0])
    if group is not None:
        x[group] = data[group].to_numpy()
    keep = x.notna().all(axis=1)
    out = x[keep].reset_index(drop=True)
    return Prepared(spec, out, int((~keep).sum()), reversed_, notes)


def _check_identified(spec: ModelSpec) -> None:
    for f in spec.factors:
        if len(spec.indicators[f]) < 2:
            raise AnalysisError(f"factor '{f}' has only {len(spec.indicators[f])} indicator: a factor needs at "
                                "least 2 (3 when it is the only factor)", field="model")
    if len(spec.factors) == 1 and len(spec.indicators[spec.factors[0]]) < 3:
        raise AnalysisError(f"a lone factor ('{spec.factors[0]}') needs at least 3 indicators to be identified",
                            field="model")


# ----------------------------------------------------------------------------------------------- results

def fit_verdicts(fit: dict) -> list[str]:
    """Hu & Bentler (1999) cut-offs as guidance, e.g. ``"CFI .931 < .95: below the usual cut-off"``."""
    out = []
    for k, (op, cut) in CUTOFFS.items():
        v = fit.get(k)
        if v is None or not np.isfinite(v):
            continue
        ok = v >= cut if op == ">=" else v <= cut
        sym = (">=" if ok else "<") if op == ">=" else ("<=" if ok else ">")
        word = "meets the usual cut-off" if ok else ("below the usual cut-off" if op == ">=" else
                                                     "above the usual cut-off")
        out.append(f"{k.upper()} {_f3(v)} {sym} {_f3(cut, 2)}: {word} (Hu & Bentler 1999)")
    return out


def _f3(v: float, digits: int = 3) -> str:
    s = f"{v:.{digits}f}"
    return s.replace("0.", ".", 1) if abs(v) < 1 else s


def htmt(data: pd.DataFrame, spec: ModelSpec) -> pd.DataFrame:
    """Heterotrait-monotrait ratio (Henseler et al. 2015) on the observed (absolute) item correlations.

    HTMT_ij = mean |r| between items of i and items of j / sqrt(mean |r| within i * mean |r| within j),
    within-factor means over the off-diagonal correlations (semTools' ``htmt(absolute=TRUE)``).
    """
    r = pd.DataFrame(np.abs(np.corrcoef(data[spec.observed].to_numpy(dtype=float), rowvar=False)),
                     index=spec.observed, columns=spec.observed)
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


def standardized(fit: MLFit, g: int = 0) -> dict:
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


@dataclass
class CFAResult:
    """Result of :func:`cfa`: fit indices, loadings, reliability, discriminant validity, verdicts."""

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
    mlfit: MLFit = field(repr=False)
    invariance: object | None = None  # InvarianceResult, filled by the CLI when --group is given

    @property
    def fit_table(self) -> pd.DataFrame:
        """One row per fit index with Hu & Bentler's cut-off where one exists."""
        rows = []
        for k in FIT_KEYS:
            v = self.fit[k]
            if k == "rmsea_ci":
                rows.append({"index": "rmsea_ci_lower", "value": v[0], "cutoff": ""})
                rows.append({"index": "rmsea_ci_upper", "value": v[1], "cutoff": ""})
                continue
            cut = CUTOFFS.get(k)
            rows.append({"index": k, "value": v, "cutoff": f"{cut[0]} {cut[1]}" if cut else ""})
        rows.append({"index": "npar", "value": self.fit["npar"], "cutoff": ""})
        rows.append({"index": "n", "value": self.n, "cutoff": ""})
        rows.append({"index": "n_dropped", "value": self.n_dropped, "cutoff": ""})
        return pd.DataFrame(rows)

    def to_dict(self) -> dict:
        fc = self.factor_correlations
        f = list(fc.index)
        out = {
            "n": self.n,
            "n_dropped": self.n_dropped,
            "model": self.model,
            "fit": {k: self.fit[k] for k in FIT_KEYS} | {"npar": self.fit["npar"],
                                                         "rmsea_pvalue": self.fit["rmsea_pvalue"],
                                                         "baseline_chisq": self.fit["baseline_chisq"],
                                                         "baseline_df": self.fit["baseline_df"]},
            "std_loadings": {f"{r.factor}=~{r.item}": r.std_all for r in self.loadings.itertuples()},
            "loadings": self.loadings.to_dict(orient="records"),
            "reliability": {r.factor: {"cr": r.cr, "ave": r.ave} for r in self.reliability.itertuples()},
            "factor_correlations": {f"{a}~~{b}": fc.loc[a, b] for i, a in enumerate(f) for b in f[i + 1:]},
            "htmt": {f"{a}~~{b}": self.htmt.loc[a, b] for i, a in enumerate(f) for b in f[i + 1:]},
            "verdicts": self.verdicts,
            "warnings": self.warnings,
            "notes": self.notes,
        }
        if self.invariance is not None:
            out["invariance"] = self.invariance.to_dict()["invariance"]
            out["groups"] = self.invariance.to_dict()["groups"]
        return out

    def summary(self) -> str:
        """A short plain-text report."""
        f = self.fit
        lines = [f"CFA (ML, lavaan conventions): n = {self.n} complete cases ({self.n_dropped} dropped)",
                 f"chi2({f['df']}) = {f['chisq']:.3f}, p = {f['pvalue']:.3g}; CFI = {f['cfi']:.3f}, "
                 f"TLI = {f['tli']:.3f}, RMSEA = {f['rmsea']:.3f} [{f['rmsea_ci'][0]:.3f}, {f['rmsea_ci'][1]:.3f}], "
                 f"SRMR = {f['srmr']:.3f}; logL = {f['loglik']:.3f}, AIC = {f['aic']:.3f}, BIC = {f['bic']:.3f}"]
        lines += ["  " + v for v in self.verdicts]
        lines.append("")
        lines.append("Loadings:")
        lines.append(self.loadings.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
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
        if self.invariance is not None:
            lines.append("")
            lines.append(self.invariance.summary())
        for n in self.notes:
            lines.append(f"note: {n}")
        return "\n".join(lines)

    def to_excel(self, path) -> None:
        """Sheets Fit, Loadings, Reliability, HTMT, Invariance; written atomically, text never a formula."""
        from openpyxl import Workbook

        from ..io import save_workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "Fit"
        r = _write_frame(ws, self.fit_table, 1)
        _write_lines(ws, r + 1, ["Guidance (not truth):"] + self.verdicts + self.warnings + self.notes)
        _write_frame(wb.create_sheet("Loadings"), self.loadings, 1)
        ws = wb.create_sheet("Reliability")
        r = _write_frame(ws, self.reliability, 1)
        if len(self.factor_correlations) > 1:
            _write_lines(ws, r + 1, ["Factor correlations"])
            _write_frame(ws, self.factor_correlations.reset_index(names="factor"), r + 2)
        ws = wb.create_sheet("HTMT")
        _write_frame(ws, self.htmt.reset_index(names="factor"), 1)
        ws = wb.create_sheet("Invariance")
        if self.invariance is None:
            _write_lines(ws, 1, ["No grouping column given (use --group COLUMN for measurement invariance)."])
        else:
            r = _write_frame(ws, self.invariance.table, 1)
            _write_lines(ws, r + 1, self.invariance.verdicts + self.invariance.notes)
        save_workbook(wb, path)


def _write_frame(ws, df: pd.DataFrame, row: int) -> int:
    from ..io import write_cell

    for j, c in enumerate(df.columns, 1):
        write_cell(ws, row, j, str(c))
    for i, rec in enumerate(df.itertuples(index=False), row + 1):
        for j, v in enumerate(rec, 1):
            if isinstance(v, (np.floating, float)):
                v = None if not np.isfinite(v) else float(v)
            elif isinstance(v, np.integer):
                v = int(v)
            elif isinstance(v, (list, tuple)):
                v = ", ".join(map(str, v))
            write_cell(ws, i, j, v)
    return row + len(df) + 1


def _write_lines(ws, row: int, lines: list[str]) -> int:
    from ..io import write_cell

    for i, t in enumerate(lines):
        write_cell(ws, row + i, 1, t)
    return row + len(lines)


def estimates_table(fit: MLFit) -> pd.DataFrame:
    """Parameter table (lhs, op, rhs, group, est, se, z, pvalue, std_all) as lavaan's parameterEstimates."""
    st = fit.structure
    cov = fit.vcov()
    se_all = np.sqrt(np.clip(np.diag(cov), 0, None))
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


def cfa(data: pd.DataFrame, model=None, instrument=None, constructs=None) -> CFAResult:
    """Confirmatory factor analysis by maximum likelihood, as ``lavaan::cfa(model, data)``.

    Parameters
    ----------
    data : DataFrame with one column per item.
    model : lavaan-style syntax (string with new lines or ``;``, or a list of lines), e.g.
        ``"visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6"``; ``x1 ~~ x4`` adds a residual covariance.
    instrument : instrument name/path or :class:`~toolkit.instruments.model.Instrument`: one factor per
        construct; declared missing codes become NaN and reverse-keyed items are recoded (min + max - x).
    constructs : with an instrument, only these constructs (ids) form the model.

    Complete cases on the model's items are used (listwise). Fit: chi-square = N F_ML (divisor N), CFI, TLI,
    RMSEA with its 90% interval, SRMR (Bentler), log-likelihood, AIC = -2logL + 2k, BIC = -2logL + log(N)k;
    standardized (std.all) loadings, factor correlations, CR/AVE, HTMT, and Hu & Bentler (1999) verdicts.

    Example
    -------
    >>> res = cfa(hs, model="visual =~ x1+x2+x3; textual =~ x4+x5+x6; speed =~ x7+x8+x9")  # doctest: +SKIP
    >>> res.fit["chisq"], res.fit["df"]                                                     # doctest: +SKIP
    (85.3055..., 24)
    """
    prep = prepare(data, model=model, instrument=instrument, constructs=constructs)
    return _cfa_prepared(prep)


def _cfa_prepared(prep: Prepared) -> CFAResult:
    spec = prep.spec
    _check_identified(spec)
    obs = spec.observed
    n = len(prep.data)
    if n < 2:
        raise AnalysisError(f"only {n} complete case(s) on the model's items", field="data")
    st = build_structure(spec, 1)
    df_ = len(obs) * (len(obs) + 1) // 2 - st.nfree
    if df_ < 0:
        raise AnalysisError(f"the model is not identified: {st.nfree} free parameters for "
                            f"{len(obs) * (len(obs) + 1) // 2} variances and covariances (df = {df_})", field="model")
    ss = SampleStats.from_frame(prep.data, obs)
    fit = fit_ml(st, ss)
    fm = fit.fit_measures()
    std = standardized(fit)
    est = estimates_table(fit)
    ld = est[est["op"] == "=~"].rename(columns={"lhs": "factor", "rhs": "item"}).drop(columns="op")
    ld = ld[["factor", "item", "est", "se", "z", "pvalue", "std_all"]].reset_index(drop=True)
    oi = {v: i for i, v in enumerate(obs)}
    ld["r2"] = [1 - std["theta"][oi[x], oi[x]] for x in ld["item"]]
    phi = pd.DataFrame(std["phi"], index=spec.factors, columns=spec.factors)
    rel = reliability_table(spec, ld, std["theta"], std["phi"], obs)
    ht = htmt(prep.data, spec)
    warn = list(fit.warnings)
    if n < 100:
        warn.append(f"only {n} complete cases: ML fit indices and chi-square are unreliable in small samples")
    if fm["df"] == 0:
        warn.append("df = 0: the model is just identified and reproduces the covariances exactly, so the fit "
                    "indices say nothing about fit")
    verdicts = (fit_verdicts(fm) if fm["df"] > 0 else []) + reliability_verdicts(rel, ht)
    return CFAResult(n, prep.n_dropped, spec.text or spec.to_syntax(), fm, ld, phi, rel, ht, verdicts, warn,
                     prep.notes, est, fit)
