"""FIML CFA on 5,000 respondents x 37 items with 10% of the answers missing: ``hls analyze cfa`` against lavaan,
whole process against whole process, measured in one run on the same CSV.

Data: ``toolkit.simulate`` on the shipped ``collective-data-use`` instrument (8 factors, 37 five-point items),
5,000 respondents, every answer missing with probability .10 (no "Don't know" codes, no attention checks), the
reverse-keyed items recoded; written to one CSV that both programs read (about 2% of the rows are complete, so
nearly every row has its own missing-data pattern).

- ours: ``hls analyze cfa data.csv --model ... --json`` in a fresh Python process: start-up, reading the CSV,
  lavaan's truncated EM for the unrestricted model, the FIML fit, observed-information standard errors, the fit
  indices including lavaan's robust FIML CFI/TLI/RMSEA, the standardized solution, the ten largest modification
  indices, JSON out;
- lavaan 0.6: ``Rscript`` running ``cfa(model, data, missing = "ml")``, ``fitMeasures()``,
  ``standardizedSolution()`` and ``modindices()`` and writing JSON with jsonlite, in a fresh R process.

Prints both wall times, the ratio lavaan / ours and the largest differences between the two outputs. Without
Rscript (or lavaan) only our time is printed.

    python bench/cfa_fiml.py                 # --n 5000 --missing 0.10; add --mlr for estimator = "MLR"
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

R_SCRIPT = """suppressMessages(library(lavaan)); library(jsonlite)
args <- commandArgs(TRUE)
d <- read.csv(args[1]); m <- paste(readLines(args[2]), collapse = "\\n")
f <- cfa(m, data = d, missing = "ml", estimator = args[4])
fm <- fitMeasures(f)
std <- standardizedSolution(f)
mi <- modindices(f, sort. = TRUE, maximum.number = 10)
write(toJSON(list(fit = as.list(fm), std = std[std$op == "=~", c("lhs", "rhs", "est.std")],
                  mi = mi[, c("lhs", "op", "rhs", "mi")]), digits = NA, auto_unbox = TRUE), args[3])
"""


def make_data(tmp: Path, n: int, share: float) -> tuple[Path, Path, int]:
    import toolkit
    from toolkit.psychometrics.cfa_input import prepare

    inst = toolkit.load_instrument("collective-data-use")
    raw = toolkit.simulate(inst, n=n, groups=100, seed=1, missing=share, dont_know=0.0, attention_fail=0.0)
    prep = prepare(raw, instrument=inst, missing="fiml")
    items = prep.spec.observed
    data = tmp / "cfa_fiml_bench.csv"
    prep.data[items].to_csv(data, index=False)
    model = tmp / "model.txt"
    model.write_text(prep.spec.to_syntax() + "\n")
    complete = int(prep.data[items].notna().all(axis=1).sum())
    print(f"data: {len(prep.data)} rows x {len(items)} items, {len(prep.spec.factors)} factors, "
          f"{prep.data[items].isna().to_numpy().mean():.1%} of answers missing, {complete} complete rows")
    return data, model, len(items)


def run(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed: {r.stderr.strip()[-500:]}")
    return dt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--missing", type=float, default=0.10)
    ap.add_argument("--mlr", action="store_true")
    a = ap.parse_args()
    est = "MLR" if a.mlr else "ML"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data, model, _ = make_data(tmp, a.n, a.missing)
        hls = shutil.which("hls")
        cmd = ([hls] if hls else [sys.executable, "-m", "toolkit.cli.main"]) + [
            "analyze", "cfa", str(data), "--model", model.read_text(), "--estimator", est.lower(), "--json"]
        t0 = time.perf_counter()
        r = subprocess.run(cmd, capture_output=True, text=True)
        t_ours = time.perf_counter() - t0
        if r.returncode != 0:
            raise SystemExit(f"hls failed: {r.stderr.strip()[-500:]}")
        ours = json.loads(r.stdout)
        f = ours["fit"]
        print(f"hls analyze cfa (FIML, {est}):  {t_ours:8.1f} s   chi2 = {f['chisq']:.4f} (df {f['df']}), "
              f"CFI {f['cfi']:.4f}, RMSEA {f['rmsea']:.4f}, SRMR {f['srmr']:.4f}, CFI robust {f['cfi_robust']:.4f}")
        rscript = shutil.which("Rscript")
        if rscript is None:
            print("lavaan: Rscript not found; install r-base-core and r-cran-lavaan to compare")
            return
        ok = subprocess.run([rscript, "-e", "library(lavaan); library(jsonlite)"], capture_output=True)
        if ok.returncode != 0:
            print("lavaan: the R packages lavaan and jsonlite are not installed; skipped")
            return
        script = tmp / "lavaan.R"
        script.write_text(R_SCRIPT)
        lav_json = tmp / "lavaan.json"
        t_lav = run([rscript, str(script), str(data), str(model), str(lav_json), est])
        lav = json.loads(lav_json.read_text())
        lf = lav["fit"]
        print(f"lavaan cfa + fitMeasures (FIML, {est}): {t_lav:8.1f} s   chi2 = {lf['chisq']:.4f}, "
              f"CFI {lf['cfi']:.4f}, RMSEA {lf['rmsea']:.4f}, SRMR {lf['srmr']:.4f}, CFI robust {lf['cfi.robust']:.4f}")
        keys = ["chisq", "cfi", "tli", "rmsea", "srmr", "logl", "unrestricted.logl", "aic", "bic", "cfi.robust",
                "tli.robust", "rmsea.robust"] + (["chisq.scaled", "cfi.scaled", "rmsea.scaled"] if a.mlr else [])
        ours_map = {"logl": "loglik", "unrestricted.logl": "loglik_unrestricted"}
        diffs = {k: abs(f[ours_map.get(k, k.replace(".", "_"))] - lf[k]) / max(1.0, abs(lf[k]))
                 for k in keys if ours_map.get(k, k.replace(".", "_")) in f}
        worst = max(diffs, key=diffs.get)
        std = {f"{r['lhs']}=~{r['rhs']}": r["est.std"] for r in lav["std"]}
        dstd = max(abs(ours["std_loadings"][k] - v) for k, v in std.items())
        top = [(m["lhs"], m["op"], m["rhs"]) for m in ours["modification_indices"]]
        same_mi = top == [(m["lhs"], m["op"], m["rhs"]) for m in lav["mi"]]
        print(f"largest relative difference in the fit statistics: {diffs[worst]:.1e} ({worst}); "
              f"standardized loadings: {dstd:.1e}; same ten largest modification indices: {same_mi}")
        print(f"ratio lavaan / hls: {t_lav / t_ours:.1f}x (whole process against whole process)")


if __name__ == "__main__":
    main()
