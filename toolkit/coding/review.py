"""Fold a reviewed workbook back into final codings.

Decisions (column ``decision`` of the Codings sheet): ``accept`` keeps the row; ``reject`` drops it;
``recode`` replaces the code by ``recode_to`` with ``rule = "review"`` (the original code is kept in
``original_code``; if the unit already has that code, the duplicate row is dropped). ``source``, ``score``
and the reviewer's ``memo`` are carried over (workbooks written before they existed still apply). The final codings are
what people accepted or recoded, so undecided rows are dropped by default (``undecided="drop"``, counted);
``undecided="keep"`` keeps them as suggestions (used to compare a half-reviewed workbook). The reviewer's
``comment`` is carried into the output.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import DataError
from .outputs import DECISIONS, LIST_SHEET
from .run import CODING_COLUMNS, SUGGESTION_COLUMNS

FINAL_COLUMNS = CODING_COLUMNS + SUGGESTION_COLUMNS + ["decision", "original_code", "comment"]
UNDECIDED = ("keep", "drop")


@dataclass
class ReviewResult:
    codings: object  # DataFrame with FINAL_COLUMNS
    accepted: int
    rejected: int
    recoded: int
    undecided: int
    undecided_policy: str

    def to_dict(self) -> dict:
        return {"accepted": self.accepted, "rejected": self.rejected, "recoded": self.recoded,
                "undecided": self.undecided, "undecided_policy": self.undecided_policy,
                "rows": len(self.codings), "codings": self.codings.to_dict(orient="records")}


def _known_codes(wb) -> set[str] | None:
    if LIST_SHEET in wb.sheetnames:
        return {str(r[0]).strip() for r in wb[LIST_SHEET].iter_rows(values_only=True) if r and r[0]}
    if "Codebook" in wb.sheetnames:
        rows = list(wb["Codebook"].iter_rows(values_only=True))
        if rows and rows[0] and rows[0][0] == "id":
            return {str(r[0]).strip() for r in rows[1:] if r and r[0]}
    return None


def apply_review(path: str | Path, undecided: str = "drop") -> ReviewResult:
    """Read a review workbook written by ``hls code run -o`` and apply the human decisions."""
    import pandas as pd

    from ..spreadsheets import load_openpyxl

    path = Path(path)
    if undecided not in UNDECIDED:
        raise DataError(f"undecided must be one of {', '.join(UNDECIDED)}", field="--undecided")
    wb = load_openpyxl(path)  # zip-bomb guard first; a broken workbook is one located error
    if "Codings" not in wb.sheetnames:
        raise DataError("no 'Codings' sheet (is this a review workbook from 'hls code run -o'?)", file=path)
    known = _known_codes(wb)
    rows = wb["Codings"].iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
    missing = [c for c in CODING_COLUMNS + ["decision"] if c not in header]
    if missing:
        raise DataError(f"Codings sheet lacks column(s): {', '.join(missing)}", file=path, line=1, kind="row")
    pos = {c: header.index(c) for c in header if c}
    out = []
    counts = dict.fromkeys(("accepted", "rejected", "recoded", "undecided"), 0)
    for n, values in enumerate(rows, start=2):
        if values is None or all(v in (None, "") for v in values):
            continue

        def get(col, values=values):
            i = pos.get(col)
            return values[i] if i is not None and i < len(values) else None

        decision = str(get("decision") or "").strip().lower()
        comment = get("comment")
        rec = {c: get(c) for c in CODING_COLUMNS + SUGGESTION_COLUMNS}  # older workbooks lack source/score/memo
        memo = rec["memo"]
        rec.update(decision=decision, original_code=rec["code"], comment="" if comment is None else str(comment),
                   memo="" if memo is None else str(memo), source=rec["source"] or "rule")
        if decision == "":
            counts["undecided"] += 1
            if undecided == "drop":
                continue
        elif decision == "accept":
            code = str(rec["code"] or "").strip()
            if known is not None and code not in known:  # e.g. a row a reviewer typed in for a missed code
                raise DataError(f"unknown code '{code}' (not in the workbook's codebook)", file=path, line=n,
                                field="code", kind="row")
            rec["code"] = code
            counts["accepted"] += 1
        elif decision == "reject":
            counts["rejected"] += 1
            continue
        elif decision == "recode":
            target = str(get("recode_to") or "").strip()
            if not target:
                raise DataError("decision is 'recode' but recode_to is empty", file=path, line=n, field="recode_to",
                                kind="row")
            if known is not None and target not in known:
                raise DataError(f"unknown code '{target}' in recode_to", file=path, line=n, field="recode_to",
                                kind="row")
            rec["code"], rec["rule"] = target, "review"
            counts["recoded"] += 1
        else:
            raise DataError(f"decision must be one of {', '.join(DECISIONS)} or empty (got '{decision}')",
                            file=path, line=n, field="decision", kind="row")
        out.append(rec)
    wb.close()
    df = pd.DataFrame(out, columns=FINAL_COLUMNS)
    # a recode can land on a code the unit already has: keep one row per unit x code (the first)
    df = df.drop_duplicates(subset=["document", "unit", "unit_index", "code"], keep="first").reset_index(drop=True)
    for c in ("unit_index", "start", "end"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("Int64")
    df["score"] = pd.to_numeric(df["score"], errors="coerce").astype("float64")
    if df["score"].notna().any():
        # the workbook listed the least certain suggestions first; the final codings are in document order
        df = df.sort_values(["document", "start", "unit_index"], kind="stable").reset_index(drop=True)
    return ReviewResult(df, undecided_policy=undecided, **counts)
