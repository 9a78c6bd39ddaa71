"""Writers for coding results: the Excel review workbook, streaming CSV, JSON.

All files are written atomically (:func:`toolkit.io.atomic_path`) and every text cell goes through
:func:`toolkit.io.write_cell` (never a formula).
"""
from __future__ import annotations

from pathlib import Path

from ..io import atomic_path, csv_writer, safe_text, save_workbook, write_cell
from .run import CODING_COLUMNS

DECISIONS = ("accept", "reject", "recode")
REVIEW_COLUMNS = ["decision", "recode_to", "comment"]
LIST_SHEET = "lists"
TEXT_COLUMNS = frozenset({"document", "case", "group", "speaker", "text", "matched"})


class CsvCodingsWriter:
    """Write codings rows to CSV as they arrive (formula-like text escaped); atomic on close.

    >>> with CsvCodingsWriter("codings.csv") as w:      # doctest: +SKIP
    ...     w.write_rows(rows)
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._ctx = atomic_path(self.path)

    def __enter__(self):
        self._tmp = self._ctx.__enter__()
        self._fh = open(self._tmp, "w", encoding="utf-8", newline="")
        self._w = csv_writer(self._fh)
        self._w.writerow(CODING_COLUMNS)
        return self

    def write_rows(self, rows: list[dict]) -> None:
        # only the columns that carry transcript or metadata text can look like a formula
        self._w.writerows([safe_text(r[c]) if c in TEXT_COLUMNS else r[c] for c in CODING_COLUMNS] for r in rows)

    def __exit__(self, exc_type, exc, tb):
        self._fh.close()
        return self._ctx.__exit__(exc_type, exc, tb)


def _table(ws, df, top: int, left: int = 1, index_label: str | None = None, bold=None) -> int:
    """Write a DataFrame (with its index) at (top, left); returns the next free row."""
    header = [index_label or df.index.name or ""] + [str(c) for c in df.columns]
    for j, h in enumerate(header):
        cell = write_cell(ws, top, left + j, h)
        if bold is not None:
            cell.font = bold
    for i, (idx, row) in enumerate(df.iterrows(), start=1):
        write_cell(ws, top + i, left, str(idx))
        for j, v in enumerate(row.tolist(), start=1):
            write_cell(ws, top + i, left + j, v.item() if hasattr(v, "item") else v)
    return top + len(df) + 1


def _codebook_record(result) -> dict | None:
    cb = getattr(result, "codebook", None)
    if cb is None:
        return None
    return {"codebook": f"{cb.id} {cb.version}" if getattr(cb, "version", None) else str(cb.id)}


def write_review_workbook(path: str | Path, result) -> Path:
    """The review workbook: sheets Codings (with decision / recode_to / comment drop-downs), Frequencies,
    Co-occurrence and Codebook (plus a hidden ``lists`` sheet feeding the drop-downs)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    bold = Font(bold=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "Codings"
    columns = CODING_COLUMNS + REVIEW_COLUMNS
    for j, c in enumerate(columns, start=1):
        write_cell(ws, 1, j, c).font = bold
    df = result.codings
    for i, row in enumerate(df.itertuples(index=False), start=2):
        for j, v in enumerate(row, start=1):
            write_cell(ws, i, j, v.item() if hasattr(v, "item") else v)
    n = max(len(df), 1) + 1
    dcol = len(CODING_COLUMNS) + 1
    letter = ws.cell(row=1, column=dcol).column_letter
    rletter = ws.cell(row=1, column=dcol + 1).column_letter
    dv = DataValidation(type="list", formula1='"' + ",".join(DECISIONS) + '"', allow_blank=True,
                        showErrorMessage=True, errorTitle="decision", error="Choose accept, reject or recode.")
    dv.add(f"{letter}2:{letter}{max(n, 1000)}")
    ws.add_data_validation(dv)
    codes = result.codebook.code_ids
    lists = wb.create_sheet(LIST_SHEET)
    for i, c in enumerate(codes, start=1):
        write_cell(lists, i, 1, c)
    lists.sheet_state = "hidden"
    dv2 = DataValidation(type="list", formula1=f"{LIST_SHEET}!$A$1:$A${max(len(codes), 1)}", allow_blank=True,
                         showErrorMessage=True, errorTitle="recode_to", error="Choose a code id from the codebook.")
    dv2.add(f"{rletter}2:{rletter}{max(n, 1000)}")
    ws.add_data_validation(dv2)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{ws.cell(row=1, column=len(columns)).column_letter}{n}"
    widths = {"text": 70, "matched": 30, "rule": 30, "code": 30, "comment": 40, "recode_to": 28, "decision": 11}
    for j, c in enumerate(columns, start=1):
        ws.column_dimensions[ws.cell(row=1, column=j).column_letter].width = widths.get(c, 12)
    text_letter = ws.cell(row=1, column=CODING_COLUMNS.index("text") + 1).column_letter
    for cell in ws[text_letter][1:]:
        cell.alignment = Alignment(wrap_text=True, vertical="top")

    fr = wb.create_sheet("Frequencies")
    write_cell(fr, 1, 1, "Units coded per document").font = bold
    nxt = _table(fr, result.frequencies, 2, bold=bold)
    write_cell(fr, nxt + 1, 1, "Units coded per speaker (document: speaker)").font = bold
    _table(fr, result.speaker_frequencies, nxt + 2, bold=bold)
    fr.column_dimensions["A"].width = 36

    co = wb.create_sheet("Co-occurrence")
    write_cell(co, 1, 1, f"Units ({result.unit}s) holding both codes; diagonal = units holding the code").font = bold
    _table(co, result.cooccurrence, 2, bold=bold)
    co.column_dimensions["A"].width = 36

    cb = wb.create_sheet("Codebook")
    frame = result.codebook.to_frame()
    for j, c in enumerate(frame.columns, start=1):
        write_cell(cb, 1, j, c).font = bold
    for i, row in enumerate(frame.itertuples(index=False), start=2):
        for j, v in enumerate(row, start=1):
            write_cell(cb, i, j, v)
    for j, w in enumerate([34, 18, 40, 9, 60, 50, 50, 50, 60, 40], start=1):
        cb.column_dimensions[cb.cell(row=1, column=j).column_letter].width = w
    cb.freeze_panes = "B2"
    wb.move_sheet(LIST_SHEET, offset=len(wb.sheetnames))
    save_workbook(wb, path, provenance=_codebook_record(result))
    return Path(path)
