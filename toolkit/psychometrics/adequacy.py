"""Is a correlation matrix worth factoring? KMO and Bartlett's test, as psych.

* :func:`kmo` - Kaiser-Meyer-Olkin measure of sampling adequacy (Kaiser 1970; Kaiser & Rice 1974), psych::KMO.
* :func:`bartlett` - Bartlett's (1950) test that the correlation matrix is an identity, psych::cortest.bartlett.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from .efa_input import _corr_input, _not_pd_warning

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


def kmo_label(v: float) -> str:
    """Kaiser's (1974) verbal labels for an MSA value."""
    for lo, name in ((0.9, "marvelous"), (0.8, "meritorious"), (0.7, "middling"), (0.6, "mediocre"),
                     (0.5, "miserable")):
        if v >= lo:
            return name
    return "unacceptable"
