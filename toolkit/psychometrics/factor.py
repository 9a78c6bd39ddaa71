"""Exploratory factor analysis as psych does it: KMO, Bartlett's test of sphericity and ``fa``.

The pieces: the item columns and correlations (:mod:`.efa_input`), KMO and Bartlett (:mod:`.adequacy`),
extraction (:mod:`.fafit`) and rotation (:mod:`.rotation`), the result (:mod:`.efa_results`); this module
holds :func:`efa` itself and re-exports the rest.

* :func:`kmo` - Kaiser-Meyer-Olkin measure of sampling adequacy (Kaiser 1970; Kaiser & Rice 1974), psych::KMO.
* :func:`bartlett` - Bartlett's (1950) test that the correlation matrix is an identity, psych::cortest.bartlett.
* :func:`efa` - extraction (minres, ml, pa, principal) + rotation (oblimin, promax, varimax, none), psych::fa.

Missing data: ``missing="pairwise"`` (psych's default) uses every pair of answers for each correlation;
``"listwise"`` keeps complete rows only. Rows in which every item is empty are dropped first.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from . import fafit
from . import rotation as _rot
from .adequacy import BartlettResult, KMOResult, bartlett, kmo
from .efa_input import _corr_input, _is_corr, _not_pd_warning, _poly_input, correlations, select_items
from .efa_results import EFAResult

__all__ = ["kmo", "bartlett", "efa", "KMOResult", "BartlettResult", "EFAResult", "correlations", "select_items"]
def _heywood_warnings(items, h2, ext: fafit.Extraction) -> list[str]:
    out = []
    bound = set(ext.at_bound)
    for i, item in enumerate(items):
        if h2[i] > 1.0 + 1e-6:
            out.append(f"Heywood case: item {item} has a communality of {h2[i]:.3f}, above 1 (an impossible "
                       "negative unique variance); the solution is improper - try fewer factors or drop the item.")
        elif i in bound or h2[i] >= 0.995:
            out.append(f"Heywood case: item {item} has a communality of {h2[i]:.3f} (its uniqueness hit the "
                       f"lower bound {fafit.LOWER}); the item is almost entirely explained by the factors, "
                       "which usually means too many factors or a near-duplicate item.")
    return out


def efa(data, n_factors: int | str = 1, method: str = "minres", rotation: str = "oblimin",
        missing: str = "pairwise", items=None, n_obs: int | None = None, iterations: int = 20,
        seed: int | None = None, ordinal: bool = False, missing_codes=()) -> EFAResult:
    """Exploratory factor analysis, as ``psych::fa(x, nfactors, fm=method, rotate=rotation)``.

    Steps (psych 2.2.9):

    1. ``R`` = Pearson correlations (pairwise by default); ``n`` = number of rows.
    2. Extraction (see :mod:`toolkit.psychometrics.fafit`): minres / ml / pa, or principal components.
       Columns are signed so that their sums are positive.
    3. Rotation (:mod:`toolkit.psychometrics.rotation`): oblimin (GPArotation, quartimin), promax (psych's,
       Kaiser-normalised, m = 4), varimax (Kaiser-normalised) or none.
    4. Columns signed again (positive sums) and ordered by variance accounted for, ``diag(Phi P'P)``.
    5. Communalities ``h2 = diag(P Phi P')`` (equal to the unrotated row sums of squares), uniquenesses
       ``u2 = 1 - h2``, structure ``S = P Phi``, complexity ``(sum l^2)^2 / sum l^4``, SS loadings
       ``diag(Phi P'P)`` and their proportion of the total variance ``p``.

    ``n_factors="auto"`` takes the factor count of :func:`toolkit.psychometrics.parallel.parallel_analysis`
    (simulated data, *iterations*, *seed*). Heywood cases and non-positive-definite matrices are reported in
    ``result.warnings``, not raised.

    ``ordinal=True`` factors the polychoric correlations instead, as ``psych::fa(x, nfactors, cor = "poly")``
    (``polychoric(x, correct = .5)``, pairwise; smoothed as psych when not positive definite; items with a
    single category are left out, as psych). With ``n_factors="auto"`` the parallel analysis compares the
    polychoric eigenvalues with those of simulated normal data of the same size. *missing_codes* are set to
    missing first (answers screened by :func:`select_items` are reported, too).

    Example::

        >>> import toolkit, pandas as pd
        >>> df = pd.read_csv("tests/data/bfi.csv").loc[:, "A1":"O5"]
        >>> res = toolkit.efa(df, n_factors=5)
        >>> res.loadings.round(2).head(3)        # doctest: +SKIP
        >>> res.to_dict()["variance_explained"]  # doctest: +SKIP
    """
    screening = data.attrs.get("screening") if isinstance(data, pd.DataFrame) else None
    if missing_codes and isinstance(data, pd.DataFrame) and not _is_corr(data):
        data = select_items(data, items=list(items) if items is not None else list(data.columns),
                            missing_codes=missing_codes)
        items, screening = None, data.attrs["screening"]
    with fafit.small_blas():
        res = _efa(data, n_factors, method, rotation, missing, items, n_obs, iterations, seed, ordinal)
    if screening is not None:
        res.screening = screening
        res.warnings[:0] = screening.warnings()
    return res


def _efa(data, n_factors, method, rotation, missing, items, n_obs, iterations, seed, ordinal=False) -> EFAResult:
    if method not in fafit.EXTRACTORS:
        raise AnalysisError(f"unknown method {method!r} (choose from {', '.join(fafit.EXTRACTORS)})",
                            field="--method")
    if rotation not in rotation_registry():
        raise AnalysisError(f"unknown rotation {rotation!r} (choose from {', '.join(rotation_registry())})",
                            field="--rotation")
    warns: list[str] = []
    smoothed = False
    if ordinal:
        Rdf, n, npair, poly_warns, smoothed = _poly_input(data, missing, items)
        warns.extend(poly_warns)
    else:
        Rdf, n, npair = _corr_input(data, missing, items)
    if n_obs is not None:
        n = n_obs
    names = list(map(str, Rdf.columns))
    R = Rdf.to_numpy()
    p = R.shape[0]
    pd_warn = None if smoothed else _not_pd_warning(R)   # a smoothed matrix was already reported
    if pd_warn:
        warns.append(pd_warn)

    par = None
    if isinstance(n_factors, str):
        if n_factors != "auto":
            try:
                n_factors = int(n_factors)
            except ValueError:
                raise AnalysisError(f"n_factors must be a whole number or 'auto', not {n_factors!r}",
                                    field="--n-factors") from None
        else:
            from .parallel import parallel_analysis

            if n is None:
                raise AnalysisError("n_factors='auto' on a correlation matrix needs n_obs")
            par = parallel_analysis(Rdf, iterations=iterations, seed=seed, n_obs=n,
                                    method=method if method in ("minres", "ml", "pa") else "minres")
            n_factors = max(1, par.n_factors)
            if par.n_factors < 1:
                warns.append("Parallel analysis retained no factor; one factor was extracted anyway.")
    k = int(n_factors)
    if k < 1 or k >= p:
        raise AnalysisError(f"n_factors must be between 1 and {p - 1} for {p} items, not {k}",
                            field="--n-factors")
    dof = ((p - k) ** 2 - (p + k)) / 2
    if dof < 0 and method != "principal":
        warns.append(f"{k} factors for {p} items leaves negative degrees of freedom ({dof:g}): the model is "
                     "not identified; use fewer factors.")

    ext = fafit.EXTRACTORS[method](R, k)
    if not ext.converged:
        warns.append(f"The {method} extraction did not converge ({ext.message or 'iteration limit'}); "
                     "treat the results with caution.")
    L0 = ext.loadings
    s0 = np.sign(L0.sum(axis=0))
    s0[s0 == 0] = 1
    L0 = L0 * s0
    h2 = (L0 ** 2).sum(axis=1)
    if method != "principal":
        warns.extend(_heywood_warnings(names, h2, ext))

    if method == "principal" and rotation == "promax" and k > 1:
        rot = _rot.stats_promax(L0)           # psych::principal calls stats::promax, not its Kaiser-wrapped Promax
    else:
        rot = rotation_registry()[rotation if k > 1 else "none"](L0)
    if not rot.converged:
        warns.append(f"The {rotation} rotation did not converge in {rot.iterations} iterations.")
    L, phi = rot.loadings, rot.phi
    sg = np.sign(L.sum(axis=0))
    sg[sg == 0] = 1
    L = L * sg
    if phi is not None:
        phi = phi * np.outer(sg, sg)
        ev = np.diag(phi @ L.T @ L)
    else:
        ev = (L ** 2).sum(axis=0)
    # psych::fa orders factors by diag(Phi P'P); psych::principal by the pattern's diag(P'P)
    order = np.argsort(-((L ** 2).sum(axis=0) if method == "principal" else ev), kind="stable")
    L, ev = L[:, order], ev[order]
    phi = np.eye(k) if phi is None else phi[np.ix_(order, order)]

    prefix = fafit.PREFIX[method]
    if method == "principal" and rotation != "none" and k > 1:
        prefix = "TC" if rotation == "oblimin" else "RC"      # psych::principal's names (promax gives RC)
    factors = [f"{prefix}{j + 1}" for j in range(k)]
    u2 = np.diag(R) - h2
    vtotal = float((h2 + u2).sum())
    var = pd.DataFrame([ev, ev / vtotal, np.cumsum(ev / vtotal), ev / ev.sum(), np.cumsum(ev / ev.sum())],
                       index=["SS loadings", "Proportion Var", "Cumulative Var", "Proportion Explained",
                              "Cumulative Proportion"], columns=factors)
    Rr = R.copy()
    Rr[np.diag_indices(p)] = h2
    eig = pd.DataFrame({"R": np.sort(np.linalg.eigvalsh(R))[::-1],
                        "reduced": np.sort(np.linalg.eigvalsh(Rr))[::-1]}, index=range(1, p + 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        com = (L ** 2).sum(axis=1) ** 2 / (L ** 4).sum(axis=1)

    bart = None
    kmo_res = kmo(Rdf)
    for w in kmo_res.warnings:
        if w not in warns and not w.startswith("The correlation matrix is not positive"):
            warns.append(w)
    if n is not None:
        bart = bartlett(Rdf, n=n)

    return EFAResult(
        n=None if n is None else int(n), n_factors=k, method=method, rotation=rotation if k > 1 else "none",
        missing=missing,
        loadings=pd.DataFrame(L, index=names, columns=factors),
        structure=pd.DataFrame(L @ phi, index=names, columns=factors),
        factor_correlations=pd.DataFrame(phi, index=factors, columns=factors),
        communalities=pd.Series(h2, index=names, name="h2"),
        uniquenesses=pd.Series(u2, index=names, name="u2"),
        complexity=pd.Series(com, index=names, name="com"),
        variance=var, eigenvalues=eig, kmo=kmo_res, bartlett=bart, correlation=Rdf,
        min_pairwise_n=npair, converged=bool(ext.converged and rot.converged), warnings=warns, parallel=par,
        correlation_type="polychoric" if ordinal else "pearson")


def rotation_registry():
    return _rot.ROTATIONS
