"""Descriptive statistics and correlations of scores: the numbers of a survey paper's "Table 1".

:func:`describe` is ``psych::describe`` (type 3 skew and kurtosis, as psych's default); :func:`correlations`
is R's ``cor.test`` for every pair of columns (pairwise-complete cases), computed with pingouin.

Formulas (x one column without its missing values, n its length, m_k = mean((x - mean)^k), s the sample SD)::

    skew     b1 = m_3 / s^3                    (psych type 3; Joanes & Gill 1998)
    kurtosis b2 = m_4 / s^4 - 3
    r        Pearson's product-moment correlation on the pairs both answered
    p        t = r sqrt((n - 2) / (1 - r^2)) on n - 2 df, two-sided
    95% CI   tanh(atanh(r) -/+ z_.975 / sqrt(n - 3))   (Fisher 1921)

Reference: Revelle, W. psych ``describe``; R Core Team ``stats::cor.test``; Vallat (2018) pingouin, JOSS 3(31).
"""
from __future__ import annotations

import numpy as np


def describe(df) -> "pd.DataFrame":  # noqa: F821
    """One row per numeric column: ``variable, n, mean, sd, median, min, max, range, skew, kurtosis, se``,
    as ``psych::describe(df)``.

    >>> import pandas as pd
    >>> d = describe(pd.DataFrame({"x": [1.0, 2.0, 2.0, 3.0, 7.0]}))
    >>> round(float(d.loc[0, "skew"]), 6), round(float(d.loc[0, "sd"]), 6)   # psych::describe: 0.8372974
    (0.837297, 2.345208)
    """
    import pandas as pd

    rows = []
    for col in df.columns:
        x = pd.to_numeric(df[col], errors="coerce").to_numpy(dtype=float)
        x = x[~np.isnan(x)]
        n = len(x)
        if n == 0:
            rows.append({"variable": col, "n": 0})
            continue
        mean = float(x.mean())
        sd = float(x.std(ddof=1)) if n > 1 else float("nan")
        d = x - mean
        with np.errstate(invalid="ignore", divide="ignore"):
            skew = float(np.mean(d ** 3) / sd ** 3) if n > 1 and sd > 0 else float("nan")
            kurt = float(np.mean(d ** 4) / sd ** 4 - 3) if n > 1 and sd > 0 else float("nan")
        rows.append({"variable": col, "n": n, "mean": mean, "sd": sd, "median": float(np.median(x)),
                     "min": float(x.min()), "max": float(x.max()), "range": float(x.max() - x.min()),
                     "skew": skew, "kurtosis": kurt, "se": sd / np.sqrt(n) if n > 1 else float("nan")})
    out = pd.DataFrame(rows, columns=["variable", "n", "mean", "sd", "median", "min", "max", "range", "skew",
                                      "kurtosis", "se"])
    out["n"] = out["n"].astype("int64")
    return out


def correlations(df, confidence: float = 0.95) -> "pd.DataFrame":  # noqa: F821
    """Pearson correlations of every pair of columns with *confidence* intervals and p-values, as R's
    ``cor.test(x, y)`` on the pairwise-complete cases: ``x, y, n, r, ci_lower, ci_upper, p``.

    r, n and p come from :func:`pingouin.pairwise_corr`; the interval from :func:`pingouin.compute_esci`
    (Fisher's z, unrounded).

    >>> import pandas as pd
    >>> c = correlations(pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [2, 1, 4, 3, 5], "c": [5, 3, 4, 1, 2]}))
    >>> c[["x", "y", "n"]].values.tolist()[0], round(float(c.loc[0, "r"]), 3)
    (['a', 'b', 5], 0.8)
    """
    import pandas as pd
    import pingouin

    cols = [str(c) for c in df.columns]
    frame = df.copy()
    frame.columns = cols
    frame = frame.apply(pd.to_numeric, errors="coerce").astype(float)
    out_cols = ["x", "y", "n", "r", "ci_lower", "ci_upper", "p"]
    if len(cols) < 2:
        return pd.DataFrame(columns=out_cols)
    res = pingouin.pairwise_corr(frame, columns=cols, method="pearson", nan_policy="pairwise")
    lower, upper = [], []
    for r, n in zip(res["r"].to_numpy(dtype=float), res["n"].to_numpy()):
        if n > 3 and abs(r) < 1:
            lo, hi = pingouin.compute_esci(stat=r, nx=int(n), ny=int(n), eftype="r", confidence=confidence,
                                           decimals=15)
        else:
            lo = hi = float("nan")
        lower.append(float(lo))
        upper.append(float(hi))
    p_col = "p_unc" if "p_unc" in res.columns else "p-unc"
    return pd.DataFrame({"x": res["X"].astype(str), "y": res["Y"].astype(str), "n": res["n"].astype("int64"),
                         "r": res["r"].astype(float), "ci_lower": lower, "ci_upper": upper,
                         "p": res[p_col].astype(float)})[out_cols]
