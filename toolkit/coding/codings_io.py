"""Read anyone's codings into one shape, and place them on units (sentences or turns).

Sources, detected by extension and columns (:data:`READERS`):

* ``hls code run`` CSV/XLSX output and ``hls code apply-review`` CSV (the codings schema: ``document, ...,
  unit, unit_index, start, end, text, code, ...``; ``start``/``end`` are code-point offsets);
* a review workbook from ``hls code run -o``, reviewed or not (decisions applied as ``apply-review`` does,
  undecided rows kept);
* a gold / hand coding in the unit format ``document, unit_index, speaker, sentence, codes`` (codes
  ``;``-separated, empty = judged and given no code);
* a REFI-QDA ``.qdpx`` project: one coder per user, the source texts read from the archive.

Each becomes a :class:`CodingSet`. :func:`unit_table` then places every coding on the units it overlaps.

>>> sets = read_codings("gold.csv") + read_codings("codings.csv")          # doctest: +SKIP
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataError
from ..io import unescape_text

UNITS = ("sentence", "turn")
CODING_FIELDS = ["document", "code", "start", "end", "unit", "unit_index", "speaker", "text", "rule", "memo"]


@dataclass
class CodingSet:
    """One coder's codings.

    ``codings``: DataFrame with :data:`CODING_FIELDS` (offsets or unit_index may be missing);
    ``listed``: for unit-format sources, the units the coder judged (``document, unit_index, speaker,
    text``), so units listed without a code count as "judged: absent"; ``documents``: texts carried by the
    source (a .qdpx), by document id; ``coverage``: documents the coder saw (``None`` = every document).
    """

    name: str
    codings: object
    kind: str = "codings"
    source: Path | None = None
    listed: object = None
    documents: dict = field(default_factory=dict)
    coverage: set | None = None
    warnings: list = field(default_factory=list)
    missing_texts: dict = field(default_factory=dict)  # document -> archive member that should hold its text

    def __repr__(self):
        return f"CodingSet({self.name!r}, kind={self.kind!r}, rows={len(self.codings)})"


def _frame(rows):
    import pandas as pd

    df = pd.DataFrame(rows) if not isinstance(rows, pd.DataFrame) else rows.copy()
    for c in CODING_FIELDS:
        if c not in df.columns:
            df[c] = None
    df = df[CODING_FIELDS].copy()
    for c in ("start", "end", "unit_index"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("Int64")
    # text columns of our own CSVs carry a ' before formula-like text (toolkit.io.safe_text): undo it on all
    for c in ("document", "code"):
        df[c] = df[c].map(lambda v: v if v is None or v != v else unescape_text(v)).astype(str).str.strip()
    for c in ("text", "speaker", "unit", "rule", "memo"):
        df[c] = df[c].map(lambda v: "" if v is None or v != v else str(unescape_text(v)))
    return df.reset_index(drop=True)


def _split_codes(value) -> list[str]:
    if value is None or value != value:
        return []
    return [c.strip() for c in str(value).replace(",", ";").split(";") if c.strip()]


def from_frame(df, name: str, source: Path | None = None) -> CodingSet:
    """A :class:`CodingSet` from a DataFrame in the codings schema or the gold unit format."""
    import pandas as pd

    cols = set(df.columns)
    where = source if source is not None else name
    if "document" not in cols:
        raise DataError("codings need a 'document' column", file=where, line=1, kind="row")
    if "codes" in cols and "code" not in cols:  # unit format (gold)
        if "unit_index" not in cols:
            raise DataError("a unit-format coding needs columns document, unit_index, codes", file=where, line=1,
                            kind="row")
        idx = pd.to_numeric(df["unit_index"], errors="coerce")
        bad = idx.isna() | (idx % 1 != 0)
        if bad.any():
            raise DataError("unit_index must be a whole number", file=where, line=int(bad.idxmax()) + 2,
                            field="unit_index", kind="row")
        text_col = "sentence" if "sentence" in cols else "text" if "text" in cols else None
        listed = pd.DataFrame({"document": df["document"].map(unescape_text).astype(str).str.strip(),
                               "unit_index": idx.astype("int64"),
                               "speaker": df["speaker"].fillna("").map(unescape_text).astype(str)
                               if "speaker" in cols else "",
                               "text": df[text_col].map(lambda v: "" if v != v else str(unescape_text(v)))
                               if text_col else ""})
        rows = []
        for rec, codes in zip(listed.to_dict(orient="records"), df["codes"]):
            for code in _split_codes(codes):
                rows.append({**rec, "code": code, "unit": "sentence"})
        return CodingSet(name, _frame(rows), "units", source, listed, coverage=set(listed["document"]))
    if "code" not in cols:
        raise DataError("codings need a 'code' column (or 'codes' for the unit format)", file=where, line=1,
                        kind="row")
    has_offsets = {"start", "end"} <= cols
    if not has_offsets and "unit_index" not in cols:
        raise DataError("codings need start/end offsets or a unit_index", file=where, line=1, kind="row")
    out = _frame(df)
    if has_offsets:
        bad = out["start"].isna() | out["end"].isna() | (out["end"] < out["start"])
        bad &= out["unit_index"].isna()
        if bad.any():
            i = int(bad.idxmax())
            raise DataError("start/end must be whole numbers with start <= end", file=where, line=i + 2,
                            field="start", kind="row")
    out = out[out["code"].ne("") & out["code"].ne("nan")].reset_index(drop=True)
    return CodingSet(name, out, "codings", source)


def _read_table_like(path: Path, name: str, codebook=None) -> list[CodingSet]:
    from ..survey.table import read_table

    return [from_frame(read_table(path), name, path)]


def _read_xlsx(path: Path, name: str, codebook=None) -> list[CodingSet]:
    from ..spreadsheets import sheet_names

    sheets = sheet_names(path)  # zip-bomb guard first; a broken workbook is one located error
    if "Codings" in sheets:
        from ..survey.table import read_table
        from .review import apply_review

        head = read_table(path, sheet="Codings")
        if "decision" in head.columns:
            res = apply_review(path, undecided="keep")
            cs = from_frame(res.codings, name, path)
            cs.kind = "review"
            return [cs]
        return [from_frame(head, name, path)]
    return _read_table_like(path, name, codebook)


def _read_qdpx(path: Path, name: str, codebook=None) -> list[CodingSet]:
    from .refi.qdpx import read_qdpx

    project = read_qdpx(path, codebook=codebook)
    docs = {d.id: d for d in project.documents() if d.text}
    coverage = {s.name for s in project.sources}  # a source without text is covered once --transcripts gives it
    out = []
    for coder in project.coders:
        rows = project.for_coder(coder)
        out.append(CodingSet(coder, _frame(rows), "qdpx", path, documents=docs, coverage=coverage,
                             warnings=list(project.warnings),
                             missing_texts={s.name: s.missing for s in project.sources if s.missing}))
    if not out:
        raise DataError("the project holds no text codings to compare" + (
            f" ({'; '.join(project.warnings[:3])})" if project.warnings else ""), file=path)
    return out


#: file extension -> reader(path, name, codebook) -> list of CodingSet
READERS = {".csv": _read_table_like, ".tsv": _read_table_like, ".xlsx": _read_xlsx, ".xlsm": _read_xlsx,
           ".qdpx": _read_qdpx}


def read_codings(source, name: str | None = None, codebook=None) -> list[CodingSet]:
    """Read codings from a path (see :data:`READERS`), a DataFrame, a coding/review result or a CodingSet.

    Returns one :class:`CodingSet` per coder (a ``.qdpx`` may hold several). *name* labels a single-coder
    source (default: the file stem).
    """
    import pandas as pd

    if isinstance(source, CodingSet):
        return [source]
    if isinstance(source, pd.DataFrame):
        return [from_frame(source, name or "coder")]
    if hasattr(source, "codings") and isinstance(getattr(source, "codings"), pd.DataFrame):
        return [from_frame(source.codings, name or "coder")]
    path = Path(source)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise DataError(f"unsupported codings file '{path.suffix}' (use {', '.join(READERS)})", file=path)
    if not path.exists():
        raise DataError("file not found", file=path)
    sets = reader(path, name or path.stem, codebook)
    if name and len(sets) == 1:
        sets[0].name = name
    return sets


def missing_text(sets: list[CodingSet], doc_id: str) -> DataError | None:
    """The error for a document whose text a ``.qdpx`` should carry but does not, naming archive and member."""
    for cs in sets:
        member = cs.missing_texts.get(doc_id)
        if member:
            return DataError(f"the text of document '{doc_id}' is missing from the archive; pass the transcripts "
                             "the project was made from (--transcripts DIR)", file=cs.source, field=member)
    return None


# -- units ----------------------------------------------------------------------------------------------------
def load_documents(transcripts, errors: list | None = None) -> dict:
    """Document id -> Document for transcript paths/folders/Documents (``None`` -> empty).

    Unreadable files in a folder are appended to *errors* when given (else they raise).
    """
    if not transcripts:
        return {}
    from .transcripts import Document, iter_documents

    if isinstance(transcripts, (str, Path, Document)):
        transcripts = [transcripts]
    return {d.id: d for d in iter_documents(transcripts, errors)}


@dataclass
class UnitTable:
    """Units (rows) and, per coder, which units they judged and which codes they gave.

    ``units``: DataFrame ``document, unit_index, speaker, start, end, text``; ``judged[coder]``: bool array
    over units; ``codes[coder]``: list of (unit position, code) pairs.
    """

    units: object
    unit: str
    coders: list
    judged: dict
    codes: dict
    warnings: list


def _doc_units(doc, unit: str):
    if unit == "turn":
        return [(t.index, t.speaker, t.start, t.end, t.text) for t in doc.turns]
    return [(s.index, s.speaker, s.start, s.end, s.text) for s in doc.sentences]


def unit_table(sets: list[CodingSet], unit: str = "sentence", transcripts=None, skip_speakers=(),
               documents: list[str] | None = None) -> UnitTable:
    """Place every coder's codings on the units of each document.

    Units come from the transcripts (``transcripts``, or texts carried in a .qdpx) segmented by the
    transcript reader; without a text, a document's sentences are the ones a unit-format coder listed.
    A coding with offsets applies to every unit it overlaps; one without offsets (unit-format, or a run
    made at the same unit) applies to its ``unit_index``. Documents: every document any coder coded or
    listed (or *documents*). A coder with a known coverage gets "missing" on documents outside it.
    """
    import numpy as np
    import pandas as pd

    if unit not in UNITS:
        raise DataError(f"unit must be one of {', '.join(UNITS)}", field="--unit")
    skip = {s.strip().casefold() for s in skip_speakers}
    unreadable: list = []
    docs = dict(load_documents(transcripts, unreadable))
    for cs in sets:
        for k, d in cs.documents.items():
            docs.setdefault(k, d)
    warnings: list[str] = [f"transcript skipped: {e}" for e in unreadable]
    for cs in sets:
        warnings.extend(w for w in cs.warnings if w not in warnings)
    names = _unique_names(sets)
    if documents is None:
        seen: list[str] = []
        for cs in sets:
            seen.extend(cs.codings["document"].tolist())
            if cs.listed is not None:
                seen.extend(cs.listed["document"].tolist())
            if cs.kind == "qdpx":
                seen.extend(cs.documents)
        documents = list(dict.fromkeys(seen))
    doc_set = set(documents)
    listed_sets = [set(cs.listed["document"]) if cs.listed is not None else set() for cs in sets]
    rows: list[tuple] = []
    pos: dict[tuple, int] = {}  # (document, unit_index) -> row
    sent2unit: dict[str, list[int]] = {}  # document -> sentence index -> unit index (turn units)
    spans: dict[str, tuple] = {}  # document -> (starts, ends, unit indices) for overlap lookup
    for doc_id in documents:
        doc = docs.get(doc_id)
        if doc is not None:
            us = [u for u in _doc_units(doc, unit) if u[1].casefold() not in skip]
            for idx, spk, s, e, text in us:
                pos[(doc_id, idx)] = len(rows)
                rows.append((doc_id, idx, spk, s, e, text))
            spans[doc_id] = (np.array([u[2] for u in us], dtype=np.int64), np.array([u[3] for u in us], dtype=np.int64),
                             len(rows) - len(us))
            if unit == "turn":
                sent2unit[doc_id] = [s.turn for s in doc.sentences]
            continue
        listing = next((cs.listed for cs, listed_docs in zip(sets, listed_sets) if doc_id in listed_docs), None)
        if listing is None and missing_text(sets, doc_id) is not None:
            raise missing_text(sets, doc_id)
        if listing is None or unit != "sentence":
            raise DataError(f"cannot tell which {unit}s document '{doc_id}' has: pass the transcripts folder "
                            "(--transcripts DIR)" + ("" if listing is None else
                                                     "; the unit-format coding only lists sentences"),
                            field="document")
        sub = listing[listing["document"] == doc_id].drop_duplicates("unit_index").sort_values("unit_index")
        for r in sub.itertuples(index=False):
            if str(r.speaker).casefold() in skip:
                continue
            pos[(doc_id, int(r.unit_index))] = len(rows)
            rows.append((doc_id, int(r.unit_index), r.speaker, None, None, r.text))
    units = pd.DataFrame(rows, columns=["document", "unit_index", "speaker", "start", "end", "text"])
    units["start"] = units["start"].astype("Int64")
    units["end"] = units["end"].astype("Int64")
    n = len(units)
    doc_of = units["document"].to_numpy()
    judged: dict = {}
    codes: dict = {}
    for cs, name in zip(sets, names):
        mask = np.ones(n, dtype=bool)
        if cs.coverage is not None:
            mask &= np.isin(doc_of, list(cs.coverage))
        if cs.listed is not None:
            listed_pos = set()
            for d, i in zip(cs.listed["document"], cs.listed["unit_index"]):
                for p in _sentence_targets(d, int(i), unit, pos, sent2unit):
                    listed_pos.add(p)
            lm = np.zeros(n, dtype=bool)
            lm[list(listed_pos)] = True
            mask &= lm
        pairs, dropped = _place(cs, unit, pos, spans, sent2unit, doc_set)
        if dropped:
            warnings.append(f"{name}: {dropped} coding(s) fall on no unit (skipped speaker or outside the text)")
        judged[name] = mask
        codes[name] = sorted(pairs)
    if unit == "sentence":
        _check_texts(units, sets, names, pos, warnings)
    return UnitTable(units, unit, names, judged, codes, warnings)


def _unique_names(sets) -> list[str]:
    names: list[str] = []
    for cs in sets:
        name = cs.name
        if name in names and cs.source is not None and cs.source.stem != cs.name:
            name = f"{cs.name} ({cs.source.stem})"
        k = 2
        while name in names:
            name, k = f"{cs.name} ({k})", k + 1
        names.append(name)
    return names


def _sentence_targets(doc_id, idx, unit, pos, sent2unit) -> list[int]:
    if unit == "turn":
        table = sent2unit.get(doc_id)
        if table is None or not 0 <= idx < len(table):
            return []
        idx = table[idx]
    p = pos.get((doc_id, idx))
    return [] if p is None else [p]


def _place(cs, unit, pos, spans, sent2unit, doc_set) -> tuple[set, int]:
    """(unit row, code) pairs for one coder, and the number of codings that fall on no unit.

    Offsets: units are sorted and disjoint, so the units overlapping ``[s, e)`` are the run from the first
    unit ending after ``s`` to the last starting before ``e`` (a zero-length coding: the unit holding ``s``),
    found with two binary searches per coding, vectorised per document.
    """
    import numpy as np

    df = cs.codings
    df = df[df["document"].isin(doc_set)]
    pairs: set = set()
    dropped = 0
    off = df["start"].notna() & df["end"].notna() & df["document"].isin(spans.keys())
    for doc_id, g in df[off].groupby("document", sort=False):
        starts, ends, base = spans[doc_id]
        s = g["start"].to_numpy(dtype=np.int64)
        e = g["end"].to_numpy(dtype=np.int64)
        first = np.searchsorted(ends, s, side="right")
        last = np.where(e > s, np.searchsorted(starts, e, side="left"), np.searchsorted(starts, s, side="right"))
        for f, l, code in zip(first.tolist(), last.tolist(), g["code"].tolist()):
            if l <= f:
                dropped += 1
            for h in range(f, l):
                pairs.add((base + h, code))
    rest = df[~off]
    if len(rest):
        idx = rest["unit_index"].astype("float64").tolist()
        has_offsets = rest["start"].notna().tolist()
        for doc_id, i, row_unit, code, placed in zip(rest["document"].tolist(), idx, rest["unit"].tolist(),
                                                     rest["code"].tolist(), has_offsets):
            if i != i:
                dropped += 1
                continue
            row_unit = row_unit or "sentence"
            if row_unit == unit:
                p = pos.get((doc_id, int(i)))
                targets = [] if p is None else [p]
            elif row_unit == "sentence":
                targets = _sentence_targets(doc_id, int(i), unit, pos, sent2unit)
            elif placed:  # offsets, but no text to find the sentences in
                raise DataError(f"{cs.name}: codings were made on turns; pass the transcripts (--transcripts DIR) "
                                f"so their offsets can be placed on {unit}s", file=cs.source, field="unit")
            else:
                raise DataError(f"{cs.name}: codings were made on turns and carry no offsets; they cannot be "
                                "compared on sentences", file=cs.source, field="unit")
            if not targets:
                dropped += 1
            for p in targets:
                pairs.add((p, code))
    return pairs, dropped


def _check_texts(units, sets, names, pos, warnings):
    """Warn when a unit-format coder's sentence texts disagree with the transcript's sentences."""
    if units["start"].isna().all():
        return
    text_at = dict(zip(zip(units["document"], units["unit_index"]), units["text"]))
    for cs, name in zip(sets, names):
        if cs.listed is None:
            continue
        bad = 0
        for d, i, t in zip(cs.listed["document"], cs.listed["unit_index"], cs.listed["text"]):
            ref = text_at.get((d, int(i)))
            if ref is not None and t and " ".join(str(t).split()) != " ".join(str(ref).split()):
                bad += 1
        if bad:
            warnings.append(f"{name}: {bad} listed unit text(s) differ from the transcript's sentence at the same "
                            "index (were the transcripts edited after coding?)")
