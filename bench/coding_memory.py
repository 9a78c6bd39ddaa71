"""Peak memory of ``hls code run`` on one long transcript: 1, 10, 50 and 200 MB of text.

Each size is one ``.txt`` transcript (alternating Interviewer / respondent turns recombined from the six sample
interviews with a seeded RNG), coded in a fresh process with
``hls code run FILE --codebook hls-theory --skip-speaker Interviewer --csv OUT`` (the CSV streams, so no row
has to be kept). The baseline, measured in the same run, is a fresh process that only sets the coding up
(spaCy, the pipeline, the compiled codebook) and codes one sentence. The last row is a 10 MB transcript whose
respondent turns are 2 MB each (coded in pieces).

Target (issue 15): peak RSS flat within 2x from 10 MB up; it used to grow ~63 MB per MB of text.

    python bench/coding_memory.py [--mb 1 10 50 200]
"""
from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from coding_throughput import sample_turns  # the same recombined sample turns (bench/ is on sys.path)


def build(path: Path, mb: float, turn_mb: float = 0, seed: int = 1) -> int:
    """Write one transcript of about *mb* MB; respondent turns of about *turn_mb* MB if given. Returns words."""
    rng = random.Random(seed)
    questions, answers = sample_turns()
    target = int(mb * 1_000_000)
    size = words = 0
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("---\ninterview_id: BIG\ngroup: g1\n---\n")
        while size < target:
            q = rng.choice(questions)
            parts = [rng.choice(answers)]
            while turn_mb and sum(map(len, parts)) < turn_mb * 1_000_000:
                parts.append(rng.choice(answers))
            a = " ".join(parts)
            chunk = f"Interviewer: {q}\n\nSam: {a}\n\n"
            fh.write(chunk)
            size += len(chunk.encode("utf-8"))
            words += len(q.split()) + len(a.split())
    return words


def child(path: str, out: str) -> None:
    t0 = time.perf_counter()
    from toolkit.cli.main import main

    rc = main(["code", "run", path, "--codebook", "hls-theory", "--skip-speaker", "Interviewer", "--csv", out])
    print(json.dumps({"rc": rc, "seconds": time.perf_counter() - t0,
                      "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


def child_baseline() -> None:
    from toolkit.coding.codebook import load_codebook
    from toolkit.coding.pipeline import Coder, build_nlp

    coder = Coder(load_codebook("hls-theory"), build_nlp())
    coder.codes_in("We sat down with the partners and went through the numbers together.")
    print(json.dumps({"maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


def run_child(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mb", type=float, nargs="+", default=[1, 10, 50, 200])
    ap.add_argument("--giant-turn-mb", type=float, default=2.0, help="turn size of the last row (0: no row)")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    ap.add_argument("--baseline", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(*args.child)
    if args.baseline:
        return child_baseline()
    base = run_child("--baseline")["maxrss_kb"] / 1024
    print(f"baseline (pipeline + codebook set up, nothing coded): peak RSS {base:.0f} MB")
    print(f"{'text':>22} {'words':>12} {'seconds':>8} {'words/s':>9} {'peak RSS MB':>12} {'x baseline':>10} "
          f"{'x 10 MB':>8}")
    rows = [(mb, 0.0) for mb in args.mb] + ([(10.0, args.giant_turn_mb)] if args.giant_turn_mb else [])
    ref = None
    with tempfile.TemporaryDirectory() as tmp:
        for mb, turn_mb in rows:
            path = Path(tmp) / "big.txt"
            words = build(path, mb, turn_mb)
            res = run_child("--child", str(path), str(Path(tmp) / "out.csv"))
            if res["rc"] != 0:
                raise SystemExit(f"hls code run exited {res['rc']} at {mb} MB")
            rss = res["maxrss_kb"] / 1024
            if mb == 10 and not turn_mb:
                ref = rss
            label = f"{mb:g} MB" + (f", {turn_mb:g} MB turns" if turn_mb else "")
            print(f"{label:>22} {words:>12,} {res['seconds']:>8.1f} {words / res['seconds']:>9,.0f} {rss:>12.0f} "
                  f"{rss / base:>10.2f} {rss / ref if ref else float('nan'):>8.2f}", flush=True)
            path.unlink()


if __name__ == "__main__":
    main()
