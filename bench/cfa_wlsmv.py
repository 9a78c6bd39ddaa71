"""WLSMV CFA on 5,000 respondents x 37 five-point items: ``hls analyze cfa --ordered`` against lavaan, whole
process against whole process, measured in one run on the same CSV.

Data (seeded, rerun gives the same file; ``--keep DIR`` leaves the CSV and the model there): four correlated
factors (10, 9, 9 and 9 items, loadings .50-.85, factor correlations .25-.50, three cross-loadings the model
leaves out so that it misfits a little) on standard normal latent responses, cut
into five categories by item-specific thresholds (some items skewed, so some top or bottom categories are
sparse); no missing answers, every category of every item used.

- ours: ``hls analyze cfa data.csv --model ... --ordered --json`` in a fresh Python process: start-up, reading
  the CSV, thresholds, polychoric correlations and their asymptotic covariance (Muthen 1984), the DWLS fit in the
  delta parameterization, robust SEs, the scaled-shifted test, the scaled and robust fit indices, JSON out;
- lavaan 0.6: ``Rscript`` running ``cfa(model, data, ordered = TRUE)`` (WLSMV), ``fitMeasures()`` and
  ``parameterEstimates()`` and writing JSON with jsonlite, in a fresh R process.

Prints both wall times, the ratio lavaan / ours, and the largest absolute differences in chisq, chisq.scaled,
cfi.scaled, rmsea.scaled and the loadings (the keys both outputs have). Without Rscript (or lavaan) only our
time is printed. If ``hls`` does not know ``--ordered`` the script still runs lavaan, then stops with one line.

    python bench/cfa_wlsmv.py                 # --n 5000 --seed 20261130
    python bench/cfa_wlsmv.py --keep /tmp/w   # also keep wlsmv_bench.csv and model.txt in /tmp/w
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

R_SCRIPT = """suppressMessages(library(lavaan)); library(jsonlite)
args <- commandArgs(TRUE)
d <- read.csv(args[1]); m <- paste(readLines(args[2]), collapse = "\\n")
f <- cfa(m, data = d, ordered = TRUE)
pe <- parameterEstimates(f)
write(toJSON(list(fit = as.list(fitMeasures(f)), loadings = pe[pe$op == "=~", c("lhs", "rhs", "est", "se")],
                  converged = lavInspect(f, "converged")), digits = NA, auto_unbox = TRUE), args[3])
"""
SIZES = (10, 9, 9, 9)
COMPARE = ("chisq", "chisq.scaled", "cfi.scaled", "rmsea.scaled")


def simulate(n: int, seed: int) -> tuple[pd.DataFrame, str]:
    """Five-point items cut from a four-factor model of normal latent responses; returns the data and the model."""
    rng = np.random.default_rng(seed)
    k, p = len(SIZES), sum(SIZES)
    phi = np.eye(k)
    for a in range(k):
        for b in range(a):
            phi[a, b] = phi[b, a] = rng.uniform(0.25, 0.50)
    factor = np.repeat(np.arange(k), SIZES)
    lam = rng.uniform(0.50, 0.85, p)
    F = rng.standard_normal((n, k)) @ np.linalg.cholesky(phi).T
    L = np.zeros((p, k))
    L[np.arange(p), factor] = lam
    L[2, 1], L[14, 2], L[30, 0] = 0.25, 0.25, -0.20      # cross-loadings the model leaves out: some misfit
    L *= np.sqrt(np.minimum(1.0, 0.9 / np.einsum("ja,ab,jb->j", L, phi, L)))[:, None]  # communality <= .9
    unique = np.sqrt(1 - np.einsum("ja,ab,jb->j", L, phi, L))
    Z = F @ L.T + rng.standard_normal((n, p)) * unique
    shift = rng.uniform(-0.9, 0.9, p)                    # skewed items: sparse bottom or top categories
    cuts = np.sort(np.clip(shift[:, None] + rng.normal(0, 0.8, (p, 4)), -2.3, 2.3), axis=1)
    cuts += np.arange(4) * 0.05                          # strictly increasing
    X = np.stack([np.searchsorted(cuts[j], Z[:, j]) + 1 for j in range(p)], axis=1)
    names = [f"F{factor[j] + 1}_{j + 1:02d}" for j in range(p)]
    data = pd.DataFrame(X, columns=names)
    assert all(data[c].nunique() == 5 for c in names), "every item must use all five categories"
    model = "\n".join(f"F{f + 1} =~ " + " + ".join(c for j, c in enumerate(names) if factor[j] == f)
                      for f in range(k))
    return data, model


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=20261130)
    ap.add_argument("--keep", type=Path, default=None, help="directory to keep the CSV and the model in")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = a.keep or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        data, model_text = simulate(a.n, a.seed)
        csv = out / "wlsmv_bench.csv"
        data.to_csv(csv, index=False)
        model = out / "model.txt"
        model.write_text(model_text + "\n")
        print(f"data: {len(data)} rows x {data.shape[1]} five-point items, {len(SIZES)} factors ({csv})")

        hls = shutil.which("hls")
        cmd = ([hls] if hls else [sys.executable, "-m", "toolkit.cli.main"]) + [
            "analyze", "cfa", str(csv), "--model", model_text, "--ordered", "--json"]
        t0 = time.perf_counter()
        r = subprocess.run(cmd, capture_output=True, text=True)
        t_ours = time.perf_counter() - t0
        ours, failure = None, None
        if r.returncode != 0:
            last = (r.stderr.strip().splitlines() or ["(no message)"])[-1]
            failure = (f"hls analyze cfa rejects --ordered (WLSMV is not on this branch yet): {last}"
                       if "--ordered" in r.stderr else f"hls analyze cfa --ordered failed: {last}")
        else:
            ours = json.loads(r.stdout)
            f = ours["fit"]
            print(f"hls analyze cfa --ordered (WLSMV): {t_ours:8.1f} s   chi2 = {f['chisq']:.4f} (df {f['df']}), "
                  f"scaled {f['chisq_scaled']:.4f}, CFI scaled {f['cfi_scaled']:.4f}, "
                  f"RMSEA scaled {f['rmsea_scaled']:.4f}")

        rscript = shutil.which("Rscript")
        lav = None
        if rscript is None:
            print("lavaan: Rscript not found; install r-base-core and r-cran-lavaan to compare")
        elif subprocess.run([rscript, "-e", "library(lavaan); library(jsonlite)"], capture_output=True).returncode:
            print("lavaan: the R packages lavaan and jsonlite are not installed; skipped")
        else:
            script = Path(tmp) / "lavaan.R"
            script.write_text(R_SCRIPT)
            lav_json = Path(tmp) / "lavaan.json"
            t0 = time.perf_counter()
            done = subprocess.run([rscript, str(script), str(csv), str(model), str(lav_json)],
                                  capture_output=True, text=True)
            t_lav = time.perf_counter() - t0
            if done.returncode != 0:
                raise SystemExit(f"Rscript failed: {done.stderr.strip()[-500:]}")
            lav = json.loads(lav_json.read_text())
            lf = lav["fit"]
            print(f"lavaan cfa(ordered = TRUE) + fitMeasures (WLSMV): {t_lav:8.1f} s   chi2 = {lf['chisq']:.4f} "
                  f"(df {lf['df']:.0f}), scaled {lf['chisq.scaled']:.4f}, CFI scaled {lf['cfi.scaled']:.4f}, "
                  f"RMSEA scaled {lf['rmsea.scaled']:.4f}, converged {lav['converged']}")
        if failure:
            raise SystemExit(failure)
        if lav is None:
            return
        f, lf = ours["fit"], lav["fit"]
        diffs = {k: abs(f[k.replace(".", "_")] - lf[k]) for k in COMPARE if k.replace(".", "_") in f}
        mine = {(r["factor"], r["item"]): r["est"] for r in ours["loadings"]}
        theirs = {(r["lhs"], r["rhs"]): r["est"] for r in lav["loadings"]}
        shared = mine.keys() & theirs.keys()
        if shared:
            diffs["loadings"] = max(abs(mine[k] - theirs[k]) for k in shared)
        print("largest absolute differences: " + ", ".join(f"{k} {v:.1e}" for k, v in diffs.items()))
        print(f"ratio lavaan / hls: {t_lav / t_ours:.1f}x (whole process against whole process)")


if __name__ == "__main__":
    main()
