"""Speed of reading workbooks through toolkit.survey.workbook (xlsx, LibreOffice ods, Excel 97-2003 xls), against
pandas.read_excel with the same engine (openpyxl, odf, xlrd) in the same run.

A 5,000 x 40 survey table (simulated answers of collective-data-use, codes and ids) is written as .xlsx and .ods
by pandas and converted to .xls by LibreOffice when ``soffice`` is installed; each is read with
``toolkit.read_table`` (the entry point of every analysis command) and with ``pandas.read_excel``.

    python bench/workbooks.py
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pandas as pd

import toolkit
from timing import best_of  # bench/ is on sys.path when run as a script

ENGINES = {".xlsx": "openpyxl", ".ods": "odf", ".xls": "xlrd"}


def main(n: int = 5000):
    df = toolkit.simulate("collective-data-use", n=n, groups=100, seed=3).iloc[:, :40]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        files = {".xlsx": tmp / "t.xlsx", ".ods": tmp / "t.ods"}
        df.to_excel(files[".xlsx"], index=False, engine="openpyxl")
        df.to_excel(files[".ods"], index=False, engine="odf")
        if shutil.which("soffice"):
            subprocess.run(["soffice", "--headless", "--convert-to", "xls", "--outdir", str(tmp), str(files[".xlsx"])],
                           check=True, capture_output=True, timeout=300)
            files[".xls"] = tmp / "t.xls"
        for suffix, path in files.items():
            ours, got = best_of(lambda: toolkit.read_table(path), repeat=2)
            base, ref = best_of(lambda: pd.read_excel(path, engine=ENGINES[suffix]), repeat=2)
            assert got.shape == ref.shape == df.shape
            print(f"{suffix:5} {n} x {df.shape[1]}: read_table {ours:.2f} s, pandas.read_excel({ENGINES[suffix]}) "
                  f"{base:.2f} s; ratio {ours / base:.2f}x")


if __name__ == "__main__":
    main()
