"""The data side of exploratory factor analysis: item columns, screening and the correlation matrix.

* :func:`select_items` - the item columns of a data set (named, or an instrument's), screened for missing codes
  and out-of-range answers (:mod:`.screening`);
* :func:`correlations` - Pearson correlations, pairwise (psych's default) or listwise, with the checks psych makes;
* the inputs of :func:`~toolkit.psychometrics.factor.efa`, :func:`~toolkit.psychometrics.adequacy.kmo` and
  parallel analysis: the answers or a correlation matrix, and polychoric correlations for ordinal answers.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..errors import AnalysisError, DataError

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
