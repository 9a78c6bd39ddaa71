"""Export codings from any of our sources as one REFI-QDA project (the ``hls code export --format qdpx`` core).

>>> export_project(["codings.csv", "gold.csv"], "hls-theory", "project.qdpx",          # doctest: +SKIP
...                transcripts=["sample_data/transcripts"], coders=["auto-coder", "gold"])
"""
from __future__ import annotations

from pathlib import Path

from ...errors import DataError


def codings_with_offsets(cs, docs: dict):
    """A coder's rows with ``start``/``end`` filled: unit-only rows get their sentence's (or turn's) span."""
    df = cs.codings.copy()
    if not len(df):
        return df
    need = df["start"].isna() | df["end"].isna()
    if need.any():
        starts, ends = df["start"].astype("object"), df["end"].astype("object")
        for i in df.index[need]:
            doc = docs.get(df.at[i, "document"])
            idx = df.at[i, "unit_index"]
            if doc is None:
                raise DataError(f"no transcript for document '{df.at[i, 'document']}' (pass --transcripts)",
                                file=cs.source, field="document")
            units = doc.turns if df.at[i, "unit"] == "turn" else doc.sentences
            if idx is None or idx != idx or not 0 <= int(idx) < len(units):
                raise DataError(f"unit_index {idx} does not exist in document '{doc.id}'", file=cs.source,
                                line=int(i) + 2, field="unit_index", kind="row")
            u = units[int(idx)]
            starts[i], ends[i] = u.start, u.end
        df["start"], df["end"] = starts.astype("int64"), ends.astype("int64")
    return df


def _split_review(cs) -> list:
    from dataclasses import replace

    by_reviewer = cs.codings["rule"] == "review"
    out = [replace(cs, codings=cs.codings[~by_reviewer].reset_index(drop=True))]
    if by_reviewer.any():
        out.append(replace(cs, name=REVIEWER, codings=cs.codings[by_reviewer].reset_index(drop=True)))
    return out


REVIEWER = "reviewer"


def export_project(coded, codebook, out, transcripts=None, coders=None, name=None) -> dict:
    """Write *coded* (codings sources; one user each, or the users of a .qdpx) as a REFI ``.qdpx``.

    One review workbook given alone becomes two users: the auto-coder (suggestions kept) and ``reviewer``
    (rows recoded in review). Sources are the documents the codings refer to (or a gold coding lists), in
    first-seen order; their text comes from *transcripts* (files, folders or Documents) or a .qdpx input.
    Returns ``{"sources", "codings", "users"}`` counts for the CLI message.
    """
    import pandas as pd

    from ..codebook import load_codebook
    from ..codings_io import load_documents, missing_text, read_codings
    from .qdpx import DEFAULT_CODER, write_qdpx

    cb = load_codebook(codebook)
    coders = list(coders or [])
    coded = list(coded)
    if len(coders) > len(coded):
        raise DataError(f"{len(coders)} coder names for {len(coded)} CODED file(s): give one --coder per file, "
                        "in order", field="--coder")
    sets = []
    for i, src in enumerate(coded):
        sets.extend(read_codings(src, name=coders[i] if i < len(coders) else None, codebook=cb))
    if not coders and len(sets) == 1 and sets[0].kind in ("codings", "review"):
        sets[0].name = DEFAULT_CODER
        if sets[0].kind == "review":  # recoded rows are the reviewer's; kept suggestions stay the auto-coder's
            sets = _split_review(sets[0])
    docs = dict(load_documents(transcripts))
    for cs in sets:
        for k, d in cs.documents.items():
            docs.setdefault(k, d)
    frames = []
    for cs in sets:
        df = codings_with_offsets(cs, docs)
        df["coder"] = cs.name
        frames.append(df)
    codings = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    used = list(dict.fromkeys(codings["document"])) if len(codings) else []
    missing = [d for d in used if d not in docs]
    for d in missing:
        if missing_text(sets, d) is not None:
            raise missing_text(sets, d)
    if missing:
        raise DataError(f"no transcript for document(s) {', '.join(missing[:5])}: pass the folder the codings were "
                        "made on with --transcripts", field="--transcripts")
    listed = [d for cs in sets if cs.listed is not None for d in cs.listed["document"]]
    order = [d for d in dict.fromkeys(used + listed) if d in docs]
    write_qdpx(codings, cb, [docs[d] for d in order], Path(out), name=name)
    return {"sources": len(order), "codings": int(len(codings)), "users": [cs.name for cs in sets]}
