"""Model-implied moments and their Jacobian (lavaan's ``computeSigmaHat`` and ``computeDelta``).

Moments of group g are stacked as lavaan's ``WLS.obs``: the p means (with a mean structure) followed by
vech(Sigma), the lower triangle taken column by column: (1,1), (2,1), ..., (p,1), (2,2), ... . Delta is the
matrix of derivatives of that vector with respect to all free parameters (zero columns for parameters the
group does not use).

>>> import numpy as np
>>> vech_pairs(3)
(array([0, 1, 2, 1, 2, 2]), array([0, 0, 0, 1, 1, 2]))
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from .sem_model import Structure


@lru_cache(maxsize=64)
def vech_pairs(p: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows, columns) of vech(Sigma), column-major lower triangle as lavaan's ``lav_matrix_vech``."""
    c, r = np.triu_indices(p)
    return r, c


def vech(a: np.ndarray) -> np.ndarray:
    r, c = vech_pairs(a.shape[0])
    return a[r, c]


def moments(sigma: np.ndarray, mu: np.ndarray | None) -> np.ndarray:
    """(mu, vech Sigma) as one vector (mu left out when None)."""
    return vech(sigma) if mu is None else np.concatenate([mu, vech(sigma)])


def delta(st: Structure, theta: np.ndarray, g: int, meanstructure: bool | None = None) -> np.ndarray:
    """d (mu_g, vech Sigma_g) / d theta: rows as :func:`moments`, one column per free parameter."""
    ms = st.meanstructure if meanstructure is None else meanstructure
    k, p = st.nfree, st.p
    m = st.matrices(theta, g)
    lam, psi, alpha = m["lambda"], m["psi"], m["alpha"]
    lp = lam @ psi
    ds = np.zeros((k, p, p))
    dm = np.zeros((k, p))
    i = st.idx["lambda"][g]
    r, c = np.nonzero(i >= 0)
    ids = i[r, c]
    if len(ids):
        np.add.at(ds, (ids, r), lp[:, c].T)
        np.add.at(ds.transpose(0, 2, 1), (ids, r), lp[:, c].T)
        np.add.at(dm, (ids, r), alpha[c])
    i = st.idx["psi"][g]
    r, c = np.nonzero(i >= 0)
    ids = i[r, c]
    if len(ids):
        np.add.at(ds, ids, lam[:, r].T[:, :, None] * lam[:, c].T[:, None, :])
    i = st.idx["theta"][g]
    r, c = np.nonzero(i >= 0)
    if len(r):
        np.add.at(ds, (i[r, c], r, c), 1.0)
    i = st.idx["nu"][g]
    (r,) = np.nonzero(i >= 0)
    if len(r):
        np.add.at(dm, (i[r], r), 1.0)
    i = st.idx["alpha"][g]
    (r,) = np.nonzero(i >= 0)
    if len(r):
        np.add.at(dm, i[r], lam[:, r].T)
    vr, vc = vech_pairs(p)
    out = ds[:, vr, vc].T
    return np.vstack([dm.T, out]) if ms else out


def h1_expected_information(sigma: np.ndarray, meanstructure: bool) -> np.ndarray:
    """Unit information of the saturated normal model at (mu, Sigma): Sigma^-1 (+) 1/2 D'(Sigma^-1 x Sigma^-1)D
    in the coordinates of :func:`moments` (lavaan's ``lav_mvnorm_information_expected``)."""
    si = np.linalg.inv(sigma)
    p = len(si)
    r, c = vech_pairs(p)
    # 1/2 D'(P x P)D for symmetric directions: entries P_ra P_cb + P_rb P_ca, halved on each diagonal pair
    w = np.where(r == c, 0.5, 1.0)
    cov = (si[np.ix_(r, r)] * si[np.ix_(c, c)] + si[np.ix_(r, c)] * si[np.ix_(c, r)]) * np.outer(w, w)
    if not meanstructure:
        return cov
    n = len(r)
    out = np.zeros((p + n, p + n))
    out[:p, :p] = si
    out[p:, p:] = cov
    return out
