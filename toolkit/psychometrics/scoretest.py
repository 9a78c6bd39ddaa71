"""Score (Lagrange multiplier) tests for releasing group equality constraints (lavaan's ``lavTestScore``).

When a constrained invariance step (metric, scalar, thresholds_loadings) fits worse than the step before, the
question is *which* equality constraint to release (partial invariance, lavaan ``group.partial``). The
univariate score test answers it for every constraint without refitting anything.

In lavaan 0.6-14 a ``group.equal`` constraint is an explicit row ``.p2. == .p38.`` between two copies of a
parameter (group 1 and group g). Let theta be the vector in which every group has its own copy (lavaan's free
parameters), R the Jacobian of the constraints (one row per constraint: +1 at the group-1 copy, -1 at the
group-g copy), s = -dF/dtheta at the constrained estimates (the score; F = lavaan's objective: for DWLS
lavaan takes s = +dF/dtheta, see below), I the unit information of the unconstrained copy-per-group model at
the same estimates and N the total sample size. Releasing constraint r keeps the others, R_(-r):

    Z_(-r) = [[I, R_(-r)'], [R_(-r), 0]],   J_r = first block of the Moore-Penrose inverse of Z_(-r),
    X2_r = N s' J_r s  (df = 1),   EPC_r = s' J_r  (the expected change of every parameter),

and the total test of all constraints is N s' I^+ s on nrow(R) df. The EPC of constraint r reported here is
the expected change of the group-g copy minus that of the group-1 copy: the group difference the parameter is
expected to show once released (lavaan lists both copies' EPCs in ``lavTestScore(fit, release = r, epc =
TRUE)$epc``).

As lavaan 0.6-14:

- the information is the *expected* one by default (also under FIML, where lavaan's SEs use the observed
  one); ``information="observed"`` gives ``lavTestScore(fit, information = "observed")``;
- for robust estimators (MLR, WLSMV) lavaan warns "se is not `standard'; ... falling back to ordinary score
  test": the statistic is not scaled, and so it is not here (the note in the result says so);
- for DWLS (WLSMV) lavaan's score is the gradient of the objective without the sign switch it makes for ML,
  so its EPCs for WLSMV have the opposite sign of the change a refit shows; the EPCs here have the sign of
  the change (new - old) for every estimator (for WLSMV: minus lavaan's).

References: Sorbom (1989) Model modification, Psychometrika 54:371-384; Bentler (1995) EQS manual (LM test);
Rosseel (2012) lavaan, JSS 48(2); Byrne, Shavelson & Muthen (1989) partial invariance.

Example
-------
>>> from toolkit.psychometrics.invariance import invariance                                       # doctest: +SKIP
>>> res = invariance(hs, "visual =~ x1+x2+x3; textual =~ x4+x5+x6; speed =~ x7+x8+x9", "school")  # doctest: +SKIP
>>> score_tests(res.models["scalar"]).head(1)[["parameter", "X2", "epc"]]                         # doctest: +SKIP
  parameter         X2       epc
0      x3~1  24.270...  ...
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import chi2

from .estimators import evaluate_at
from .estimators.information import information
from .estimators.optimizer import single_thread_blas

COLUMNS = ["parameter", "lhs", "op", "rhs", "group", "X2", "df", "pvalue", "epc", "epc_lhs", "epc_rhs"]


def _split(st):
    """The structure with one copy of each group-shared parameter per group (no equality constraints) and the
    constraint pairs: list of (id of the first group's copy, id of the group-g copy, table row of that copy)."""
    ordinal = hasattr(st, "tau_idx")
    base = st.base if ordinal else st
    idx = {k: v.copy() for k, v in base.idx.items()}
    tau_idx = st.tau_idx.copy() if ordinal else None
    table = [dict(r) for r in st.table]
    first: dict[int, int] = {}
    firstpos: dict[int, int] = {}
    new: dict[tuple[int, int], int] = {}
    pairs = []
    k = st.nfree
    for pos, row in enumerate(table):
        f, g = row["free"], row["group"]
        if f < 0:
            continue
        if f not in first:
            first[f], firstpos[f] = g, pos
            continue
        if first[f] == g:
            continue
        if (f, g) not in new:
            new[(f, g)] = k
            pairs.append((f, k, row))
            k += 1
        row["free"] = new[(f, g)]
    for (f, g), nk in new.items():
        for key in idx:
            a = idx[key][g]
            a[a == f] = nk
        if ordinal:
            a = tau_idx[g]
            a[a == f] = nk
    pairs.sort(key=lambda t: (firstpos[t[0]], t[2]["group"]))  # lavaan's order: by parameter, then group
    nb = len(base.table)
    from .sem_model import Structure

    sb = Structure(base.observed, base.factors, base.ngroups, base.meanstructure, idx,
                   {key: v.copy() for key, v in base.fix.items()}, table[:nb])
    if ordinal:
        from .sem_ordinal import OrdinalStructure

        out = OrdinalStructure(sb, st.nthr, tau_idx, st.tau_fix, st.delta_idx, st.delta_fix, table[nb:])
    else:
        out = sb
    return out, pairs


_TOL = np.sqrt(np.finfo(float).eps)  # MASS::ginv's tolerance


def _released(info: np.ndarray, rmat: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """s' J_r s and s' J_r for each constraint r (without the factor N).

    With W the inverse of the bordered matrix Z of *all* constraints, deleting constraint r's row and column
    gives J_r = W11 - w_r w_r' / W_rr (the inverse of a matrix with one row and column deleted), so one
    inverse serves every constraint. Where Z is singular or W_rr vanishes (releasing r leaves the model
    unidentified), J_r is the Moore-Penrose block of Z_(-r), as lavaan's ``MASS::ginv``.
    """
    k, m = info.shape[0], len(rmat)
    z = np.block([[info, rmat.T], [rmat, np.zeros((m, m))]])
    w = None
    if np.linalg.cond(z) < 1e10:
        w = np.linalg.inv(z)
    x2s, epcs = np.empty(m), []
    for r in range(m):
        d = None if w is None else w[k + r, k + r]
        if d is not None and abs(d) > 1e-8 * np.abs(np.diag(w)).max():
            col = w[:k, k + r]
            base = score @ w[:k, :k]
            sc = score @ col
            epc = base - sc * col / d
            x2s[r] = float(base @ score - sc * sc / d)
        else:
            r1 = np.delete(rmat, r, axis=0)
            zr = np.block([[info, r1.T], [r1, np.zeros((m - 1, m - 1))]])
            j = np.linalg.pinv(zr, rcond=_TOL)[:k, :k]
            epc = score @ j
            x2s[r] = float(score @ j @ score)
        epcs.append(epc)
    return x2s, epcs


def _parameter(row) -> str:
    """A parameter in ``--free`` syntax: ``visual=~x3``, ``x3~1``, ``N3|t2``."""
    op = row["op"]
    if op == "~1":
        return f"{row['lhs']}~1"
    return f"{row['lhs']}{op}{row['rhs']}"


def score_tests(fit, information_kind: str = "expected", sort: bool = True) -> pd.DataFrame:
    """Univariate score tests (X2 on 1 df, p, EPC) for releasing each equality constraint of a fitted
    multi-group model; lavaan ``lavTestScore(fit, epc = TRUE)$uni``.

    Parameters
    ----------
    fit : a :class:`~.estimators.base.ModelFit` with ``group.equal`` constraints (e.g. ``res.models["scalar"]``
        of :func:`~.invariance.invariance`).
    information_kind : "expected" (lavaan's default) or "observed".
    sort : largest X2 first (else lavaan's order of the constraints).

    Returns a DataFrame with one row per constraint: ``parameter`` (``--free`` syntax), lhs/op/rhs, ``group``
    (the group whose copy is held equal to the first group's), ``X2``, ``df`` (1), ``pvalue``, ``epc`` (the
    expected group difference after release: group-g copy minus group-1 copy) and the EPCs of both copies
    (``epc_lhs``: first group, ``epc_rhs``: group g). ``attrs["total"]`` holds the test of all constraints
    together (X2, df, pvalue). Empty when the model has no equality constraints.
    """
    st = fit.structure
    split, pairs = _split(st)
    if not pairs:
        out = pd.DataFrame(columns=COLUMNS)
        out.attrs["total"] = None
        return out
    theta = np.empty(split.nfree)
    theta[:fit.npar] = fit.theta
    for a, b, _ in pairs:
        theta[b] = fit.theta[a]
    with single_thread_blas():
        efit = evaluate_at(split, fit.stats, fit.estimator, theta)
        info = information(efit, information_kind)
        _, grad = efit.disc(theta)
    score = -grad / efit.disc.scale  # lavaan's gradient.logl for ML; the sign only matters for the EPC
    n = float(fit.stats.ntotal)
    k = split.nfree
    rmat = np.zeros((len(pairs), k))
    for r, (a, b, _) in enumerate(pairs):
        rmat[r, a], rmat[r, b] = 1.0, -1.0
    with single_thread_blas():
        jall = np.linalg.pinv(info, rcond=_TOL)
        x2s, epcs = _released(info, rmat, score)
        rows = []
        for r, (a, b, row) in enumerate(pairs):
            x2, epc = max(float(n * x2s[r]), 0.0), epcs[r]  # -1e-15 when releasing r only unidentifies
            g = row["group"]
            rows.append({"parameter": _parameter(row), "lhs": row["lhs"], "op": row["op"], "rhs": row["rhs"],
                         "group": fit.stats.groups[g], "X2": x2, "df": 1, "pvalue": float(chi2.sf(x2, 1)),
                         "epc": float(epc[b] - epc[a]), "epc_lhs": float(epc[a]), "epc_rhs": float(epc[b])})
    out = pd.DataFrame(rows, columns=COLUMNS)
    if sort:
        out = out.sort_values("X2", ascending=False, kind="stable").reset_index(drop=True)
    tot = float(n * score @ jall @ score)
    out.attrs["total"] = {"X2": tot, "df": len(pairs), "pvalue": float(chi2.sf(tot, len(pairs)))}
    return out
