"""Throughput and memory of ``hls code run`` against the raw spaCy baseline.

Builds synthetic corpora by recombining the turns of the six sample interviews with a seeded RNG into many
documents (written to a temporary folder), then measures

* end to end: ``hls code run FOLDER --codebook hls-theory --skip-speaker Interviewer --csv OUT`` in a fresh
  process (reading, normalising, sentence units, matching, streaming CSV), words/s and peak RSS;
* baseline: the same ``nlp`` and compiled matchers over the same turn texts already in memory
  (``nlp.pipe`` + ``Coder.code_units`` per sentence), no I/O;

* end to end with the review workbook: the same run with ``-o review.xlsx`` too (the table writer streams
  the sheet; the rows it must hold are the only thing that grows);
* Dask: the same run with ``--scheduler dask --workers 2`` (a 2-worker LocalCluster, started inside the
  run) at the largest size, if the dask extra is installed;

and prints the ratios. Targets: end to end (with and without the workbook) >= 0.5 x baseline, peak RSS flat
in corpus size except for the workbook rows.

    python bench/coding_throughput.py [--words 300000 1000000] [--no-dask]
"""
from __future__ import annotations

import argparse
import json
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "transcripts"
TURN_RE = re.compile(r"^([A-Z][A-Za-z ]{0,30}): (.+)$")


def sample_turns() -> tuple[list[str], list[str]]:
    questions, answers = [], []
    for p in sorted(SAMPLE.glob("INT*.txt")):
        for line in p.read_text(encoding="utf-8").splitlines():
            m = TURN_RE.match(line)
            if m:
                (questions if m.group(1) == "Interviewer" else answers).append(m.group(2))
    return questions, answers


def build_corpus(folder: Path, words: int, seed: int = 1) -> tuple[int, int]:
    """Write documents of ~2,000 words (alternating Interviewer / respondent turns) until *words* is reached."""
    rng = random.Random(seed)
    questions, answers = sample_turns()
    names = ["Sam", "Priya", "Jordan", "Helen", "Marta", "Gareth", "Aisha", "Tom"]
    total = docs = 0
    while total < words:
        parts = [f"---\ninterview_id: S{docs:05d}\ngroup: g{docs % 12}\n---"]
        doc_words = 0
        who = rng.choice(names)
        while doc_words < 2000:
            q, a = rng.choice(questions), rng.choice(answers)
            parts.append(f"Interviewer: {q}\n\n{who}: {a}\n")
            doc_words += len(q.split()) + len(a.split())
        (folder / f"doc{docs:05d}.txt").write_text("\n".join(parts), encoding="utf-8")
        total += doc_words
        docs += 1
    return total, docs


def child_end_to_end(folder: str, out: str, extra_json: str = "[]") -> None:
    extra = json.loads(extra_json)  # extra CLI options, passed as JSON (argparse would read "-o" as its own)
    t0 = time.perf_counter()
    from toolkit.cli.main import main
    from toolkit.coding.pipeline import build_nlp

    build_nlp()  # start-up: importing spaCy and setting up the pipeline (cached, so the run below reuses it)
    t1 = time.perf_counter()
    rc = main(["code", "run", folder, "--codebook", "hls-theory", "--skip-speaker", "Interviewer", "--csv", out,
               *extra])
    t2 = time.perf_counter()
    print(json.dumps({"rc": rc, "startup": t1 - t0, "seconds": t2 - t0, "run": t2 - t1,
                      "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


def child_baseline(folder: str) -> None:
    from toolkit.coding.codebook import load_codebook
    from toolkit.coding.pipeline import Coder, build_nlp
    from toolkit.coding.transcripts import iter_documents

    texts = []
    for doc in iter_documents([folder]):
        texts.extend(t.text for t in doc.turns)  # all turns: the end-to-end run also tokenises interviewer turns
    words = sum(len(t.split()) for t in texts)
    nlp = build_nlp()
    coder = Coder(load_codebook("hls-theory"), nlp)
    t0 = time.perf_counter()
    hits = 0
    for d in nlp.pipe(texts, batch_size=256):
        hits += sum(len(u) for u in coder.code_units(d, [(s.start, s.end) for s in d.sents]))
    secs = time.perf_counter() - t0
    print(json.dumps({"seconds": secs, "words": words, "hits": hits,
                      "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))


def run_child(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--words", type=int, nargs="+", default=[300_000, 1_000_000])
    ap.add_argument("--no-dask", action="store_true", help="skip the Dask LocalCluster comparison")
    ap.add_argument("--repeat", type=int, default=3, help="runs of each measurement, interleaved; best is kept "
                    "(the box is shared, so single runs are noisy)")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        if args.child[0] == "e2e":
            child_end_to_end(*args.child[1:])
        else:
            child_baseline(args.child[1])
        return 0
    print(f"python {sys.version.split()[0]}, corpus from {len(sample_turns()[1])} respondent turns of the sample "
          f"interviews (seed 1); best of {args.repeat} interleaved runs each; peak RSS = max over the runs")
    print(f"{'corpus words':>12} {'docs':>5} | {'e2e w/s':>8} {'(no start-up)':>13} {'peak RSS':>9} | "
          f"{'+workbook w/s':>13} {'peak RSS':>9} | {'baseline w/s':>12} {'peak RSS':>9} | ratio csv  +xlsx | rows")
    try:
        import distributed  # noqa: F401
        have_dask = not args.no_dask
    except ImportError:
        have_dask = False
    dask_line = None
    for target in args.words:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "corpus"
            folder.mkdir()
            words, docs = build_corpus(folder, target)
            out = Path(tmp) / "codings.csv"
            xlsx = Path(tmp) / "review.xlsx"
            e2es, wbs, bases = [], [], []
            for _ in range(args.repeat):
                e2es.append(run_child("--child", "e2e", str(folder), str(out)))
                out.unlink()
                wbs.append(run_child("--child", "e2e", str(folder), str(out), json.dumps(["-o", str(xlsx)])))
                out.unlink()
                xlsx.unlink()
                bases.append(run_child("--child", "base", str(folder)))
            e2e = min(e2es, key=lambda r: r["seconds"])
            e2e["run"] = min(r["run"] for r in e2es)
            e2e["maxrss_kb"] = max(r["maxrss_kb"] for r in e2es)
            wb = min(wbs, key=lambda r: r["seconds"])
            wb["maxrss_kb"] = max(r["maxrss_kb"] for r in wbs)
            base = min(bases, key=lambda r: r["seconds"])
            base["maxrss_kb"] = max(r["maxrss_kb"] for r in bases)
            run_child("--child", "e2e", str(folder), str(out))
            rows = sum(1 for _ in out.open(encoding="utf-8")) - 1
            assert all(r["rc"] == 0 for r in e2es + wbs), e2es + wbs
            e_rate = words / e2e["seconds"]
            r_rate = words / e2e["run"]
            w_rate = words / wb["seconds"]
            b_rate = base["words"] / base["seconds"]
            print(f"{words:>12,} {docs:>5} | {e_rate:>8,.0f} {r_rate:>13,.0f} {e2e['maxrss_kb'] / 1024:>7.0f}MB | "
                  f"{w_rate:>13,.0f} {wb['maxrss_kb'] / 1024:>7.0f}MB | "
                  f"{b_rate:>12,.0f} {base['maxrss_kb'] / 1024:>7.0f}MB | {e_rate / b_rate:5.2f} {w_rate / b_rate:6.2f} | "
                  f"{rows:,}   (start-up {e2e['startup']:.1f}s)", flush=True)
            if have_dask and target == max(args.words):
                single = Path(tmp) / "single.csv"
                run_child("--child", "e2e", str(folder), str(single))
                dout = Path(tmp) / "dask.csv"
                dk = run_child("--child", "e2e", str(folder), str(dout),
                               json.dumps(["--scheduler", "dask", "--workers", "2"]))
                same = single.read_bytes() == dout.read_bytes()
                dask_line = (f"Dask, {words:,} words: single process {words / e2e['seconds']:,.0f} w/s "
                             f"({e2e['seconds']:.1f}s) vs 2-worker LocalCluster {words / dk['seconds']:,.0f} w/s "
                             f"({dk['seconds']:.1f}s, cluster start-up included): speed-up "
                             f"{e2e['seconds'] / dk['seconds']:.2f}x; rows identical to the single-process CSV: "
                             f"{same}")
    if dask_line:
        print(dask_line)
    elif not args.no_dask:
        print('Dask comparison skipped: pip install "hls-toolkit[dask]"')
    print("e2e = fresh process running 'hls code run FOLDER --csv OUT' (+workbook: also -o review.xlsx): importing\n"
          "spaCy + pipeline set-up (start-up),\n"
          "codebook + matcher compilation, reading, normalising, coding, streaming CSV; '(no start-up)' leaves out\n"
          "the one-off start-up. baseline = same nlp + matchers over the same turn texts held in memory (its RSS\n"
          "includes the texts).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
