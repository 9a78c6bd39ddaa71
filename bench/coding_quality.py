"""Auto-coding quality against the gold coding of the six sample interviews.

Runs the default offline pipeline (``hls code run ... --skip-speaker Interviewer``) on
``sample_data/transcripts/`` and prints precision, recall and F1 per code, micro- and macro-averaged,
against ``sample_data/transcripts/gold.csv`` (one coder, coded by reading before the rules were tuned).

    python bench/coding_quality.py [--errors N]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "transcripts"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--errors", type=int, default=0, help="print this many false positives/negatives per code")
    args = ap.parse_args()
    import pandas as pd

    from toolkit.cli.main import main as hls
    from toolkit.coding.evaluate import evaluate_coding

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "codings.csv"
        t0 = time.perf_counter()
        rc = hls(["code", "run", str(SAMPLE), "--codebook", "hls-theory", "--skip-speaker", "Interviewer",
                  "--csv", str(out)])
        secs = time.perf_counter() - t0
        if rc != 0:
            print(f"hls code run failed (exit {rc})")
            return 1
        pred = pd.read_csv(out, keep_default_na=False)
    res = evaluate_coding(SAMPLE / "gold.csv", pred)
    pd.set_option("display.width", 140)
    print(f"hls code run on {SAMPLE.relative_to(ROOT)}: {len(pred)} coding rows in {secs:.1f}s")
    print("alignment:", res.alignment)
    tab = res.per_code.copy()
    for c in ("precision", "recall", "f1"):
        tab[c] = tab[c].map(lambda v: "  n/a" if pd.isna(v) else f"{v:.3f}")
    print(tab.to_string(index=False))
    m, M = res.micro, res.macro
    print(f"\nmicro: precision {m['precision']:.3f}  recall {m['recall']:.3f}  F1 {m['f1']:.3f}  "
          f"(TP {m['tp']}, FP {m['fp']}, FN {m['fn']})")
    print(f"macro: precision {M['precision']:.3f}  recall {M['recall']:.3f}  F1 {M['f1']:.3f}")
    if args.errors:
        for (code, kind), grp in res.errors.groupby(["code", "kind"]):
            print(f"\n== {code} {kind.upper()} ({len(grp)})")
            for r in grp.head(args.errors).itertuples():
                print(f"   {r.document}#{r.unit_index}: {r.text[:150]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
