"""Measurement models in lavaan syntax and the parameter structure the ML estimator works on.

Supported syntax (a CFA subset of lavaan's model syntax)::

    visual  =~ x1 + x2 + x3          # a factor and its indicators; the first loading is fixed to 1
    textual =~ NA*x4 + x5 + x6       # NA* frees a loading (then scale the factor another way)
    textual ~~ 1*textual             # fixed factor variance
    x1 ~~ x4                         # correlated residuals
    visual ~~ 0*speed                # orthogonal factors (factor covariances are free by default)

Statements are separated by new lines or ``;``; ``#`` starts a comment. Identification follows lavaan's
``cfa()`` defaults: marker variable (first loading of each factor fixed to 1 unless it is freed with ``NA*``
or the factor variance is fixed), residual variances and factor (co)variances free, and with several groups
intercepts free and latent means fixed to 0 (free in groups 2+ once intercepts are held equal).

This is the one model representation the estimators share (lavaan's partable + LISREL matrices):
:class:`Structure` maps the free parameters onto Lambda, Theta, Psi, nu and alpha per group;
:func:`build_structure` makes it from a :class:`ModelSpec` (with ``group.equal`` / ``group.partial``),
:func:`baseline_structure` the independence model; :mod:`.implied` computes the model-implied moments and
their Jacobian.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ..errors import AnalysisError

_NAME = re.compile(r"^[A-Za-z_.][A-Za-z0-9_.\-]*$")


@dataclass
class ModelSpec:
    """A parsed measurement model: factors, their indicators and extra (co)variance statements."""

    factors: list[str]
    indicators: dict[str, list[str]]
    fixed_loadings: dict[tuple[str, str], float] = field(default_factory=dict)
    freed: set[tuple[str, str]] = field(default_factory=set)
    covariances: dict[tuple[str, str], float | None] = field(default_factory=dict)
    text: str = ""

    @property
    def observed(self) -> list[str]:
        """Indicator names in order of first appearance (lavaan's order)."""
        out: list[str] = []
        for f in self.factors:
            for x in self.indicators[f]:
                if x not in out:
                    out.append(x)
        return out

    def to_syntax(self) -> str:
        lines = [f"{f} =~ " + " + ".join(self.indicators[f]) for f in self.factors]
        lines += [f"{a} ~~ " + ("" if v is None else f"{v:g}*") + b for (a, b), v in self.covariances.items()]
        return "\n".join(lines)


def _term(term: str, where: str) -> tuple[str, float | None | str]:
    """Split ``"0.5*x1"``/``"NA*x1"``/``"x1"`` into (name, modifier)."""
    mod: float | None | str = None
    if "*" in term:
        pre, _, name = term.partition("*")
        pre, name = pre.strip(), name.strip()
        if pre.upper() == "NA":
            mod = "NA"
        else:
            try:
                mod = float(pre)
            except ValueError:
                raise AnalysisError(f"'{term}': only numbers and NA may precede '*' (labels are not supported)",
                                    field=where) from None
    else:
        name = term.strip()
    if not _NAME.match(name):
        raise AnalysisError(f"'{name}' is not a valid variable name", field=where)
    return name, mod


def parse_model(text: str | list[str] | tuple[str, ...]) -> ModelSpec:
    """Parse lavaan-style model lines (a string with new lines or ``;``, or a list of such strings).

    >>> spec = parse_model("visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6")
    >>> spec.factors, spec.observed[:2]
    (['visual', 'textual'], ['x1', 'x2'])
    """
    if not isinstance(text, str):
        text = "\n".join(text)
    factors: list[str] = []
    indicators: dict[str, list[str]] = {}
    fixed: dict[tuple[str, str], float] = {}
    freed: set[tuple[str, str]] = set()
    covs: dict[tuple[str, str], float | None] = {}
    statements = [s.split("#", 1)[0].strip() for line in text.splitlines() for s in line.split(";")]
    for st in (s for s in statements if s):
        if "=~" in st:
            lhs, _, rhs = st.partition("=~")
            f = lhs.strip()
            if not _NAME.match(f):
                raise AnalysisError(f"'{f}' is not a valid factor name", field="model")
            terms = [t for t in rhs.split("+")]
            if not rhs.strip() or any(not t.strip() for t in terms):
                raise AnalysisError(f"'{st}': list indicators as f =~ x1 + x2 + x3", field="model")
            if f not in indicators:
                factors.append(f)
                indicators[f] = []
            for t in terms:
                name, mod = _term(t, "model")
                if name in indicators[f]:
                    raise AnalysisError(f"'{name}' is listed twice for factor '{f}'", field="model")
                indicators[f].append(name)
                if mod == "NA":
                    freed.add((f, name))
                elif mod is not None:
                    fixed[(f, name)] = float(mod)
        elif "~~" in st:
            lhs, _, rhs = st.partition("~~")
            a = lhs.strip()
            if not _NAME.match(a):
                raise AnalysisError(f"'{a}' is not a valid variable name", field="model")
            for t in rhs.split("+"):
                b, mod = _term(t, "model")
                if mod == "NA":
                    mod = None
                covs[(a, b)] = mod  # type: ignore[assignment]
        elif re.search(r"~|:=|==|<|>", st):
            raise AnalysisError(f"'{st}': only measurement models (=~) and (co)variances (~~) are supported",
                                field="model")
        else:
            raise AnalysisError(f"'{st}' is not a model statement (expected 'factor =~ item1 + item2 + ...')",
                                field="model")
    if not factors:
        raise AnalysisError("the model defines no factor (expected 'factor =~ item1 + item2 + ...')",
                            field="model")
    clash = [x for f in factors for x in indicators[f] if x in indicators]
    if clash:
        raise AnalysisError(f"'{clash[0]}' is both a factor and an indicator: higher-order factors are not "
                            "supported", field="model")
    names = set(factors) | {x for f in factors for x in indicators[f]}
    for a, b in covs:
        for v in (a, b):
            if v not in names:
                raise AnalysisError(f"'{a} ~~ {b}': '{v}' is neither a factor nor an indicator of the model",
                                    field="model")
        if (a in indicators) != (b in indicators):
            raise AnalysisError(f"'{a} ~~ {b}': a covariance between a factor and an indicator is not supported",
                                field="model")
    return ModelSpec(factors, indicators, fixed, freed, covs, text)


@dataclass
class Structure:
    """Index matrices for every group: ``idx >= 0`` names a free parameter, ``-1`` a fixed value.

    Matrices follow LISREL's all-y notation: Lambda (p x m), Theta (p x p), Psi (m x m), nu (p), alpha (m).
    Symmetric matrices carry the same index in (i, j) and (j, i); equality constraints across groups share
    an index.
    """

    observed: list[str]
    factors: list[str]
    ngroups: int
    meanstructure: bool
    idx: dict[str, np.ndarray]
    fix: dict[str, np.ndarray]
    table: list[dict]  # one row per parameter position: lhs, op, rhs, group, free (index or -1), value

    @property
    def nfree(self) -> int:
        return int(max((r["free"] for r in self.table), default=-1) + 1)

    @property
    def p(self) -> int:
        return len(self.observed)

    def matrices(self, theta: np.ndarray, g: int) -> dict[str, np.ndarray]:
        out = {}
        for k in ("lambda", "theta", "psi", "nu", "alpha"):
            m = self.fix[k][g].copy()
            i = self.idx[k][g]
            mask = i >= 0
            m[mask] = theta[i[mask]]
            out[k] = m
        return out

    def free_names(self) -> list[str]:
        """Names of the free parameters in lavaan's ``coef()`` style ("visual=~x2", "x1~~x1", "x1~1", with
        ".g2" etc. for later groups); a parameter shared across groups takes its first name."""
        out = [""] * self.nfree
        for r in self.table:
            k = r["free"]
            if k >= 0 and not out[k]:
                name = f"{r['lhs']}{r['op']}{r['rhs']}"
                out[k] = name + (f".g{r['group'] + 1}" if r["group"] > 0 else "")
        return out

    def implied(self, theta: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """(Sigma_g, mu_g) per group: Sigma = Lambda Psi Lambda' + Theta, mu = nu + Lambda alpha."""
        out = []
        for g in range(self.ngroups):
            m = self.matrices(theta, g)
            out.append((m["lambda"] @ m["psi"] @ m["lambda"].T + m["theta"], m["nu"] + m["lambda"] @ m["alpha"]))
        return out

    def moments_per_group(self) -> int:
        """Number of sample moments per group: p(p+1)/2 covariances plus p means with a mean structure."""
        p = self.p
        return p * (p + 1) // 2 + (p if self.meanstructure else 0)

    @property
    def df(self) -> int:
        return self.ngroups * self.moments_per_group() - self.nfree


def parse_partial(texts, spec: ModelSpec) -> list[tuple[str, str, str]]:
    """Parameters released from the group equality constraints (lavaan's ``group.partial``).

    ``"visual=~x3"`` releases a loading, ``"x3~1"`` an intercept; returns ``(op, lhs, rhs)`` keys.

    >>> spec = parse_model("visual =~ x1 + x2 + x3")
    >>> parse_partial(["visual =~ x3", "x2 ~ 1"], spec)
    [('=~', 'visual', 'x3'), ('~1', 'x2', '')]
    """
    out = []
    for t in texts or ():
        s = "".join(str(t).split())
        if "=~" in s:
            f, _, x = s.partition("=~")
            if f not in spec.indicators or x not in spec.indicators[f]:
                raise AnalysisError(f"'{t}' is not a loading of the model", field="--free")
            key = ("=~", f, x)
        elif s.endswith("~1"):
            x = s[:-2]
            if x not in spec.observed:
                raise AnalysisError(f"'{t}': '{x}' is not an indicator of the model", field="--free")
            key = ("~1", x, "")
        else:
            raise AnalysisError(f"'{t}': release a loading ('factor=~item') or an intercept ('item~1')",
                                field="--free")
        if key not in out:
            out.append(key)
    return out


def build_structure(spec: ModelSpec, ngroups: int = 1, meanstructure: bool | None = None,
                    equal: tuple[str, ...] = (), partial=()) -> Structure:
    """Free and fixed parameters of a CFA for *ngroups* groups with ``equal`` in ("loadings", "intercepts");
    the ``(op, lhs, rhs)`` keys in *partial* (see :func:`parse_partial`) stay free in every group."""
    unknown = set(equal) - {"loadings", "intercepts"}
    if unknown:
        raise AnalysisError(f"unsupported group.equal constraint(s): {', '.join(sorted(unknown))}")
    partial = set(partial)
    if meanstructure is None:
        meanstructure = ngroups > 1
    obs, fac = spec.observed, spec.factors
    p, m, G = len(obs), len(fac), ngroups
    oi = {v: i for i, v in enumerate(obs)}
    fi = {v: i for i, v in enumerate(fac)}
    idx = {"lambda": -np.ones((G, p, m), int), "theta": -np.ones((G, p, p), int), "psi": -np.ones((G, m, m), int),
           "nu": -np.ones((G, p), int), "alpha": -np.ones((G, m), int)}
    fix = {"lambda": np.zeros((G, p, m)), "theta": np.zeros((G, p, p)), "psi": np.zeros((G, m, m)),
           "nu": np.zeros((G, p)), "alpha": np.zeros((G, m))}
    table: list[dict] = []
    shared: dict[tuple, int] = {}
    counter = [0]

    def add(mat, pos, lhs, op, rhs, g, fixed_value=None, share_key=None):
        if fixed_value is not None:
            for ps in pos:
                fix[mat][(g,) + ps] = fixed_value
            table.append(dict(lhs=lhs, op=op, rhs=rhs, group=g, free=-1, value=fixed_value, mat=mat, pos=pos[0]))
            return
        if share_key is not None and share_key in shared:
            k = shared[share_key]
        else:
            k = counter[0]
            counter[0] += 1
            if share_key is not None:
                shared[share_key] = k
        for ps in pos:
            idx[mat][(g,) + ps] = k
        table.append(dict(lhs=lhs, op=op, rhs=rhs, group=g, free=k, value=np.nan, mat=mat, pos=pos[0]))

    fixed_var = {a: v for (a, b), v in spec.covariances.items() if a == b and a in fi and v is not None}
    fixed_loadings = dict(spec.fixed_loadings)
    for f in fac:
        inds = spec.indicators[f]
        has_fixed = any((f, x) in fixed_loadings for x in inds)
        if not has_fixed and f not in fixed_var:
            first_free = next((x for x in inds if (f, x) not in spec.freed), None)
            if first_free is None:
                raise AnalysisError(f"factor '{f}' has no scale: fix a loading or its variance (e.g. '{f} ~~ 1*{f}')",
                                    field="model")
            fixed_loadings[(f, first_free)] = 1.0
    for g in range(G):
        for f in fac:
            for x in spec.indicators[f]:
                v = fixed_loadings.get((f, x))
                add("lambda", [(oi[x], fi[f])], f, "=~", x, g, v,
                    ("=~", f, x) if "loadings" in equal and ("=~", f, x) not in partial else None)
        for x in obs:
            v = spec.covariances.get((x, x))
            add("theta", [(oi[x], oi[x])], x, "~~", x, g, v)
        for (a, b), v in spec.covariances.items():
            if a != b and a in oi:
                pos = [(oi[a], oi[b]), (oi[b], oi[a])]
                add("theta", pos, a, "~~", b, g, v)
        for i, f in enumerate(fac):
            add("psi", [(i, i)], f, "~~", f, g, fixed_var.get(f))
        for i, f in enumerate(fac):
            for j in range(i + 1, m):
                h = fac[j]
                v = spec.covariances.get((f, h), spec.covariances.get((h, f)))
                explicit = (f, h) in spec.covariances or (h, f) in spec.covariances
                add("psi", [(i, j), (j, i)], f, "~~", h, g, v if explicit else None)
        if meanstructure:
            for x in obs:
                add("nu", [(oi[x],)], x, "~1", "", g, None,
                    ("~1", x) if "intercepts" in equal and ("~1", x, "") not in partial else None)
            for f in fac:
                free_mean = "intercepts" in equal and g > 0
                add("alpha", [(fi[f],)], f, "~1", "", g, None if free_mean else 0.0)
    return Structure(obs, fac, G, meanstructure, idx, fix, table)


def baseline_structure(observed: list[str], ngroups: int = 1, meanstructure: bool = False) -> Structure:
    """lavaan's independence (baseline) model: free variances (and means) per group, no covariances."""
    p, G = len(observed), ngroups
    idx = {"lambda": -np.ones((G, p, 0), int), "theta": -np.ones((G, p, p), int), "psi": -np.ones((G, 0, 0), int),
           "nu": -np.ones((G, p), int), "alpha": -np.ones((G, 0), int)}
    fix = {"lambda": np.zeros((G, p, 0)), "theta": np.zeros((G, p, p)), "psi": np.zeros((G, 0, 0)),
           "nu": np.zeros((G, p)), "alpha": np.zeros((G, 0))}
    table, k = [], 0
    for g in range(G):
        for i, x in enumerate(observed):
            idx["theta"][g, i, i] = k
            table.append(dict(lhs=x, op="~~", rhs=x, group=g, free=k, value=np.nan, mat="theta", pos=(i, i)))
            k += 1
        if meanstructure:
            for i, x in enumerate(observed):
                idx["nu"][g, i] = k
                table.append(dict(lhs=x, op="~1", rhs="", group=g, free=k, value=np.nan, mat="nu", pos=(i,)))
                k += 1
    return Structure(list(observed), [], G, meanstructure, idx, fix, table)
