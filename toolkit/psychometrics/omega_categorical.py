"""Categorical omega: the reliability of a sum score of ordinal items (Green & Yang 2009), as semTools computes it."""
from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from scipy.special import ndtr

from .samplestats.bivnorm import bvn_cdf


def omega_categorical(loadings, factor_variance, thresholds, polychoric, delta=None, *,
                      ord_scale: bool = True) -> float:
    r"""Omega of a factor measured by ordinal items, on the scale of the observed sum score.

    The items are cuts of normal latent responses y*_j; a factor model for y* (loadings lambda_j, factor
    variance phi) is usually fitted by WLSMV (``lavaan::cfa(..., ordered = items)``). Green & Yang's (2009)
    formula 21 gives the share of the variance of the **observed** sum score that the factor explains,
    replacing each covariance of the latent responses by the covariance of the item scores it implies.
    With the thresholds on the latent-response scale tau*_jc = tau_jc delta_j (delta_j = lavaan's scale
    factor, 1 in a single group):

    .. math::

        \omega = \frac{\sum_j \sum_{j'} \left[ \sum_c \sum_{c'} \Phi_2(\tau^*_{jc}, \tau^*_{j'c'}; T_{jj'})
                 - \sum_c \Phi(\tau^*_{jc}) \sum_{c'} \Phi(\tau^*_{j'c'}) \right]}
                 {\sum_j \sum_{j'} \left[ \sum_c \sum_{c'} \Phi_2(\tau^*_{jc}, \tau^*_{j'c'}; D_{jj'})
                 - \sum_c \Phi(\tau^*_{jc}) \sum_{c'} \Phi(\tau^*_{j'c'}) \right]}

    T = diag(delta) lambda phi lambda' diag(delta) is the common (true-score) part of the latent-response
    covariance and D the correlation matrix of the latent responses: the cov2cor of ``polychoric``, which is
    the **sample** polychoric matrix for semTools' default ``obs.var = TRUE`` (pass the model-implied matrix
    for ``obs.var = FALSE``). Both double sums include j = j', where D_jj = 1 and
    Phi_2(a, b; 1) = Phi(min(a, b)). Phi_2 is the standard bivariate normal CDF (Genz's algorithm, accurate to
    about 1e-15, the one ``mnormt::pmnorm`` uses). Items with negative loadings are not reversed: their
    covariances enter with their signs, as in semTools, so a factor whose items mix keying has an omega near 0.

    ``ord_scale=False`` gives omega on the latent-response scale instead (semTools' ``ord.scale = FALSE``):
    sum(lambda phi lambda') / sum(diag(1/delta) P diag(1/delta)), with P = ``polychoric``.

    This is ``semTools::compRelSEM(fit)[factor]`` (semTools 0.5-6, defaults ``obs.var = TRUE``,
    ``ord.scale = TRUE``, ``tau.eq = FALSE``) for a WLSMV fit when the arguments are lavaan's estimates: the
    factor's column of ``lavInspect(fit, "est")$lambda`` over its items, its variance from
    ``lavInspect(fit, "cov.lv")``, the items' thresholds ``est$tau``, ``lavInspect(fit, "sampstat")$cov`` and
    ``est$delta``. Tested against compRelSEM to 1e-8 (tests/test_omega_categorical.py).

    Parameters
    ----------
    loadings : array-like or pandas.Series
        The factor's loadings on its items (one value per item, in item order). A Series gives the item names.
    factor_variance : float
        The factor's variance phi (1 when the factor is standardized).
    thresholds : sequence of array-like, or mapping item -> array-like
        Each item's increasing thresholds on the scale of the fit (lavaan's ``"item|t1"``, ...).
    polychoric : array-like or pandas.DataFrame
        The items' polychoric (latent-response) correlation matrix; a DataFrame is put in the order of the
        loadings' names when both are labelled.
    delta : array-like, optional
        The items' scale factors (lavaan ``~*~``; default 1 for every item).
    ord_scale : bool
        True (default): omega of the observed sum score (Green & Yang formula 21). False: on the
        latent-response scale.

    Returns
    -------
    float

    References
    ----------
    Green, S. B., & Yang, Y. (2009). Reliability of summed item scores using structural equation modeling: An
    alternative to coefficient alpha. *Psychometrika*, 74(1), 155-167.
    Jorgensen, T. D., et al. (2022). semTools: Useful tools for structural equation modeling, 0.5-6
    (``compRelSEM``).

    Examples
    --------
    Three five-point items with loadings .8, .7, .6 on a standardized factor, and the polychoric matrix the
    model implies (semTools' internal ``omegaCat`` on the same numbers gives 0.713325626871):

    >>> import numpy as np
    >>> lam = np.array([0.8, 0.7, 0.6])
    >>> r = np.outer(lam, lam); np.fill_diagonal(r, 1.0)
    >>> tau = [[-1.5, -0.5, 0.3, 1.2], [-1.2, -0.3, 0.5, 1.4], [-1.0, 0.0, 0.8, 1.6]]
    >>> round(omega_categorical(lam, 1.0, tau, r), 6)
    0.713326
    >>> round(omega_categorical(lam, 1.0, tau, r, ord_scale=False), 6)    # (.8 + .7 + .6)^2 / sum(r) = 4.41 / 5.92
    0.744932
    """
    names = list(loadings.index) if hasattr(loadings, "index") else None
    lam = np.asarray(loadings, dtype=float).ravel()
    p = lam.size
    if p == 0:
        raise ValueError("omega_categorical needs at least one item")
    phi = float(factor_variance)
    if isinstance(thresholds, Mapping):
        if names is None:
            raise ValueError("thresholds given by item name need loadings with item names (a pandas Series)")
        thresholds = [thresholds[n] for n in names]
    taus = [np.asarray(t, dtype=float).ravel() for t in thresholds]
    if len(taus) != p:
        raise ValueError(f"{len(taus)} threshold arrays for {p} items")
    for j, t in enumerate(taus):
        if t.size == 0 or not np.all(np.isfinite(t)) or np.any(np.diff(t) <= 0):
            label = names[j] if names else f"item {j + 1}"
            raise ValueError(f"thresholds of {label} must be finite and increasing (got {t.tolist()})")
    if hasattr(polychoric, "loc") and names is not None and set(names) <= set(polychoric.index):
        polychoric = polychoric.loc[names, names]
    sigma = np.asarray(polychoric, dtype=float)
    if sigma.shape != (p, p):
        raise ValueError(f"polychoric must be {p} x {p}, got {sigma.shape}")
    s = np.ones(p) if delta is None else np.asarray(delta, dtype=float).ravel()
    if s.shape != (p,) or np.any(s <= 0):
        raise ValueError("delta must hold one positive scale factor per item")
    sigma = sigma / np.outer(s, s)  # semTools first puts the matrix on the scale of the fit
    if not ord_scale:
        return float(np.outer(lam, lam).sum() * phi / sigma.sum())
    sd = np.sqrt(np.diag(sigma))
    corr = sigma / np.outer(sd, sd)
    common = np.outer(s * lam, s * lam) * phi

    item = np.repeat(np.arange(p), [t.size for t in taus])
    cuts = np.concatenate([t * s[j] for j, t in enumerate(taus)])
    h, k = np.meshgrid(cuts, cuts, indexing="ij")
    pair = (item[:, None], item[None, :])
    margins = float(ndtr(cuts).sum()) ** 2  # sum over j, j' of (sum_c Phi)(sum_c' Phi)
    num = float(bvn_cdf(h, k, common[pair]).sum()) - margins
    den = float(bvn_cdf(h, k, corr[pair]).sum()) - margins
    return num / den
