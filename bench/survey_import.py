"""Speed of survey import, validation and scoring, against a baseline measured in the same run.

    python bench/survey_import.py

Baselines: pandas.read_csv of the same CSV (import of a big table), openpyxl.load_workbook of the same xlsx
files (import of filled questionnaires). Prints seconds and ratios.
"""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

import toolkit
from toolkit.survey.samples import questionnaires

INSTRUMENT = "collective-data-use"


def timed(fn, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def main():
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        n = 20000
        sim = toolkit.simulate(INSTRUMENT, n=n, groups=400, seed=1)
        csv = tmp / "big.csv"
        sim.to_csv(csv, index=False)
        base, _ = timed(lambda: pd.read_csv(csv))
        imp, (data, report) = timed(lambda: toolkit.read_survey(csv, INSTRUMENT), repeat=1)
        sc, _ = timed(lambda: toolkit.score(sim, INSTRUMENT))
        print(f"table import+validate, {n} respondents x {sim.shape[1]} columns: {imp:.2f} s "
              f"(pandas.read_csv {base:.3f} s; ratio {imp / base:.0f}x; {n / imp:,.0f} respondents/s)")
        print(f"score {n} respondents: {sc:.2f} s ({n / sc:,.0f} respondents/s)")

        k = 100
        files = questionnaires(sim.head(k), INSTRUMENT, tmp / "q")
        base_q, _ = timed(lambda: [load_workbook(f, data_only=True).close() for f in files], repeat=1)
        imp_q, (qdata, _) = timed(lambda: toolkit.read_survey(tmp / "q", INSTRUMENT), repeat=1)
        assert len(qdata) == k
        print(f"{k} filled questionnaires: {imp_q:.2f} s (openpyxl.load_workbook alone {base_q:.2f} s; "
              f"ratio {imp_q / base_q:.2f}x; {imp_q / k * 1000:.0f} ms a file)")


if __name__ == "__main__":
    main()
