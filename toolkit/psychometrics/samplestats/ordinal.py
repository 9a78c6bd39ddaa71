"""Two-step ordinal sample statistics for DWLS/WLSMV, as lavaan 0.6-14 computes them for ``ordered =`` items.

For each group, on the rows that answered every item (lavaan's listwise default for categorical data):

1. **Thresholds** (``lav_samplestats_step1``): tau_j = qnorm(cumulative proportions) of item j's categories,
   the exact maximum-likelihood probit thresholds. An item's categories are the distinct values observed in
   the whole data; a category that is empty within a group (after listwise deletion) is an error, as in
   lavaan.
2. **Polychoric correlations** (``lav_bvord_cor_twostep_fit``): rho_ij maximises sum_kl n_kl log pi_kl(rho)
   with the thresholds fixed (pi floored at sqrt(eps)), within [-.999, .999]. lavaan uses nlminb with the
   analytic gradient and Hessian; we solve the same score equation with safeguarded Newton steps to full
   precision (lavaan's tolerance leaves ~1e-8). A 2x2 table with one empty cell gets 0.5 added to it (margins
   kept, ``zero.add = c(0.5, 0)``, ``zero.keep.margins = TRUE``); two empty cells give rho = +-1; ad = bc gives
   0; two zero thresholds give -cos(2 pi p11). Larger tables are used as they are.
3. **Gamma** (``muthen1984``; Muthen 1984): the asymptotic covariance matrix of (thresholds, correlations) from
   casewise scores: with S = [threshold scores | correlation scores] (one row per respondent),
   INNER = S'S, A11 = block-diagonal threshold information, A21 = cross products of correlation scores and
   the bivariate threshold scores, A22 = diag of squared correlation scores, B^-1 = [[A11^-1, 0],
   [-A22^-1 A21 A11^-1, A22^-1]], ACOV = B^-1 INNER B^-T and **Gamma = N ACOV** (``NACOV``; no N/(N-1)).
   The DWLS weights are ``wls_vd = 1 / diag(Gamma)`` (lavaan's ``WLS.VD``).

**Order** of every vector and of Gamma's rows (lavaan's): the thresholds of item 1 (t1, t2, ...), of item 2,
..., then the correlations in vech0 order, the strict lower triangle column by column:
(2,1), (3,1), ..., (p,1), (3,2), ..., (p,p-1). :attr:`OrdinalStats.labels` names them ``"A1|t1"`` and
``"A1~~A2"``.

References: Muthen, B. (1984). A general structural equation model with dichotomous, ordered categorical, and
continuous latent variable indicators. *Psychometrika* 49, 115-132. Olsson, U. (1979). *Psychometrika* 44,
443-460. Rosseel, Y. lavaan (``lav_samplestats_step1.R``, ``lav_bvord.R``, ``lav_muthen1984.R``), 0.6-14.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtri

from ...errors import AnalysisError, DataError
from .bvord import pair_correlations
from .gamma import muthen_gamma
from .polychoric import pair_tables

MANY_LEVELS = 12      # lavaan warns above this many categories


@dataclass
class OrdinalStats:
    """Ordinal sample statistics of one group: the input of a DWLS/WLSMV estimator.

    Attributes
    ----------
    items : item names, in the order of every vector below.
    categories : per item, the observed category values (ascending); item j has ``len(categories[j]) - 1``
        thresholds.
    tau : per item, its thresholds (numpy array).
    rho : p x p polychoric correlation matrix (unit diagonal).
    gamma : ``Gamma`` (lavaan's ``NACOV``, ``lavInspect(fit, "gamma")``): N times the asymptotic covariance of
        ``sample_vector``; None when computed with ``gamma=False``.
    wls_vd : ``1 / diag(gamma)``, the DWLS weights (lavaan's ``WLS.VD``).
    n : respondents used (complete rows of the group).
    group : the group's label (None without groups).
    freq : per item, the count of each category.
    zero_cell_pairs : pairs (a, b) whose bivariate table has an empty cell (lavaan's ``zero.cell.tables``).
    """

    items: list
    categories: list
    tau: list
    rho: np.ndarray
    gamma: np.ndarray | None
    wls_vd: np.ndarray | None
    n: int
    group: object = None
    freq: list = field(default_factory=list)
    zero_cell_pairs: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @property
    def n_thresholds(self) -> int:
        return int(sum(len(t) for t in self.tau))

    @property
    def pairs(self) -> list[tuple[int, int]]:
        """(i, j) positions of the correlations in vech0 order (i > j, column by column)."""
        j, i = np.triu_indices(len(self.items), 1)
        return list(zip(i.tolist(), j.tolist()))

    @property
    def sample_vector(self) -> np.ndarray:
        """Thresholds of item 1, 2, ..., then rho in vech0 order (lavaan's ``WLS.obs``)."""
        j, i = np.triu_indices(len(self.items), 1)
        return np.concatenate(list(self.tau) + [self.rho[i, j]])

    @property
    def labels(self) -> list[str]:
        """Names of ``sample_vector``'s entries: ``"A1|t1"``, ..., then ``"A1~~A2"`` (lavaan's naming)."""
        th = [f"{it}|t{c + 1}" for it, t in zip(self.items, self.tau) for c in range(len(t))]
        return th + [f"{self.items[j]}~~{self.items[i]}" for i, j in self.pairs]

    def threshold_slice(self, item) -> slice:
        """Where *item*'s thresholds sit in ``sample_vector`` and Gamma."""
        k = self.items.index(item) if not isinstance(item, int) else item
        start = int(sum(len(t) for t in self.tau[:k]))
        return slice(start, start + len(self.tau[k]))

    def rho_position(self, a, b) -> int:
        """Where the correlation of items *a* and *b* (names or positions) sits in ``sample_vector``."""
        ia = self.items.index(a) if not isinstance(a, int) else a
        ib = self.items.index(b) if not isinstance(b, int) else b
        if ia == ib:
            raise ValueError("a correlation needs two different items")
        i, j = max(ia, ib), min(ia, ib)
        p = len(self.items)
        return self.n_thresholds + j * p - j * (j + 1) // 2 + (i - j - 1)

    @property
    def acov(self) -> np.ndarray | None:
        """Asymptotic covariance matrix of ``sample_vector``: Gamma / N."""
        return None if self.gamma is None else self.gamma / self.n

    def thresholds_frame(self):
        """Tidy thresholds: one row per item and threshold (``item, threshold, label, value``)."""
        import pandas as pd

        rows = [{"item": it, "threshold": c + 1, "label": f"{it}|t{c + 1}", "value": float(v)}
                for it, t in zip(self.items, self.tau) for c, v in enumerate(t)]
        return pd.DataFrame(rows, columns=["item", "threshold", "label", "value"])

    def rho_frame(self):
        """The polychoric correlation matrix as a DataFrame."""
        import pandas as pd

        return pd.DataFrame(self.rho, index=self.items, columns=self.items)

    def to_dict(self) -> dict:
        d = {"group": self.group, "n": self.n, "items": list(self.items),
             "categories": [[_num(v) for v in c] for c in self.categories],
             "thresholds": {lab: float(v) for lab, v in zip(self.labels, self.sample_vector)
                            if "|t" in lab},
             "rho": self.rho.tolist(), "zero_cell_pairs": [list(p) for p in self.zero_cell_pairs],
             "warnings": list(self.warnings)}
        if self.gamma is not None:
            d["wls_vd"] = self.wls_vd.tolist()
        return d

    def __repr__(self) -> str:
        return (f"OrdinalStats(group={self.group!r}, n={self.n}, {len(self.items)} items, "
                f"{self.n_thresholds} thresholds, gamma={'yes' if self.gamma is not None else 'no'})")


@dataclass
class OrdinalSampleStats:
    """:class:`OrdinalStats` of every group, in lavaan's group order (first appearance in the data).

    Iterate over it, index it by position (``stats[0]``) or look a group up by its label
    (``stats.by_group("female")``); ``n_rows`` rows came in, ``n_dropped`` of them were left out by listwise
    deletion (or had no group).
    """

    groups: list
    group_column: str | None
    n_rows: int
    n_dropped: int
    warnings: list = field(default_factory=list)
    screening: object = None

    def __iter__(self):
        return iter(self.groups)

    def __len__(self) -> int:
        return len(self.groups)

    def __getitem__(self, index: int) -> OrdinalStats:
        return self.groups[index]

    def by_group(self, label) -> OrdinalStats:
        """The statistics of the group labelled *label* (compared as given, then as text)."""
        for g in self.groups:
            if g.group == label:
                return g
        for g in self.groups:
            if str(g.group) == str(label):
                return g
        raise KeyError(label)

    @property
    def n(self) -> int:
        return int(sum(g.n for g in self.groups))

    def to_dict(self) -> dict:
        d = {"group_column": self.group_column, "n_rows": self.n_rows, "n_dropped": self.n_dropped,
             "groups": [g.to_dict() for g in self.groups], "warnings": list(self.warnings)}
        if self.screening is not None:
            d["screening"] = self.screening.to_dict()
        return d

    def __repr__(self) -> str:
        return f"OrdinalSampleStats({len(self.groups)} group(s), n={self.n}, dropped={self.n_dropped})"


def _num(v):
    v = float(v)
    return int(v) if v.is_integer() else v


def ordinal_sample_stats(data, items, group: str | None = None, *, instrument=None, missing_codes=(),
                         gamma: bool = True) -> OrdinalSampleStats:
    """Thresholds, polychoric correlations and Gamma of ordered items per group, as lavaan 0.6-14.

    ``lavInspect(cfa(model, data, ordered = items, group = group), "sampstat" / "gamma" / "wls.v")``.

    Parameters
    ----------
    data : DataFrame of numeric category codes (NaN = missing).
    items : the ordered item columns (list, or "A1,A2,...").
    group : optional column with the group of each row; rows without a group are left out.
    instrument, missing_codes : missing-value codes and response ranges applied first (see
        :mod:`toolkit.psychometrics.screening`).
    gamma : also compute Gamma and the DWLS weights (stage 3).

    Example::

        >>> import pandas as pd, toolkit
        >>> bfi = pd.read_csv("tests/data/bfi.csv")                              # doctest: +SKIP
        >>> st = toolkit.ordinal_sample_stats(bfi, ["N1", "N2", "N3", "N4", "N5"])[0]  # doctest: +SKIP
        >>> st.n, round(st.gamma[0, 0], 6)                                      # doctest: +SKIP
        (2694, 1.906308)
    """
    import pandas as pd

    from ..screening import item_rules, screen

    if not isinstance(data, pd.DataFrame):
        raise DataError("ordinal_sample_stats() needs a pandas DataFrame with one column per item")
    source = data.attrs.get("source")
    if isinstance(items, str):
        items = [c.strip() for c in items.split(",") if c.strip()]
    items = [str(c) for c in items]
    if len(items) < 2:
        raise AnalysisError("ordinal sample statistics need at least two items")
    if len(set(items)) != len(items):
        raise DataError("an item is named twice", field="--items")
    absent = [c for c in items if c not in data.columns]
    if absent:
        raise DataError(f"item column(s) not in the data: {', '.join(absent)}", file=source, field="--items")
    if group is not None and group not in data.columns:
        raise DataError(f"group column '{group}' is not in the data", file=source, field="--group")
    inst = instrument
    if inst is not None and not hasattr(inst, "constructs"):
        from ...instruments import load_instrument

        inst = load_instrument(str(inst))
    rules = item_rules(items, instrument=inst, missing_codes=missing_codes) if (inst or missing_codes) else None
    frame, screening = screen(data, items, rules, source=source)
    x = frame.to_numpy(dtype=float)
    warns = screening.warnings()

    # categories: the distinct values of each item in the whole data (lavaan's ov.levels)
    levels = []
    for j, it in enumerate(items):
        v = np.unique(x[:, j][~np.isnan(x[:, j])])
        if v.size == 0:
            raise AnalysisError("the item has no answers", file=source, field=it)
        if v.size == 1:
            raise AnalysisError(f"the item has only one observed category ({_num(v[0])}): an ordinal model needs "
                                "at least two (lavaan: 'ordered variable(s) has/have only 1 level')",
                                file=source, field=it)
        if v.size > MANY_LEVELS:
            warns.append(f"item {it} has {v.size} categories (more than {MANY_LEVELS}); is it really ordinal?")
        levels.append(v)

    complete = ~np.isnan(x).any(axis=1)
    if group is not None:
        gcol = data[group]
        has_group = gcol.notna().to_numpy() & (gcol.astype("string").str.strip() != "").fillna(False).to_numpy()
        labels = list(dict.fromkeys(gcol[has_group].tolist()))
        no_group = int((~has_group).sum())
        if no_group:
            warns.append(f"{no_group} row(s) without a group in '{group}' were left out")
        keep = complete & has_group
    else:
        labels, keep = [None], complete
    n_drop_missing = int((~complete).sum())
    if n_drop_missing:
        share = n_drop_missing / len(x)
        warns.append(f"listwise deletion: {n_drop_missing} of {len(x)} rows ({share:.1%}) miss an answer to at least "
                     "one item and were left out (lavaan's default for ordered items)")
    if not keep.any():
        raise AnalysisError("no respondent answered every item (listwise deletion leaves no rows)", file=source)
    out = []
    gvals = data[group].to_numpy() if group is not None else None
    for lab in labels:
        rows = keep if lab is None else keep & (gvals == lab)
        codes = np.column_stack([np.searchsorted(levels[j], x[rows, j]) for j in range(len(items))])
        out.append(_group_stats(codes, items, levels, lab, gamma, source, group))
    return OrdinalSampleStats(groups=out, group_column=group, n_rows=len(x), n_dropped=int((~keep).sum()),
                              warnings=warns, screening=screening)


def _group_stats(codes, items, levels, label, want_gamma, source, group_col) -> OrdinalStats:
    n, p = codes.shape
    where = "" if label is None else f" in group {label!r}"
    if n < 2:
        raise AnalysisError(f"fewer than two complete rows{where}", file=source, field=group_col)
    nlev = np.array([len(v) for v in levels])
    freq = [np.bincount(codes[:, j], minlength=nlev[j]) for j in range(p)]
    for j, f in enumerate(freq):
        if (f == 0).any():
            empty = [_num(levels[j][c]) for c in np.flatnonzero(f == 0)]
            raise AnalysisError(
                f"category {', '.join(map(str, empty))} of item {items[j]} is empty{where} after listwise deletion "
                f"(frequencies {' '.join(map(str, f))}); thresholds cannot be estimated for an empty category, "
                "as lavaan ('some categories of variable are empty'): merge categories or drop the item",
                file=source, field=items[j])
    tau = [ndtri(np.cumsum(f / n)[:-1]) for f in freq]
    kmax = int(nlev.max())
    # thresholds padded with +inf to a common length: padded categories have probability 0 and no answers
    T = np.full((p, kmax - 1), np.inf)
    for j, t in enumerate(tau):
        T[j, :len(t)] = t

    jj, ii = np.triu_indices(p, 1)          # vech0 order: pair m is (ii[m] > jj[m])
    tables = pair_tables(codes, p, kmax)   # tables[a, b]: rows = categories of a
    tab = tables[jj, ii]                   # rows: the earlier item (lavaan's Y1), columns: the later one
    warns: list[str] = []
    rho, zero_cells, _ = pair_correlations(codes, tab, T[jj], T[ii], nlev[jj], nlev[ii], n)
    for m in np.flatnonzero(np.abs(rho) > 0.99):
        warns.append(f"the polychoric correlation of {items[ii[m]]} and {items[jj[m]]}{where} is (nearly) 1.0")
    for m in np.flatnonzero(np.abs(rho) == 1.0):
        warns.append(f"{items[jj[m]]} x {items[ii[m]]}{where}: their 2x2 table has two empty cells, so their polychoric "
                     f"correlation is set to {rho[m]:+.0f} (as lavaan); its sampling variance in Gamma is unreliable")
    R = np.eye(p)
    R[ii, jj] = rho
    R[jj, ii] = rho
    zero_pairs = [(items[jj[m]], items[ii[m]]) for m in np.flatnonzero(zero_cells)]
    G = wvd = None
    if want_gamma:
        G = muthen_gamma(codes, tau, T, nlev, rho, tab, ii, jj, n)
        d = np.diag(G)
        if not np.isfinite(d).all() or (d <= 0).any():
            raise AnalysisError(f"the diagonal of Gamma{where} is not finite and positive; the DWLS weights cannot be "
                                "formed (lavaan: 'diagonal of Gamma (NACOV) contains non finite values')",
                                file=source)
        wvd = 1.0 / d
    return OrdinalStats(items=list(items), categories=[tuple(v) for v in levels], tau=tau, rho=R, gamma=G,
                        wls_vd=wvd, n=int(n), group=label, freq=freq, zero_cell_pairs=zero_pairs, warnings=warns)
