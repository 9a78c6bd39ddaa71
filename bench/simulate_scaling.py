"""Bench: ``hls survey simulate`` (simulate + write CSV) must grow linearly with the number of items.

Issue 15: 2,000 items took 313 s and 6 GB because pandas deep-copied the true model in ``df.attrs`` on every
column operation. Prints seconds per size and per 1,000 items; the target is 2,000 items in under 10 s.

    python bench/simulate_scaling.py [--sizes 250,500,1000,2000] [-n 400]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _wide_instrument import wide_instrument  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="250,500,1000,2000")
    ap.add_argument("-n", type=int, default=400)
    ap.add_argument("--baseline-max-items", type=int, default=500,
                    help="Also time the old behaviour (true model deep-copied by pandas) up to this many items.")
    args = ap.parse_args()
    from toolkit.cli.main import main as hls

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for items in (int(s) for s in args.sizes.split(",")):
            yaml = wide_instrument(Path(tmp) / f"wide{items}.yaml", constructs=items // 5)
            out = Path(tmp) / f"sim{items}.csv"
            t0 = time.perf_counter()
            rc = hls(["survey", "simulate", str(yaml), "-n", str(args.n), "--groups", "40", "-o", str(out)])
            secs = time.perf_counter() - t0
            assert rc == 0, rc
            rows.append((items, secs))
            line = f"{items:>6} items x {args.n} respondents: {secs:6.2f} s  ({secs / items * 1000:5.2f} s per 1,000 items)"
            if items <= args.baseline_max_items:
                import importlib

                sim = importlib.import_module("toolkit.survey.simulate")

                shared = sim.SharedRecord
                sim.SharedRecord = dict  # before issue 15: a plain dict, deep-copied on every column operation
                try:
                    t0 = time.perf_counter()
                    assert hls(["survey", "simulate", str(yaml), "-n", str(args.n), "--groups", "40", "-o",
                                str(out), "--force"]) == 0
                    old = time.perf_counter() - t0
                finally:
                    sim.SharedRecord = shared
                line += f"; before the fix {old:6.2f} s ({old / secs:.0f}x slower)"
            print(line, flush=True)
    (small, t_small), (big, t_big) = rows[0], rows[-1]
    print(f"growth {small} -> {big} items: time x{t_big / t_small:.1f} for items x{big / small:.0f} "
          f"(linear = x{big / small:.0f}, quadratic = x{(big / small) ** 2:.0f}); "
          f"{big} items {'under' if t_big < 10 else 'OVER'} the 10 s target")


if __name__ == "__main__":
    main()
