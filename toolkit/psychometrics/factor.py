"""Exploratory factor analysis as psych does it: KMO, Bartlett's test of sphericity and ``fa``.

* :func:`kmo` - Kaiser-Meyer-Olkin measure of sampling adequacy (Kaiser 1970; Kaiser & Rice 1974), psych::KMO.
* :func:`bartlett` - Bartlett's (1950) test that the correlation matrix is an identity, psych::cortest.bartlett.
* :func:`efa` - extraction (minres, ml, pa, principal) + rotation (oblimin, promax, varimax, none), psych::fa.

Missing data: ``missing="pairwise"`` (psych's default) uses every pair of answers for each correlation;
``"listwise"`` keeps complete rows only. Rows in which every item is empty are dropped first.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import AnalysisError, DataError
from . import fafit
from . import rotation as _rot

__all__ = ["kmo", "bartlett", "efa", "KMOResult", "BartlettResult", "EFAResult", "correlations", "select_items"]

MISSING = ("pairwise", "listwise")


# --------------------------------------------------------------------------------------------- data
def _item_frame(data, items=None) -> pd.DataFrame:
    """Numeric item columns; a non-numeric cell is a located :class:`DataError`."""
    if not isinstance(data, pd.DataFrame):
        data = pd.DataFrame(np.asarray(data, dtype=float))
        data.columns = [f"V{i + 1}" for i in range(data.shape[1])]
    source = data.attrs.get("source")
    if items is not None:
        items = list(items)
        absent = [c for c in items if c not in data.columns]
        if absent:
            raise DataError(f"item column(s) not in the data: {', '.join(map(str, absent))}", file=source)
        data = data[items]
    out = {}
    for col in data.columns:
        s = data[col]
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            out[str(col)] = s.astype(float)
            continue
        num = pd.to_numeric(s, errors="coerce")
        cand = (num.isna() & s.notna()).to_numpy()
        bad = np.zeros(len(s), dtype=bool)
        if cand.any():
            bad[cand] = s[cand].astype(str).str.strip().to_numpy() != ""
        if bad.any():
            pos = int(np.flatnonzero(bad)[0])
            raise DataError(f"not a number: {s.iloc[pos]!r}", file=source, line=pos + 2, field=str(col),
                            kind="row")
        out[str(col)] = num.astype(float)
    df = pd.DataFrame(out, index=data.index)
    if df.shape[1] < 3:
        raise AnalysisError("factor analysis needs at least 3 items")
    empty = [c for c in df.columns if df[c].notna().sum() < 3]
    if empty:
        also = f" (also {', '.join(map(str, empty[1:]))})" if len(empty) > 1 else ""
        raise DataError(f"fewer than 3 answers in this item column (an empty column?){also}", file=source,
                        field=str(empty[0]))
    return df.loc[df.notna().any(axis=1)]


def select_items(data: pd.DataFrame, items=None, instrument=None, missing_codes=()) -> pd.DataFrame:
    """The item columns of *data*: the named *items*, or every item of *instrument* (a name, YAML path or
    :class:`~toolkit.instruments.model.Instrument`). Exactly one of *items* and *instrument* must be given.

    Answers are screened (:mod:`toolkit.psychometrics.screening`): the instrument's declared missing codes
    (e.g. 9 = Don't know) and *missing_codes* become NaN, and so do answers outside the instrument's response
    range; what was set to missing is kept in ``out.attrs["screening"]`` and reported by :func:`efa`."""
    from .screening import item_rules, screen

    source = data.attrs.get("source")
    if (items is None) == (instrument is None):
        raise DataError("give exactly one of --items A1,A2,... or --instrument NAME", field="--items")
    inst = None
    if items is not None:
        cols = [c.strip() for c in items.split(",") if c.strip()] if isinstance(items, str) else list(items)
        if len(set(cols)) != len(cols):
            raise DataError("an item is named twice", field="--items")
        absent = [c for c in cols if c not in data.columns]
        if absent:
            raise DataError(f"item column(s) not in the data: {', '.join(absent)}", file=source, field="--items")
    else:
        from ..instruments import load_instrument

        inst = instrument if hasattr(instrument, "item_ids") else load_instrument(instrument)
        cols = list(inst.item_ids)
        absent = [c for c in cols if c not in data.columns]
        if absent:
            raise DataError(f"instrument '{inst.id}' item column(s) not in the data: {', '.join(absent)}",
                            file=source, field="--instrument")
    out, screening = screen(data, cols, item_rules(cols, instrument=inst, missing_codes=missing_codes),
                            source=source)
    out.attrs["screening"] = screening
    return out


def _is_corr(data) -> bool:
    if not isinstance(data, (pd.DataFrame, np.ndarray)):
        return False
    a = np.asarray(data, dtype=float) if not isinstance(data, pd.DataFrame) else None
    if isinstance(data, pd.DataFrame):
        if data.shape[0] != data.shape[1] or list(map(str, data.index)) != list(map(str, data.columns)):
            return False
        try:
            a = data.to_numpy(dtype=float)
        except (TypeError, ValueError):
            return False
    return (a.ndim == 2 and a.shape[0] == a.shape[1] and not np.isnan(a).any() and np.allclose(a, a.T)
            and np.allclose(np.diag(a), 1.0))


def _pairwise(df: pd.DataFrame):
    """R's cor(use="pairwise") and the pairwise counts; the shared helper when present, else pandas."""
    try:
        from .correlation import pairwise_moments
    except ImportError:  # pragma: no cover - the helper ships with the reliability module
        M = df.notna().to_numpy(dtype=float)
        return df.corr(method="pearson").to_numpy(), M.T @ M
    m = pairwise_moments(df.to_numpy(dtype=float))
    return np.array(m.corr, dtype=float), m.n


def correlations(df: pd.DataFrame, missing: str = "pairwise") -> tuple[pd.DataFrame, int, int]:
    """Pearson correlations of the item columns: ``(R, n, min_pairwise_n)``.

    ``pairwise`` equals R's ``cor(x, use="pairwise")`` (each pair's own complete cases); ``n`` is then the
    number of rows (what psych's fa and cortest.bartlett use for raw data). ``listwise`` uses complete rows.
    """
    if missing not in MISSING:
        raise AnalysisError(f"missing must be one of {', '.join(MISSING)}, not {missing!r}")
    cols = list(df.columns)
    if missing == "listwise":
        df = df.dropna()
        if len(df) < 3:
            raise AnalysisError(f"only {len(df)} complete rows: too few for listwise deletion "
                                "(use missing='pairwise')")
    X = df.to_numpy(dtype=float)
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)      # an all-empty column: reported just below
        sds = np.nanstd(X, axis=0)
    empty = [c for c, k in zip(cols, (~np.isnan(X)).sum(axis=0)) if k < 3]
    if empty:
        raise AnalysisError(f"item(s) with fewer than 3 answers (empty column?): {', '.join(empty)}")
    const = [c for c, sd in zip(cols, sds) if not sd > 0]
    if const:
        raise AnalysisError(f"item(s) with no variance (every answer the same): {', '.join(const)}")
    mask = ~np.isnan(X)
    if mask.all():
        Z = X - X.mean(axis=0)
        C = Z.T @ Z
        d = np.sqrt(np.diag(C))
        R = C / np.outer(d, d)
        npair = len(X)
    else:
        R, counts = _pairwise(df)
        npair = int(counts.min())
        R = np.where(counts >= 3, R, np.nan)
        if np.isnan(R).any():
            i, j = np.argwhere(np.isnan(R))[0]
            raise AnalysisError(f"items {cols[i]} and {cols[j]} have fewer than 3 rows answered together, "
                                "so their correlation cannot be computed")
    np.fill_diagonal(R, 1.0)
    R = (R + R.T) / 2
    return pd.DataFrame(R, index=cols, columns=cols), len(df), npair


def _corr_input(data, missing="pairwise", items=None):
    """-> (R DataFrame, n or None, min pairwise n or None)."""
    if _is_corr(data):
        R = data if isinstance(data, pd.DataFrame) else pd.DataFrame(
            data, index=[f"V{i + 1}" for i in range(len(data))], columns=[f"V{i + 1}" for i in range(len(data))])
        if items is not None:
            R = R.loc[list(items), list(items)]
        return R.astype(float), None, None
    return correlations(_item_frame(data, items), missing)


def _poly_input(data, missing="pairwise", items=None):
    """Polychoric correlations of the item columns, as ``psych::fa(x, cor = "poly")`` computes them
    (``polychoric(x, correct = .5)``, smoothed when not positive definite) -> (R, n, min pairwise n, warnings)."""
    from .samplestats.polychoric import polychoric_matrix

    if missing not in MISSING:
        raise AnalysisError(f"missing must be one of {', '.join(MISSING)}, not {missing!r}")
    if _is_corr(data):
        raise AnalysisError("polychoric correlations need the answers, not a correlation matrix")
    df = _item_frame(data, items)
    if missing == "listwise":
        df = df.dropna()
        if len(df) < 3:
            raise AnalysisError(f"only {len(df)} complete rows: too few for listwise deletion "
                                "(use missing='pairwise')")
    res = polychoric_matrix(df.to_numpy(dtype=float), [str(c) for c in df.columns], correct=0.5,
                            source=data.attrs.get("source") if isinstance(data, pd.DataFrame) else None)
    if len(res.items) < 3:
        raise AnalysisError("factor analysis needs at least 3 items with two or more categories")
    warns = [f"polychoric correlations: {w}" for w in res.warnings]
    if res.rho.isna().to_numpy().any():
        raise AnalysisError("some polychoric correlations cannot be estimated (see the warnings: items never "
                            "answered together); factor analysis needs every correlation")
    return res.rho, len(df), int(res.n_pairs.to_numpy().min()), warns, res.smoothed


def _not_pd_warning(R: np.ndarray) -> str | None:
    ev = np.linalg.eigvalsh(R)
    if ev.min() <= 1e-10:
        return (f"The correlation matrix is not positive definite (smallest eigenvalue {ev.min():.3g}). "
                "This happens with pairwise deletion, with items that are (almost) exact combinations of "
                "others, or with more items than respondents; the results are less trustworthy - check for "
                "duplicated items or try missing='listwise'.")
    return None


# --------------------------------------------------------------------------------------------- KMO
@dataclass
class KMOResult:
    """Overall MSA and one MSA per item."""

    overall: float
    items: pd.Series
    warnings: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"kmo": self.overall, "kmo_items": {k: float(v) for k, v in self.items.items()},
                "warnings": list(self.warnings)}

    def __repr__(self):
        return f"KMOResult(overall={self.overall:.4f}, items={len(self.items)})"


def kmo(data, missing: str = "pairwise", items=None) -> KMOResult:
    """Kaiser-Meyer-Olkin measure of sampling adequacy, as psych::KMO.

    With ``Q = cov2cor(R^-1)`` (anti-image correlations up to sign) and off-diagonal sums only::

        MSA   = sum r_ij^2 / (sum r_ij^2 + sum q_ij^2)
        MSA_i = sum_j r_ij^2 / (sum_j r_ij^2 + sum_j q_ij^2)

    Kaiser (1970) Psychometrika 35:401-415; Kaiser & Rice (1974) Educ Psychol Meas 34:111-117.
    *data* is a DataFrame of item answers (correlations pairwise by default) or a correlation matrix.

    Example::

        >>> import toolkit, pandas as pd
        >>> df = pd.read_csv("tests/data/bfi.csv").loc[:, "A1":"O5"]
        >>> round(toolkit.kmo(df).overall, 4)
        0.8459
    """
    Rdf, _, _ = _corr_input(data, missing, items)
    R = Rdf.to_numpy()
    warns = [w for w in [_not_pd_warning(R)] if w]
    try:
        Q = np.linalg.inv(R)
        if not np.all(np.isfinite(Q)):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        Q = np.linalg.pinv(R, hermitian=True)
        warns.append("The correlation matrix cannot be inverted; KMO used its pseudo-inverse.")
    d = np.sqrt(np.abs(np.diag(Q)))
    Q = Q / np.outer(d, d)
    np.fill_diagonal(Q, 0.0)
    r = R.copy()
    np.fill_diagonal(r, 0.0)
    r2, q2 = (r ** 2).sum(axis=0), (Q ** 2).sum(axis=0)
    overall = float(r2.sum() / (r2.sum() + q2.sum()))
    return KMOResult(overall, pd.Series(r2 / (r2 + q2), index=Rdf.columns, name="MSA"), warns)


# --------------------------------------------------------------------------------------------- Bartlett
@dataclass
class BartlettResult:
    chisq: float
    df: int
    p: float
    n: int
    warnings: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"chisq": self.chisq, "df": self.df, "p": self.p, "n": self.n}

    def __repr__(self):
        return f"BartlettResult(chisq={self.chisq:.4f}, df={self.df}, p={self.p:.3g}, n={self.n})"


def bartlett(data, n: int | None = None, missing: str = "pairwise", items=None) -> BartlettResult:
    """Bartlett's (1950) test of sphericity, as psych::cortest.bartlett::

        chisq = -ln|R| * (n - 1 - (2p + 5) / 6),   df = p (p - 1) / 2

    Raw data: ``R`` pairwise (or listwise) and ``n`` = number of rows, as psych uses ``nrow(x)`` for raw data
    even when some answers are missing (rows with every item empty are dropped first). A correlation matrix
    needs ``n`` (psych silently assumes 100; we refuse). Bartlett (1950) Br J Stat Psychol 3:77-85.

    Example::

        >>> import toolkit, pandas as pd
        >>> df = pd.read_csv("tests/data/bfi.csv").loc[:, "A1":"O5"]
        >>> round(toolkit.bartlett(df).chisq, 2)
        20163.79
    """
    from scipy.special import chdtrc  # chi-square upper tail; lighter to import than scipy.stats

    Rdf, n_rows, _ = _corr_input(data, missing, items)
    if n is None:
        n = n_rows
    if n is None:
        raise AnalysisError("bartlett() on a correlation matrix needs the number of respondents n")
    R = Rdf.to_numpy()
    p = R.shape[0]
    sign, logdet = np.linalg.slogdet(R)
    warns = []
    if sign <= 0:
        warns.append("The correlation matrix is not positive definite (its determinant is not positive), so "
                     "Bartlett's test cannot be computed.")
        stat = float("nan")
    else:
        stat = float(-logdet * (n - 1 - (2 * p + 5) / 6))
    df = p * (p - 1) // 2
    pval = float(chdtrc(df, stat)) if np.isfinite(stat) else float("nan")
    return BartlettResult(stat, df, pval, int(n), warns)


# --------------------------------------------------------------------------------------------- EFA
@dataclass
class EFAResult:
    """Result of :func:`efa`. DataFrames are indexed by item (or factor)."""

    n: int | None
    n_factors: int
    method: str
    rotation: str
    missing: str
    loadings: pd.DataFrame           # pattern matrix
    structure: pd.DataFrame          # pattern %*% Phi
    factor_correlations: pd.DataFrame
    communalities: pd.Series         # diag(P Phi P')
    uniquenesses: pd.Series          # diag(R) - h2
    complexity: pd.Series            # Hoffman: (sum l^2)^2 / sum l^4
    variance: pd.DataFrame           # SS loadings, Proportion Var, Cumulative Var, Proportion/Cumulative Explained
    eigenvalues: pd.DataFrame        # of R and of R with communalities on the diagonal
    kmo: KMOResult | None
    bartlett: BartlettResult | None
    correlation: pd.DataFrame
    min_pairwise_n: int | None = None
    converged: bool = True
    warnings: list = field(default_factory=list)
    parallel: object = None
    correlation_type: str = "pearson"   # or "polychoric" (ordinal=True)
    screening: object = None

    def sorted_loadings(self, cutoff: float | None = None) -> pd.DataFrame:
        """Items grouped by their main factor (largest absolute loading) and sorted by it within a factor, as
        psych::fa.sort; loadings below *cutoff* in absolute value become NaN (blank)."""
        L = self.loadings
        main = L.abs().to_numpy().argmax(axis=1)
        order = sorted(range(len(L)), key=lambda i: (main[i], -abs(L.iloc[i, main[i]])))
        out = L.iloc[order].copy()
        if cutoff:
            out = out.mask(out.abs() < cutoff)
        out["h2"] = self.communalities.iloc[order]
        out["u2"] = self.uniquenesses.iloc[order]
        out["com"] = self.complexity.iloc[order]
        return out

    def to_dict(self) -> dict:
        d = {
            "n": self.n,
            "kmo": None if self.kmo is None else self.kmo.overall,
            "kmo_items": None if self.kmo is None else {k: float(v) for k, v in self.kmo.items.items()},
            "bartlett": None if self.bartlett is None else self.bartlett.to_dict(),
            "n_factors": self.n_factors,
            "method": self.method,
            "rotation": self.rotation,
            "missing": self.missing,
            "factors": list(self.loadings.columns),
            "loadings": {i: [float(x) for x in row] for i, row in zip(self.loadings.index,
                                                                     self.loadings.to_numpy())},
            "structure": {i: [float(x) for x in row] for i, row in zip(self.structure.index,
                                                                      self.structure.to_numpy())},
            "communalities": {k: float(v) for k, v in self.communalities.items()},
            "uniquenesses": {k: float(v) for k, v in self.uniquenesses.items()},
            "complexity": {k: float(v) for k, v in self.complexity.items()},
            "factor_correlations": self.factor_correlations.to_numpy().tolist(),
            "variance_explained": [
                {"factor": f, "ss_loadings": float(self.variance.loc["SS loadings", f]),
                 "proportion": float(self.variance.loc["Proportion Var", f]),
                 "cumulative": float(self.variance.loc["Cumulative Var", f])}
                for f in self.variance.columns],
            "eigenvalues": self.eigenvalues["R"].tolist(),
            "min_pairwise_n": self.min_pairwise_n,
            "converged": self.converged,
            "correlation_type": self.correlation_type,
            "warnings": list(self.warnings),
        }
        if self.screening is not None:
            d["screening"] = self.screening.to_dict()
        if self.parallel is not None:
            d["parallel"] = self.parallel.to_dict()
        return d

    def summary(self, cutoff: float = 0.30) -> str:
        """Plain-text report: KMO, Bartlett, sorted loadings (blank below *cutoff*), variance, Phi, warnings."""
        lines = [f"Exploratory factor analysis: {self.n_factors} factor(s), {self.method} extraction, "
                 f"{self.rotation} rotation, {self.missing} deletion, n = {self.n}"]
        if self.correlation_type == "polychoric":
            lines[0] = lines[0].replace("factor analysis:", "factor analysis of polychoric correlations:")
        if self.min_pairwise_n is not None and self.missing == "pairwise" and self.min_pairwise_n != self.n:
            lines[0] += f" (smallest pairwise n = {self.min_pairwise_n})"
        if self.kmo is not None:
            lines.append(f"KMO (overall MSA) = {self.kmo.overall:.3f} ({kmo_label(self.kmo.overall)}); "
                         f"lowest item MSA: {self.kmo.items.idxmin()} = {self.kmo.items.min():.3f}")
        if self.bartlett is not None:
            b = self.bartlett
            lines.append(f"Bartlett's test of sphericity: chi-square = {b.chisq:.2f}, df = {b.df}, "
                         f"p {_fmt_p(b.p)}")
        if self.parallel is not None:
            lines.append(f"Parallel analysis ({self.parallel.iterations} simulated data sets): "
                         f"{self.parallel.n_factors} factor(s), {self.parallel.n_components} component(s)")
        lines.append("")
        lines.append(f"Loadings (pattern matrix; |loading| < {cutoff:.2f} blank):")
        t = self.sorted_loadings(cutoff)
        w = max(4, max(len(i) for i in t.index))
        lines.append(" " * w + "".join(f"{c:>8}" for c in t.columns))
        for item, row in t.iterrows():
            cells = "".join("        " if pd.isna(v) else f"{v:8.2f}" for v in row.to_numpy())
            lines.append(f"{item:<{w}}{cells}")
        lines.append("")
        v = self.variance.loc[["SS loadings", "Proportion Var", "Cumulative Var"]]
        lines.append(" " * 16 + "".join(f"{c:>8}" for c in v.columns))
        for name, row in v.iterrows():
            lines.append(f"{name:<16}" + "".join(f"{x:8.2f}" for x in row.to_numpy()))
        if self.rotation in _rot.OBLIQUE and self.n_factors > 1:
            lines.append("")
            lines.append("Factor correlations:")
            phi = self.factor_correlations
            lines.append(" " * 6 + "".join(f"{c:>8}" for c in phi.columns))
            for name, row in phi.iterrows():
                lines.append(f"{name:<6}" + "".join(f"{x:8.2f}" for x in row.to_numpy()))
        if self.warnings:
            lines.append("")
            lines.extend(f"warning: {w}" for w in self.warnings)
        return "\n".join(lines)

    def to_excel(self, path, cutoff: float = 0.30) -> None:
        """Write an .xlsx workbook (atomic): Summary, Loadings (sorted, blank below *cutoff*), Structure,
        Factor correlations, Variance, KMO, Correlations, and Parallel when parallel analysis ran."""
        from openpyxl import Workbook
        from openpyxl.styles import Font

        from ..io import save_workbook, write_cell

        wb = Workbook()
        ws = wb.active
        ws.title = "Summary"
        rows = [("Method", self.method), ("Rotation", self.rotation), ("Missing data", self.missing),
                ("n", self.n), ("Smallest pairwise n", self.min_pairwise_n), ("Factors", self.n_factors)]
        if self.kmo is not None:
            rows.append(("KMO (overall MSA)", round(self.kmo.overall, 6)))
        if self.bartlett is not None:
            rows += [("Bartlett chi-square", self.bartlett.chisq), ("Bartlett df", self.bartlett.df),
                     ("Bartlett p", self.bartlett.p)]
        if self.parallel is not None:
            rows += [("Parallel analysis: factors", self.parallel.n_factors),
                     ("Parallel analysis: components", self.parallel.n_components)]
        rows.append(("Loading cut-off", cutoff))
        for r, (k, v) in enumerate(rows, 1):
            write_cell(ws, r, 1, k).font = Font(bold=True)
            write_cell(ws, r, 2, None if v is None or (isinstance(v, float) and not np.isfinite(v)) else v)
        r = len(rows) + 2
        write_cell(ws, r, 1, "Warnings").font = Font(bold=True)
        for i, w in enumerate(self.warnings or ["none"], 1):
            write_cell(ws, r + i, 1, w)
        ws.column_dimensions["A"].width = 30

        def frame(title, df, index_name="", digits=3):
            sh = wb.create_sheet(title)
            write_cell(sh, 1, 1, index_name).font = Font(bold=True)
            for j, c in enumerate(df.columns, 2):
                write_cell(sh, 1, j, str(c)).font = Font(bold=True)
            for i, (idx, row) in enumerate(df.iterrows(), 2):
                write_cell(sh, i, 1, str(idx))
                for j, val in enumerate(row.to_numpy(), 2):
                    if val is not None and not (isinstance(val, float) and np.isnan(val)):
                        cell = write_cell(sh, i, j, float(val))
                        cell.number_format = "0." + "0" * digits
            sh.column_dimensions["A"].width = 22

        frame("Loadings", self.sorted_loadings(cutoff), "item", 2)
        frame("Structure", self.structure.loc[self.sorted_loadings().index], "item", 2)
        frame("Factor correlations", self.factor_correlations, "factor", 2)
        frame("Variance", self.variance, "", 3)
        if self.kmo is not None:
            frame("KMO", self.kmo.items.to_frame("MSA"), "item", 3)
        frame("Eigenvalues", self.eigenvalues, "position", 4)
        frame("Correlations", self.correlation, "item", 3)
        if self.parallel is not None:
            frame("Parallel", self.parallel.table, "position", 4)
        save_workbook(wb, path)

    def __repr__(self):
        return (f"EFAResult(n={self.n}, n_factors={self.n_factors}, method={self.method!r}, "
                f"rotation={self.rotation!r}, warnings={len(self.warnings)})")


def kmo_label(v: float) -> str:
    """Kaiser's (1974) verbal labels for an MSA value."""
    for lo, name in ((0.9, "marvelous"), (0.8, "meritorious"), (0.7, "middling"), (0.6, "mediocre"),
                     (0.5, "miserable")):
        if v >= lo:
            return name
    return "unacceptable"


def _fmt_p(p: float) -> str:
    if not np.isfinite(p):
        return "= NA"
    return "< .001" if p < 0.001 else f"= {p:.3f}"


def _heywood_warnings(items, h2, ext: fafit.Extraction) -> list[str]:
    out = []
    bound = set(ext.at_bound)
    for i, item in enumerate(items):
        if h2[i] > 1.0 + 1e-6:
            out.append(f"Heywood case: item {item} has a communality of {h2[i]:.3f}, above 1 (an impossible "
                       "negative unique variance); the solution is improper - try fewer factors or drop the item.")
        elif i in bound or h2[i] >= 0.995:
            out.append(f"Heywood case: item {item} has a communality of {h2[i]:.3f} (its uniqueness hit the "
                       f"lower bound {fafit.LOWER}); the item is almost entirely explained by the factors, "
                       "which usually means too many factors or a near-duplicate item.")
    return out


def efa(data, n_factors: int | str = 1, method: str = "minres", rotation: str = "oblimin",
        missing: str = "pairwise", items=None, n_obs: int | None = None, iterations: int = 20,
        seed: int | None = None, ordinal: bool = False, missing_codes=()) -> EFAResult:
    """Exploratory factor analysis, as ``psych::fa(x, nfactors, fm=method, rotate=rotation)``.

    Steps (psych 2.2.9):

    1. ``R`` = Pearson correlations (pairwise by default); ``n`` = number of rows.
    2. Extraction (see :mod:`toolkit.psychometrics.fafit`): minres / ml / pa, or principal components.
       Columns are signed so that their sums are positive.
    3. Rotation (:mod:`toolkit.psychometrics.rotation`): oblimin (GPArotation, quartimin), promax (psych's,
       Kaiser-normalised, m = 4), varimax (Kaiser-normalised) or none.
    4. Columns signed again (positive sums) and ordered by variance accounted for, ``diag(Phi P'P)``.
    5. Communalities ``h2 = diag(P Phi P')`` (equal to the unrotated row sums of squares), uniquenesses
       ``u2 = 1 - h2``, structure ``S = P Phi``, complexity ``(sum l^2)^2 / sum l^4``, SS loadings
       ``diag(Phi P'P)`` and their proportion of the total variance ``p``.

    ``n_factors="auto"`` takes the factor count of :func:`toolkit.psychometrics.parallel.parallel_analysis`
    (simulated data, *iterations*, *seed*). Heywood cases and non-positive-definite matrices are reported in
    ``result.warnings``, not raised.

    ``ordinal=True`` factors the polychoric correlations instead, as ``psych::fa(x, nfactors, cor = "poly")``
    (``polychoric(x, correct = .5)``, pairwise; smoothed as psych when not positive definite; items with a
    single category are left out, as psych). With ``n_factors="auto"`` the parallel analysis compares the
    polychoric eigenvalues with those of simulated normal data of the same size. *missing_codes* are set to
    missing first (answers screened by :func:`select_items` are reported, too).

    Example::

        >>> import toolkit, pandas as pd
        >>> df = pd.read_csv("tests/data/bfi.csv").loc[:, "A1":"O5"]
        >>> res = toolkit.efa(df, n_factors=5)
        >>> res.loadings.round(2).head(3)        # doctest: +SKIP
        >>> res.to_dict()["variance_explained"]  # doctest: +SKIP
    """
    screening = data.attrs.get("screening") if isinstance(data, pd.DataFrame) else None
    if missing_codes and isinstance(data, pd.DataFrame) and not _is_corr(data):
        data = select_items(data, items=list(items) if items is not None else list(data.columns),
                            missing_codes=missing_codes)
        items, screening = None, data.attrs["screening"]
    with fafit.small_blas():
        res = _efa(data, n_factors, method, rotation, missing, items, n_obs, iterations, seed, ordinal)
    if screening is not None:
        res.screening = screening
        res.warnings[:0] = screening.warnings()
    return res


def _efa(data, n_factors, method, rotation, missing, items, n_obs, iterations, seed, ordinal=False) -> EFAResult:
    if method not in fafit.EXTRACTORS:
        raise AnalysisError(f"unknown method {method!r} (choose from {', '.join(fafit.EXTRACTORS)})",
                            field="--method")
    if rotation not in rotation_registry():
        raise AnalysisError(f"unknown rotation {rotation!r} (choose from {', '.join(rotation_registry())})",
                            field="--rotation")
    warns: list[str] = []
    smoothed = False
    if ordinal:
        Rdf, n, npair, poly_warns, smoothed = _poly_input(data, missing, items)
        warns.extend(poly_warns)
    else:
        Rdf, n, npair = _corr_input(data, missing, items)
    if n_obs is not None:
        n = n_obs
    names = list(map(str, Rdf.columns))
    R = Rdf.to_numpy()
    p = R.shape[0]
    pd_warn = None if smoothed else _not_pd_warning(R)   # a smoothed matrix was already reported
    if pd_warn:
        warns.append(pd_warn)

    par = None
    if isinstance(n_factors, str):
        if n_factors != "auto":
            try:
                n_factors = int(n_factors)
            except ValueError:
                raise AnalysisError(f"n_factors must be a whole number or 'auto', not {n_factors!r}",
                                    field="--n-factors") from None
        else:
            from .parallel import parallel_analysis

            if n is None:
                raise AnalysisError("n_factors='auto' on a correlation matrix needs n_obs")
            par = parallel_analysis(Rdf, iterations=iterations, seed=seed, n_obs=n,
                                    method=method if method in ("minres", "ml", "pa") else "minres")
            n_factors = max(1, par.n_factors)
            if par.n_factors < 1:
                warns.append("Parallel analysis retained no factor; one factor was extracted anyway.")
    k = int(n_factors)
    if k < 1 or k >= p:
        raise AnalysisError(f"n_factors must be between 1 and {p - 1} for {p} items, not {k}",
                            field="--n-factors")
    dof = ((p - k) ** 2 - (p + k)) / 2
    if dof < 0 and method != "principal":
        warns.append(f"{k} factors for {p} items leaves negative degrees of freedom ({dof:g}): the model is "
                     "not identified; use fewer factors.")

    ext = fafit.EXTRACTORS[method](R, k)
    if not ext.converged:
        warns.append(f"The {method} extraction did not converge ({ext.message or 'iteration limit'}); "
                     "treat the results with caution.")
    L0 = ext.loadings
    s0 = np.sign(L0.sum(axis=0))
    s0[s0 == 0] = 1
    L0 = L0 * s0
    h2 = (L0 ** 2).sum(axis=1)
    if method != "principal":
        warns.extend(_heywood_warnings(names, h2, ext))

    if method == "principal" and rotation == "promax" and k > 1:
        rot = _rot.stats_promax(L0)           # psych::principal calls stats::promax, not its Kaiser-wrapped Promax
    else:
        rot = rotation_registry()[rotation if k > 1 else "none"](L0)
    if not rot.converged:
        warns.append(f"The {rotation} rotation did not converge in {rot.iterations} iterations.")
    L, phi = rot.loadings, rot.phi
    sg = np.sign(L.sum(axis=0))
    sg[sg == 0] = 1
    L = L * sg
    if phi is not None:
        phi = phi * np.outer(sg, sg)
        ev = np.diag(phi @ L.T @ L)
    else:
        ev = (L ** 2).sum(axis=0)
    # psych::fa orders factors by diag(Phi P'P); psych::principal by the pattern's diag(P'P)
    order = np.argsort(-((L ** 2).sum(axis=0) if method == "principal" else ev), kind="stable")
    L, ev = L[:, order], ev[order]
    phi = np.eye(k) if phi is None else phi[np.ix_(order, order)]

    prefix = fafit.PREFIX[method]
    if method == "principal" and rotation != "none" and k > 1:
        prefix = "TC" if rotation == "oblimin" else "RC"      # psych::principal's names (promax gives RC)
    factors = [f"{prefix}{j + 1}" for j in range(k)]
    u2 = np.diag(R) - h2
    vtotal = float((h2 + u2).sum())
    var = pd.DataFrame([ev, ev / vtotal, np.cumsum(ev / vtotal), ev / ev.sum(), np.cumsum(ev / ev.sum())],
                       index=["SS loadings", "Proportion Var", "Cumulative Var", "Proportion Explained",
                              "Cumulative Proportion"], columns=factors)
    Rr = R.copy()
    Rr[np.diag_indices(p)] = h2
    eig = pd.DataFrame({"R": np.sort(np.linalg.eigvalsh(R))[::-1],
                        "reduced": np.sort(np.linalg.eigvalsh(Rr))[::-1]}, index=range(1, p + 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        com = (L ** 2).sum(axis=1) ** 2 / (L ** 4).sum(axis=1)

    bart = None
    kmo_res = kmo(Rdf)
    for w in kmo_res.warnings:
        if w not in warns and not w.startswith("The correlation matrix is not positive"):
            warns.append(w)
    if n is not None:
        bart = bartlett(Rdf, n=n)

    return EFAResult(
        n=None if n is None else int(n), n_factors=k, method=method, rotation=rotation if k > 1 else "none",
        missing=missing,
        loadings=pd.DataFrame(L, index=names, columns=factors),
        structure=pd.DataFrame(L @ phi, index=names, columns=factors),
        factor_correlations=pd.DataFrame(phi, index=factors, columns=factors),
        communalities=pd.Series(h2, index=names, name="h2"),
        uniquenesses=pd.Series(u2, index=names, name="u2"),
        complexity=pd.Series(com, index=names, name="com"),
        variance=var, eigenvalues=eig, kmo=kmo_res, bartlett=bart, correlation=Rdf,
        min_pairwise_n=npair, converged=bool(ext.converged and rot.converged), warnings=warns, parallel=par,
        correlation_type="polychoric" if ordinal else "pearson")


def rotation_registry():
    return _rot.ROTATIONS
