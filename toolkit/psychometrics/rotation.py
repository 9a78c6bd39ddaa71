"""Factor rotations as psych::fa calls them: varimax (stats::varimax), oblimin (GPArotation, gradient
projection), promax (psych's Kaiser-normalised Promax).

Every rotation takes an unrotated loading matrix ``A`` (items x factors, numpy) and returns a
:class:`Rotated` with the rotated pattern, the factor correlation matrix ``phi`` (``None`` for orthogonal
rotations) and whether the iteration converged. The registry :data:`ROTATIONS` maps names to functions.

References: Kaiser (1958) varimax; Jennrich (2002) and Bernaards & Jennrich (2005) gradient projection
(GPArotation); Hendrickson & White (1964) promax.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Rotated:
    loadings: np.ndarray
    phi: np.ndarray | None
    converged: bool = True
    iterations: int = 0
    rotmat: np.ndarray | None = None


def none(A: np.ndarray) -> Rotated:
    """No rotation: the extraction's loadings."""
    return Rotated(np.array(A, dtype=float), None)


def varimax(A: np.ndarray, normalize: bool = True, eps: float = 1e-5, maxit: int = 1000) -> Rotated:
    """Varimax with Kaiser row normalisation, as R's ``stats::varimax`` (the default of psych's
    ``rotate="varimax"``): each step takes the orthogonal polar factor of the criterion gradient
    ``B = A'(Z^3 - Z diag(1'Z^2)/p)`` and stops when the sum of singular values grows by less than ``eps``
    (relative)."""
    x = np.array(A, dtype=float)
    p, k = x.shape
    if k < 2:
        return Rotated(x, None)
    if normalize:
        sc = np.sqrt((x ** 2).sum(axis=1))
        sc[sc == 0] = 1.0
        x = x / sc[:, None]
    T = np.eye(k)
    d = 0.0
    converged = False
    it = 0
    for it in range(1, maxit + 1):
        z = x @ T
        B = x.T @ (z ** 3 - z * ((z ** 2).sum(axis=0) / p))
        u, s, vt = np.linalg.svd(B)
        T = u @ vt
        d_past, d = d, s.sum()
        if d < d_past * (1 + eps):
            converged = True
            break
    z = x @ T
    if normalize:
        z = z * sc[:, None]
    return Rotated(z, None, converged, it, T)


def _oblimin_criterion(L: np.ndarray, gamma: float):
    X = (L ** 2) @ (1.0 - np.eye(L.shape[1]))
    if gamma != 0:
        p = L.shape[0]
        X = (np.eye(p) - gamma / p) @ X
    return float((L ** 2 * X).sum() / 4.0), L * X


def oblimin(A: np.ndarray, gamma: float = 0.0, normalize: bool = False, eps: float = 1e-5,
            maxit: int = 1000) -> Rotated:
    """Direct oblimin (gamma 0 = quartimin) by gradient projection, as ``GPArotation::oblimin`` with its
    defaults (no Kaiser normalisation, identity start, eps 1e-5, 1000 iterations), which psych calls.

    Criterion ``f(L) = sum(L^2 * (L^2 (11' - I))) / 4`` on ``L = A (T')^-1``; ``Phi = T'T``.
    """
    A = np.array(A, dtype=float)
    p, k = A.shape
    if k < 2:
        return Rotated(A, None)
    W = None
    if normalize:
        W = np.sqrt((A ** 2).sum(axis=1))[:, None]
        A = A / W
    T = np.eye(k)
    L = A @ np.linalg.inv(T).T
    f, Gq = _oblimin_criterion(L, gamma)
    G = -(L.T @ Gq @ np.linalg.inv(T)).T
    al = 1.0
    converged = False
    it = 0
    for it in range(maxit + 1):
        Gp = G - T @ np.diag((T * G).sum(axis=0))
        s = float(np.sqrt((Gp ** 2).sum()))
        if s < eps:
            converged = True
            break
        al *= 2.0
        for _ in range(11):
            X = T - al * Gp
            Tt = X / np.sqrt((X ** 2).sum(axis=0))
            L = A @ np.linalg.inv(Tt).T
            ft, Gqt = _oblimin_criterion(L, gamma)
            if f - ft > 0.5 * s ** 2 * al:
                break
            al /= 2.0
        T, f = Tt, ft
        G = -(L.T @ Gqt @ np.linalg.inv(Tt)).T
    if W is not None:
        L = L * W
    return Rotated(L, T.T @ T, converged, it)


def promax(A: np.ndarray, m: int = 4) -> Rotated:
    """Promax as psych's ``rotate="promax"``: Kaiser-normalise the rows (divide by sqrt(h2)), varimax, raise
    to the power ``m`` keeping signs as the target, least-squares fit ``U`` with columns rescaled so that
    ``diag((U'U)^-1) = 1``, un-normalise; ``Phi = U^-1 (U^-1)'`` with ``U`` including the varimax rotation."""
    A = np.array(A, dtype=float)
    p, k = A.shape
    if k < 2:
        return Rotated(A, None)
    h = np.sqrt((A ** 2).sum(axis=1))[:, None]
    x0 = A / h
    vm = varimax(x0)
    x = vm.loadings
    T = vm.rotmat  # x = x0 @ T
    Q = x * np.abs(x) ** (m - 1)
    U = np.linalg.lstsq(x, Q, rcond=None)[0]
    d = np.diag(np.linalg.inv(U.T @ U))
    U = U * np.sqrt(d)
    z = x @ U
    U = T @ U
    ui = np.linalg.inv(U)
    return Rotated(z * h, ui @ ui.T, vm.converged, vm.iterations)


def stats_promax(A: np.ndarray, m: int = 4) -> Rotated:
    """Promax as R's ``stats::promax``, which ``psych::principal(rotate="promax")`` calls: varimax (itself
    Kaiser-normalised), then the power-``m`` target fitted to the *un-normalised* varimax loadings (no outer
    Kaiser step, unlike :func:`promax`); ``Phi = cov2cor(U^-1 (U^-1)')`` with ``U`` the whole rotation."""
    A = np.array(A, dtype=float)
    p, k = A.shape
    if k < 2:
        return Rotated(A, None)
    vm = varimax(A)
    x = vm.loadings
    Q = x * np.abs(x) ** (m - 1)
    U = np.linalg.lstsq(x, Q, rcond=None)[0]
    d = np.diag(np.linalg.inv(U.T @ U))
    U = U * np.sqrt(d)
    z = x @ U
    ui = np.linalg.inv(vm.rotmat @ U)
    phi = ui @ ui.T
    sd = np.sqrt(np.diag(phi))
    return Rotated(z, phi / np.outer(sd, sd), vm.converged, vm.iterations)


ROTATIONS = {"none": none, "varimax": varimax, "oblimin": oblimin, "promax": promax}
OBLIQUE = {"oblimin", "promax"}
