"""Speed of toolkit.cfa / toolkit.invariance against semopy on the same model and data (same run).

CFA of the shipped ``collective-data-use`` instrument (8 constructs x 4-5 items, 37 items) on 5,000 simulated
respondents (``toolkit.simulate`` with no missing answers, so all 5,000 rows are complete cases). Ours: data
preparation (missing codes, reverse keying), ML fit, fit indices incl. RMSEA interval and SRMR, standard errors,
standardized solution, CR/AVE and HTMT. semopy: ``Model(desc).fit(data)`` (MLW objective, SLSQP) plus
``calc_stats`` on the same recoded complete cases. Then measurement invariance by ``role`` (6 groups;
configural, metric and scalar multi-group fits), which semopy cannot do (no cross-group constraints).

    python bench/cfa.py
"""
from __future__ import annotations

import time
import tracemalloc
import warnings

import numpy as np


def best_of(fn, repeat=3):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


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
    df = toolkit.simulate(inst, n=5000, groups=100, seed=1, missing=0.0, dont_know=0.0, attention_fail=0.0)
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


if __name__ == "__main__":
    main()
