"""Sample statistics of continuous indicators per group, as lavaan's ``lavSampleStats`` for ML and FIML.

- Complete data (``missing="listwise"``): the mean and the covariance matrix with divisor N.
- Missing data (``missing="fiml"``, lavaan's ``missing = "ml"``): the rows themselves (:class:`RowData`) plus
  the saturated (H1) mean and covariance from lavaan's truncated EM (:mod:`.em`), which play the part of the
  sample moments in the chi-square, SRMR and the robust FIML indices.

``h1_loglik`` is the unrestricted log-likelihood (with the 2 pi constant) of each group.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ...errors import AnalysisError
from .em import em_h1
from .missing import LOG2PI, RowData


class GroupSizes:
    """What every kind of sample statistics tells the estimators about its groups (needs ``n``, per group)."""

    @property
    def ntotal(self) -> int:
        return int(sum(self.n))

    @property
    def ngroups(self) -> int:
        return len(self.n)

    @property
    def weights(self) -> np.ndarray:
        """N_g / N per group."""
        return np.asarray(self.n, float) / self.ntotal


@dataclass
class SampleStats(GroupSizes):
    """Per-group statistics of the columns *observed* (groups in order of first appearance, as lavaan)."""

    observed: list[str]
    groups: list
    n: list[int]
    cov: list[np.ndarray]
    mean: list[np.ndarray]
    rows: list[RowData]
    missing: bool = False  # True: FIML, and cov/mean are the EM (H1) estimates
    h1_loglik: list[float] = field(default_factory=list)
    em_iterations: list[int] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """Which discrepancies apply (the estimator registry's key): "complete" or "missing" (FIML)."""
        return "missing" if self.missing else "complete"

    @classmethod
    def from_frame(cls, df, observed: list[str], group: str | None = None, missing: str = "listwise") -> "SampleStats":
        """Statistics of the columns *observed* of *df*, split by *group*. With ``missing="listwise"`` *df* must
        hold complete cases only; with ``"fiml"`` rows may have gaps but none may be entirely missing."""
        if group is None:
            parts = [(None, df)]
        else:
            labels = list(dict.fromkeys(df[group].tolist()))  # order of first appearance, as lavaan
            parts = [(lab, df[df[group] == lab]) for lab in labels]
        from ..estimators.optimizer import single_thread_blas

        with single_thread_blas():
            if missing == "fiml":
                return _fiml_stats(parts, list(observed))
            return _complete_stats(parts, list(observed))


def _where(lab) -> str:
    return "" if lab is None else f" in group '{lab}'"


def _check_cov(s: np.ndarray, observed: list[str], lab, what: str) -> None:
    sd = np.sqrt(np.clip(np.diag(s), 0, None))
    flat = [observed[i] for i in np.flatnonzero(sd < 1e-12)]
    if flat:
        raise AnalysisError(f"item(s) without variance{_where(lab)}: {', '.join(flat)}")
    ev = np.linalg.eigvalsh(s / np.outer(sd, sd))
    if ev.min() < 1e-10:
        raise AnalysisError(f"the {what}{_where(lab)} is not positive definite "
                            "(an item is a linear combination of others, or too few rows)")


def _complete_stats(parts, observed: list[str]) -> SampleStats:
    groups, ns, covs, means, rows, ll = [], [], [], [], [], []
    p = len(observed)
    for lab, part in parts:
        x = part[observed].to_numpy(dtype=float)
        n = x.shape[0]
        if n <= p:
            raise AnalysisError(f"{n} complete case(s){_where(lab)} for {p} indicators: need more rows than "
                                "indicators")
        mu = x.mean(axis=0)
        xc = x - mu
        s = xc.T @ xc / n
        _check_cov(s, observed, lab, "sample covariance matrix")
        groups.append(lab)
        ns.append(n)
        covs.append(s)
        means.append(mu)
        rows.append(RowData(x))
        ll.append(-n / 2 * (p * LOG2PI + np.linalg.slogdet(s)[1] + p))
    return SampleStats(observed, groups, ns, covs, means, rows, False, ll, [0] * len(ns))


def _fiml_stats(parts, observed: list[str]) -> SampleStats:
    groups, ns, covs, means, rows, ll, its = [], [], [], [], [], [], []
    for lab, part in parts:
        x = part[observed].to_numpy(dtype=float)
        rd = RowData(x)
        cnt = rd.obs.sum(axis=0)
        few = [observed[j] for j in np.flatnonzero(cnt < 2)]
        if few:
            raise AnalysisError(f"item(s) with fewer than 2 answers{_where(lab)}: {', '.join(few)}")
        _, _, var = rd.observed_moments()
        flat = [observed[j] for j in np.flatnonzero(var < 1e-12)]
        if flat:
            raise AnalysisError(f"item(s) without variance{_where(lab)}: {', '.join(flat)}")
        pair = rd.obs.T.astype(float) @ rd.obs.astype(float)
        i, j = np.nonzero(np.triu(pair == 0, 1))
        if len(i):
            raise AnalysisError(f"items '{observed[i[0]]}' and '{observed[j[0]]}' are never answered together"
                                f"{_where(lab)}: their covariance cannot be estimated")
        try:
            h1 = em_h1(rd)
        except np.linalg.LinAlgError:
            raise AnalysisError(f"the EM estimate of the covariance matrix{_where(lab)} is not positive definite "
                                "(too few answers for the number of items)") from None
        _check_cov(h1.cov, observed, lab, "EM estimate of the covariance matrix")
        groups.append(lab)
        ns.append(rd.n)
        covs.append(h1.cov)
        means.append(h1.mean)
        rows.append(rd)
        ll.append(h1.loglik)
        its.append(h1.iterations)
    return SampleStats(observed, groups, ns, covs, means, rows, True, ll, its)
