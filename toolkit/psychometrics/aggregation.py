"""Group-level constructs: within-group agreement (rwg, rwg(j), awg), ICC(1), ICC(2) and the group dataset.

Collective performance data use is a property of a partnership or team, measured through its members. Before
analysing group means a researcher must show that members agree (rwg, rwg(j), awg) and that groups differ
reliably (ICC(1), ICC(2)). Every statistic here reproduces R's ``multilevel`` package (Bliese):

* ``rwg``   = 1 - s²/σ²_E with s² truncated at σ²_E (so 0 <= rwg <= 1); NA for groups of one
  (James, Demaree & Wolf 1984; ``multilevel::rwg``).
* ``rwg(j)`` = J(1 - s̄²/σ²_E) / (J(1 - s̄²/σ²_E) + s̄²/σ²_E), s̄² the mean of the J within-group item variances,
  truncated at σ²_E (``multilevel::rwg.j``).
* ``awg``   = 1 - 2s² / ([(H + L)M - M² - HL] · k/(k - 1)) per item, averaged over items; NA when the group mean
  is too close to a scale end for the maximum variance to be defined (Brown & Hauenstein 2005;
  ``multilevel::awg``).
* ``ICC(1)`` = (MSB - MSW) / (MSB + (k̄ - 1)MSW) and ``ICC(2)`` = (MSB - MSW) / MSB from a one-way ANOVA, with
  k̄ = N/J the mean group size (Bliese 2000; ``multilevel::ICC1``/``ICC2`` on ``aov``).

The expected error variance σ²_E is (A² - 1)/12 for a uniform null over A options, or one of the skewed nulls of
LeBreton & Senter (2008) (see :data:`NULL_VARIANCES`). Everything is vectorised over groups (one sort, then
``np.add.reduceat``), so half a million respondents in 20,000 groups take about a second.

Example::

    >>> import pandas as pd, toolkit
    >>> lq = pd.read_csv("tests/data/lq2002.csv")                             # doctest: +SKIP
    >>> items = [f"LEAD{i:02d}" for i in range(1, 12)]
    >>> toolkit.rwg_j(lq, items, "COMPID", options=5)["rwg_j"].mean()         # doctest: +SKIP
    0.8677849...
    >>> toolkit.icc1(lq, "LEAD", "COMPID"), toolkit.icc2(lq, "LEAD", "COMPID")  # doctest: +SKIP
    (0.0879562..., 0.8007543...)
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

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
CUTOFF = 0.70
CAVEAT = ("The .70 cut-off for rwg/rwg(j) is a convention, not a test: LeBreton & Senter (2008) warn against "
          "using it as a hard rule and report a graded scale (.00-.30 lack of agreement, .31-.50 weak, "
          ".51-.70 moderate, .71-.90 strong, .91-1.00 very strong); rwg(j) also rises with the number of items.")
REFERENCES = {
    "james1984": "James, L. R., Demaree, R. G., & Wolf, G. (1984). Estimating within-group interrater reliability "
                 "with and without response bias. Journal of Applied Psychology, 69(1), 85-98.",
    "lebreton2008": "LeBreton, J. M., & Senter, J. L. (2008). Answers to 20 questions about interrater reliability "
                    "and interrater agreement. Organizational Research Methods, 11(4), 815-852.",
    "bliese2000": "Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability. In K. J. Klein "
                  "& S. W. J. Kozlowski (Eds.), Multilevel theory, research, and methods in organizations "
                  "(pp. 349-381). Jossey-Bass.",
    "brown2005": "Brown, R. D., & Hauenstein, N. M. A. (2005). Interrater agreement reconsidered: An alternative "
                 "to the rwg indices. Organizational Research Methods, 8(2), 165-184.",
}


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


# ------------------------------------------------------------------------------------------------------- verdict
def _fmt(x: float, digits: int = 2) -> str:
    """APA style: no leading zero (.09, -.03, 1.00)."""
    if x is None or not np.isfinite(x):
        return "NA"
    s = f"{x:.{digits}f}"
    return s.replace("0.", ".", 1) if s.startswith(("0.", "-0.")) else s


def _fmt_p(p: float) -> str:
    if not np.isfinite(p):
        return "p = NA"
    return "p < .001" if p < 0.001 else f"p = {_fmt(p, 3)}"


def agreement_label(value: float) -> str:
    """LeBreton & Senter's (2008) graded reading of an rwg/rwg(j) value."""
    if not np.isfinite(value):
        return "undefined"
    for upper, label in ((0.30, "lack of agreement"), (0.50, "weak agreement"), (0.70, "moderate agreement"),
                         (0.90, "strong agreement")):
        if value <= upper + 1e-12:
            return label
    return "very strong agreement"


def negative_icc2_note(i2: float) -> str:
    """Plain-language reading of a negative ICC(2) = (MSB - MSW) / MSB."""
    return (f"ICC(2) is negative ({_fmt(i2)}) because the group means differ less than chance alone would make "
            "them differ (the between-group mean square is below the within-group one); it cannot be a "
            "reliability, so read it as 0: the groups show no reliable differences")


def verdict(icc: dict, median_agreement: float, index: str = "rwg(j)") -> str:
    """A plain-language aggregation verdict following Bliese (2000) and LeBreton & Senter (2008).

    Aggregation is supported when groups differ (ICC(1) > 0 with a significant ANOVA F), group means are
    reliable (ICC(2) >= .70) and members agree (median rwg(j) >= .70).
    """
    i1, i2, p = icc["icc1"], icc["icc2"], icc["p"]
    agree = f"median {index} {_fmt(median_agreement)} ({agreement_label(median_agreement)})"
    head = f"ICC(1) {_fmt(i1)} (F({icc['df1']}, {icc['df2']}) = {_fmt(icc['F'])}, {_fmt_p(p)}) and ICC(2) {_fmt(i2)}"
    if not np.isfinite(i1):
        return (f"ICC(1) cannot be computed ({icc['groups']} group(s), {icc['N']} respondent(s)): "
                "aggregation cannot be judged")
    if not (i1 > 0 and np.isfinite(p) and p < 0.05):
        return (f"{head}: groups do not differ beyond chance, so group means add nothing beyond individual "
                f"scores; aggregation is not supported ({agree})" + (f"; {negative_icc2_note(i2)}" if i2 < 0 else ""))
    problems = []
    if not (np.isfinite(i2) and i2 >= CUTOFF):
        problems.append(f"ICC(2) {_fmt(i2)} < .70: group means are unreliable, so relations with them will be "
                        "attenuated (larger groups would help)")
    if not (np.isfinite(median_agreement) and median_agreement >= CUTOFF - 1e-12):
        problems.append(f"{agree} < .70: members of a group do not agree enough for the mean to stand for "
                        "the group")
    if not problems:
        return f"{head} with {agree}: aggregation is supported"
    return f"{head}: " + "; ".join(problems) + "; aggregation is questionable"


# --------------------------------------------------------------------------------------------- the whole analysis
@dataclass
class AggregationResult:
    """What :func:`aggregate` found.

    ``groups``: the group-level dataset, one row per group (group id, size, per construct its mean, sd, n and
    rwg(j) or rwg, optionally awg, and the ``small_group`` flag). ``constructs``: one row per construct
    (ICC(1), ICC(2), ANOVA, agreement summary, verdict). ``detail``: one row per construct and group.
    """

    groups: pd.DataFrame
    constructs: pd.DataFrame
    detail: pd.DataFrame
    group_column: str
    settings: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    screening: object = None   # what screening set to missing (missing codes, out-of-range answers)

    def to_dict(self) -> dict:
        """The ``--json`` shape: ``{"constructs": [{"name", "icc1", "icc2", "rwg_j_median", ..., "groups"}]}``.

        Single-item constructs carry ``rwg``, ``rwg_median`` and ``rwg_share_ge_70`` instead of the rwg(j) keys.
        """
        constructs = []
        for row in self.constructs.to_dict("records"):
            idx = row["index"]
            d = {"name": row["construct"], "icc1": row["icc1"], "icc2": row["icc2"],
                 f"{idx}_median": row["agreement_median"], f"{idx}_share_ge_70": row["agreement_share_ge_70"],
                 f"{idx}_mean": row["agreement_mean"], "index": idx, "items": row["item_list"],
                 "options": row["options"], "null": row["null"], "null_variance": row["null_variance"],
                 "n": row["n"], "n_groups": row["n_groups"], "mean_group_size": row["k"], "F": row["F"],
                 "df1": row["df1"], "df2": row["df2"], "p": row["p"], "verdict": row["verdict"]}
            if "awg_mean" in row:
                d["awg_mean"] = row["awg_mean"]
            sub = self.detail[self.detail["construct"] == row["construct"]]
            cols = ["group", "n", "mean", "sd", "agreement"] + (["awg"] if "awg" in sub else [])
            d["groups"] = sub[cols].rename(columns={"agreement": idx}).to_dict("records")
            constructs.append(d)
        out = {"group_column": self.group_column, **self.settings, "constructs": constructs,
               "warnings": list(self.warnings), "caveat": CAVEAT}
        if self.screening is not None:
            out["screening"] = self.screening.to_dict()
        return out

    def __repr__(self) -> str:
        cols = ["construct", "index", "icc1", "icc2", "agreement_median", "agreement_share_ge_70"]
        return (f"AggregationResult({len(self.groups)} groups by '{self.group_column}')\n"
                + self.constructs[cols].to_string(index=False))

    # ---- writers (a registry by file suffix)
    def write(self, path) -> None:
        """The full result: XLSX with sheets constructs/groups/agreement/notes, or CSV of the constructs table."""
        _writer(path, {".xlsx": lambda p: _write_xlsx(p, self._sheets()),
                       ".csv": lambda p: _write_csv(p, self._constructs_public())})

    def write_groups(self, path) -> None:
        """The group-level dataset as CSV or XLSX (one row per group)."""
        _writer(path, {".xlsx": lambda p: _write_xlsx(p, {"groups": self.groups}),
                       ".csv": lambda p: _write_csv(p, self.groups)})

    def _constructs_public(self) -> pd.DataFrame:
        return self.constructs.drop(columns=["item_list"])

    def _sheets(self) -> dict:
        notes = [("setting", k, v) for k, v in self.settings.items()]
        notes += [("warning", "", w) for w in self.warnings] + [("caveat", "", CAVEAT)]
        notes += [("reference", k, v) for k, v in REFERENCES.items()]
        return {"constructs": self._constructs_public(), "groups": self.groups, "agreement": self.detail,
                "notes": pd.DataFrame(notes, columns=["kind", "name", "text"])}


def _writer(path, registry):
    from pathlib import Path

    suffix = Path(path).suffix.lower()
    if suffix not in registry:
        raise DataError(f"cannot write '{suffix or path}' files (use {' or '.join(registry)})", file=str(path))
    registry[suffix](path)


def _write_csv(path, df):
    from ..io import write_csv

    write_csv(df, path)


def _write_xlsx(path, sheets: dict):
    """One sheet per table through the toolkit's one table writer; headers keep the column names, because the
    group-level sheet is a dataset meant to be read back."""
    from ..report.tables import Column, Table, write_workbook

    write_workbook(path, [Table(name, df, columns=[Column(str(c), str(c)) for c in df.columns])
                          for name, df in sheets.items()])


def _scales_and_settings(data, scales, instrument, options):
    """Scales plus, per scale, the number of options, the value range and the codes meaning 'missing'."""
    from .scales import ScaleSpec, parse_scale, scales_from_instrument

    if (scales is None) == (instrument is None):
        raise AnalysisError("give either scales=... (--scale) or instrument=... (--instrument), exactly one")
    info = {}
    if instrument is not None:
        if isinstance(instrument, str) or hasattr(instrument, "__fspath__"):
            from ..instruments import load_instrument

            instrument = load_instrument(instrument)
        specs = scales_from_instrument(instrument)
        for c in instrument.constructs:
            rs = {instrument.scales[i.scale].id: instrument.scales[i.scale] for i in c.items}
            points = {s.n_options for s in rs.values()}
            a = options
            if a is None:
                if len(points) != 1:
                    raise AnalysisError(f"construct '{c.id}' mixes response scales with {sorted(points)} "
                                        "options: give the number of options (--options)", field="--options")
                a = points.pop()
            missing = sorted({v for s in rs.values() for v in s.missing_values})
            info[c.id] = {"options": a, "missing": missing}
    else:
        specs = []
        for s in ([scales] if isinstance(scales, (str, ScaleSpec)) else
                  [f"{k}={','.join(v)}" for k, v in scales.items()] if isinstance(scales, dict) else scales):
            specs.append(s if isinstance(s, ScaleSpec) else parse_scale(s))
        for s in specs:
            if options is None:
                raise AnalysisError(f"scale '{s.name}': give the number of response options A (e.g. --options 5) "
                                    "so that the null distribution is known", field="--options")
            info[s.name] = {"options": options, "missing": []}
    names = [s.name for s in specs]
    if len(set(names)) != len(names):
        raise AnalysisError("two scales have the same name", field="--scale")
    return specs, info, instrument


def aggregate(data, group: str | None = None, scales=None, instrument=None, options: int | None = None,
              null: str = "uniform", min_size: int = 3, awg: bool = False, min_share: float = 2 / 3,
              listwise: bool = False, scale_range: tuple[float, float] | None = None,
              missing_codes=(), network=None) -> AggregationResult:
    """Everything needed to justify and build a group-level (partnership, team) dataset from member answers.

    Per construct: construct scores (mean of reverse-keyed items, :func:`toolkit.survey.score.score_scales`),
    ICC(1)/ICC(2) of those scores (:func:`anova_icc`), within-group agreement per group (:func:`rwg_j` for
    multi-item scales, :func:`rwg` for single items, optionally :func:`awg`), their median and share >= .70, and
    a verdict (:func:`verdict`). *options* (A) defaults to the instrument's response scale; answers coded as
    'missing' in the instrument (e.g. 9 = Don't know) or given as *missing_codes*, and answers outside the
    instrument's response range, are set to missing and reported (:mod:`toolkit.psychometrics.screening`). Rows
    without a group id are dropped (and counted in ``warnings``); groups smaller than *min_size* are kept but
    flagged. awg uses the instrument's response range, or *scale_range*, or 1..A. A negative ICC(2) is
    explained in the verdict and the warnings. *network* (a :func:`toolkit.network` result, or an edge-list
    file) adds the partnerships' roster-network measures to ``groups`` as ``<relation>_<measure>`` columns.

    >>> import pandas as pd, toolkit
    >>> lq = pd.read_csv("tests/data/lq2002.csv")                                  # doctest: +SKIP
    >>> res = toolkit.aggregate(lq, group="COMPID", options=5,
    ...                         scales={"lead": [f"LEAD{i:02d}" for i in range(1, 12)]})  # doctest: +SKIP
    >>> res.constructs[["construct", "icc1", "icc2", "agreement_median"]]          # doctest: +SKIP
    """
    from ..survey.score import score_scales

    if null not in NULLS:
        raise AnalysisError(f"unknown null distribution '{null}' (choose {', '.join(NULLS)})", field="--null")
    if min_size is None or int(min_size) < 1:
        raise AnalysisError(f"the minimum group size must be at least 1, got {min_size}", field="--min-size")
    if not 0 < min_share <= 1:
        raise AnalysisError(f"the minimum share of answered items must be in (0, 1], got {min_share}",
                            field="--min-share")
    specs, info, inst = _scales_and_settings(data, scales, instrument, options)
    if group is None:
        group = inst.group_column if inst is not None else None
        if group is None:
            raise AnalysisError("give the group column (--group COLUMN)", field="--group")
    source = _source(data)
    if group not in data.columns:
        raise DataError(f"group column '{group}' is not in the data (columns: {', '.join(map(str, data.columns[:12]))}"
                        f"{', ...' if len(data.columns) > 12 else ''})", file=source, field="--group")
    items = list(dict.fromkeys(i for s in specs for i in s.items))
    _need_columns(data, items, "--instrument" if inst is not None else "--scale")

    notes: list[str] = []
    keys, ok = _group_keys(data, group)
    dropped = int((~ok).sum())
    if dropped:
        notes.append(f"{dropped} row(s) without a group id in '{group}' were dropped")
    if not ok.any():
        raise DataError(f"no row has a group id in '{group}'", file=source, field="--group")

    # sort respondents by group once, so every per-group sum below is a contiguous np.add.reduceat
    order = np.argsort(pd.factorize(keys, sort=True)[0], kind="stable")
    keys = keys.iloc[order].reset_index(drop=True)
    from .screening import Screening, item_rules

    rules = item_rules(items, instrument=inst, missing_codes=missing_codes)
    screening = Screening()
    numeric = {}
    for c in items:
        numeric[c] = screening.record(c, _numeric(data, c)[ok][order], rules.get(c))
    notes.extend(screening.warnings())
    g = _Groups(keys)
    size = g.size.astype(int)
    groups = pd.DataFrame({group: g.labels, "n": size})
    rows, detail = [], []
    for s in specs:
        a = int(info[s.name]["options"])
        ev = null_variance(a, null)
        # one small frame per scale: scoring copies only this scale's columns
        frame = pd.DataFrame({c: numeric[c] for c in s.items})
        x = frame.to_numpy(dtype=float)
        vals = x[~np.isnan(x)]
        if vals.size == 0:
            notes.append(f"{s.name}: every answer to its item(s) is missing; nothing to aggregate")
        elif vals.max() - vals.min() + 1 > a + 1e-9:
            notes.append(f"{s.name}: answers span {vals.min():g} to {vals.max():g}, more than the {a} response "
                         "options assumed for the null distribution (check --options)")
        spec = s
        if s.reversed and (s.min is None or s.max is None) and vals.size:
            # the observed range of the scale's items, as score_scales (and psych) would find it
            spec = replace(s, min=float(vals.min()) if s.min is None else s.min,
                           max=float(vals.max()) if s.max is None else s.max)
        y = score_scales(frame, [spec], min_share)[s.name].to_numpy(dtype=float)
        cnt, mean, ss = _moments(g, y)
        stats_ = _anova(cnt, mean, ss)
        n_c, mean_c, sd_c = cnt[:, 0], mean[:, 0], np.sqrt(_variance(cnt, ss)[:, 0])
        if len(s.items) == 1:
            index = "rwg"
            icnt, _, iss = _moments(g, x)
            agreement = _rwg_values(_variance(icnt, iss)[:, 0], icnt[:, 0], ev)
        else:
            index = "rwg_j"
            agreement = _rwg_j_aligned(g, x, ev, listwise)
        valid = agreement[np.isfinite(agreement)]
        d = pd.DataFrame({"construct": s.name, "group": g.labels, "n": n_c.astype(int), "mean": mean_c,
                          "sd": sd_c, "agreement": agreement})
        groups[s.name] = mean_c
        groups[f"{s.name}_sd"] = sd_c
        groups[f"{s.name}_n"] = n_c.astype(int)
        groups[f"{s.name}_{index}"] = agreement
        row = {"construct": s.name, "items": len(s.items), "item_list": list(s.items), "index": index,
               "options": a, "null": null, "null_variance": ev, "n": stats_["N"], "n_groups": stats_["groups"],
               "k": stats_["k"], "icc1": stats_["icc1"], "icc2": stats_["icc2"], "F": stats_["F"],
               "df1": stats_["df1"], "df2": stats_["df2"], "p": stats_["p"], "MSB": stats_["MSB"],
               "MSW": stats_["MSW"],
               "agreement_mean": float(valid.mean()) if valid.size else np.nan,
               "agreement_median": float(np.median(valid)) if valid.size else np.nan,
               "agreement_share_ge_70": float((valid >= CUTOFF - 1e-12).mean()) if valid.size else np.nan,
               "agreement_groups": int(valid.size)}
        if awg:
            if scale_range is not None:
                low, high = scale_range
            elif s.min is not None and s.max is not None:
                low, high = s.min, s.max
            else:
                low, high = 1.0, float(a)  # --scale: answers assumed coded 1..A
            complete = ~np.isnan(x).any(axis=1)
            acnt, amean, ass = _moments(g, np.where(complete[:, None], x, np.nan))
            awg_v = _nanmean_rows(_awg_values(acnt, amean, ass, float(low), float(high)))
            d["awg"] = awg_v
            groups[f"{s.name}_awg"] = awg_v
            fin = awg_v[np.isfinite(awg_v)]
            row["awg_mean"] = float(fin.mean()) if fin.size else np.nan
            row["awg_range"] = f"{low:g}-{high:g}"
        row["verdict"] = verdict(stats_, row["agreement_median"], "rwg(j)" if index == "rwg_j" else "rwg")
        if np.isfinite(stats_["icc2"]) and stats_["icc2"] < 0:
            notes.append(f"{s.name}: {negative_icc2_note(stats_['icc2'])}")
        if not np.isfinite(stats_["icc1"]):
            notes.append(f"{s.name}: ICC(1)/ICC(2) undefined ({stats_['groups']} group(s) with a score, "
                         f"{stats_['N']} respondent(s))")
        rows.append(row)
        detail.append(d)

    groups["small_group"] = size < int(min_size)
    singles = int((size == 1).sum())
    if singles:
        notes.append(f"{singles} group(s) have a single respondent: rwg/rwg(j) is undefined (NA) for them, "
                     "as in R's multilevel")
    small = int((size < int(min_size)).sum())
    if small and int(min_size) > 1:
        notes.append(f"{small} group(s) have fewer than {int(min_size)} respondents (flagged in small_group)")
    if network is not None:  # roster-network measures as extra group-level columns (toolkit.networks)
        from ..networks.analysis import join_network

        groups = join_network(groups, str(group), network, notes)
    settings = {"n_respondents": int(size.sum()), "n_groups": len(g), "dropped_rows_missing_group": dropped,
                "null": null, "min_size": int(min_size), "min_share": min_share,
                "missing_items": "listwise" if listwise else "pairwise"}
    return AggregationResult(screening=screening, groups=groups, constructs=pd.DataFrame(rows),
                             detail=pd.concat(detail, ignore_index=True), group_column=str(group),
                             settings=settings, warnings=notes)


def _rwg_j_aligned(g: _Groups, x: np.ndarray, ev: float, listwise: bool) -> np.ndarray:
    """rwg(j) for every group of *g* (NA where no pair of respondents answered)."""
    answered = ~np.isnan(x)
    keep = answered.all(axis=1) if listwise else answered.any(axis=1)
    xm = np.where(keep[:, None], x, np.nan)
    cnt, _, ss = _moments(g, xm)
    mean_var = _nanmean_rows(_variance(cnt, ss))
    n = g.sums(g.sorted(keep.astype(float)))
    return _rwg_j_values(mean_var, n, x.shape[1], ev)
