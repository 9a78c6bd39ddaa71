"""Speed of toolkit.cfa / toolkit.invariance against semopy on the same model and data (same run).

CFA of the shipped ``collective-data-use`` instrument (8 constructs x 4-5 items, 37 items) on 5,000 simulated
respondents (``toolkit.simulate`` with no missing answers, so all 5,000 rows are complete cases). Ours: data
preparation (missing codes, reverse keying), ML fit, fit indices incl. RMSEA interval and SRMR, standard errors,
standardized solution, CR/AVE and HTMT. semopy: ``Model(desc).fit(data)`` (MLW objective, SLSQP) plus
``calc_stats`` on the same recoded complete cases. Then measurement invariance by ``role`` (6 groups;
configural, metric and scalar multi-group fits), which semopy cannot do (no cross-group constraints).

    python bench/cfa.py            # add --lavaan to also time lavaan 0.6 through Rscript on the same data
"""
from __future__ import annotations

import sys
import tracemalloc
import warnings

import numpy as np

from timing import best_of  # bench/ is on sys.path when run as a script




def peak_mb(fn):
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2 ** 20


def main():
    import toolkit
    from toolkit.psychometrics.cfa import prepare

    inst = toolkit.load_instrument("collective-data-use")
    df = _data(inst)
    prep = prepare(df, instrument=inst)
    print(f"data: {len(df)} simulated respondents, {len(prep.spec.observed)} items, "
          f"{len(prep.spec.factors)} factors; {len(prep.data)} complete cases")

    toolkit.cfa(df, instrument=inst)  # warm up imports
    t_ours, res = best_of(lambda: toolkit.cfa(df, instrument=inst))
    mem = peak_mb(lambda: toolkit.cfa(df, instrument=inst))
    print(f"toolkit.cfa:        {t_ours:7.3f} s   peak traced memory {mem:6.1f} MB   "
          f"chi2 = {res.fit['chisq']:.4f} (df {res.fit['df']}), CFI {res.fit['cfi']:.4f}, "
          f"RMSEA {res.fit['rmsea']:.4f}, SRMR {res.fit['srmr']:.4f}")

    import semopy

    desc = prep.spec.to_syntax()
    data = prep.data[prep.spec.observed]

    def run_semopy():
        m = semopy.Model(desc)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m.fit(data)
            return semopy.calc_stats(m)

    t_sem, st = best_of(run_semopy)
    sem_chi2 = float(st.loc["Value", "chi2"])
    print(f"semopy fit+stats:   {t_sem:7.3f} s   chi2 = {sem_chi2:.4f} (df {int(st.loc['Value', 'DoF'])}), "
          f"CFI {float(st.loc['Value', 'CFI']):.4f}, RMSEA {float(st.loc['Value', 'RMSEA']):.4f} (N-1)")
    print(f"ratio semopy / toolkit: {t_sem / t_ours:.1f}x   |chi2 difference| = {abs(sem_chi2 - res.fit['chisq']):.2e}")

    t_inv, inv = best_of(lambda: toolkit.invariance(df, group="role", instrument=inst), repeat=1)
    mem_inv = peak_mb(lambda: toolkit.invariance(df, group="role", instrument=inst))
    t = inv.table.set_index("step")
    print(f"toolkit.invariance by role ({len(inv.groups)} groups, 3 multi-group fits): {t_inv:.3f} s, "
          f"peak traced memory {mem_inv:.1f} MB")
    for step in ("configural", "metric", "scalar"):
        print(f"  {step:10s} chi2 = {t.loc[step, 'chisq']:.3f} (df {t.loc[step, 'df']}), CFI {t.loc[step, 'cfi']:.4f}, "
              f"RMSEA {t.loc[step, 'rmsea']:.4f}, npar {t.loc[step, 'npar']}")
    print("semopy: no equality constraints across groups, so no metric/scalar baseline")
    assert np.isfinite(res.fit["chisq"])
    if "--lavaan" in sys.argv:
        lavaan(prep, inv, res, t_ours, t_inv, inst)


def lavaan(prep, inv, res, t_ours, t_inv, inst):
    """Optional: time lavaan 0.6 (R) on the same data; only the cfa() calls are timed, not R's start-up."""
    import json
    import shutil
    import subprocess
    import tempfile
    from pathlib import Path

    from toolkit.psychometrics.cfa import prepare

    if not shutil.which("Rscript"):
        print("lavaan: Rscript not found")
        return
    with tempfile.TemporaryDirectory() as tmp:
        data = prepare(_data(inst), instrument=inst, group="role").data
        data.to_csv(Path(tmp) / "d.csv", index=False)
        (Path(tmp) / "m.txt").write_text(prep.spec.to_syntax() + "\n")
        script = f"""suppressMessages(library(lavaan)); library(jsonlite)
d <- read.csv("{tmp}/d.csv"); m <- paste(readLines("{tmp}/m.txt"), collapse = "\\n")
out <- list(); t <- system.time(f <- cfa(m, data = d))[["elapsed"]]
out$single <- list(time = t, chisq = fitMeasures(f, "chisq"))
t <- 0; x <- c()
for (eq in list("", "loadings", c("loadings", "intercepts"))) {{
  t <- t + system.time(g <- cfa(m, data = d, group = "role", group.equal = eq))[["elapsed"]]
  x <- c(x, fitMeasures(g, "chisq")) }}
out$invariance <- list(time = t, chisq = unname(x))
cat(toJSON(out, digits = NA, auto_unbox = TRUE))"""
        (Path(tmp) / "b.R").write_text(script)
        r = subprocess.run(["Rscript", str(Path(tmp) / "b.R")], capture_output=True, text=True)
    if r.returncode != 0:
        print("lavaan failed:", r.stderr.strip().splitlines()[-1:])
        return
    out = json.loads(r.stdout.strip().splitlines()[-1])
    ts, ti = out["single"]["time"], out["invariance"]["time"]
    print(f"lavaan cfa():       {ts:7.3f} s   ratio lavaan / toolkit {ts / t_ours:.1f}x   "
          f"|chi2 difference| = {abs(out['single']['chisq'] - res.fit['chisq']):.2e}")
    ours = inv.table["chisq"].to_numpy()
    print(f"lavaan invariance:  {ti:7.3f} s   ratio lavaan / toolkit {ti / t_inv:.1f}x   "
          f"max |chi2 difference| = {np.max(np.abs(np.asarray(out['invariance']['chisq']) - ours)):.2e}")


def _data(inst):
    import toolkit

    return toolkit.simulate(inst, n=5000, groups=100, seed=1, missing=0.0, dont_know=0.0, attention_fail=0.0)


if __name__ == "__main__":
    main()
