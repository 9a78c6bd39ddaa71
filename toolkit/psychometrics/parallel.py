"""Horn's (1965) parallel analysis as psych::fa.parallel does it (simulated-normal reference data).

Observed values:

* ``pc`` - eigenvalues of the correlation matrix ``R``;
* ``fa`` - eigenvalues of ``R`` with its diagonal replaced by the communalities of a ONE-factor fit
  (``fa(R, nfactors=1, fm="minres", rotate="none")$values``), not by SMCs.

Reference values: *iterations* data sets of independent standard normals of the same shape (rows x items);
for each, the same two sets of eigenvalues. A factor (component) is retained while the observed eigenvalue
exceeds the *quantile* (default .95) of the simulated ones at that position: ``which(!(obs > q))[1] - 1``,
i.e. only the leading run counts. psych additionally draws bootstrap-resampled data sets; its decision for
raw data with ``sim=TRUE`` uses the simulated ones, which is what we compute.

Horn (1965) Psychometrika 30:179-185; Revelle, psych::fa.parallel.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from . import fafit


@dataclass
class ParallelResult:
    n: int
    iterations: int
    seed: int | None
    quantile: float
    method: str
    n_factors: int
    n_components: int
    table: pd.DataFrame          # one row per position: fa/pc observed, simulated mean, simulated quantile
    warnings: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"n": self.n, "iterations": self.iterations, "seed": self.seed, "quantile": self.quantile,
                "method": self.method, "n_factors": self.n_factors, "n_components": self.n_components,
                "fa_values": self.table["fa_observed"].tolist(), "fa_sim_mean": self.table["fa_sim_mean"].tolist(),
                "fa_sim_quantile": self.table["fa_sim_quantile"].tolist(),
                "pc_values": self.table["pc_observed"].tolist(), "pc_sim_mean": self.table["pc_sim_mean"].tolist(),
                "pc_sim_quantile": self.table["pc_sim_quantile"].tolist(), "warnings": list(self.warnings)}

    def __repr__(self):
        return (f"ParallelResult(n_factors={self.n_factors}, n_components={self.n_components}, n={self.n}, "
                f"iterations={self.iterations})")

    def summary(self, rows: int | None = None) -> str:
        """Plain-text report: the decision and the eigenvalue table (first *rows* positions)."""
        lines = [f"Parallel analysis ({self.iterations} simulated normal data sets of {self.n} rows, "
                 f"{self.quantile:.0%} quantile, {self.method} factor eigenvalues): "
                 f"{self.n_factors} factor(s), {self.n_components} component(s)", "",
                 f"{'':>4}{'FA obs':>10}{'FA sim':>10}{'PC obs':>10}{'PC sim':>10}"]
        t = self.table if rows is None else self.table.head(rows)
        for pos, r in t.iterrows():
            lines.append(f"{pos:>4}{r.fa_observed:10.4f}{r.fa_sim_quantile:10.4f}{r.pc_observed:10.4f}"
                         f"{r.pc_sim_quantile:10.4f}")
        lines.append("(sim = simulated quantile; a factor/component is kept while obs > sim, from the first on)")
        lines.extend(f"warning: {w}" for w in self.warnings)
        return "\n".join(lines)

    def plot(self, path, title: str = "Parallel analysis scree plot"):
        """Write a scree plot (observed FA and PC eigenvalues with the simulated thresholds) to *path*."""
        return scree_plot(self, path, title)


def fa_values(R: np.ndarray, method: str = "minres", k: int = 1) -> np.ndarray:
    """Eigenvalues of *R* with the communalities of a *k*-factor fit on the diagonal (psych's fa()$values)."""
    L = fafit.EXTRACTORS[method](R, k).loadings
    S = R.copy()
    S[np.diag_indices(len(R))] = (L ** 2).sum(axis=1)
    return np.sort(np.linalg.eigvalsh(S))[::-1]


def _leading(obs: np.ndarray, thr: np.ndarray) -> int:
    below = np.flatnonzero(~(obs > thr))
    return int(below[0]) if len(below) else len(obs)


def _simulated_corr(rng, n: int, p: int, chunk: int = 50_000) -> np.ndarray:
    """Correlation matrix of an n x p standard-normal sample, built in row chunks to bound memory."""
    s = np.zeros(p)
    C = np.zeros((p, p))
    done = 0
    while done < n:
        m = min(chunk, n - done)
        X = rng.standard_normal((m, p))
        s += X.sum(axis=0)
        C += X.T @ X
        done += m
    mean = s / n
    C -= n * np.outer(mean, mean)
    d = np.sqrt(np.diag(C))
    return C / np.outer(d, d)


def parallel_analysis(data, iterations: int = 20, seed: int | None = None, quantile: float = 0.95,
                      method: str = "minres", missing: str = "pairwise", items=None,
                      n_obs: int | None = None, ordinal: bool = False) -> ParallelResult:
    """Horn's parallel analysis, as ``psych::fa.parallel(x, fm="minres", n.iter=20, quant=.95)``.

    *data* is a DataFrame of answers (correlations pairwise by default; the simulated samples have
    ``n`` = number of rows, as psych) or a correlation matrix with *n_obs*. Seeded runs are reproducible
    (``numpy.random.default_rng(seed)``); the simulated values differ from R's, whose generator differs.
    ``ordinal=True`` takes the observed eigenvalues from the polychoric correlations (as ``fa(cor = "poly")``)
    and compares them with those of simulated normal data of the same size.

    Example::

        >>> import toolkit, pandas as pd
        >>> from toolkit.psychometrics.parallel import parallel_analysis
        >>> df = pd.read_csv("tests/data/bfi.csv").loc[:, "A1":"O5"]
        >>> parallel_analysis(df, seed=1).n_factors
        6
    """
    screening = data.attrs.get("screening") if isinstance(data, pd.DataFrame) else None
    with fafit.small_blas():
        res = _parallel(data, iterations, seed, quantile, method, missing, items, n_obs, ordinal)
    if screening is not None:
        res.warnings[:0] = screening.warnings()
    return res


def _parallel(data, iterations, seed, quantile, method, missing, items, n_obs, ordinal=False) -> ParallelResult:
    from .efa_input import _corr_input, _not_pd_warning, _poly_input

    if method not in ("minres", "ml", "pa"):
        raise AnalysisError(f"parallel analysis method must be minres, ml or pa, not {method!r}")
    if iterations < 1:
        raise AnalysisError("iterations must be at least 1", field="--iterations")
    if not 0 < quantile < 1:
        raise AnalysisError(f"quantile must be between 0 and 1, not {quantile}", field="--quantile")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise AnalysisError(f"seed must be a whole number >= 0, not {seed!r}", field="--seed")
    warns = []
    if ordinal:
        Rdf, n, _, warns, smoothed = _poly_input(data, missing, items)
    else:
        Rdf, n, _ = _corr_input(data, missing, items)
        smoothed = False
    if n_obs is not None:
        n = n_obs
    if n is None:
        raise AnalysisError("parallel analysis of a correlation matrix needs n_obs (the number of respondents)")
    R = Rdf.to_numpy()
    p = R.shape[0]
    if not smoothed:
        warns += [w for w in [_not_pd_warning(R)] if w]
    pc_obs = np.sort(np.linalg.eigvalsh(R))[::-1]
    fa_obs = fa_values(R, method)
    rng = np.random.default_rng(seed)
    pc_sim = np.empty((iterations, p))
    fa_sim = np.empty((iterations, p))
    from ..console import progress

    for it in progress(range(iterations), total=iterations, desc="parallel analysis", unit="data set"):
        C = _simulated_corr(rng, int(n), p)
        pc_sim[it] = np.sort(np.linalg.eigvalsh(C))[::-1]
        fa_sim[it] = fa_values(C, method)
    pc_q = np.quantile(pc_sim, quantile, axis=0)      # R's quantile type 7 = numpy's "linear"
    fa_q = np.quantile(fa_sim, quantile, axis=0)
    table = pd.DataFrame({"fa_observed": fa_obs, "fa_sim_mean": fa_sim.mean(axis=0), "fa_sim_quantile": fa_q,
                          "pc_observed": pc_obs, "pc_sim_mean": pc_sim.mean(axis=0), "pc_sim_quantile": pc_q},
                         index=pd.RangeIndex(1, p + 1, name="position"))
    return ParallelResult(int(n), iterations, seed, quantile, method, _leading(fa_obs, fa_q),
                          _leading(pc_obs, pc_q), table, warns)


def scree_plot(par: ParallelResult, path, title: str = "Parallel analysis scree plot"):
    """Scree plot: observed PC and FA eigenvalues (solid) and the simulated thresholds (dashed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..io import atomic_path

    t = par.table
    x = t.index.to_numpy()
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.plot(x, t["pc_observed"], "x-", color="tab:blue", label="PC, actual data")
    ax.plot(x, t["pc_sim_quantile"], ":", color="tab:red",
            label=f"PC, simulated data ({par.quantile:.0%} quantile)")
    ax.plot(x, t["fa_observed"], "^-", color="tab:green", label="FA, actual data")
    ax.plot(x, t["fa_sim_quantile"], "--", color="tab:orange",
            label=f"FA, simulated data ({par.quantile:.0%} quantile)")
    ax.axhline(1.0, color="grey", lw=0.6)
    ax.set_xlabel("Factor / component number")
    ax.set_ylabel("Eigenvalue")
    ax.set_title(f"{title}\nfactors = {par.n_factors}, components = {par.n_components} "
                 f"({par.iterations} simulated data sets)", fontsize=10)
    ax.legend(fontsize=8)
    fig.tight_layout()
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=120)
    plt.close(fig)
    return path
