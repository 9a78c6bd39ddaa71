"""Bench: large .xlsx answers through the toolkit's one spreadsheet reader (python-calamine) against today's
path before issue 15 (pandas ``read_excel`` with openpyxl), measured in the same run.

For each size it writes a simulated collective-data-use survey (45 columns) as .xlsx, then runs, each in its
own process so peak memory is measured per run (``ru_maxrss`` of the child):

* ``read``        ``toolkit.survey.table.read_table`` (what every analysis command reads with);
* ``import``      ``hls survey import FILE -o answers.csv``;
* ``reliability`` ``hls analyze reliability FILE -i collective-data-use --json``;

once with the toolkit as it is and once with the old reader put back (pandas/openpyxl for the table,
openpyxl read-only for sniffing headers and ``_meta`` sheets), and prints seconds, peak RSS and the speed-up.
Target (issue 15): at least 5x faster, bounded memory.

    python bench/large_spreadsheets.py [--rows 100000,1000000] [--ops read,import,reliability]
                                       [--baseline-max-rows N]   # skip the slow old path above N rows
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INSTRUMENT = "collective-data-use"

CHILD = r'''
import json, resource, sys, time
sys.path.insert(0, {root!r})
baseline, op, path, out = {baseline!r}, {op!r}, {path!r}, {out!r}
if baseline:  # today's path before issue 15: pandas read_excel through openpyxl
    import pandas as pd
    import toolkit.spreadsheets as sp

    def old_reader(p, sheet, typed):
        df = pd.read_excel(p, sheet_name=sheet, dtype=None if typed else object, engine="openpyxl")
        df.attrs.update(first_row=2, sheet=sheet if isinstance(sheet, str) else "Data")
        return df

    def old_rows(p, sheet=0, max_rows=None):  # sniffing opened the workbook with openpyxl (read-only)
        from openpyxl import load_workbook
        wb = load_workbook(p, read_only=True, data_only=True)
        try:
            if isinstance(sheet, str) and sheet not in wb.sheetnames:
                return []
            ws = wb[sheet] if isinstance(sheet, str) else wb.worksheets[sheet]
            return [list(r) for r in ws.iter_rows(max_row=max_rows, values_only=True)]
        finally:
            wb.close()

    sp.SHEET_READERS[".xlsx"] = old_reader
    sp.sheet_rows = old_rows
    sp.formula_cells_without_value = lambda *a, **k: []
t0 = time.perf_counter()
if op == "read":
    from toolkit.survey.table import read_table
    df = read_table(path)
    rc = 0 if len(df) else 1
else:
    from toolkit.cli.main import main
    args = (["survey", "import", path, "-i", {instrument!r}, "-o", out, "--force"] if op == "import"
            else ["analyze", "reliability", path, "-i", {instrument!r}, "--json"])
    import io, contextlib
    with contextlib.redirect_stdout(io.StringIO()):
        rc = main(args)
secs = time.perf_counter() - t0
print(json.dumps({{"secs": secs, "rc": rc, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
'''


def make_xlsx(path: Path, rows: int) -> None:
    """A simulated survey written with the toolkit's streaming xlsx writer (inline strings, numbers)."""
    from xml.sax.saxutils import escape

    import numpy as np

    import toolkit
    from toolkit.report.xlsx import Sheet, Workbook

    df = toolkit.simulate(INSTRUMENT, n=min(rows, 200_000), groups=200, seed=1)
    reps = -(-rows // len(df))
    cols = list(df.columns)
    letters = []
    for j in range(len(cols)):
        s, k = "", j + 1
        while k:
            k, r = divmod(k - 1, 26)
            s = chr(65 + r) + s
        letters.append(s)
    values = [df[c].astype(object).where(df[c].notna(), None).tolist() for c in cols]

    def cell(ref, v):
        if v is None:
            return ""
        if isinstance(v, (int, float, np.integer, np.floating)):
            return f'<c r="{ref}"><v>{v}</v></c>'
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(v))}</t></is></c>'

    def chunks():
        yield '<row r="1">' + "".join(cell(f"{letters[j]}1", c) for j, c in enumerate(cols)) + "</row>"
        r = 1
        for rep in range(reps):
            buf = []
            for i in range(len(df)):
                r += 1
                if r > rows + 1:
                    break
                buf.append(f'<row r="{r}">' + "".join(cell(f"{letters[j]}{r}", values[j][i])
                                                      for j in range(len(cols))) + "</row>")
                if len(buf) >= 5000:
                    yield "".join(buf)
                    buf = []
            if buf:
                yield "".join(buf)

    wb = Workbook(path)
    wb.write_sheet(Sheet("Data"), chunks())
    wb.close(properties={"creator": "bench"})


def run(op: str, path: Path, out: Path, baseline: bool) -> dict:
    code = CHILD.format(root=str(ROOT), baseline=baseline, op=op, path=str(path), out=str(out),
                        instrument=INSTRUMENT)
    env = dict(os.environ, HLS_NO_PROGRESS="1")
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    if proc.returncode != 0 or not proc.stdout.strip():
        return {"secs": time.perf_counter() - t0, "rc": proc.returncode, "rss_mb": float("nan"),
                "error": (proc.stderr or proc.stdout).strip().splitlines()[-1:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", default="100000,1000000")
    ap.add_argument("--ops", default="read,import,reliability")
    ap.add_argument("--baseline-max-rows", type=int, default=10 ** 9)
    ap.add_argument("--keep", default=None, help="Folder to keep the generated workbooks in (reused when present).")
    args = ap.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="hls-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"{'rows':>9} {'op':<12} {'toolkit s':>10} {'RSS MB':>8} {'old s':>9} {'RSS MB':>8} {'speed-up':>9}",
          flush=True)
    for rows in (int(r) for r in args.rows.split(",")):
        path = folder / f"survey-{rows}.xlsx"
        if not path.exists():
            t0 = time.perf_counter()
            make_xlsx(path, rows)
            print(f"# wrote {path.name}: {path.stat().st_size / 2 ** 20:.0f} MB in {time.perf_counter() - t0:.0f}s",
                  flush=True)
        for op in args.ops.split(","):
            new = run(op, path, folder / "answers.csv", baseline=False)
            old = run(op, path, folder / "answers-old.csv", baseline=True) \
                if rows <= args.baseline_max_rows else None
            line = f"{rows:>9} {op:<12} {new['secs']:>10.1f} {new['rss_mb']:>8.0f}"
            if old is not None:
                line += f" {old['secs']:>9.1f} {old['rss_mb']:>8.0f} {old['secs'] / new['secs']:>8.1f}x"
            else:
                line += f" {'(skipped)':>9}"
            for r in (new, old):
                if r is not None and r.get("error"):
                    line += f"  [rc {r['rc']}: {r['error']}]"
            print(line, flush=True)


if __name__ == "__main__":
    main()
