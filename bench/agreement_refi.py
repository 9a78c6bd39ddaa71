"""Speed and memory of inter-coder agreement and REFI-QDA export/import on a synthetic large corpus.

    python bench/agreement_refi.py [--docs 200] [--sentences 250]

Corpus: DOCS documents x SENTENCES sentences (two speakers alternating turns of 5 sentences), 24 codes at
about 4% prevalence each, two coders who agree on ~90% of the coded units; codings carry code-point
offsets, so agreement has to place every coding on the sentences it overlaps.

Baseline measured in the same run: the bare statistics (``krippendorff.alpha`` + kappa per code) on
ready-made coder x unit matrices, i.e. what agreement would cost with no reading and no alignment.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from toolkit.coding.agreement import agreement, cohen_kappa, krippendorff_alpha  # noqa: E402
from toolkit.coding.transcripts.model import Document, Sentence, Turn  # noqa: E402

CODES = [f"theme.code_{i:02d}" for i in range(24)]
WORDS = "we look at the numbers together and talk about what they mean for the people we support".split()


def corpus(n_docs: int, n_sent: int, rng) -> list[Document]:
    docs = []
    for d in range(n_docs):
        parts, turns, sents, pos = [], [], [], 0
        for t in range(n_sent // 5):
            speaker = "Interviewer" if t % 2 == 0 else "Ana"
            label = f"{speaker}: "
            if parts:
                parts.append("\n\n")
                pos += 2
            pos += len(label)
            parts.append(label)
            start_turn = pos
            texts = []
            for _ in range(5):
                w = rng.choice(WORDS, size=rng.integers(6, 16))
                texts.append(" ".join(w).capitalize() + ".")
            body = " ".join(texts)
            parts.append(body)
            p = start_turn
            for s in texts:
                sents.append(Sentence(len(sents), t, speaker, p, p + len(s), s))
                p += len(s) + 1
            turns.append(Turn(t, speaker, start_turn, start_turn + len(body), body))
            pos += len(body)
        doc = Document(f"D{d:04d}", None, "".join(parts), turns, {"group": f"g{d % 7}"})
        doc.set_sentences(sents)
        docs.append(doc)
    return docs


def codings(docs, rng):
    a, b = [], []
    for doc in docs:
        for s in doc.sentences:
            for code in CODES:
                if rng.random() < 0.04:
                    row = {"document": doc.id, "unit": "sentence", "unit_index": s.index, "start": s.start,
                           "end": s.end, "text": s.text, "code": code, "speaker": s.speaker}
                    a.append(row)
                    if rng.random() < 0.9:
                        b.append(row)
                elif rng.random() < 0.004:
                    b.append({"document": doc.id, "unit": "sentence", "unit_index": s.index, "start": s.start,
                              "end": s.end, "text": s.text, "code": code, "speaker": s.speaker})
    return pd.DataFrame(a), pd.DataFrame(b)


def timed(fn, *args, **kw):
    """(result, seconds, peak MiB): timed without tracing, then run again under tracemalloc for the peak."""
    t0 = time.perf_counter()
    out = fn(*args, **kw)
    secs = time.perf_counter() - t0
    tracemalloc.start()
    fn(*args, **kw)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return out, secs, peak


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=200)
    ap.add_argument("--sentences", type=int, default=250)
    args = ap.parse_args()
    rng = np.random.default_rng(1)
    docs = corpus(args.docs, args.sentences, rng)
    a, b = codings(docs, rng)
    n_units = sum(len(d.sentences) for d in docs)
    print(f"corpus: {len(docs)} documents, {n_units:,} sentences, {sum(len(d.text) for d in docs) / 1e6:.1f}M "
          f"characters; codings: coder A {len(a):,} rows, coder B {len(b):,} rows, {len(CODES)} codes")

    # baseline: the statistics alone on ready-made matrices
    pos = {(d.id, s.index): i for i, (d, s) in enumerate((d, s) for d in docs for s in d.sentences)}
    k_of = {c: i for i, c in enumerate(CODES)}
    cube = np.zeros((2, len(CODES), n_units))
    for ci, df in enumerate((a, b)):
        cube[ci, [k_of[c] for c in df["code"]], [pos[(d, i)] for d, i in zip(df["document"], df["unit_index"])]] = 1

    def bare():
        return [(krippendorff_alpha(cube[:, k]), cohen_kappa(cube[0, k], cube[1, k])) for k in range(len(CODES))]

    ref, t_base, m_base = timed(bare)
    res, t_agr, m_agr = timed(agreement, [a, b], transcripts=docs)
    assert np.allclose([r[0] for r in ref], res.codes["alpha"].to_numpy())
    print(f"baseline (statistics only, matrices given): {t_base:6.2f} s, peak {m_base:6.1f} MiB")
    print(f"agreement() end to end (read frames, place {len(a) + len(b):,} offset codings on {n_units:,} units, "
          f"statistics, disagreements): {t_agr:6.2f} s, peak {m_agr:6.1f} MiB  -> {t_agr / t_base:.1f}x baseline; "
          f"{n_units / t_agr:,.0f} units/s")
    print(f"   pooled alpha {res.overall['alpha']:.4f} (matches the baseline's per-code alphas)")

    from toolkit.coding.refi import read_qdpx, write_qdpx

    both = pd.concat([a.assign(coder="A"), b.assign(coder="B")], ignore_index=True)
    cb = _codebook()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "big.qdpx"
        _, t_w, m_w = timed(write_qdpx, both, cb, docs, out)
        size = out.stat().st_size / 2**20
        proj, t_r, m_r = timed(read_qdpx, out)
        assert len(proj.codings) == len(both.drop_duplicates(["coder", "document", "start", "end", "code"]))
        _, t_a2, _ = timed(agreement, [out])
    print(f"write_qdpx: {t_w:6.2f} s, peak {m_w:6.1f} MiB, {size:.1f} MiB archive ({len(both):,} codings)")
    print(f"read_qdpx:  {t_r:6.2f} s, peak {m_r:6.1f} MiB  -> read/write {t_r / t_w:.2f}x")
    print(f"agreement() straight from the .qdpx (texts re-segmented into turns + sentences with spaCy): "
          f"{t_a2:6.2f} s -> {t_a2 / t_agr:.1f}x the in-memory run")


def _codebook():
    from toolkit.coding.codebook import Code, Codebook

    codes = [Code("theme", "Theme", codable=False)] + [Code(c, c, parent="theme", definition="synthetic")
                                                       for c in CODES]
    return Codebook("bench", "Bench", "1", "", tuple(codes))


if __name__ == "__main__":
    main()
