"""Speed and memory of EFA + parallel analysis on 20,000 respondents x 60 items (simulated, 6 factors).

Prints wall times and peak traced memory for
  * toolkit.efa (minres + oblimin, pairwise path, 6 factors),
  * toolkit parallel analysis (20 simulated 20,000 x 60 data sets),
  * the same EFA with 5% of answers missing (pairwise correlations),
and baselines measured in the same run: factor_analyzer 0.5.1 FactorAnalyzer(minres, oblimin).fit and a bare
numpy eigen-decomposition of the correlation matrix; ratios are ours / baseline.

Run:  python bench/efa.py
"""
from __future__ import annotations

import resource
import time
import tracemalloc
import warnings

import numpy as np
import pandas as pd

N, P, K, ITER = 20_000, 60, 6, 20


def simulate(seed=1):
    rng = np.random.default_rng(seed)
    per = P // K
    L = np.zeros((P, K))
    for f in range(K):
        L[f * per:(f + 1) * per, f] = rng.uniform(0.45, 0.75, per)
    phi = np.full((K, K), 0.25) + 0.75 * np.eye(K)
    F = rng.multivariate_normal(np.zeros(K), phi, size=N)
    X = F @ L.T + rng.standard_normal((N, P)) * np.sqrt(1 - (L ** 2).sum(1))
    return pd.DataFrame(X, columns=[f"I{i + 1:02d}" for i in range(P)])


def measure(label, fn):
    tracemalloc.start()
    t0 = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<58} {dt:8.3f} s   peak {peak / 2**20:8.1f} MiB")
    return out, dt, peak


def main():
    import toolkit
    from toolkit.psychometrics.parallel import parallel_analysis

    df = simulate()
    data_mb = df.memory_usage(deep=True).sum() / 2**20
    print(f"data: {N} x {P} float64 ({data_mb:.1f} MiB), {K} simulated factors\n")
    # warm-up (imports, first BLAS call)
    toolkit.efa(df.head(500), n_factors=2)

    res, t_efa, m_efa = measure("toolkit.efa minres+oblimin, 6 factors", lambda: toolkit.efa(df, n_factors=K))
    par, t_par, m_par = measure(f"toolkit parallel_analysis, {ITER} iterations",
                                lambda: parallel_analysis(df, iterations=ITER, seed=1))
    rng = np.random.default_rng(2)
    dfm = df.mask(rng.random(df.shape) < 0.05)
    _, t_miss, m_miss = measure("toolkit.efa, 5% missing (pairwise correlations)",
                                lambda: toolkit.efa(dfm, n_factors=K))
    _, t_auto, m_auto = measure(f"toolkit.efa n_factors='auto' (parallel {ITER} it. + EFA)",
                                lambda: toolkit.efa(df, n_factors="auto", seed=1))

    from factor_analyzer import FactorAnalyzer

    def fa_fit():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return FactorAnalyzer(n_factors=K, rotation="oblimin", method="minres").fit(df.to_numpy())

    fa, t_fa, m_fa = measure("baseline: factor_analyzer FactorAnalyzer(minres, oblimin).fit", fa_fit)
    _, t_eig, m_eig = measure("baseline: numpy corrcoef + eigvalsh (one matrix)",
                              lambda: np.linalg.eigvalsh(np.corrcoef(df.to_numpy(), rowvar=False)))

    print()
    print(f"parallel analysis suggests {par.n_factors} factors / {par.n_components} components (truth {K})")
    # agreement with factor_analyzer's loadings (same data, no missing values): congruence after matching
    ours, theirs = res.loadings.to_numpy(), fa.loadings_
    cong = (theirs.T @ ours) / np.sqrt(np.outer((theirs ** 2).sum(0), (ours ** 2).sum(0)))
    print(f"min |Tucker congruence| ours vs factor_analyzer: {np.abs(cong).max(axis=1).min():.5f}")
    print()
    print(f"ratio efa / factor_analyzer fit          : {t_efa / t_fa:6.2f} x time, {m_efa / m_fa:6.2f} x peak memory")
    print(f"ratio efa / one numpy eigen-decomposition: {t_efa / t_eig:6.2f} x time")
    print(f"ratio parallel (20 it.) / one numpy eigen: {t_par / t_eig:6.2f} x time "
          f"(20 simulated data sets each need one {N}x{P} draw and cross-product)")
    print(f"peak traced memory, parallel analysis    : {m_par / 2**20:.1f} MiB "
          f"= {m_par / (df.to_numpy().nbytes):.2f} x the data matrix")
    print(f"process max RSS                          : {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
