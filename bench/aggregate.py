"""Speed of toolkit.aggregate on a large multilevel survey, against plain pandas group statistics (same run).

500,000 respondents in 20,000 groups (expected sizes 5-45), 8 constructs x 5 five-point items (the last item of each
reverse-keyed, ~2% of answers missing). ``toolkit.aggregate`` computes construct scores, per group and construct
n/mean/sd and rwg(j), ICC(1)/ICC(2) with the ANOVA, medians, verdicts and the group-level dataset. The baseline
is ``df.groupby(group)[items].agg(["mean", "var"])`` over the same 40 item columns: the raw group moments
without any of the rest.

    python bench/aggregate.py
"""
from __future__ import annotations


import numpy as np
import pandas as pd

from timing import best_of  # bench/ is on sys.path when run as a script


def simulate(n=500_000, n_groups=20_000, n_constructs=8, n_items=5, missing=0.02, seed=1):
    rng = np.random.default_rng(seed)
    weight = rng.integers(5, 46, n_groups).astype(float)
    group = rng.choice(np.arange(1, n_groups + 1), size=n, p=weight / weight.sum())  # rows in random order
    cols, scales = {"team": group}, {}
    for c in range(n_constructs):
        effect = rng.normal(0, 0.4, n_groups + 1)[group]
        names = []
        for i in range(n_items):
            x = np.clip(np.rint(3.2 + effect + rng.normal(0, 0.9, n)), 1, 5)
            if i == n_items - 1:
                x = 6 - x
            x[rng.random(n) < missing] = np.nan
            name = f"C{c}_{i + 1}"
            cols[name] = x
            names.append(f"-{name}" if i == n_items - 1 else name)
        scales[f"construct{c}"] = names
    return pd.DataFrame(cols), [f"{k}={','.join(v)}" for k, v in scales.items()]




def main():
    import toolkit

    df, scales = simulate()
    items = [c for c in df.columns if c != "team"]
    print(f"data: {len(df):,} respondents, {df['team'].nunique():,} groups, {len(scales)} constructs x 5 items")
    t_base, _ = best_of(lambda: df.groupby("team")[items].agg(["mean", "var"]))
    t_ours, res = best_of(lambda: toolkit.aggregate(df, group="team", scales=scales, options=5))
    print(f"baseline pandas groupby(...).agg(['mean','var']) over {len(items)} items: {t_base:.2f} s")
    print(f"toolkit.aggregate (scores, rwg(j), means, sd, ICC(1)/(2), verdicts, group dataset): {t_ours:.2f} s")
    print(f"ratio aggregate / baseline: {t_ours / t_base:.2f}x")
    from toolkit.psychometrics.scales import parse_scale
    from toolkit.survey.score import score_scales

    specs = [parse_scale(s) for s in scales]
    t_score, _ = best_of(lambda: [score_scales(df[list(s.items)], [s]) for s in specs])
    print(f"  for comparison, construct scoring alone (toolkit.survey.score_scales): {t_score:.2f} s")
    print(f"group-level dataset: {res.groups.shape[0]:,} rows x {res.groups.shape[1]} columns; "
          f"ICC(1) {res.constructs['icc1'].round(3).tolist()}")


if __name__ == "__main__":
    main()
