"""A data-entry workbook for keying in paper questionnaires: one row per respondent, one column per variable.

Sheet ``Data``: header row of column ids (respondent id, group id, other context questions, items, attention
checks), ``rows`` pre-formatted rows, and a whole-column list validation of the allowed codes (scale values and
missing codes; choice values for context questions) with an error message naming them. Sheet ``Codes`` lists
every variable's allowed codes and labels; the very-hidden ``_meta`` sheet has ``form_type`` = ``entry``.
"""
from __future__ import annotations

from pathlib import Path

from ...io import save_workbook, write_cell
from ..model import Instrument
from .common import column_order, pick_language, set_widths, write_meta

SHEET = "Data"
CODES = "Codes"
MAX_ROW = 1048576  # Excel's last row: the validation covers the whole column below the header
INLINE_LIMIT = 250  # Excel's limit for an inline list is 255 characters


def _codes(inst: Instrument, q, lang: str) -> list[tuple[object, str]]:
    """``[(code, label)]`` allowed for the variable of question *q* (empty for free text)."""
    if q.kind in ("item", "attention"):
        sc = inst.scales[q.scale]
        return [(p.code, inst.text(p.label, lang)) for p in list(sc.points) + list(sc.missing)]
    if q.obj is not None and q.obj.type == "select_one":
        return [(ch.value, inst.text(ch.label, lang)) for ch in q.obj.choices]
    return []


def write_entry(inst: Instrument, out: Path, lang: str | None = None, rows: int = 500) -> Path:
    """Write the data-entry workbook for *inst* to *out* (atomically)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    lang = pick_language(inst, lang)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    codes_ws = wb.create_sheet(CODES)
    header_fill = PatternFill("solid", fgColor="DCE6F1")
    for c, name in enumerate(("variable", "code", "label", "question"), start=1):
        write_cell(codes_ws, 1, c, name).font = Font(bold=True)

    meta_rows = []
    code_row = 1
    for c, q in enumerate(column_order(inst), start=1):
        col = get_column_letter(c)
        head = write_cell(ws, 1, c, q.id)
        head.font = Font(bold=True)
        head.fill = header_fill
        allowed = _codes(inst, q, lang)
        question = inst.text(q.obj.text, lang) if q.obj is not None else q.text
        head.comment = Comment(  # the question text at hand while typing
            question[:500], "hls-toolkit")
        for code, label in allowed or [("", "(free text)")]:
            code_row += 1
            write_cell(codes_ws, code_row, 1, q.id)
            write_cell(codes_ws, code_row, 2, code)
            write_cell(codes_ws, code_row, 3, label)
            write_cell(codes_ws, code_row, 4, question)
        if allowed:
            inline = ",".join(str(code) for code, _ in allowed)
            if len(inline) <= INLINE_LIMIT and not any("," in str(code) for code, _ in allowed):
                formula = f'"{inline}"'
            else:
                first = code_row - len(allowed) + 1
                formula = f"{CODES}!$B${first}:$B${code_row}"
            listing = ", ".join(f"{code} = {label}" for code, label in allowed)
            dv = DataValidation(type="list", formula1=formula, allow_blank=True, showDropDown=False,
                                showErrorMessage=True, errorStyle="stop", errorTitle=f"Code for {q.id}"[:32],
                                error=f"Allowed codes for {q.id}: {listing}"[:255],
                                showInputMessage=True, promptTitle=q.id[:32], prompt=question[:255])
            dv.add(f"{col}2:{col}{MAX_ROW}")
            ws.add_data_validation(dv)
        elif q.obj is not None and q.obj.type == "integer":
            dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0", allow_blank=True,
                                showErrorMessage=True, errorTitle=f"Number for {q.id}"[:32],
                                error=f"{q.id} takes a whole number.")
            dv.add(f"{col}2:{col}{MAX_ROW}")
            ws.add_data_validation(dv)
        if q.kind == "context" and (q.obj is None or q.obj.type in ("text", "select_one")):
            for r in range(2, rows + 2):  # ids typed as 007 must stay text
                ws.cell(row=r, column=c).number_format = "@"
        ws.column_dimensions[col].width = max(8, min(18, len(q.id) + 3))
        meta_rows.append((q.id, SHEET, col, q.kind, q.scale or ""))
    ws.freeze_panes = "B2"
    ws.print_title_rows = "1:1"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    codes_ws.freeze_panes = "A2"
    set_widths(codes_ws, {"A": 16, "B": 18, "C": 34, "D": 80})
    for row in codes_ws.iter_rows(min_row=2, min_col=4, max_col=4):
        row[0].alignment = Alignment(wrap_text=False)
    codes_ws.protection.sheet = True
    write_meta(wb, inst, lang, "entry", meta_rows)
    out = Path(out)
    save_workbook(wb, out, provenance={"instrument": f"{inst.id} {inst.version}"})
    return out
