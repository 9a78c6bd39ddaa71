"""Speed of the ordinal sample statistics against R on the same CSV, whole process against whole process.

1. psych-style polychoric matrix of 60 five-point items on 20,000 simulated respondents (5% of answers missing,
   pairwise): ``hls analyze polychoric data.csv --items ... -o rho.csv`` against
   ``Rscript -e 'psych::polychoric(read.csv(...), correct = 0)'`` writing the same matrix.
2. lavaan-style two-step statistics for WLSMV (thresholds, polychorics and Muthen's Gamma) of 37 five-point
   items on 5,000 respondents: ``toolkit.ordinal_sample_stats`` in a fresh Python process against
   ``lavaan::lavCor(x, ordered = TRUE, se = "robust.sem", output = "fit")`` (the call that computes Gamma).

Each side reads the CSV, computes and writes its result; the wall time of the whole process (interpreter start,
imports, reading, computing, writing) is measured, and the agreement of the two results is printed. R is
skipped with a message when Rscript (or psych / lavaan) is missing.

    python bench/polychoric.py              # both benchmarks
    python bench/polychoric.py --small      # 30 items x 5,000 rows and 15 items x 2,000 rows (a quick check)
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def simulate(n: int, p: int, factors: int, missing: float, seed: int) -> pd.DataFrame:
    """Five-point items cut from a factor model with item-specific thresholds (some skewed, so some cells are
    sparse), with a share of answers missing completely at random."""
    rng = np.random.default_rng(seed)
    F = rng.standard_normal((n, factors)) @ np.linalg.cholesky(np.full((factors, factors), 0.3)
                                                             + 0.7 * np.eye(factors)).T
    L = np.zeros((p, factors))
    L[np.arange(p), np.arange(p) % factors] = rng.uniform(0.5, 0.8, p)
    Z = F @ L.T + rng.standard_normal((n, p)) * np.sqrt(1 - (L ** 2).sum(axis=1))
    cuts = np.sort(rng.normal(rng.uniform(-0.8, 0.8, (p, 1)), 0.9, (p, 4)), axis=1)
    X = np.stack([np.searchsorted(cuts[j], Z[:, j]) + 1 for j in range(p)], axis=1).astype(float)
    X[rng.random(X.shape) < missing] = np.nan
    return pd.DataFrame(X, columns=[f"I{j + 1:02d}" for j in range(p)])


def run(cmd: list[str], cwd: Path) -> float:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])} ... failed:\n{done.stderr[-2000:]}")
    return dt


def r_available(packages: list[str]) -> str | None:
    """None when Rscript and the packages are there, else the reason to skip."""
    if shutil.which("Rscript") is None:
        return "Rscript not found (apt-get install r-base-core r-cran-psych r-cran-lavaan)"
    probe = subprocess.run(["Rscript", "-e", "; ".join(f"library({p})" for p in packages)], capture_output=True,
                           text=True)
    return None if probe.returncode == 0 else f"R package(s) {', '.join(packages)} not installed"


def bench_psych(tmp: Path, n: int, p: int) -> None:
    df = simulate(n, p, 6, 0.05, seed=1)
    data = tmp / "poly.csv"
    df.astype("Int64").to_csv(data, index=False, na_rep="")
    items = ",".join(df.columns)
    print(f"1. polychoric matrix: {p} five-point items x {n} rows, 5% missing (pairwise), psych::polychoric(correct = 0)")
    ours = tmp / "ours_rho.csv"
    cmd = [sys.executable, "-m", "toolkit", "analyze", "polychoric", str(data), "--items", items, "-o", str(ours)]
    t_ours = min(run(cmd, ROOT) for _ in range(2))
    print(f"   hls analyze polychoric (whole process, best of 2): {t_ours:8.2f} s")
    why = r_available(["psych"])
    if why:
        print(f"   R skipped: {why}")
        return
    theirs = tmp / "r_rho.csv"
    script = (f"x <- read.csv('{data}'); p <- psych::polychoric(x, correct = 0); "
              f"write.csv(p$rho, '{theirs}')")
    t_r = run(["Rscript", "-e", script], tmp)
    print(f"   Rscript psych::polychoric (whole process):         {t_r:8.2f} s")
    a = pd.read_csv(ours, index_col=0).to_numpy()
    b = pd.read_csv(theirs, index_col=0).to_numpy()
    print(f"   largest |rho difference|: {np.abs(a - b).max():.2e}")
    print(f"   ratio R / ours: {t_r / t_ours:.1f} x (target >= 1: at least as fast as R)")


def bench_lavaan(tmp: Path, n: int, p: int) -> None:
    df = simulate(n, p, 8, 0.0, seed=2)
    data = tmp / "ord.csv"
    df.astype(int).to_csv(data, index=False)
    print(f"\n2. lavaan two-step ordinal statistics + Gamma: {p} five-point items x {n} rows (WLSMV's input)")
    ours = tmp / "ours_gamma_diag.csv"
    code = ("import sys, pandas as pd, numpy as np, toolkit; df = pd.read_csv(sys.argv[1]); "
            "st = toolkit.ordinal_sample_stats(df, list(df.columns))[0]; "
            "pd.DataFrame({'label': st.labels, 'est': st.sample_vector, 'gamma_diag': np.diag(st.gamma)})"
            ".to_csv(sys.argv[2], index=False)")
    t_ours = min(run([sys.executable, "-c", code, str(data), str(ours)], ROOT) for _ in range(2))
    print(f"   toolkit.ordinal_sample_stats (whole process, best of 2): {t_ours:8.2f} s")
    why = r_available(["lavaan"])
    if why:
        print(f"   R skipped: {why}")
        return
    theirs = tmp / "r_gamma_diag.csv"
    script = (f"suppressMessages(library(lavaan)); x <- read.csv('{data}'); "
              "f <- lavCor(x, ordered = TRUE, se = 'robust.sem', output = 'fit'); "
              "g <- lavInspect(f, 'gamma'); ss <- lavInspect(f, 'sampstat'); "
              "est <- c(ss$th, ss$cov[lower.tri(ss$cov)]); "
              f"write.csv(data.frame(label = rownames(g), est = est, gamma_diag = diag(g)), '{theirs}', row.names = FALSE)")
    t_r = run(["Rscript", "-e", script], tmp)
    print(f"   Rscript lavaan::lavCor(ordered = TRUE, se = 'robust.sem') (whole process): {t_r:8.2f} s")
    a, b = pd.read_csv(ours), pd.read_csv(theirs)
    assert list(a["label"]) == list(b["label"]), "different order of statistics"
    print(f"   largest |estimate difference|: {np.abs(a['est'] - b['est']).max():.2e}; "
          f"largest relative Gamma-diagonal difference: {np.abs(a['gamma_diag'] / b['gamma_diag'] - 1).max():.2e}")
    print(f"   ratio R / ours: {t_r / t_ours:.1f} x (target >= 1: at least as fast as R)")


def main() -> None:
    small = "--small" in sys.argv
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        bench_psych(tmp, 5_000 if small else 20_000, 30 if small else 60)
        bench_lavaan(tmp, 2_000 if small else 5_000, 15 if small else 37)


if __name__ == "__main__":
    main()
