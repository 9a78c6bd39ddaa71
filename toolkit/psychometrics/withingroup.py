"""Within-group agreement and group reliability: rwg, rwg(j), awg, ICC(1), ICC(2), as R's ``multilevel``.

The statistics themselves, vectorised over groups (one sort, then ``np.add.reduceat``); :mod:`.aggregation`
builds the verdicts, the group-level dataset and the workbook on top of them. Formulas and references are in
:mod:`.aggregation`'s docstring.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import AnalysisError, DataError

#: Expected error variances of the skewed null distributions of LeBreton & Senter (2008, Table 2), by number of
#: response options. The 5-point values follow from their response proportions (slight skew .05/.15/.20/.35/.25
#: -> 1.34; moderate .00/.10/.15/.40/.35 -> 0.90; heavy .00/.00/.10/.40/.50 -> 0.44); the table as used by
#: LeBreton's own WGA package (github.com/james-lebreton/WGA, R/RWG.R). The uniform null is (A² - 1)/12.
NULL_VARIANCES: dict[str, dict[int, float]] = {
    "slight-skew": {5: 1.34, 7: 2.90},
    "moderate-skew": {5: 0.90, 7: 2.14},
    "heavy-skew": {5: 0.44, 7: 1.39},
}
NULLS = ("uniform",) + tuple(NULL_VARIANCES)


def null_variance(options: int | None = None, null: str = "uniform") -> float:
    """Expected error variance σ²_E of a null response distribution over *options* response options.

    >>> null_variance(5), null_variance(7), null_variance(5, "slight-skew")
    (2.0, 4.0, 1.34)
    """
    if null not in NULLS:
        raise AnalysisError(f"unknown null distribution '{null}' (choose {', '.join(NULLS)})", field="--null")
    if options is None:
        raise AnalysisError("give the number of response options A (e.g. --options 5) to set the null "
                            "distribution", field="--options")
    try:
        a = int(options)
    except (TypeError, ValueError):
        raise AnalysisError(f"the number of response options must be a whole number, got {options!r}",
                            field="--options") from None
    if a != options or a < 2:
        raise AnalysisError(f"the number of response options must be a whole number >= 2, got {options}",
                            field="--options")
    if null == "uniform":
        return (a * a - 1) / 12.0
    table = NULL_VARIANCES[null]
    if a not in table:
        raise AnalysisError(f"the {null} null of LeBreton & Senter (2008) is tabulated only for "
                            f"{' and '.join(map(str, sorted(table)))} response options, not {a}; use --null "
                            f"uniform (or, in Python, give the expected variance as null_var=...)", field="--null")
    return table[a]


def _expected_variance(options, null, null_var) -> float:
    if null_var is not None:
        v = float(null_var)
        if not v > 0:
            raise AnalysisError(f"the expected error variance must be positive, got {null_var}", field="null_var")
        return v
    return null_variance(options, null)


# ----------------------------------------------------------------------------------------------- vectorised core
class _Groups:
    """Rows sorted once by group so that per-group sums are one ``np.add.reduceat`` per call."""

    def __init__(self, keys: pd.Series):
        codes, labels = pd.factorize(keys, sort=True)
        self.labels = labels
        self.presorted = bool(np.all(codes[1:] >= codes[:-1]))  # rows already grouped: no permutation needed
        self.order = None if self.presorted else np.argsort(codes, kind="stable")
        self.codes = codes if self.presorted else codes[self.order]  # codes in sorted row order
        self.size = np.bincount(codes, minlength=len(labels)).astype(float)
        self.starts = np.concatenate(([0], np.cumsum(self.size)[:-1])).astype(np.intp)

    def __len__(self) -> int:
        return len(self.labels)

    def sorted(self, x: np.ndarray) -> np.ndarray:
        return x if self.presorted else x[self.order]

    def sums(self, xs: np.ndarray) -> np.ndarray:
        """Per-group column sums of an array already in sorted row order."""
        return np.add.reduceat(xs, self.starts, axis=0)


def _moments(g: _Groups, x: np.ndarray):
    """Per group and column: count of non-missing values, mean and sum of squared deviations (two-pass)."""
    xs = g.sorted(np.asarray(x, dtype=float))
    if xs.ndim == 1:
        xs = xs[:, None]
    ok = ~np.isnan(xs)
    cnt = g.sums(ok.astype(float))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = g.sums(np.where(ok, xs, 0.0)) / cnt
        dev = np.where(ok, xs - mean[g.codes], 0.0)
    ss = g.sums(dev * dev)
    return cnt, mean, ss


def _variance(cnt, ss):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(cnt > 1, ss / (cnt - 1), np.nan)


def _nanmean_rows(a):
    """Row means ignoring NaN (NaN where a row has no value), without numpy's empty-slice warning."""
    ok = ~np.isnan(a)
    k = ok.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(k > 0, np.where(ok, a, 0.0).sum(axis=1) / k, np.nan)


def _rwg_values(var, n, ev):
    """rwg per group: 1 - min(s², σ²_E)/σ²_E; NA for groups of fewer than two (multilevel::rwg)."""
    r = 1.0 - np.minimum(var, ev) / ev
    return np.where(n > 1, r, np.nan)


def _rwg_j_values(mean_var, n, n_items, ev):
    """rwg(j) per group from the mean item variance, truncated at σ²_E (multilevel::rwg.j)."""
    s = np.minimum(mean_var, ev) / ev
    with np.errstate(invalid="ignore", divide="ignore"):
        r = n_items * (1.0 - s) / (n_items * (1.0 - s) + s)
    return np.where(n > 1, r, np.nan)


def _awg_values(cnt, mean, ss, low, high):
    """awg per group and item (Brown & Hauenstein 2005), with multilevel::awg's NA and 1 rules."""
    k, m = cnt, mean
    with np.errstate(invalid="ignore", divide="ignore"):
        var = np.where(k > 1, ss / (k - 1), np.nan)
        a = 1.0 - (2.0 * var) / (((high + low) * m - m * m - high * low) * (k / (k - 1)))
        a = np.where(m < (low * (k - 1) + high) / k, np.nan, a)
        a = np.where(m > (high * (k - 1) + low) / k, np.nan, a)
    a = np.where((m == high) | (m == low), 1.0, a)
    return np.where(k > 1, a, np.nan)


def _anova(cnt, mean, ss) -> dict:
    """One-way ANOVA on unbalanced groups from per-group counts, means and within sums of squares."""
    from scipy import stats

    cnt, mean, ss = (np.ravel(a) for a in (cnt, mean, ss))
    has = cnt > 0
    n_total, j = float(cnt[has].sum()), int(has.sum())
    out = {"N": int(n_total), "groups": j, "k": n_total / j if j else np.nan, "MSB": np.nan, "MSW": np.nan,
           "F": np.nan, "df1": j - 1, "df2": int(n_total) - j, "p": np.nan, "icc1": np.nan, "icc2": np.nan}
    if j < 2 or n_total - j < 1:
        return out
    grand = float((cnt[has] * mean[has]).sum() / n_total)
    ssb = float((cnt[has] * (mean[has] - grand) ** 2).sum())
    ssw = float(ss[has].sum())
    msb, msw = ssb / (j - 1), ssw / (n_total - j)
    k = n_total / j
    out.update(MSB=msb, MSW=msw)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["F"] = msb / msw if msw > 0 else np.inf if msb > 0 else np.nan
        out["p"] = float(stats.f.sf(out["F"], j - 1, n_total - j)) if np.isfinite(out["F"]) else (
            0.0 if out["F"] == np.inf else np.nan)
        out["icc1"] = (msb - msw) / (msb + (k - 1) * msw) if msb + (k - 1) * msw > 0 else np.nan
        out["icc2"] = (msb - msw) / msb if msb > 0 else np.nan
    return out


# ------------------------------------------------------------------------------------------------ input checks
def _source(data) -> str | None:
    return data.attrs.get("source") if hasattr(data, "attrs") else None


def _need_columns(data, columns, field):
    missing = [c for c in columns if c not in data.columns]
    if missing:
        raise DataError(f"column(s) not in the data: {', '.join(map(str, missing))}", file=_source(data),
                        field=field)


def _numeric(data, column) -> np.ndarray:
    """A column as floats; text that is not a number is a located error (row numbers as in the file)."""
    col = data[column]
    if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
        return col.to_numpy(dtype=float, na_value=np.nan)
    text = col.astype("string").str.strip()
    num = pd.to_numeric(text.where(text != ""), errors="coerce")
    bad = num.isna() & text.notna() & (text != "")
    if bad.any():
        pos = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"'{text.iloc[pos]}' is not a number ({int(bad.sum())} such value(s) in this column)",
                        file=_source(data), line=pos + 2, field=str(column), kind="row")
    return num.to_numpy(dtype=float, na_value=np.nan)


def _group_keys(data, group):
    """The group column with missing ids (NaN, empty text) as a boolean mask; whole-number floats become ints."""
    _need_columns(data, [group], "--group" if isinstance(group, str) else "group")
    keys = data[group]
    if keys.dtype == object or pd.api.types.is_string_dtype(keys):
        stripped = keys.astype("string").str.strip()
        ok = stripped.notna() & (stripped != "")
        keys = keys.where(ok)
    else:
        ok = keys.notna()
    ok = ok.to_numpy(dtype=bool)
    kept = keys[ok]
    if pd.api.types.is_float_dtype(kept) and len(kept) and np.all(np.mod(kept.to_numpy(), 1) == 0):
        kept = kept.astype(np.int64)
    return kept, ok


def _frame(g: _Groups, **cols) -> pd.DataFrame:
    out = pd.DataFrame({"group": g.labels})
    for name, values in cols.items():
        out[name] = np.ravel(values)
    return out


def _as_items(items) -> list[str]:
    return [items] if isinstance(items, str) else list(items)


# ---------------------------------------------------------------------------------------- one statistic a function
def rwg(data, item: str, group: str, options: int | None = None, null: str = "uniform",
        null_var: float | None = None) -> pd.DataFrame:
    """Within-group agreement on a single item, as ``multilevel::rwg(x, grpid, ranvar)``.

    rwg = 1 - s²/σ²_E, with the observed within-group variance s² truncated at σ²_E (so rwg is never below 0)
    and NA for groups with one respondent; σ²_E = (A² - 1)/12 for the uniform null over A options (James,
    Demaree & Wolf 1984), or a skewed null (LeBreton & Senter 2008). Rows with a missing answer or group are
    dropped. Returns one row per group: ``group``, ``n``, ``var``, ``rwg``.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"team": [1, 1, 1, 2, 2], "q": [4, 5, 4, 2, 2]})
    >>> rwg(df, "q", "team", options=5)["rwg"].round(4).tolist()
    [0.8333, 1.0]
    """
    ev = _expected_variance(options, null, null_var)
    _need_columns(data, [item], "item")
    keys, ok = _group_keys(data, group)
    x = _numeric(data, item)[ok]
    keep = ~np.isnan(x)
    g = _Groups(keys[keep])
    cnt, _, ss = _moments(g, x[keep])
    var = _variance(cnt, ss)
    return _frame(g, n=cnt.astype(int), var=var, rwg=_rwg_values(var, cnt, ev))


def rwg_j(data, items, group: str, options: int | None = None, null: str = "uniform",
          null_var: float | None = None, listwise: bool = False) -> pd.DataFrame:
    """Within-group agreement on a J-item scale, as ``multilevel::rwg.j(x, grpid, ranvar)``.

    rwg(j) = J(1 - s̄²/σ²_E) / (J(1 - s̄²/σ²_E) + s̄²/σ²_E), where s̄² is the mean of the within-group item
    variances, truncated at σ²_E (James, Demaree & Wolf 1984). A group with fewer than two respondents gets NA;
    constant answers give 1.

    Missing answers: by default each item variance uses the answers it has (``var(na.rm = TRUE)``, the default of
    multilevel >= 2.8; items with fewer than two answers in a group are left out of the mean). ``listwise=True``
    first drops every respondent with a missing item, as multilevel 2.7 does. Returns ``group``, ``n``
    (respondents with at least one answer), ``mean_var`` and ``rwg_j``.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"team": [1, 1, 1], "a": [4, 5, 4], "b": [4, 4, 4]})
    >>> round(float(rwg_j(df, ["a", "b"], "team", options=5)["rwg_j"][0]), 4)
    0.9565
    """
    ev = _expected_variance(options, null, null_var)
    items = _as_items(items)
    _need_columns(data, items, "items")
    keys, ok = _group_keys(data, group)
    x = np.column_stack([_numeric(data, c)[ok] for c in items])
    return _rwg_j_frame(keys, x, ev, listwise)


def _rwg_j_frame(keys, x, ev, listwise):
    answered = ~np.isnan(x)
    keep = answered.all(axis=1) if listwise else answered.any(axis=1)
    g = _Groups(keys[keep])
    x = x[keep]
    cnt, _, ss = _moments(g, x)
    mean_var = _nanmean_rows(_variance(cnt, ss))
    n = g.size
    return _frame(g, n=n.astype(int), mean_var=mean_var, rwg_j=_rwg_j_values(mean_var, n, x.shape[1], ev))


def awg(data, items, group: str, scale_range: tuple[float, float] = (1, 5)) -> pd.DataFrame:
    """Brown & Hauenstein's (2005) a_wg agreement index, as ``multilevel::awg(x, grpid, range)``.

    Per item: awg = 1 - 2s² / ([(H + L)M - M² - HL] · k/(k - 1)), with M the group mean, k the group size and
    (L, H) the scale range: the observed variance relative to the largest variance possible at that mean.
    NA when M lies within (H - L)/k of a scale end (the maximum is undefined there), 1 when every member gives
    the same extreme answer, NA for groups of one. For several items the item values are averaged (NA ignored)
    after dropping respondents with any missing item, as multilevel does. Unlike rwg, awg can be negative.
    Returns ``group``, ``n``, ``awg``.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"team": [1, 1, 1, 1], "q": [1, 5, 1, 5]})
    >>> round(float(awg(df, "q", "team")["awg"][0]), 4)
    -1.0
    """
    items = _as_items(items)
    _need_columns(data, items, "items")
    low, high = (float(v) for v in scale_range)
    if not high > low:
        raise AnalysisError(f"the scale range needs low < high, got {scale_range}", field="scale_range")
    keys, ok = _group_keys(data, group)
    x = np.column_stack([_numeric(data, c)[ok] for c in items])
    keep = ~np.isnan(x).any(axis=1)
    g = _Groups(keys[keep])
    cnt, mean, ss = _moments(g, x[keep])
    value = _nanmean_rows(_awg_values(cnt, mean, ss, low, high))
    return _frame(g, n=g.size.astype(int), awg=value)


def anova_icc(data, value: str, group: str) -> dict:
    """One-way ANOVA of *value* by *group* with ICC(1) and ICC(2), as multilevel on ``aov(value ~ factor(group))``.

    ICC(1) = (MSB - MSW) / (MSB + (k̄ - 1)·MSW) and ICC(2) = (MSB - MSW) / MSB, k̄ = N/J the mean group size
    (not the unbalanced-design k0) (Bliese 2000). Returns a dict with N, groups, k, MSB, MSW, F, df1, df2, p,
    icc1 and icc2. Rows with a missing value or group are dropped.
    """
    _need_columns(data, [value], "value")
    keys, ok = _group_keys(data, group)
    y = _numeric(data, value)[ok]
    keep = ~np.isnan(y)
    g = _Groups(keys[keep])
    return _anova(*_moments(g, y[keep]))


def icc1(data, value: str, group: str) -> float:
    """ICC(1): the share of variance in *value* due to group membership, as ``multilevel::ICC1(aov(...))``.

    ICC(1) = (MSB - MSW) / (MSB + (k̄ - 1)·MSW), k̄ = N/J (Bliese 2000). Typical values lie between .05 and .20.

    >>> import pandas as pd
    >>> df = pd.DataFrame({"g": [1, 1, 2, 2, 3, 3], "y": [1, 2, 3, 4, 5, 5]})
    >>> round(icc1(df, "y", "g"), 4)
    0.8974
    """
    return float(anova_icc(data, value, group)["icc1"])


def icc2(data, value: str, group: str) -> float:
    """ICC(2): the reliability of the group means, as ``multilevel::ICC2(aov(...))``: (MSB - MSW) / MSB.

    Group means are usually called reliable from ICC(2) >= .70 (Bliese 2000).

    >>> import pandas as pd
    >>> df = pd.DataFrame({"g": [1, 1, 2, 2, 3, 3], "y": [1, 2, 3, 4, 5, 5]})
    >>> round(icc2(df, "y", "g"), 4)
    0.9459
    """
    return float(anova_icc(data, value, group)["icc2"])
def _rwg_j_aligned(g: _Groups, x: np.ndarray, ev: float, listwise: bool) -> np.ndarray:
    """rwg(j) for every group of *g* (NA where no pair of respondents answered)."""
    answered = ~np.isnan(x)
    keep = answered.all(axis=1) if listwise else answered.any(axis=1)
    xm = np.where(keep[:, None], x, np.nan)
    cnt, _, ss = _moments(g, xm)
    mean_var = _nanmean_rows(_variance(cnt, ss))
    n = g.sums(g.sorted(keep.astype(float)))
    return _rwg_j_values(mean_var, n, x.shape[1], ev)
