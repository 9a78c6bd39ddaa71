"""Start-up of ``hls code run`` on one short transcript against a bare spaCy start, as whole processes.

Baseline: a fresh ``python`` that imports spaCy, builds ``spacy.blank("en")`` + ``sentencizer`` + the
lookup ``lemmatizer`` (spacy-lookups-data tables), initialises it and processes one sentence: the least any
offline lemmatising spaCy pipeline costs to start. Measured: a fresh ``python -m toolkit code run FILE
--codebook hls-theory --csv OUT`` on the shortest sample interview (reading, coding, writing included).
Both are run ``--repeat`` times interleaved in the same session; the best of each is compared (the box is
shared). The first ``hls`` run also fills the user cache (compiled codebook, lemma table); it is reported
separately as the cold start. Target: warm ratio <= 1.5.

    python bench/coding_startup.py [--repeat 5]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "transcripts"
BARE = ("import spacy\n"
        "nlp = spacy.blank('en')\n"
        "nlp.add_pipe('sentencizer')\n"
        "nlp.add_pipe('lemmatizer', config={'mode': 'lookup'})\n"
        "nlp.initialize()\n"
        "nlp('We sat down with the partners and went through the numbers.')\n")


def timed(cmd, env) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, env=env, cwd=ROOT)
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    short = min(SAMPLE.glob("INT*.txt"), key=lambda p: p.stat().st_size)
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, HLS_CACHE_DIR=str(Path(tmp) / "cache"), PYTHONPATH=str(ROOT))
        out = Path(tmp) / "codings.csv"
        hls = [sys.executable, "-m", "toolkit", "code", "run", str(short), "--codebook", "hls-theory",
               "--skip-speaker", "Interviewer", "--csv", str(out)]
        bare = [sys.executable, "-c", BARE]

        def run_hls():
            if out.exists():
                out.unlink()
            return timed(hls, env)

        timed(bare, env)  # warm the OS file cache for both
        cold = run_hls()
        b, h = [], []
        for _ in range(args.repeat):
            b.append(timed(bare, env))
            h.append(run_hls())
        missing = [sys.executable, "-m", "toolkit", "code", "run", str(Path(tmp) / "nope.txt"), "--codebook",
                   "hls-theory", "--csv", str(Path(tmp) / "x.csv")]
        t0 = time.perf_counter()
        res = subprocess.run(missing, capture_output=True, text=True, env=env, cwd=ROOT)
        t_missing = time.perf_counter() - t0
    print(f"one transcript: {short.name} ({len(short.read_text(encoding='utf-8').split()):,} words); best of "
          f"{args.repeat} interleaved runs")
    print(f"bare spaCy start (blank en + sentencizer + lookup lemmatizer + 1 sentence): {min(b):.2f}s "
          f"(median {sorted(b)[len(b) // 2]:.2f}s)")
    print(f"hls code run, warm cache:  {min(h):.2f}s (median {sorted(h)[len(h) // 2]:.2f}s)   "
          f"ratio {min(h) / min(b):.2f}  (target <= 1.5)")
    print(f"hls code run, cold cache (first run: compiles and caches the codebook and lemma table): {cold:.2f}s "
          f"ratio {cold / min(b):.2f}")
    print(f"missing input: exit {res.returncode} in {t_missing:.2f}s: {res.stderr.strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
