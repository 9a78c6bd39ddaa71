"""R's ``optimize()`` (``Brent_fmin`` in R's ``src/library/stats/src/optimize.c``), vectorised over problems.

``psych::polychoric`` finds each correlation with ``optimize(polyF, c(-1, 1))`` at R's default tolerance
``.Machine$double.eps^0.25`` (about 1.2e-4), so its answers sit up to ~1e-5 away from the exact maximum of the
likelihood. Matching psych to 1e-6 therefore needs Brent's method step for step: the same start, the same
parabolic/golden-section decisions and the same stopping rule. :func:`brent_fmin` runs many independent
one-dimensional problems in lock step: each problem follows exactly the scalar algorithm (the arithmetic is
element-wise and in the same order), while the objective is evaluated for all unfinished problems in one
vectorised call.

The algorithm (Brent 1973, *Algorithms for minimization without derivatives*, ch. 5): golden-section search
combined with successive parabolic interpolation; stop when |x - (a+b)/2| <= 2 tol1 - (b-a)/2 with
tol1 = sqrt(DBL_EPSILON) |x| + tol/3. Non-finite objective values count as DBL_MAX, as in R.
"""
from __future__ import annotations

import numpy as np

DBL_EPSILON = np.finfo(float).eps
DBL_MAX = np.finfo(float).max
R_TOL = DBL_EPSILON ** 0.25  # optimize()'s default tol
_C = (3.0 - np.sqrt(5.0)) * 0.5


def brent_fmin(f, lower, upper, n: int, tol: float = R_TOL, max_iter: int = 1000) -> np.ndarray:
    """Minimise *n* one-dimensional functions on [lower, upper] as R's ``optimize(f, c(lower, upper), tol)``.

    ``f(x, idx)`` evaluates problems ``idx`` (an index array) at abscissae ``x`` (same length) and returns their
    values. *lower*/*upper* are scalars or length-*n* arrays. Returns the *n* minimisers R would return.

    >>> import numpy as np
    >>> centres = np.array([0.3, -0.5])
    >>> x = brent_fmin(lambda x, i: (x - centres[i]) ** 2, -1.0, 1.0, 2)
    >>> np.round(x, 4).tolist()
    [0.3, -0.5]
    """
    eps = np.sqrt(DBL_EPSILON)
    a = np.broadcast_to(np.asarray(lower, float), (n,)).copy()
    b = np.broadcast_to(np.asarray(upper, float), (n,)).copy()
    v = a + _C * (b - a)
    w = v.copy()
    x = v.copy()
    d = np.zeros(n)
    e = np.zeros(n)
    fx = _finite(f(x, np.arange(n)))
    fv = fx.copy()
    fw = fx.copy()
    tol3 = tol / 3.0
    active = np.arange(n)
    for _ in range(max_iter):
        xa, aa, ba = x[active], a[active], b[active]
        xm = (aa + ba) * 0.5
        tol1 = eps * np.abs(xa) + tol3
        t2 = tol1 * 2.0
        go = ~(np.abs(xa - xm) <= t2 - (ba - aa) * 0.5)
        if not go.all():
            active = active[go]
            if active.size == 0:
                break
            xa, aa, ba, xm, tol1, t2 = xa[go], aa[go], ba[go], xm[go], tol1[go], t2[go]
        wa, va = w[active], v[active]
        fxa, fwa, fva = fx[active], fw[active], fv[active]
        da, ea = d[active], e[active]

        p = np.zeros(active.size)
        q = np.zeros(active.size)
        r = np.zeros(active.size)
        para = np.abs(ea) > tol1  # fit a parabola
        if para.any():
            rr = (xa - wa) * (fxa - fva)
            qq = (xa - va) * (fxa - fwa)
            pp = (xa - va) * qq - (xa - wa) * rr
            qq = (qq - rr) * 2.0
            pos = qq > 0.0
            pp = np.where(pos, -pp, pp)
            qq = np.where(pos, qq, -qq)
            p = np.where(para, pp, p)
            q = np.where(para, qq, q)
            r = np.where(para, ea, r)
            ea = np.where(para, da, ea)
        golden = (np.abs(p) >= np.abs(q * 0.5 * r)) | (p <= q * (aa - xa)) | (p >= q * (ba - xa))
        with np.errstate(divide="ignore", invalid="ignore"):
            step = p / q
        u_par = xa + step
        near_end = (u_par - aa < t2) | (ba - u_par < t2)
        d_par = np.where(near_end, np.where(xa >= xm, -tol1, tol1), step)
        e_gold = np.where(xa < xm, ba - xa, aa - xa)
        ea = np.where(golden, e_gold, ea)
        da = np.where(golden, _C * e_gold, d_par)
        u = np.where(np.abs(da) >= tol1, xa + da, np.where(da > 0.0, xa + tol1, xa - tol1))
        fu = _finite(f(u, active))

        better = fu <= fxa
        left = u < xa
        # better: shrink the bracket on the far side of x, then (v, w, x) <- (w, x, u)
        # worse:  move the bracket end to u and update v, w
        a_new = np.where(better, np.where(left, aa, xa), np.where(left, u, aa))
        b_new = np.where(better, np.where(left, xa, ba), np.where(left, ba, u))
        c1 = ~better & ((fu <= fwa) | (wa == xa))
        c2 = ~better & ~c1 & ((fu <= fva) | (va == xa) | (va == wa))
        v_new = np.where(better, wa, np.where(c1, wa, np.where(c2, u, va)))
        fv_new = np.where(better, fwa, np.where(c1, fwa, np.where(c2, fu, fva)))
        w_new = np.where(better, xa, np.where(c1, u, wa))
        fw_new = np.where(better, fxa, np.where(c1, fu, fwa))
        x[active] = np.where(better, u, xa)
        fx[active] = np.where(better, fu, fxa)
        a[active], b[active] = a_new, b_new
        v[active], fv[active], w[active], fw[active] = v_new, fv_new, w_new, fw_new
        d[active], e[active] = da, ea
    return x


def _finite(values) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    return np.where(np.isfinite(values), values, DBL_MAX)
