"""Training units for the trained coder: sentences with a 1 / 0 / unknown label per code.

Sources (any mix, each read by :func:`toolkit.read_codings`):

* a gold / hand coding in the unit format (``document, unit_index, speaker, sentence, codes``): every listed
  unit was judged, so a code not given to it is a negative;
* the human codings inside a REFI-QDA ``.qdpx`` (every coder; the documents they coded count as judged);
* ``hls code apply-review`` output or a reviewed workbook from ``hls code run -o``: accepted and recoded
  rows are positives; **rejected suggestions are negatives for their code** (read from the workbook, or
  from the ``decision`` column of a CSV that keeps them); undecided rows are ignored.

``closed_world=True`` (default): in a document someone coded, a unit that nobody gave code *c* is a negative
for *c* (coders code whole documents; reviewers add rows for codes the rules missed). ``False``: only
explicit labels count (gold units, positives, rejections).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ...errors import DataError

UNKNOWN = -1


@dataclass
class TrainingSet:
    """``units``: DataFrame document, unit_index, speaker, text, source; ``labels``: int8 array units x codes
    (1, 0 or :data:`UNKNOWN`); ``codes``: the codebook's codable ids (columns of ``labels``)."""

    units: object
    labels: object
    codes: list
    sources: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    def counts(self) -> dict[str, dict[str, int]]:
        """code -> {"positive": n, "negative": n, "rejected": n} over the units."""
        import numpy as np

        lab = self.labels
        rej = self.units["rejected"].tolist() if "rejected" in self.units else [()] * len(self.units)
        out = {}
        for j, c in enumerate(self.codes):
            out[c] = {"positive": int(np.sum(lab[:, j] == 1)), "negative": int(np.sum(lab[:, j] == 0)),
                      "rejected": sum(1 for r in rej if c in r)}
        return out

    def documents(self) -> list[str]:
        return list(dict.fromkeys(self.units["document"].tolist()))

    def subset(self, mask) -> "TrainingSet":
        import numpy as np

        mask = np.asarray(mask, dtype=bool)
        return TrainingSet(self.units[mask].reset_index(drop=True), self.labels[mask], self.codes, self.sources,
                           self.warnings)


def read_rejections(path: Path):
    """Rejected suggestions (codings schema rows) from a review workbook or a CSV with a decision column."""
    import pandas as pd

    from ..run import CODING_COLUMNS

    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            if "Codings" not in wb.sheetnames:
                return None
            rows = wb["Codings"].iter_rows(values_only=True)
            header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
            if "decision" not in header:
                return None
            pos = {h: i for i, h in enumerate(header) if h}
            recs = []
            for values in rows:
                if not values:
                    continue
                d = values[pos["decision"]] if pos["decision"] < len(values) else None
                if str(d or "").strip().lower() == "reject":
                    recs.append({c: values[pos[c]] if c in pos and pos[c] < len(values) else None
                                 for c in CODING_COLUMNS})
        finally:
            wb.close()
        return pd.DataFrame(recs, columns=CODING_COLUMNS)
    if suffix in (".csv", ".tsv"):
        from ...survey.table import read_table

        df = read_table(path)
        if "decision" not in df.columns or "code" not in df.columns:
            return None
        return df[df["decision"].astype(str).str.strip().str.lower() == "reject"].reset_index(drop=True)
    return None


def _read_source(src, codebook):
    """(coding sets, rejection sets) for one source path."""
    from ..codings_io import from_frame, read_codings

    path = Path(src)
    if not path.exists():
        raise DataError("file not found", file=path)
    rejected = read_rejections(path)
    if path.suffix.lower() in (".xlsx", ".xlsm") and rejected is not None:
        from ..review import apply_review

        res = apply_review(path, undecided="drop")  # only human decisions are training data
        cs = from_frame(res.codings, path.stem, path)
        cs.kind = "review"
        sets = [cs]
    else:
        sets = read_codings(path, codebook=codebook)
        if rejected is not None and len(rejected):
            # a CSV that kept its rejected rows: those rows are not codings
            from ...survey.table import read_table

            df = read_table(path)
            keep = df["decision"].astype(str).str.strip().str.lower() != "reject"
            sets = [from_frame(df[keep].reset_index(drop=True), path.stem, path)]
            sets[0].kind = "review"
    rej = []
    if rejected is not None and len(rejected):
        r = from_frame(rejected, f"{path.stem} (rejected)", path)
        rej.append(r)
    return sets, rej


def build_training_set(sources, transcripts=None, codebook=None, skip_speakers=(), closed_world: bool = True,
                       examples: bool = True) -> TrainingSet:
    """Sentence units with labels per code from human codings (see the module docstring).

    *examples*: also add each code's ``example`` quote from the codebook as a positive unit for that code
    (unknown for the others).
    """
    import numpy as np
    import pandas as pd

    from ..codebook import load_codebook
    from ..codings_io import unit_table

    cb = load_codebook(codebook)
    codes = cb.code_ids
    col = {c: j for j, c in enumerate(codes)}
    if isinstance(sources, (str, Path)):
        sources = [sources]
    sets, rejs = [], []
    for src in sources:
        s, r = _read_source(src, cb)
        sets.extend(s)
        rejs.extend(r)
    if not sets:
        raise DataError("no human codings given", field="CODINGS")
    table = unit_table(sets + rejs, unit="sentence", transcripts=transcripts, skip_speakers=skip_speakers)
    units = table.units
    n = len(units)
    labels = np.full((n, len(codes)), UNKNOWN, dtype=np.int8)
    judged_any = np.zeros(n, dtype=bool)
    warnings = list(table.warnings)
    unknown_codes: set[str] = set()
    names = table.coders
    rejected_at: dict[int, set] = {}
    for cs, name in zip(sets + rejs, names):
        pairs = table.codes[name]
        if cs in rejs:
            for p, code in pairs:
                if code in col:
                    rejected_at.setdefault(p, set()).add(code)
            continue
        mask = table.judged[name]
        explicit = cs.listed is not None or cs.kind == "qdpx"
        if closed_world or explicit:
            # a judged unit without the code is a negative for it (unless someone gave it: set below)
            sub = labels[mask]
            sub[sub == UNKNOWN] = 0
            labels[mask] = sub
            judged_any |= mask
        for p, code in pairs:
            if code not in col:
                unknown_codes.add(code)
                continue
            labels[p, col[code]] = 1
            judged_any[p] = True
    for p, cset in rejected_at.items():
        for code in cset:
            if labels[p, col[code]] != 1:  # a reviewer who accepted it elsewhere wins
                labels[p, col[code]] = 0
        judged_any[p] = True
    if unknown_codes:
        warnings.append(f"codes not in codebook '{cb.id}' ignored: {', '.join(sorted(unknown_codes))}")
    keep = judged_any & (labels != UNKNOWN).any(axis=1)
    out = units.loc[keep, ["document", "unit_index", "speaker", "text"]].reset_index(drop=True)
    out["source"] = "coded"
    out["rejected"] = [tuple(sorted(rejected_at.get(int(p), ()))) for p in np.flatnonzero(keep)]
    labels = labels[keep]
    if examples:
        ex_rows, ex_labels = [], []
        for c in cb.codes:
            if c.codable and c.example:
                ex_rows.append({"document": "(codebook)", "unit_index": len(ex_rows), "speaker": "",
                                "text": c.example, "source": "codebook example", "rejected": ()})
                row = np.full(len(codes), UNKNOWN, dtype=np.int8)
                row[col[c.id]] = 1
                ex_labels.append(row)
        if ex_rows:
            out = pd.concat([out, pd.DataFrame(ex_rows)], ignore_index=True)
            labels = np.vstack([labels, np.array(ex_labels, dtype=np.int8)])
    if not len(out):
        raise DataError("the codings place no labels on any unit of the transcripts (wrong --transcripts?)",
                        field="CODINGS")
    return TrainingSet(out, labels, codes, [str(s) for s in sources], warnings)
