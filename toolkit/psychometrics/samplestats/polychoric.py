"""Polychoric correlations as ``psych::polychoric(x, correct = 0)`` computes them (psych 2.2.9).

A polychoric correlation is the correlation of two latent standard normal variables whose cut at thresholds
tau gives the observed ordered categories (Olsson 1979). psych's two-step recipe, reproduced exactly:

1. Codes are shifted so the smallest answer over all items is 1; K = max - min + 1 categories over all items
   (K > 8 stops: the items are not ordinal categories). Items without variance (one observed category, or no
   answers) are left out, with a warning.
2. Thresholds ("global"), per item from its own answers: tau_j = qnorm(cumsum(freq_j / n_j))[1..K-1]. A
   category nobody chose gives an infinite or repeated threshold.
3. Each pair's table uses the rows answering both items (pairwise deletion) and is divided by its total.
4. rho maximises sum_kl p_kl log P_kl(rho; tau_i, tau_j) with the thresholds fixed, where P_kl are the
   bivariate-normal cell probabilities (:mod:`.bivnorm`). Cells with P <= 0 are skipped. psych maximises with
   ``optimize(f, c(-1, 1))`` at R's default tolerance (~1.2e-4), which leaves rho up to ~1e-5 away from the
   exact maximum; :func:`.brent.brent_fmin` takes the same steps, so the results agree with psych to ~1e-12.
5. When items differ in their highest observed category, psych switches to ``global = FALSE`` (with a
   warning): each pair then drops its empty rows and columns, replaces zero cells by ``correct / total`` (if
   ``correct > 0``) and takes its thresholds from the pair table's own margins.
6. If the smallest eigenvalue of the matrix is below machine epsilon, it is smoothed as ``psych::cor.smooth``:
   eigenvalues below 1e-12 become 1e-10, the eigenvalues are rescaled to sum to p, and the rebuilt matrix is
   turned back into a correlation matrix.

References: Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation coefficient.
*Psychometrika* 44, 443-460. Revelle, W. psych (``polychoric``, ``cor.smooth``), version 2.2.9.

>>> import pandas as pd, toolkit
>>> df = pd.read_csv("tests/data/bfi.csv")                          # doctest: +SKIP
>>> res = toolkit.polychoric(df, items=["N1", "N2", "N3", "N4", "N5"])  # doctest: +SKIP
>>> round(res.rho.loc["N2", "N1"], 6)                               # doctest: +SKIP
0.76424
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.special import ndtr, ndtri

from ...errors import AnalysisError, DataError
from .bivnorm import bvn_upper
from .brent import brent_fmin

MAX_CATEGORIES = 8  # psych's max.cat
EIG_TOL = 1e-12     # cor.smooth's eig.tol


@dataclass
class PolychoricResult:
    """Polychoric correlations with their thresholds.

    ``rho``: items x items DataFrame; ``tau``: items x thresholds (``t1`` ..), one row per item (an infinite
    threshold marks a category the item never used); ``n``: rows in the data; ``n_pairs``: items x items counts
    of rows answering both; ``smoothed``: whether the matrix had to be smoothed to be positive definite;
    ``global_thresholds``: psych's ``global`` (False when items differ in their highest category).
    """

    items: list
    rho: "pd.DataFrame"  # noqa: F821
    tau: "pd.DataFrame"  # noqa: F821
    n: int
    n_pairs: "pd.DataFrame"  # noqa: F821
    smoothed: bool = False
    global_thresholds: bool = True
    correct: float = 0.0
    dropped: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    screening: object = None

    def to_dict(self) -> dict:
        """``{"items", "rho", "tau", "n", ...}``: the ``hls analyze polychoric --json`` object; infinite
        thresholds (unused categories) become ``null``."""
        d = {"items": list(self.items), "rho": self.rho.to_numpy().tolist(), "tau": self.tau.to_numpy().tolist(),
             "n": self.n, "min_pairwise_n": int(self.n_pairs.to_numpy().min()) if len(self.items) else 0,
             "smoothed": self.smoothed, "global_thresholds": self.global_thresholds, "correct": self.correct,
             "dropped": list(self.dropped), "warnings": list(self.warnings)}
        if self.screening is not None:
            d["screening"] = self.screening.to_dict()
        return d

    def summary(self, digits: int = 2, max_items: int = 20) -> str:
        """Plain-text report: the correlation matrix (lower triangle), the thresholds and the warnings; with more
        than *max_items* items only an overview (the full matrix goes to ``-o``/``--json``)."""
        p = len(self.items)
        lines = [f"Polychoric correlations (psych::polychoric, correct = {self.correct:g}) of {p} items, "
                 f"n = {self.n} (smallest pairwise n = {self.to_dict()['min_pairwise_n']})"
                 + ("; smoothed to be positive definite" if self.smoothed else ""), ""]
        R = self.rho.to_numpy()
        if p > max_items:
            off = R[np.tril_indices(p, -1)]
            lines.append(f"{p * (p - 1) // 2} correlations: median {np.nanmedian(off):.{digits}f}, range "
                         f"{np.nanmin(off):.{digits}f} to {np.nanmax(off):.{digits}f}; the matrix and the thresholds "
                         "are in the -o file (.xlsx/.csv) or --json output")
        else:
            w = max(6, *(len(str(i)) for i in self.items))
            cw = digits + 4
            lines.append(" " * w + "".join(f"{str(c)[:cw]:>{cw + 1}}" for c in self.items))
            for i, item in enumerate(self.items):
                lines.append(f"{str(item):<{w}}" + "".join(f"{R[i, j]:{cw + 1}.{digits}f}" for j in range(i + 1)))
            lines += ["", "Thresholds:"]
            lines.append(" " * w + "".join(f"{c:>8}" for c in self.tau.columns))
            for item, row in self.tau.iterrows():
                lines.append(f"{str(item):<{w}}" + "".join(_threshold_cell(v) for v in row.to_numpy()))
        if self.warnings:
            lines.append("")
            lines.extend(f"warning: {x}" for x in self.warnings)
        return "\n".join(lines)

    def write(self, path) -> None:
        """Write the result: ``.xlsx`` (sheets Correlations, Thresholds, Pairwise n, Notes; the toolkit's one table
        writer) or ``.csv`` (the correlation matrix with an ``item`` column), atomically."""
        import pandas as pd

        from ...io import write_csv
        from ...report.tables import Column, Table, write_workbook

        suffix = str(path).lower().rsplit(".", 1)[-1]
        if suffix == "csv":
            write_csv(self.rho.rename_axis("item").reset_index(), path)
            return
        if suffix != "xlsx":
            raise DataError("the output file must end in .xlsx or .csv", file=str(path), field="-o")
        items = [str(i) for i in self.items]
        rho = self.rho.rename_axis("item")
        tau = self.tau.where(np.isfinite(self.tau)).rename_axis("item")
        notes = [("n", self.n), ("correct", self.correct), ("global thresholds", self.global_thresholds),
                 ("smoothed", self.smoothed)] + [("warning", w) for w in self.warnings]
        write_workbook(path, [
            Table("Correlations", rho, index=True, columns=["item"] + [Column(i, kind="prop3") for i in items],
                  title=f"Polychoric correlations (psych::polychoric, correct = {self.correct:g}), n = {self.n}"),
            Table("Thresholds", tau, index=True,
                  columns=["item"] + [Column(c, kind="num3") for c in tau.columns], title="Thresholds",
                  note="A blank threshold belongs to a category the item never used (an infinite threshold)."),
            Table("Pairwise n", self.n_pairs.rename_axis("item"), index=True,
                  columns=["item"] + [Column(i, kind="int") for i in items], title="Respondents answering both items"),
            Table("Notes", pd.DataFrame(notes, columns=["what", "value"]).astype({"value": str}), title="Notes"),
        ])

    def __repr__(self) -> str:
        return f"PolychoricResult({len(self.items)} items, n={self.n}, smoothed={self.smoothed})"


def _threshold_cell(v: float) -> str:
    if np.isfinite(v):
        return f"{v:8.3f}"
    return f"{'-inf' if v < 0 else 'inf' if v > 0 else 'NA':>8}"


def polychoric(data, items=None, *, correct: float = 0.0, smooth: bool = True, instrument=None,
               missing_codes=(), max_categories: int = MAX_CATEGORIES) -> PolychoricResult:
    """Polychoric correlations and thresholds, as ``psych::polychoric(x, correct = 0)`` (psych 2.2.9).

    Parameters
    ----------
    data : DataFrame of integer-coded ordinal answers (NaN = missing), one column per item.
    items : the item columns (default: every column, or every item of *instrument*).
    correct : psych's continuity correction for zero cells; it only acts when items differ in their highest
        category (psych's ``global = FALSE``). ``psych::polychoric``'s own default is 0.5; the issue's and this
        function's default is 0 (``fa(cor = "poly")`` and ordinal alpha use 0.5, as psych does).
    smooth : smooth a non-positive-definite matrix as ``psych::cor.smooth`` (psych's default).
    instrument : name, path or Instrument: its missing codes (9 = Don't know) and response ranges are applied.
    missing_codes : further codes meaning "missing" (``--missing-code``).

    Returns
    -------
    PolychoricResult with ``rho``, ``tau``, ``n``, ``n_pairs``, ``warnings`` and ``to_dict()``.

    Example::

        >>> import pandas as pd, toolkit
        >>> x = pd.DataFrame({"a": [1, 2, 2, 3, 3, 1, 2, 3], "b": [1, 1, 2, 3, 2, 2, 2, 3]})
        >>> round(float(toolkit.polychoric(x).rho.loc["b", "a"]), 6)      # psych: 0.7758346
        0.775835
    """
    import pandas as pd

    from ..screening import item_rules, screen

    if not isinstance(data, pd.DataFrame):
        data = pd.DataFrame(np.asarray(data, dtype=float))
        data.columns = [f"V{i + 1}" for i in range(data.shape[1])]
    source = data.attrs.get("source")
    inst = _instrument(instrument)
    if items is None:
        items = list(inst.item_ids) if inst is not None else list(data.columns)
    elif isinstance(items, str):
        items = [c.strip() for c in items.split(",") if c.strip()]
    items = list(items)
    if len(set(items)) != len(items):
        raise DataError("an item is named twice", field="--items")
    absent = [str(c) for c in items if c not in data.columns]
    if absent:
        raise DataError(f"item column(s) not in the data: {', '.join(absent)}", file=source, field="--items")
    if not 0 <= correct:
        raise AnalysisError(f"correct must be >= 0, not {correct}", field="--correct")
    rules = item_rules(items, instrument=inst, missing_codes=missing_codes) if (inst or missing_codes) else None
    frame, screening = screen(data, items, rules, source=source)
    res = polychoric_matrix(frame.to_numpy(dtype=float), [str(c) for c in items], correct=correct, smooth=smooth,
                            max_categories=max_categories, source=source)
    res.screening = screening
    res.warnings[:0] = screening.warnings()
    return res


def _instrument(instrument):
    if instrument is None or hasattr(instrument, "constructs"):
        return instrument
    from ...instruments import load_instrument

    return load_instrument(str(instrument))


def polychoric_matrix(x: np.ndarray, names: list, *, correct: float = 0.0, smooth: bool = True,
                      max_categories: int = MAX_CATEGORIES, source=None) -> PolychoricResult:
    """:func:`polychoric` on a float matrix (rows = respondents, NaN = missing) that is already screened."""
    import pandas as pd

    x = np.asarray(x, dtype=float)
    n_rows = x.shape[0]
    warns: list[str] = []
    answered = ~np.isnan(x)
    frac = answered & (x != np.round(x))
    if frac.any():
        r, c = np.argwhere(frac)[0]
        raise DataError(f"polychoric correlations need whole-number category codes, not {x[r, c]:g}",
                        file=source, line=int(r) + 2, field=str(names[c]), kind="row")
    count = answered.sum(axis=0)
    with np.errstate(invalid="ignore"):
        lo, hi = np.fmin.reduce(x, axis=0), np.fmax.reduce(x, axis=0)
    keep = count >= 2
    keep &= hi > lo
    dropped = []
    for j in np.flatnonzero(~keep):
        if count[j] == 0:
            why = "has no answers"
        elif count[j] == 1:
            why = "has a single answer"
        else:
            why = f"has only one observed category (every answer {lo[j]:g})"
        warns.append(f"item {names[j]} {why} and was left out of the polychoric correlations (as psych)")
        dropped.append(str(names[j]))
    x, names, count = x[:, keep], [names[j] for j in np.flatnonzero(keep)], count[keep]
    answered = answered[:, keep]
    p = len(names)
    if p < 2:
        raise AnalysisError("polychoric correlations need at least two items with two or more observed categories"
                            + (f" (left out: {', '.join(dropped)})" if dropped else ""), file=source)
    gmin, gmax = float(np.nanmin(x)), float(np.nanmax(x))
    k = int(gmax - gmin) + 1
    if k > max_categories:
        wide = [f"{n} {np.nanmin(x[:, j]):g}..{np.nanmax(x[:, j]):g}" for j, n in enumerate(names)]
        raise AnalysisError(f"the items span {k} categories ({gmin:g}..{gmax:g}), more than the {max_categories} "
                            "polychoric correlations allow (psych's max.cat): they look continuous, or a missing-value "
                            "code is counted as an answer (declare it with --missing-code); ranges: "
                            + ", ".join(wide[:8]) + (", ..." if len(wide) > 8 else ""), file=source)
    codes = np.where(answered, x - gmin, -1).astype(np.int64)   # 0 .. k-1, -1 = missing
    item_max = np.array([codes[:, j].max() for j in range(p)])
    global_ = bool((item_max == item_max[0]).all())
    if not global_:
        warns.append("the items differ in their highest observed category, so each pair takes its thresholds "
                     "from its own table (psych's global = FALSE)")
    k_tab = int(item_max.max()) + 1

    # thresholds from each item's own answers: qnorm(cumsum(freq / n))[1..k-1]
    freq = np.stack([np.bincount(codes[:, j][codes[:, j] >= 0], minlength=k) for j in range(p)])
    prop = freq / count[:, None].astype(float)
    cum = np.minimum(np.cumsum(prop, axis=1), 1.0)   # psych > 2.2.9 caps at 1 (rounding could give NaN)
    tau = ndtri(cum[:, :k - 1])

    tables = pair_tables(codes, p, k_tab)            # (p, p, k, k): rows = first item's categories
    il, jl = np.tril_indices(p, -1)                   # the pairs (i > j), psych's matpLower order
    tabs = tables[il, jl]                             # rows: item i (later), columns: item j
    tot = tabs.sum(axis=(1, 2))
    rho = np.full(len(il), np.nan)
    ok = tot > 0
    if global_:
        rc, cc = tau[il][:, :k_tab - 1], tau[jl][:, :k_tab - 1]
        sel = np.flatnonzero(ok)
        if sel.size:
            rho[sel] = _fit(tabs[sel] / tot[sel, None, None], rc[sel], cc[sel])
    else:
        rho = _fit_local(tabs, tot, correct)
    R = np.eye(p)
    R[il, jl] = rho
    R[jl, il] = rho
    n_pairs = answered.T.astype(float) @ answered.astype(float)
    missing_pairs = [(names[i], names[j]) for i, j, r in zip(il, jl, rho) if np.isnan(r)]
    smoothed = False
    if missing_pairs:
        shown = ", ".join(f"{a}-{b}" for a, b in missing_pairs[:5]) + (", ..." if len(missing_pairs) > 5 else "")
        warns.append(f"{len(missing_pairs)} correlation(s) cannot be estimated (no shared answers, or a pair "
                     f"table with a single row or column): {shown}; the matrix was not smoothed (as psych)")
    elif smooth:
        R, smoothed, ev = cor_smooth(R)
        if smoothed:
            warns.append(f"the polychoric matrix was not positive definite (smallest eigenvalue {ev:.3g}); it was "
                         "smoothed as psych::cor.smooth does (eigenvalues below 1e-12 set to 1e-10, rescaled)")
    cols = [f"t{c + 1}" for c in range(k - 1)]
    return PolychoricResult(
        items=list(names), rho=pd.DataFrame(R, index=names, columns=names),
        tau=pd.DataFrame(tau, index=names, columns=cols), n=int(n_rows),
        n_pairs=pd.DataFrame(n_pairs.astype(int), index=names, columns=names), smoothed=smoothed,
        global_thresholds=global_, correct=float(correct), dropped=dropped, warnings=warns)


def pair_tables(codes: np.ndarray, p: int, k: int) -> np.ndarray:
    """All pairwise contingency tables at once from 0-based category codes (rows x p, -1 = missing).

    ``out[i, j, a, b]`` = rows with item i = a and item j = b; a missing answer falls in no cell, so each table
    holds exactly the rows answering both items. It is the Gram matrix of the one-hot coded answers
    (BLAS ``syrk``: one pass over the data for all p(p-1)/2 tables); counts are exact in float32 below 2^24 rows.
    """
    from scipy.linalg.blas import dsyrk, ssyrk

    n = codes.shape[0]
    small = n < (1 << 24)
    onehot = np.zeros((n, p * k), dtype=np.float32 if small else np.float64, order="F")
    rows, cols = np.nonzero(codes >= 0)
    onehot[rows, cols * k + codes[rows, cols]] = 1
    g = (ssyrk if small else dsyrk)(1.0, onehot, trans=1)          # upper triangle of onehot' onehot
    g = np.triu(g) + np.triu(g, 1).T
    return np.rint(g).astype(np.float64).reshape(p, k, p, k).transpose(0, 2, 1, 3)


def psych_cells(rho, rc, cc) -> np.ndarray:
    """psych's ``polyBinBvn`` for many pairs: (m, nr, nc) cell probabilities, computed the way psych does.

    Every cell except the last row and column is a rectangle probability from ``mnormt::sadmvn``, i.e. Genz's
    MVBVN: upper-orthant probabilities U(h, k) = P(X > h, Y > k) combined according to which limits are infinite
    (both finite: U(l1, l2) - U(u1, l2) - U(l1, u2) + U(u1, u2); lower limit -inf: U(-u1, -u2) - U(-u1, -l2),
    ...; zero width: 0). The last column and row are the margins Phi(cut) minus the row/column sums, and the
    corner is 1 minus the rest, summed in extended precision as R's ``sum``. Computing the cells this way (rather
    than by differencing one CDF grid) keeps the objective equal to psych's to the last bits, which matters
    where Brent compares nearly equal values (correlations near +-1).
    """
    rho = np.asarray(rho, dtype=float)
    m, R = rc.shape
    C = cc.shape[1]
    nr, nc = R + 1, C + 1
    low_r = np.concatenate([np.full((m, 1), -np.inf), rc[:, :-1]], axis=1)   # lower limit of row cells 0..R-1
    low_c = np.concatenate([np.full((m, 1), -np.inf), cc[:, :-1]], axis=1)
    fin = np.isfinite(rc)[:, :, None] & np.isfinite(cc)[:, None, :]
    rr = np.broadcast_to(rho[:, None, None], (m, R, C))
    hh = np.broadcast_to(rc[:, :, None], (m, R, C))
    kk = np.broadcast_to(cc[:, None, :], (m, R, C))
    inf_r = np.isneginf(low_r)[:, :, None]
    inf_c = np.isneginf(low_c)[:, None, :]
    need_u = fin & ~inf_r & ~inf_c
    need_u[:, :-1, :] |= need_u[:, 1:, :]   # U at (l1, .) and (., l2) of the finite-limit cells
    need_u[:, :, :-1] |= need_u[:, :, 1:]
    need_u &= fin
    need_c = fin & (inf_r | inf_c)
    gu = np.full((m, R, C), np.nan)
    gc = np.full((m, R, C), np.nan)
    if need_u.any():
        gu[need_u] = bvn_upper(hh[need_u], kk[need_u], rr[need_u])
    if need_c.any():
        gc[need_c] = bvn_upper(-hh[need_c], -kk[need_c], rr[need_c])

    def shift(g, dr, dc):  # g[a - dr, b - dc] (NaN outside)
        out = np.full_like(g, np.nan)
        out[:, dr:, dc:] = g[:, :R - dr, :C - dc]
        return out

    both = shift(gu, 1, 1) - shift(gu, 0, 1) - shift(gu, 1, 0) + gu
    rows_open = gc - shift(gc, 0, 1)        # lower row limit -inf, column limits finite
    cols_open = gc - shift(gc, 1, 0)        # lower column limit -inf, row limits finite
    inner = np.where(inf_r & inf_c, gc, np.where(inf_r, rows_open, np.where(inf_c, cols_open, both)))
    width0 = (low_r == rc)[:, :, None] | (low_c == cc)[:, None, :]
    inner = np.where(width0, 0.0, inner)

    P = np.zeros((m, nr, nc))
    P[:, :R, :C] = inner
    pr, pc = ndtr(rc), ndtr(cc)
    P[:, 0, C] = pr[:, 0] - _rsum(P[:, 0, :C], axis=1)
    P[:, R, 0] = pc[:, 0] - _rsum(P[:, :R, 0], axis=1)
    for a in range(1, R):
        P[:, a, C] = pr[:, a] - pr[:, a - 1] - _rsum(P[:, a, :C], axis=1)
    for b in range(1, C):
        P[:, R, b] = pc[:, b] - pc[:, b - 1] - _rsum(P[:, :R, b], axis=1)
    P[:, R, C] = 1 - pr[:, R - 1] - _rsum(P[:, R, :C], axis=1)
    return P


def _rsum(a: np.ndarray, axis: int) -> np.ndarray:
    """R's ``sum``: sequential accumulation in long double, rounded to double."""
    a = np.moveaxis(np.asarray(a), axis, -1)
    s = np.zeros(a.shape[:-1], dtype=np.longdouble)
    for c in range(a.shape[-1]):
        s = s + a[..., c].astype(np.longdouble)
    return s.astype(float)


def _objective(rho, tab, rc, cc) -> np.ndarray:
    """psych's polyF for many pairs: -sum(tab * log P, na.rm = TRUE) with P <= 0 (or NaN) left out, summed
    column by column as R does."""
    P = psych_cells(rho, rc, cc)
    ok = P > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(ok, tab * np.log(np.where(ok, P, 1.0)), 0.0)
    terms = np.where(np.isfinite(terms), terms, 0.0)
    flat = terms.transpose(0, 2, 1).reshape(len(terms), -1)   # column-major cell order
    return -_rsum(flat, axis=1)


def _fit(tab: np.ndarray, rc: np.ndarray, cc: np.ndarray) -> np.ndarray:
    """optimize(polyF, c(-1, 1)) for every pair (tables of proportions, thresholds fixed)."""
    return brent_fmin(lambda r, idx: _objective(r, tab[idx], rc[idx], cc[idx]), -1.0, 1.0, len(tab))


def _fit_local(tabs: np.ndarray, tot: np.ndarray, correct: float) -> np.ndarray:
    """psych's ``global = FALSE`` branch: per pair, drop empty rows/columns, correct zero cells, and take the
    thresholds from the table's margins; pairs are fitted in groups of equal table shape."""
    rho = np.full(len(tabs), np.nan)
    shapes: dict[tuple, list] = {}
    prepared = {}
    for m in range(len(tabs)):
        if tot[m] == 0:
            continue
        t = tabs[m] / tot[m]
        t = t[t.sum(axis=1) != 0][:, t.sum(axis=0) != 0]  # zero rows first, then zero columns, as psych
        if correct > 0 and (t == 0).any():
            t = np.where(t == 0, correct / tot[m], t)
        if min(t.shape) < 2:
            continue
        rc = ndtri(np.cumsum(t.sum(axis=1))[:-1])
        cc = ndtri(np.cumsum(t.sum(axis=0))[:-1])
        prepared[m] = (t, rc, cc)
        shapes.setdefault(t.shape, []).append(m)
    for idx in shapes.values():
        t = np.stack([prepared[m][0] for m in idx])
        rc = np.stack([prepared[m][1] for m in idx])
        cc = np.stack([prepared[m][2] for m in idx])
        rho[idx] = _fit(t, rc, cc)
    return rho


def cor_smooth(R: np.ndarray, eig_tol: float = EIG_TOL) -> tuple[np.ndarray, bool, float]:
    """``psych::cor.smooth``: ``(matrix, smoothed?, smallest eigenvalue before)``.

    Smoothing happens only when the smallest eigenvalue is below machine epsilon: eigenvalues below *eig_tol*
    become 100 * eig_tol, all are rescaled to sum to p, and V diag(e) V' is rescaled to unit diagonal.
    """
    e, V = np.linalg.eigh(R)
    ev = float(e.min())
    if not ev < np.finfo(float).eps:
        return R, False, ev
    e = np.where(e < eig_tol, 100 * eig_tol, e)
    e = e * len(e) / e.sum()
    S = (V * e) @ V.T
    d = np.sqrt(np.diag(S))
    S = S / np.outer(d, d)
    S = (S + S.T) / 2
    np.fill_diagonal(S, 1.0)
    return S, True, ev
