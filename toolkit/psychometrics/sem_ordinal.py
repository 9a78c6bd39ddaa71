"""The model representation for ordered indicators (lavaan's delta parameterization, ``ordered =``).

Each ordinal item y_j is a coarsened latent response y*_j = nu_j + Lambda_j eta + eps_j, cut at thresholds
tau_j1 < ... < tau_j,K-1. lavaan's delta parameterization (``lav_representation_lisrel.R``:
``computeSigmaHat.LISREL``, ``computeTH.LISREL``, ``setResidualElements.LISREL``) models, per group,

    Sigma* = D (Lambda Psi Lambda' + Theta) D,   D = diag(delta)
    tau*_jc = (tau_jc - nu_j - (Lambda alpha)_j) delta_j

where the residual variances of the ordinal items are not parameters: theta_jj = 1/delta_j^2 -
(Lambda Psi Lambda')_jj, so diag(Sigma*) = 1 and Sigma* is the model-implied polychoric matrix. Intercepts nu
are fixed at 0. In one group the scale factors delta are 1 and the latent means 0. With
``group.equal = c("thresholds", "loadings")`` (lavaan's ``lav_partable_flat``) the thresholds (and loadings)
are shared across groups, and in groups 2+ the scale factors and the latent means are freed.

:class:`OrdinalStructure` wraps a continuous :class:`~.sem_model.Structure` (Lambda, Psi, the residual
covariances and alpha; parameter ids are global) and adds the thresholds and scale factors. It offers what
the estimators, the parameter table and the standardized solution use (``matrices``, ``implied`` = the
unscaled Lambda Psi Lambda' + Theta, ``table``, ``df``) plus :meth:`OrdinalStructure.star` (tau*, Sigma*)
and :meth:`OrdinalStructure.jacobian` (lavaan's ``computeDelta``: d(tau*, vech0 Sigma*)/d theta).
"""
from __future__ import annotations

import numpy as np

from ..errors import AnalysisError
from .implied import delta as continuous_delta
from .implied import vech_pairs
from .sem_model import ModelSpec, Structure, build_structure, parse_partial


def parse_partial_ordinal(texts, spec: ModelSpec, nthresholds: dict) -> tuple[list, list]:
    """Split ``--free`` texts into loading keys (:func:`~.sem_model.parse_partial`) and thresholds
    ``(item, c)`` (0-based c) from ``"N3|t2"``."""
    loads, ths = [], []
    for t in texts or ():
        s = "".join(str(t).split())
        if "|" in s:
            item, _, tc = s.partition("|")
            if item not in nthresholds:
                raise AnalysisError(f"'{t}': '{item}' is not an indicator of the model", field="--free")
            if not (tc.startswith("t") and tc[1:].isdigit()) or not 1 <= int(tc[1:]) <= nthresholds[item]:
                raise AnalysisError(f"'{t}': {item} has thresholds t1..t{nthresholds[item]}", field="--free")
            key = (item, int(tc[1:]) - 1)
            if key not in ths:
                ths.append(key)
        elif s.endswith("~1"):
            raise AnalysisError(f"'{t}': ordinal items have no free intercepts (they are fixed at 0 in the delta "
                                "parameterization); release a threshold instead, e.g. 'item|t1'", field="--free")
        else:
            loads += parse_partial([t], spec)
    return loads, ths


class OrdinalStructure:
    """Free and fixed parameters of a CFA on ordered indicators for one or more groups."""

    def __init__(self, base: Structure, nthr: list[int], tau_idx: np.ndarray, tau_fix: np.ndarray,
                 delta_idx: np.ndarray, delta_fix: np.ndarray, extra_rows: list[dict]):
        self.base = base
        self.observed, self.factors = base.observed, base.factors
        self.ngroups = base.ngroups
        self.meanstructure = base.meanstructure
        self.nthr = list(nthr)
        self.tau_idx, self.tau_fix = tau_idx, tau_fix
        self.delta_idx, self.delta_fix = delta_idx, delta_fix
        self.table = base.table + extra_rows
        self.item_of_tau = np.repeat(np.arange(len(nthr)), nthr)
        self._pair_cache: dict = {}

    # --- what the generic code uses ---------------------------------------------------------------------
    @property
    def idx(self):
        return self.base.idx

    @property
    def fix(self):
        return self.base.fix

    @property
    def nfree(self) -> int:
        return int(max((r["free"] for r in self.table), default=-1) + 1)

    @property
    def p(self) -> int:
        return len(self.observed)

    @property
    def nstat(self) -> int:
        p = self.p
        return int(sum(self.nthr)) + p * (p - 1) // 2

    def moments_per_group(self) -> int:
        return self.nstat

    @property
    def df(self) -> int:
        return self.ngroups * self.nstat - self.nfree

    def free_names(self) -> list[str]:
        out = [""] * self.nfree
        for r in self.table:
            k = r["free"]
            if k >= 0 and not out[k]:
                out[k] = f"{r['lhs']}{r['op']}{r['rhs']}" + (f".g{r['group'] + 1}" if r["group"] > 0 else "")
        return out

    def matrices(self, theta: np.ndarray, g: int) -> dict[str, np.ndarray]:
        """Lambda, Psi, Theta (with the computed residual variances), nu, alpha, tau and delta of group g."""
        m = self.base.matrices(theta, g)
        tau = self.tau_fix[g].copy()
        i = self.tau_idx[g]
        tau[i >= 0] = theta[i[i >= 0]]
        dl = self.delta_fix[g].copy()
        i = self.delta_idx[g]
        dl[i >= 0] = theta[i[i >= 0]]
        common = np.einsum("ij,jk,ik->i", m["lambda"], m["psi"], m["lambda"])
        th = m["theta"]
        th[np.diag_indices_from(th)] = 1.0 / dl ** 2 - common
        m["tau"], m["delta"] = tau, dl
        return m

    def implied(self, theta: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """(Lambda Psi Lambda' + Theta, mu) per group: the latent-response covariances before the scaling by
        delta (diagonal 1/delta^2), which lavaan standardizes with."""
        out = []
        for g in range(self.ngroups):
            m = self.matrices(theta, g)
            lam = m["lambda"]
            out.append((lam @ m["psi"] @ lam.T + m["theta"], m["nu"] + lam @ m["alpha"]))
        return out

    # --- DWLS ----------------------------------------------------------------------------------------------
    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """(i, j), i > j, of the correlations in vech0 order (lavaan's order of the sample statistics)."""
        jj, ii = np.triu_indices(self.p, 1)
        return ii, jj

    def star(self, theta: np.ndarray, g: int) -> np.ndarray:
        """The model-implied sample vector of group g: (tau*, vech0 Sigma*)."""
        m = self.matrices(theta, g)
        lam, dl = m["lambda"], m["delta"]
        sigma = lam @ m["psi"] @ lam.T + m["theta"]
        mu = m["nu"] + lam @ m["alpha"]
        j = self.item_of_tau
        ii, jj = self.pairs()
        return np.concatenate([(m["tau"] - mu[j]) * dl[j], dl[ii] * dl[jj] * sigma[ii, jj]])

    def jacobian(self, theta: np.ndarray, g: int) -> np.ndarray:
        """d (tau*, vech0 Sigma*) / d theta for group g (rows as :meth:`star`, one column per parameter)."""
        k, p = self.nfree, self.p
        m = self.matrices(theta, g)
        lam, dl = m["lambda"], m["delta"]
        sigma = lam @ m["psi"] @ lam.T + m["theta"]
        mu = m["nu"] + lam @ m["alpha"]
        base = continuous_delta(self.base, theta, g, meanstructure=True)  # rows: mu (p), vech(Sigma)
        kb = base.shape[1]
        j = self.item_of_tau
        ii, jj = self.pairs()
        vpos = self._vech_pos()
        nth = len(j)
        out = np.zeros((nth + len(ii), k))
        out[:nth, :kb] = -dl[j, None] * base[j]
        out[nth:, :kb] = (dl[ii] * dl[jj])[:, None] * base[p + vpos[ii, jj]]
        ti = self.tau_idx[g]
        r = np.flatnonzero(ti >= 0)
        np.add.at(out, (r, ti[r]), dl[j[r]])
        di = self.delta_idx[g]
        for item in np.flatnonzero(di >= 0):
            c = di[item]
            rows = np.flatnonzero(j == item)
            out[rows, c] += m["tau"][rows] - mu[item]
            a = np.flatnonzero(ii == item)
            out[nth + a, c] += dl[jj[a]] * sigma[item, jj[a]]
            b = np.flatnonzero(jj == item)
            out[nth + b, c] += dl[ii[b]] * sigma[ii[b], item]
        return out

    def _vech_pos(self) -> np.ndarray:
        if "vech" not in self._pair_cache:
            r, c = vech_pairs(self.p)
            pos = np.zeros((self.p, self.p), int)
            pos[r, c] = np.arange(len(r))
            pos[c, r] = np.arange(len(r))
            self._pair_cache["vech"] = pos
        return self._pair_cache["vech"]

    # --- modification indices --------------------------------------------------------------------------
    def extended(self) -> tuple["OrdinalStructure", list[dict]]:
        """This structure plus every absent loading, residual covariance and fixed factor (co)variance as free
        parameters (ids after the model's own), for :mod:`.modindices`; residual variances, intercepts and
        latent means of ordinal items are left out (lavaan reports no index for them: their score variance is 0
        in the delta parameterization)."""
        from .modindices import add_candidates

        b = self.base
        obs, fac = self.observed, self.factors
        idx, fix, added = add_candidates(b, self.nfree, variances=False, means=False, fixed_loadings=False)
        ext_base = Structure(list(obs), list(fac), self.ngroups, self.meanstructure, idx, fix, b.table + added)
        ext = OrdinalStructure(ext_base, self.nthr, self.tau_idx, self.tau_fix, self.delta_idx, self.delta_fix,
                               self.table[len(b.table):])
        return ext, added


def build_ordinal_structure(spec: ModelSpec, nthr: list[int], ngroups: int = 1, equal: tuple[str, ...] = (),
                            partial_loadings=(), partial_thresholds=()) -> OrdinalStructure:
    """The delta-parameterization CFA of *spec* with ``nthr[j]`` thresholds for item j, in *ngroups* groups,
    ``equal`` in ("thresholds", "loadings") (lavaan ``group.equal``) and released parameters (``group.partial``):
    loading keys as :func:`~.sem_model.parse_partial`, thresholds as ``(item, c)``."""
    unknown = set(equal) - {"thresholds", "loadings"}
    if unknown:
        raise AnalysisError(f"unsupported group.equal constraint(s) for ordered items: {', '.join(sorted(unknown))}")
    G, p = ngroups, len(spec.observed)
    base_equal = (("loadings",) if "loadings" in equal else ()) + (("intercepts",) if "thresholds" in equal else ())
    b = build_structure(spec, G, meanstructure=True, equal=base_equal, partial=partial_loadings)
    # residual variances are computed and intercepts fixed at 0: strip them, renumber the rest
    for g in range(G):
        d = np.arange(p)
        b.idx["theta"][g, d, d] = -1
        b.fix["theta"][g, d, d] = 0.0
        b.idx["nu"][g] = -1
        b.fix["nu"][g] = 0.0
    used = sorted({int(v) for key in b.idx for v in np.unique(b.idx[key]) if v >= 0})
    remap = {old: new for new, old in enumerate(used)}
    for key in b.idx:
        a = b.idx[key]
        a[a >= 0] = [remap[int(v)] for v in a[a >= 0]]
    table = []
    for r in b.table:
        r = dict(r)
        if r["mat"] == "nu":
            r.update(free=-1, value=0.0)
        elif r["mat"] == "theta" and r["pos"][0] == r["pos"][1]:
            r.update(free=-1, value=np.nan)
        elif r["free"] >= 0:
            r["free"] = remap[r["free"]]
        table.append(r)
    b = Structure(b.observed, b.factors, G, b.meanstructure, b.idx, b.fix, table)
    k = len(used)
    nth = int(sum(nthr))
    tau_idx = -np.ones((G, nth), int)
    tau_fix = np.zeros((G, nth))
    delta_idx = -np.ones((G, p), int)
    delta_fix = np.ones((G, p))
    rows: list[dict] = []
    shared: dict = {}
    released = set(partial_thresholds)
    for g in range(G):
        pos = 0
        for j, x in enumerate(spec.observed):
            for c in range(nthr[j]):
                key = (x, c)
                if "thresholds" in equal and key not in released and key in shared:
                    fid = shared[key]
                else:
                    fid, k = k, k + 1
                    shared.setdefault(key, fid)
                tau_idx[g, pos] = fid
                rows.append(dict(lhs=x, op="|", rhs=f"t{c + 1}", group=g, free=fid, value=np.nan, mat="tau",
                                 pos=(pos,)))
                pos += 1
        for j, x in enumerate(spec.observed):
            if g > 0 and "thresholds" in equal:
                delta_idx[g, j] = k
                rows.append(dict(lhs=x, op="~*~", rhs=x, group=g, free=k, value=np.nan, mat="delta", pos=(j,)))
                k += 1
            else:
                rows.append(dict(lhs=x, op="~*~", rhs=x, group=g, free=-1, value=1.0, mat="delta", pos=(j,)))
    return OrdinalStructure(b, nthr, tau_idx, tau_fix, delta_idx, delta_fix, rows)
