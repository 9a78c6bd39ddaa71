"""Synthetic survey answers from a stated multilevel factor model (for teaching, testing and power checks).

The model (all of it returned by :func:`true_model`):

* one factor per construct; all factor correlations equal *factor_correlation* (default 0.3), both between
  and within groups, so the total factor correlation is 0.3 as well when the ICCs are equal;
* each factor splits into a group (partnership) part and an individual part,
  ``eta = sqrt(icc) * u_group + sqrt(1 - icc) * e_person``, with factor ICC *icc_group* (default 0.15) for
  constructs with ``referent: group`` and *icc_individual* (default 0.05) for individual ones;
* item responses ``y* = loading * eta + sqrt(1 - loading^2) * noise`` with loadings spread evenly from 0.8 down
  to 0.6 over a construct's items (standardised, so the item's latent variance is 1);
* ``y*`` is cut into the response categories at evenly spaced, symmetric thresholds from -1.5 to 1.5
  (5 points: -1.5, -0.5, 0.5, 1.5); reverse-keyed items are answered in reverse (``min + max - category``), so
  raw data must be reversed before scoring, as real data must;
* a share *missing* of all item answers is blanked completely at random (MCAR) and a share *dont_know* is set to
  the scale's first declared missing code ("Don't know" = 9);
* context: respondent ids ``R0001..``, group ids ``P01..P40`` with unequal sizes (at least 2 each, gamma-weighted),
  other context questions drawn at random from their choices; attention checks answered as instructed except
  for a share *attention_fail*.

Seeded runs are reproducible (NumPy ``default_rng(seed)``).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import DataError
from .variables import as_instrument

THRESHOLD_SPAN = 1.5


@dataclass
class TrueModel:
    """The generating model: ``loadings`` (item, construct, loading, reverse), ``factor_correlations``
    (construct x construct), ``icc`` (construct -> factor ICC) and ``thresholds`` (scale -> cut points)."""

    loadings: "pd.DataFrame"  # noqa: F821
    factor_correlations: "pd.DataFrame"  # noqa: F821
    icc: "pd.Series"  # noqa: F821
    thresholds: dict
    settings: dict

    @property
    def total_correlations(self):
        """Correlations of the total factors: ``r * (sqrt(icc_a icc_b) + sqrt((1 - icc_a)(1 - icc_b)))``, which
        equals ``r`` when both constructs have the same ICC."""
        import numpy as np

        icc = self.icc.reindex(self.factor_correlations.index).to_numpy()
        scale = np.sqrt(np.outer(icc, icc)) + np.sqrt(np.outer(1 - icc, 1 - icc))
        out = self.factor_correlations * scale
        np.fill_diagonal(out.values, 1.0)
        return out

    def to_dict(self) -> dict:
        return {
            "loadings": self.loadings.to_dict(orient="records"),
            "factor_correlations": {k: {kk: float(vv) for kk, vv in v.items()}
                                    for k, v in self.factor_correlations.to_dict().items()},
            "total_correlations": {k: {kk: float(vv) for kk, vv in v.items()}
                                   for k, v in self.total_correlations.to_dict().items()},
            "icc": {k: float(v) for k, v in self.icc.items()},
            "thresholds": {k: [float(x) for x in v] for k, v in self.thresholds.items()},
            "settings": self.settings,
        }


class SharedRecord(dict):
    """A dict that pandas carries from frame to frame without copying it.

    pandas deep-copies ``DataFrame.attrs`` on every operation that makes a new frame (each column access or
    assignment); with the true model of a wide instrument in ``attrs`` that made simulation and writing
    quadratic in the number of items (2,000 items: minutes and gigabytes). The record is written once and
    only read afterwards, so sharing it is safe.
    """

    def __deepcopy__(self, memo):
        return self

    def __copy__(self):
        return self


def thresholds(n_categories: int) -> list[float]:
    """Evenly spaced symmetric cut points on the latent scale: ``linspace(-1.5, 1.5, k - 1)``."""
    import numpy as np

    if n_categories < 2:
        return []
    return [float(x) for x in np.linspace(-THRESHOLD_SPAN, THRESHOLD_SPAN, n_categories - 1)]


def true_model(instrument, factor_correlation: float = 0.3, icc_group: float = 0.15,
               icc_individual: float = 0.05) -> TrueModel:
    """The factor model :func:`simulate` draws from, for checking recovery.

    >>> m = true_model("tests/data/mini-instrument.yaml")      # doctest: +SKIP
    >>> m.loadings.loading.tolist()                              # doctest: +SKIP
    [0.8, 0.7, 0.6, 0.8, 0.7, 0.6]
    """
    import numpy as np
    import pandas as pd

    inst = as_instrument(instrument)
    rows = []
    for c in inst.constructs:
        lam = np.linspace(0.8, 0.6, len(c.items)) if len(c.items) > 1 else np.array([0.7])
        for item, l in zip(c.items, lam):
            rows.append({"item": item.id, "construct": c.id, "loading": round(float(l), 6),
                         "reverse": bool(item.reverse)})
    names = [c.id for c in inst.constructs]
    k = len(names)
    if not -1 / max(k - 1, 1) < factor_correlation < 1:
        raise DataError(f"factor correlation {factor_correlation} does not give a valid correlation matrix for "
                        f"{k} factors", field="--factor-correlation")
    phi = np.full((k, k), float(factor_correlation))
    np.fill_diagonal(phi, 1.0)
    for v, name in ((icc_group, "icc_group"), (icc_individual, "icc_individual")):
        if not 0 <= v < 1:
            raise DataError(f"{name} must be in [0, 1), got {v}", field=name)
    icc = pd.Series({c.id: (icc_group if c.referent == "group" else icc_individual) for c in inst.constructs},
                    dtype=float)
    used = {i.scale for i in inst.items} | {a.scale for a in inst.attention_checks}
    th = {s: thresholds(inst.scales[s].n_options) for s in sorted(used)}
    return TrueModel(pd.DataFrame(rows, columns=["item", "construct", "loading", "reverse"]),
                     pd.DataFrame(phi, index=names, columns=names), icc, th,
                     {"factor_correlation": factor_correlation, "icc_group": icc_group,
                      "icc_individual": icc_individual, "threshold_span": THRESHOLD_SPAN})


def _group_sizes(rng, n: int, groups: int):
    import numpy as np

    if groups < 1:
        raise DataError("need at least one group", field="--groups")
    if n < 2 * groups:
        raise DataError(f"n = {n} is too small for {groups} groups (need at least 2 respondents a group)",
                        field="-n")
    weights = rng.gamma(2.0, 1.0, groups)
    extra = rng.multinomial(n - 2 * groups, weights / weights.sum())
    return np.asarray(extra) + 2


def simulate(instrument, n: int = 400, groups: int = 40, seed: int | None = 1, missing: float = 0.03,
             dont_know: float = 0.01, factor_correlation: float = 0.3, icc_group: float = 0.15,
             icc_individual: float = 0.05, attention_fail: float = 0.03):
    """Simulate raw survey answers for *instrument* from the model in this module's docstring.

    Returns a DataFrame (respondent id, group id, other context, items as raw codes, attention checks) whose
    ``attrs["true_model"]`` holds :meth:`TrueModel.to_dict`.

    >>> import toolkit
    >>> df = toolkit.simulate("collective-data-use", n=400, groups=40, seed=1)   # doctest: +SKIP
    >>> df.shape                                                                  # doctest: +SKIP
    (400, 45)
    """
    import numpy as np
    import pandas as pd

    inst = as_instrument(instrument)
    if n < 1:
        raise DataError("n must be at least 1", field="-n")
    for v, name in ((missing, "--missing"), (dont_know, "--dont-know"), (attention_fail, "attention_fail")):
        if not 0 <= v < 1:
            raise DataError(f"share must be in [0, 1), got {v}", field=name)
    model = true_model(inst, factor_correlation, icc_group, icc_individual)
    rng = np.random.default_rng(seed)
    sizes = _group_sizes(rng, n, groups)
    gidx = np.repeat(np.arange(groups), sizes)
    width = max(2, len(str(groups)))
    gids = np.array([f"P{g + 1:0{width}d}" for g in range(groups)])

    names = list(model.factor_correlations.index)
    chol = np.linalg.cholesky(model.factor_correlations.to_numpy())
    icc = model.icc.reindex(names).to_numpy()
    between = rng.standard_normal((groups, len(names))) @ chol.T
    within = rng.standard_normal((n, len(names))) @ chol.T
    eta = between[gidx] * np.sqrt(icc) + within * np.sqrt(1 - icc)
    col_of = {c: j for j, c in enumerate(names)}

    data: dict = {}
    rid = inst.respondent_column
    data[rid] = [f"R{i + 1:04d}" for i in range(n)]
    gcol = inst.group_column or "group"
    data[gcol] = gids[gidx]
    for q in inst.context:
        if q.id in (rid, gcol):
            continue
        if q.type == "select_one" and q.choices:
            values = [c.value for c in q.choices]
            p = np.linspace(2.0, 1.0, len(values))
            data[q.id] = rng.choice(values, size=n, p=p / p.sum())
        elif q.type == "integer":
            data[q.id] = rng.integers(1, 31, size=n)
        elif q.role == "organisation":
            data[q.id] = [f"{gids[g]}-O{k}" for g, k in zip(gidx, rng.integers(1, 5, size=n))]
        else:
            data[q.id] = [""] * n

    loadings = model.loadings.set_index("item")
    for item in inst.items:
        scale = inst.scales[item.scale]
        lam = float(loadings.at[item.id, "loading"])
        ystar = lam * eta[:, col_of[item.construct]] + np.sqrt(1 - lam ** 2) * rng.standard_normal(n)
        values = np.array(sorted(scale.values), dtype=float)
        cat = np.searchsorted(np.array(model.thresholds[item.scale]), ystar)
        answer = values[cat]
        if item.reverse:
            answer = scale.min + scale.max - answer
        answer = answer.astype(object)
        if dont_know and scale.missing_values:
            answer[rng.random(n) < dont_know] = scale.missing_values[0]
        if missing:
            answer[rng.random(n) < missing] = None
        data[item.id] = pd.array([None if a is None else int(a) if float(a).is_integer() else a for a in answer],
                                 dtype="Int64" if all(float(v).is_integer() for v in scale.values) else "Float64")
    for check in inst.attention_checks:
        scale = inst.scales[check.scale]
        values = [v for v in scale.values if float(v) != float(check.expected)]
        fail = rng.random(n) < attention_fail
        wrong = rng.choice(values, size=n) if values else np.full(n, check.expected)
        data[check.id] = pd.array([int(w) if f else int(check.expected) for f, w in zip(fail, wrong)], dtype="Int64")
    df = pd.DataFrame(data)
    record = model.to_dict()
    record["settings"].update({"n": n, "groups": groups, "seed": seed, "missing": missing,
                               "dont_know": dont_know, "attention_fail": attention_fail})
    df.attrs["true_model"] = SharedRecord(record)
    df.attrs["instrument"] = inst.id
    return df
