"""Internal consistency of multi-item scales: ``psych::alpha`` (to the sixth decimal) plus omega total.

For each scale: Cronbach's alpha with Feldt and Duhachek-Iacobucci 95% intervals, standardized alpha,
Guttman's lambda 6 (G6, smc), average and median inter-item correlation, signal/noise, McDonald's omega total,
and per item n, mean, sd, raw r, std r, r.cor, r.drop, alpha if deleted and response frequencies.

Formulas (C = pairwise item covariances after reverse keying, R = cov2cor(C) as psych 2.2.9, n items,
N rows)::

    alpha      = n/(n-1) (1 - tr C / sum C)                         Cronbach (1951)
    std alpha  = n/(n-1) (1 - n / sum R)
    G6(smc)    = 1 - (n - sum smc(R)) / sum R                        Guttman (1945)
    average r  = (sum R - n) / (n (n-1));   S/N = n rbar / (1 - rbar)
    Feldt CI   = 1 - (1 - alpha) F^-1(.975 / .025; N-1, (N-1)(n-1))  Feldt (1965)
    ase        = sqrt(Q / N), Q = 2n^2/((n-1)^2 (sum C)^3) [sum C (tr C^2 + (tr C)^2) - 2 tr C sum C^2]
    Duhachek   = alpha -/+ 1.96 ase                                  Duhachek & Iacobucci (2004)
    omega tot  = (V_t - sum u2) / V_t, one-factor minres fit of cor(x, pairwise)   McDonald (1999)
    std r_i    = colSums(R)_i / sqrt(sum R);  r.cor_i: the same with smc(R) on the diagonal
    r.drop_i   = (sum C[, i] - C_ii) / sqrt(C_ii sum C[-i, -i])     (item-rest correlation)

Reference: Revelle, W. psych: Procedures for Psychological, Psychometric, and Personality Research
(``alpha``, ``omega``), version 2.2.9.
"""
from __future__ import annotations

import builtins
from dataclasses import dataclass, field

import numpy as np

from ..errors import AnalysisError, DataError, ToolkitError
from .correlation import cov2cor, item_major_moments, smc
from .omega import omega_total_fit
from .patterns import Patterns, nan_range, category_label, response_patterns
from .scales import ScaleSpec, parse_scale, scales_from_instrument

MISSING_MODES = ("pairwise", "listwise")
MAX_CATEGORIES = 10  # psych's response.frequencies(max = 10)
Z_975 = 1.96  # psych prints alpha -/+ 1.96 ase


@dataclass
class ReliabilityResult:
    """Reliability of one or more scales.

    ``scales``: one row per scale; ``items``: one row per scale x item; ``frequencies``: one row per
    scale x item x response category (proportions of the item's answers; category ``"miss"`` is the share
    of rows without an answer); ``warnings``: the screening notes (answers set to missing because they carried
    a missing-value code or lay outside the declared range), then messages about mis-keyed or dropped items,
    prefixed with their scale; ``screening``: the counts behind the screening note.
    """

    scales: "pd.DataFrame"  # noqa: F821
    items: "pd.DataFrame"  # noqa: F821
    frequencies: "pd.DataFrame"  # noqa: F821
    warnings: list[str] = field(default_factory=list)
    _records: list[dict] = field(default_factory=list, repr=False)
    notes: list[str] = field(default_factory=list)
    screening: object = None

    def to_dict(self) -> dict:
        """``{"scales": [{"name", "n", "alpha", "alpha_ci_feldt", ..., "items": [...]}], "warnings", "screening"}``
        (the ``--json`` output; ``alpha_ordinal`` per scale with ``ordinal=True``)."""
        out = {"scales": [dict(r) for r in self._records], "warnings": list(self.notes)}
        if self.screening is not None:
            out["screening"] = self.screening.to_dict()
        return out

    def to_text(self, digits: int = 3) -> str:
        """A readable report: one block per scale with its item table, frequencies and warnings."""
        from .reliability_output import format_text

        return format_text(self, digits)

    def to_excel(self, path, provenance: dict | None = None) -> None:
        """Write sheets Scales, Items, Frequencies (and Warnings) to *path* with the toolkit's table writer."""
        from .reliability_output import write_excel

        write_excel(self, path, provenance)

    def __repr__(self) -> str:  # pragma: no cover - convenience
        return f"ReliabilityResult({len(self.scales)} scale(s))\n{self.scales.to_string(index=False)}"


def reliability(df, scales=None, *, instrument=None, min=None, max=None, missing: str = "pairwise",  # noqa: A002
                missing_codes=(), ordinal: bool = False):
    """Reliability of multi-item scales, as ``psych::alpha`` (psych 2.2.9) plus ``psych::omega(nfactors=1)``.

    Parameters
    ----------
    df : DataFrame with one numeric column per item.
    scales : ScaleSpec objects, ``"name=-A1,A2,A3"`` strings (leading ``-`` = reverse-keyed) or a dict
        ``name -> [items]`` (``"-A1"`` allowed); default: every construct of *instrument*.
    instrument : name, path or :class:`~toolkit.instruments.model.Instrument`. Its declared missing codes
        (e.g. 9 = "Don't know") are set to missing first and its response range is used for reverse keying.
    min, max : response range for reverse keying, x' = (min + max) - x. Default: the instrument's range, else
        the observed range over all the scale's items (as psych).
    missing : ``"pairwise"`` (psych's default: pairwise-complete covariances, N = all rows) or ``"listwise"``
        (rows complete on the scale's items).
    missing_codes : values meaning "missing" for every item (e.g. ``[9]`` for "Don't know"), on top of the
        instrument's declared codes. Answers with a missing code, and answers outside a declared response range
        (the instrument's, or *min*..*max*), are set to missing before any statistic and reported once in
        ``warnings`` (see :mod:`toolkit.psychometrics.screening`).
    ordinal : also report ordinal alpha (``alpha_ordinal``): alpha of the polychoric correlation matrix,
        ``psych::alpha(polychoric(x)$rho, keys)`` (Zumbo, Gadermann & Zeisser 2007).

    Zero-variance items are dropped from the statistics with a warning (as psych); a scale left with fewer than
    two usable items, an all-missing item, an unknown column or non-numeric data raise a :class:`ToolkitError`.

    Returns
    -------
    ReliabilityResult with ``.scales``, ``.items``, ``.frequencies``, ``.warnings`` and ``.to_dict()``.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"q1": [1, 2, 3, 4, 5, 2], "q2": [2, 2, 3, 5, 4, 1], "q3": [5, 4, 3, 2, 1, 4]})
    >>> res = reliability(df, "s=q1,q2,-q3")       # psych::alpha(df, keys="q3"): raw_alpha 0.9553073
    >>> round(float(res.scales.loc[0, "alpha"]), 7)
    0.9553073
    >>> res.items["item"].tolist(), res.items["reversed"].tolist()
    (['q1', 'q2', 'q3'], [False, False, True])
    """
    import pandas as pd

    if not isinstance(df, pd.DataFrame):
        raise DataError("reliability() needs a pandas DataFrame with one column per item")
    if missing not in MISSING_MODES:
        raise ToolkitError(f"missing must be one of {', '.join(MISSING_MODES)}, not '{missing}'", field="--missing")
    inst = _load_instrument(instrument)
    specs = _as_specs(scales, inst)
    source = df.attrs.get("source")
    for s in specs:
        absent = [i for i in s.items if i not in df.columns]
        if absent:
            raise DataError(f"scale '{s.name}': item column(s) not in the data: {', '.join(absent)}", file=source)
    lo_override = None if min is None else float(min)
    hi_override = None if max is None else float(max)
    if lo_override is not None and hi_override is not None and lo_override >= hi_override:
        raise ToolkitError(f"--min ({min}) must be smaller than --max ({max})", field="--min")

    if len(df) == 0:
        raise DataError("the data have no rows", file=source)
    import warnings as _warnings

    import numpy as np

    from .screening import ItemRule, Screening, item_rules

    rules: dict[str, ItemRule] = {}
    for s in specs:
        lo = lo_override if lo_override is not None else s.min
        hi = hi_override if hi_override is not None else s.max
        for item, rule in item_rules(s.items, instrument=inst, missing_codes=missing_codes).items():
            if item not in rules:  # an item in two scales keeps its first scale's range
                rules[item] = ItemRule(rule.codes, lo, hi, rule.labels) if lo is not None and hi is not None \
                    else ItemRule(rule.codes, labels=rule.labels)
    screening = Screening()
    columns = _NumericColumns(df, rules, screening, source)
    records, warnings = [], []
    # a statistic that is undefined on these data (a division by zero variance, the square root of a negative
    # estimate) comes out as NaN and is reported once per scale below, not as numpy's RuntimeWarning
    with _single_threaded_blas(), np.errstate(all="ignore"), _warnings.catch_warnings():
        _warnings.simplefilter("ignore", RuntimeWarning)
        for s in specs:
            lo = lo_override if lo_override is not None else s.min
            hi = hi_override if hi_override is not None else s.max
            rec = _scale_reliability(s, columns, lo, hi, missing, ordinal)
            if len(df) < 3:
                rec["warnings"].insert(0, f"only {len(df)} respondent(s): correlations are +-1 or undefined, so "
                                          "these statistics say nothing about reliability")
            undefined = _undefined_statistics(rec)
            if undefined:
                rec["warnings"].append(f"undefined on these data (left blank): {', '.join(undefined)}")
            records.append(rec)
            warnings.extend(f"{s.name}: {w}" for w in rec["warnings"])
    notes = screening.warnings()
    return _assemble(records, notes + warnings, notes, screening, ordinal)


def _undefined_statistics(rec: dict) -> list[str]:
    """Names of the scale-level statistics that came out NaN or infinite."""
    import math

    names = ("alpha", "std_alpha", "g6", "average_r", "omega_total", "alpha_ci_feldt_lower", "alpha_ci_feldt_upper",
             "alpha_ci_duhachek_lower", "alpha_ci_duhachek_upper")
    out = []
    for k in names:
        v = rec.get(k)
        if isinstance(v, float) and not math.isfinite(v):
            out.append(k)
    return out


def _single_threaded_blas():
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        import contextlib

        return contextlib.nullcontext()
    return threadpool_limits(1, user_api="blas")


# ----------------------------------------------------------------------------------------------- inputs


def _load_instrument(instrument):
    if instrument is None or not isinstance(instrument, (str, bytes)) and hasattr(instrument, "constructs"):
        return instrument
    from ..instruments import load_instrument

    return load_instrument(str(instrument))


def _as_specs(scales, inst) -> list[ScaleSpec]:
    if scales is None:
        if inst is None:
            raise ToolkitError("give scales (e.g. \"name=-A1,A2,A3\") or an instrument")
        specs = scales_from_instrument(inst)
    elif isinstance(scales, (str, ScaleSpec)):
        specs = [_one_spec(scales)]
    elif isinstance(scales, dict):
        specs = [_one_spec(f"{name}=" + ",".join(str(i) for i in items)) for name, items in scales.items()]
    else:
        specs = [_one_spec(s) for s in scales]
    if not specs:
        raise ToolkitError("no scales to analyse")
    if inst is not None:  # fill the response range from the instrument where the spec has none
        specs = [_with_instrument_range(s, inst) for s in specs]
    names = [s.name for s in specs]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ToolkitError(f"scale name(s) given twice: {', '.join(dupes)}", field="--scale")
    return specs


def _one_spec(s) -> ScaleSpec:
    if isinstance(s, ScaleSpec):
        return s
    if isinstance(s, str):
        return parse_scale(s)
    raise ToolkitError(f"cannot read a scale from {s!r} (use 'name=-A1,A2' or a ScaleSpec)")


def _with_instrument_range(s: ScaleSpec, inst) -> ScaleSpec:
    if s.min is not None and s.max is not None:
        return s
    ranges = []
    for item in s.items:
        try:
            rs = inst.scale_of(item)
        except KeyError:
            return s
        ranges.append((rs.min, rs.max))
    from dataclasses import replace

    return replace(s, min=builtins.min(r[0] for r in ranges) if s.min is None else s.min,
                   max=builtins.max(r[1] for r in ranges) if s.max is None else s.max)


class _NumericColumns:
    """Item columns as float arrays (converted and screened once): missing codes and answers outside a declared
    range become NaN (:mod:`.screening`); ``range(item)`` gives the observed (min, max), NaN when the column has
    no answers. Float columns are used without copying unless screening changes them."""

    def __init__(self, df, rules, screening, source):
        self.df, self.rules, self.screening, self.source = df, rules, screening, source
        self._cache: dict[str, tuple[np.ndarray, float, float]] = {}

    def __call__(self, item: str) -> np.ndarray:
        return self._get(item)[0]

    def range(self, item: str) -> tuple[float, float]:
        return self._get(item)[1:]

    def _get(self, item: str):
        if item not in self._cache:
            from .screening import numeric_values

            values = numeric_values(self.df[item], source=self.source, item=item)
            values = self.screening.record(item, values, self.rules.get(item))
            self._cache[item] = (values, *nan_range(values))
        return self._cache[item]


# ----------------------------------------------------------------------------------------------- statistics


def _alpha_stats(c: np.ndarray, r: np.ndarray) -> dict:
    """psych's internal alpha.1(C, R): the whole-scale statistics of a covariance and correlation matrix."""
    n = c.shape[0]
    sum_c, tr_c = c.sum(), np.trace(c)
    sum_r = r.sum()
    av_r = (sum_r - n) / (n * (n - 1))
    lower = r[np.tril_indices(n, -1)]
    cc = c @ c
    q = (2 * n**2 / ((n - 1) ** 2 * sum_c**3)) * (sum_c * (np.trace(cc) + tr_c**2) - 2 * tr_c * cc.sum())
    return {
        "raw": (1 - tr_c / sum_c) * (n / (n - 1)),
        "std": (1 - n / sum_r) * (n / (n - 1)),
        "g6": 1 - (n - smc(r).sum()) / sum_r,
        "av_r": av_r,
        "sn": n * av_r / (1 - av_r) if av_r != 1 else float("inf"),
        "q": q,
        "med_r": float(np.median(lower)),
    }


def _alpha_if_deleted(c: np.ndarray, r: np.ndarray) -> list[dict]:
    k = c.shape[0]
    if k > 2:  # psych recomputes alpha.1 on C[-i, -i] and R[-i, -i]; all k submatrices at once here
        keep = np.array([np.r_[0:i, i + 1:k] for i in range(k)])
        cs = c[keep[:, :, None], keep[:, None, :]]
        rs = r[keep[:, :, None], keep[:, None, :]]
        n = k - 1
        sum_c, tr_c = cs.sum(axis=(1, 2)), np.trace(cs, axis1=1, axis2=2)
        sum_r = rs.sum(axis=(1, 2))
        av_r = (sum_r - n) / (n * (n - 1))
        il, jl = np.tril_indices(n, -1)
        med_r = np.median(rs[:, il, jl], axis=1)
        raw = (1 - tr_c / sum_c) * (n / (n - 1))
        std = (1 - n / sum_r) * (n / (n - 1))
        g6 = 1 - (n - smc(rs).sum(axis=1)) / sum_r
        with np.errstate(divide="ignore"):
            sn = n * av_r / (1 - av_r)  # Inf when the remaining items correlate perfectly, as in psych
        return [{"raw": raw[i], "std": std[i], "g6": g6[i], "av_r": av_r[i], "sn": sn[i], "med_r": med_r[i]}
                for i in range(k)]
    # psych's special case for two items: the "alpha" of one remaining item is C12 / C_jj
    r12 = r[0, 1]
    s = smc(r)[0]
    return [{"raw": c[0, 1] / c[1, 1], "std": r12, "g6": s, "av_r": r12, "sn": r12 / (1 - r12), "med_r": r12},
            {"raw": c[0, 1] / c[0, 0], "std": r12, "g6": s, "av_r": r12, "sn": r12 / (1 - r12), "med_r": r12}]


def feldt_ci(alpha: float, n_obs: int, n_items: int, level: float = 0.95) -> tuple[float, float]:
    """Feldt (1965) interval: 1 - (1 - alpha) F^-1(1 - p/2 and p/2; N - 1, (N - 1)(n - 1)), as psych::alpha.ci.

    >>> [round(v, 6) for v in feldt_ci(0.7030184460573, 2800, 5)]
    [0.685264, 0.720063]
    """
    from scipy.special import fdtri  # the F quantile function, f.ppf without the distribution machinery

    p = 1 - level
    df1, df2 = n_obs - 1, (n_obs - 1) * (n_items - 1)
    return (float(1 - (1 - alpha) * fdtri(df1, df2, 1 - p / 2)), float(1 - (1 - alpha) * fdtri(df1, df2, p / 2)))


def _response_frequencies(pat: Patterns, cols, answered, n_rows: float) -> tuple[list[str], np.ndarray] | None:
    """Proportion of each item's answers in each category (<= 10 categories over the scale), plus miss."""
    if pat.digits is not None:  # integer codes: one weighted bincount per item over the patterns
        counts = np.stack([np.bincount(pat.digits[j], weights=pat.weights, minlength=pat.k + 1)[:pat.k]
                           for j in cols])
        present = counts.sum(axis=0) > 0
        cats = (pat.lo + np.arange(pat.k))[present]
        counts = counts[:, present]
        if len(cats) > MAX_CATEGORIES:
            return None
    else:
        first = pat.items[cols, :512]  # continuous data show more than 10 values at once: skip the full sort
        head = np.unique(first[~np.isnan(first)])
        if len(head) > MAX_CATEGORIES:
            return None
        x = pat.items[cols]
        values = x[~np.isnan(x)]
        cats = head if np.isin(values, head).all() else np.unique(values)
        if len(cats) > MAX_CATEGORIES:
            return None
        w = pat.weights
        counts = np.stack([[(row == v) @ w if w is not None else np.count_nonzero(row == v) for v in cats]
                           for row in x]).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        props = counts / answered[:, None]
    miss = 1 - answered / n_rows
    return [category_label(v) for v in cats] + ["miss"], np.column_stack([props, miss])


def _scale_reliability(spec: ScaleSpec, columns: _NumericColumns, lo, hi, missing: str, ordinal: bool) -> dict:
    items = list(spec.items)
    warnings: list[str] = []
    pat = response_patterns([columns(i) for i in items], [columns.range(i) for i in items])
    ans = ~np.isnan(pat.items)
    answered = ans @ pat.weights if pat.compressed else ans.sum(axis=1).astype(float)
    empty = [i for i, a in zip(items, answered) if a == 0]
    if empty:
        raise AnalysisError(f"scale '{spec.name}': item(s) {', '.join(empty)} have no numeric answers (all missing)",
                            field=empty[0])
    complete = ans.all(axis=0)
    n_complete = int(round(pat.weights @ complete if pat.compressed else complete.sum()))
    if missing == "listwise":
        if n_complete < 2:
            raise AnalysisError(f"scale '{spec.name}': fewer than two respondents answered all of "
                                f"{', '.join(items)} (listwise deletion); try --missing pairwise")
        pat, ans = pat.subset(complete), ans[:, complete]
    n_rows = pat.n_rows
    if n_rows < 2:
        raise AnalysisError(f"scale '{spec.name}': reliability needs at least two respondents, the data have {n_rows}")
    xt = pat.items  # items x patterns (or rows): every reduction below runs along memory
    w = pat.weights if pat.compressed else np.ones(xt.shape[1])
    # raw items; keys are applied afterwards as D C D, as psych does
    mom, mx, shift_x = item_major_moments(xt, pat.weights, ans)
    p = len(items)
    answered = np.diag(mom.n).copy()

    # zero-variance items are dropped from the statistics (psych: "had no variance and was deleted")
    item_lo, item_hi = np.fmin.reduce(xt, axis=1), np.fmax.reduce(xt, axis=1)
    bad = ~(item_hi > item_lo)  # exact test: a constant column is constant whatever the rounding of its mean
    dropped = [i for i, b in zip(items, bad) if b]
    const = item_hi[bad]
    if dropped:
        warnings.append(f"item(s) {', '.join(dropped)} have no variance (every answer "
                        f"{', '.join(category_label(v) for v in const)}) and were dropped from the statistics "
                        "(they still count in the scale score, as psych)")
    good = np.flatnonzero(~bad)
    if len(good) < 2:
        usable = [items[j] for j in good]
        raise AnalysisError(f"scale '{spec.name}' has fewer than two usable items"
                            f" ({', '.join(usable) if usable else 'none'} left after dropping zero-variance "
                            f"item(s) {', '.join(dropped)})" if dropped else
                            f"scale '{spec.name}' has fewer than two items; reliability needs at least two")
    names = [items[j] for j in good]
    k = len(names)
    rev = np.array([n in spec.reversed for n in names])
    n_j = answered[good]

    lo = float(item_lo[good].min()) if lo is None else float(lo)   # answers outside a declared range were
    hi = float(item_hi[good].max()) if hi is None else float(hi)   # screened out before (see screening.py)

    # keyed item j = sign_j * x_j + shift_j, with x_j = shift_x_j + X0_j on the rows that answer it; every
    # per-row quantity below is one matrix product with mx = [M; X0] (dropped items get weight 0)
    sign = np.where(rev, -1.0, 1.0)
    shift = np.where(rev, lo + hi, 0.0)
    coef = np.zeros((2, 2 * p))
    coef[0, good] = sign * shift_x[good] + shift
    coef[0, p + good] = sign
    coef[1, good] = 1.0
    sum_keyed, per_row = coef @ mx
    with np.errstate(invalid="ignore", divide="ignore"):
        total = sum_keyed / per_row  # NaN where nothing was answered
    if dropped:
        total = (k * total + const.sum()) / (k + len(dropped))

    flip = np.outer(sign, sign)
    c = mom.cov[np.ix_(good, good)] * flip
    if np.isnan(c).any():
        i, j = np.argwhere(np.isnan(c))[0]
        raise AnalysisError(f"scale '{spec.name}': items {names[i]} and {names[j]} are answered together by fewer "
                            "than two respondents, so their covariance is unknown")
    r = cov2cor(c)
    whole = _alpha_stats(c, r)
    drops = _alpha_if_deleted(c, r)
    sum_r = r.sum()
    rc = r.copy()
    np.fill_diagonal(rc, smc(r))
    std_r = r.sum(axis=0) / np.sqrt(sum_r)
    r_cor = rc.sum(axis=0) / np.sqrt(rc.sum())
    col_c = c.sum(axis=0)
    r_drop = np.array([(col_c[i] - c[i, i]) / np.sqrt(c[i, i] * (c.sum() - 2 * col_c[i] + c[i, i]))
                       for i in range(k)])
    item_sd = np.sqrt(np.diag(c))
    # raw.r = cor(total, item) over the rows answering the item (the total exists wherever an item does)
    t_ok = ~np.isnan(total)
    t_mean = float(w[t_ok] @ total[t_ok] / w[t_ok].sum())
    tc = np.where(t_ok, total - t_mean, 0.0)
    tcw = tc * w
    sums = mx @ np.column_stack([w, tcw, tcw * tc])  # (2p x 3): M and X0 against w, w t, w t^2
    t_sd = float(np.sqrt((tcw @ tc) / (w[t_ok].sum() - 1)))
    s_t, q_t = sums[good, 1], sums[good, 2]
    s_x, p_xt = sums[p + good, 0], sums[p + good, 1]  # s_x ~ 0: the data are shifted to about their means
    means = sign * (shift_x[good] + s_x / n_j) + shift
    cov_t = sign * (p_xt - s_t * s_x / n_j) / (n_j - 1)
    var_t = (q_t - s_t**2 / n_j) / (n_j - 1)
    raw_r = cov_t / np.sqrt(var_t * np.diag(c))
    corr = mom.corr[np.ix_(good, good)] * flip

    alpha = float(whole["raw"])
    ase = float(np.sqrt(whole["q"] / n_rows))
    feldt = feldt_ci(alpha, n_rows, k)
    omega = None
    if k >= 3:
        if not np.isnan(corr).any():
            omega, lam = omega_total_fit(corr)
            flipped = [n for n, v in zip(names, lam) if v < 0]
            if flipped:
                warnings.append(f"omega total flipped item(s) {', '.join(flipped)} with negative loadings (as "
                                "psych::omega); check the keying")
            heywood = [n for n, v in zip(names, lam) if v**2 >= 1]
            if heywood:
                warnings.append(f"the one-factor fit behind omega is a Heywood case (communality >= 1 for "
                                f"{', '.join(heywood)}); interpret omega total with care")
    else:
        warnings.append("omega total needs at least three items; not reported")
    for name, rd, is_rev in zip(names, r_drop, rev):
        if rd < 0:
            hint = "is it wrongly marked as reversed?" if is_rev else "should it be reverse-keyed (-" + name + ")?"
            warnings.append(f"item {name} correlates negatively with the rest of the scale (r.drop = {rd:.3f}): "
                            f"likely mis-keyed; {hint}")
    freq = _response_frequencies(pat, good, n_j, n_rows)
    alpha_ord = None
    if ordinal:
        alpha_ord, ord_warn = _ordinal_alpha(names, rev, columns, items, missing)
        warnings.extend(ord_warn)

    item_recs = []
    for j, name in enumerate(names):
        d = drops[j]
        rec = {
            "item": name, "reversed": bool(rev[j]), "n": int(round(n_j[j])), "mean": float(means[j]),
            "sd": float(item_sd[j]), "raw_r": float(raw_r[j]), "std_r": float(std_r[j]), "r_cor": float(r_cor[j]),
            "r_drop": float(r_drop[j]), "alpha_if_deleted": float(d["raw"]), "std_alpha_if_deleted": float(d["std"]),
            "g6_if_deleted": float(d["g6"]), "average_r_if_deleted": float(d["av_r"]),
            "median_r_if_deleted": float(d["med_r"]), "miskeyed": bool(r_drop[j] < 0),
        }
        if freq is not None:
            rec["response_freq"] = {cat: float(v) for cat, v in zip(freq[0], freq[1][j])}
        item_recs.append(rec)
    return {
        "name": spec.name, "n": int(n_rows), "n_complete": n_complete, "n_items": k, "missing": missing,
        "min": lo, "max": hi,
        "alpha": alpha, "alpha_ci_feldt": [float(feldt[0]), float(feldt[1])],
        "alpha_ci_duhachek": [alpha - Z_975 * ase, alpha + Z_975 * ase], "ase": ase,
        "std_alpha": float(whole["std"]), "g6": float(whole["g6"]), "average_r": float(whole["av_r"]),
        "median_r": float(whole["med_r"]), "sn": float(whole["sn"]), "omega_total": omega,
        **({"alpha_ordinal": alpha_ord} if ordinal else {}),
        "mean": t_mean, "sd": t_sd,
        "dropped": dropped, "warnings": warnings, "items": item_recs,
    }


def _ordinal_alpha(names, rev, columns, items, missing) -> tuple[float | None, list[str]]:
    """Ordinal alpha (Zumbo, Gadermann & Zeisser 2007): alpha of the polychoric correlations, as
    ``psych::alpha(polychoric(x)$rho, keys)``: polychoric correlations of the raw answers (psych's default
    ``correct = .5``), reverse-keyed items' correlations negated, then n/(n-1) (1 - n / sum R)."""
    from .samplestats.polychoric import polychoric_matrix

    x = np.column_stack([columns(i) for i in names])
    if missing == "listwise":
        x = x[~np.isnan(np.column_stack([columns(i) for i in items])).any(axis=1)]
    try:
        res = polychoric_matrix(x, list(names), correct=0.5)
    except ToolkitError as exc:
        return None, [f"ordinal alpha not computed: {exc.message}"]
    notes = [f"polychoric correlations: {w}" for w in res.warnings]
    kept = res.items
    if len(kept) < 2:
        return None, notes + ["ordinal alpha needs at least two items with two or more categories"]
    sign = np.array([-1.0 if rev[names.index(i)] else 1.0 for i in kept])
    R = res.rho.to_numpy() * np.outer(sign, sign)
    if np.isnan(R).any():
        return None, notes + ["ordinal alpha not computed: a polychoric correlation is missing"]
    k = len(kept)
    return float(k / (k - 1) * (1 - k / R.sum())), notes


# ----------------------------------------------------------------------------------------------- output

SCALE_COLUMNS = ["scale", "n", "n_complete", "n_items", "alpha", "alpha_ci_feldt_lower", "alpha_ci_feldt_upper",
                 "alpha_ci_duhachek_lower", "alpha_ci_duhachek_upper", "ase", "std_alpha", "g6", "average_r",
                 "median_r", "sn", "omega_total", "alpha_ordinal", "mean", "sd", "min", "max", "missing", "dropped"]
ITEM_COLUMNS = ["scale", "item", "reversed", "n", "mean", "sd", "raw_r", "std_r", "r_cor", "r_drop",
                "alpha_if_deleted", "std_alpha_if_deleted", "g6_if_deleted", "average_r_if_deleted",
                "median_r_if_deleted", "miskeyed"]


def _assemble(records: list[dict], warnings: list[str], notes: list[str], screening, ordinal: bool
              ) -> ReliabilityResult:
    import pandas as pd

    srows, irows, frows = [], [], []
    for rec in records:
        row = {k: rec[k] for k in SCALE_COLUMNS if k in rec}
        row["scale"] = rec["name"]
        row["alpha_ci_feldt_lower"], row["alpha_ci_feldt_upper"] = rec["alpha_ci_feldt"]
        row["alpha_ci_duhachek_lower"], row["alpha_ci_duhachek_upper"] = rec["alpha_ci_duhachek"]
        row["dropped"] = ", ".join(rec["dropped"])
        srows.append(row)
        for it in rec["items"]:
            irows.append({"scale": rec["name"], **{k: it[k] for k in ITEM_COLUMNS[1:]}})
            for cat, p in it.get("response_freq", {}).items():
                frows.append({"scale": rec["name"], "item": it["item"], "category": cat, "proportion": p})
    scales = pd.DataFrame(srows, columns=[c for c in SCALE_COLUMNS if ordinal or c != "alpha_ordinal"])
    scales["omega_total"] = scales["omega_total"].astype(float)
    if ordinal:
        scales["alpha_ordinal"] = scales["alpha_ordinal"].astype(float)
    items = pd.DataFrame(irows, columns=ITEM_COLUMNS)
    freqs = pd.DataFrame(frows, columns=["scale", "item", "category", "proportion"])
    return ReliabilityResult(scales, items, freqs, warnings, records, notes, screening)
