"""A data-entry workbook for keying in paper questionnaires: one row per respondent, one column per variable.

Sheet ``Data``: header row of column ids (respondent id, group id, other context questions, items, attention
checks), ``rows`` pre-formatted rows, and a whole-column list validation of the allowed codes (scale values and
missing codes; choice values for context questions) with an error message naming them. Sheet ``Codes`` lists
every variable's allowed codes and labels (the question on the variable's first row) and prints on A4, one page
wide, header repeated, text wrapped; the very-hidden ``_meta`` sheet has ``form_type`` = ``entry``.
"""
from __future__ import annotations

from pathlib import Path

from ...io import save_workbook, write_cell
from ..model import Instrument
from .common import column_order, pick_language, set_widths, write_meta
from .printing import column_points, font, page_setup, paginate, text_height

SHEET = "Data"
CODES = "Codes"
MAX_ROW = 1048576  # Excel's last row: the validation covers the whole column below the header
INLINE_LIMIT = 250  # Excel's limit for an inline list is 255 characters
CODE_WIDTHS = {"A": 14, "B": 16, "C": 26, "D": 48}


def _codes(inst: Instrument, q, lang: str) -> list[tuple[object, str]]:
    """``[(code, label)]`` allowed for the variable of question *q* (empty for free text)."""
    if q.kind in ("item", "attention"):
        sc = inst.scales[q.scale]
        return [(p.code, inst.text(p.label, lang)) for p in list(sc.points) + list(sc.missing)]
    if q.obj is not None and q.obj.type == "select_one":
        return [(ch.value, inst.text(ch.label, lang)) for ch in q.obj.choices]
    return []


def write_entry(inst: Instrument, out: Path, lang: str | None = None, rows: int = 500, members=None) -> Path:
    """Write the data-entry workbook for *inst* to *out* (atomically); *members* adds one ``Roster <group>``
    sheet per partnership for the roster questions (:mod:`toolkit.instruments.forms.roster`)."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    lang = pick_language(inst, lang)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    codes_ws = wb.create_sheet(CODES)
    header_fill = PatternFill("solid", fgColor="DCE6F1")
    wrap = Alignment(wrap_text=True, vertical="top")
    rule = Border(top=Side(style="thin", color="BBBBBB"))
    for c, name in enumerate(("variable", "code", "label", "question"), start=1):
        cell = write_cell(codes_ws, 1, c, name)
        cell.font = font(9, bold=True)
        cell.fill = header_fill
        cell.alignment = Alignment(vertical="top")
    code_heights: dict[int, float] = {1: 15.0}
    first_rows: list[int] = []

    meta_rows = []
    code_row = 1
    for c, q in enumerate(column_order(inst), start=1):
        col = get_column_letter(c)
        head = write_cell(ws, 1, c, q.id)
        head.font = font(10, bold=True)
        head.fill = header_fill
        allowed = _codes(inst, q, lang)
        question = inst.text(q.obj.text, lang) if q.obj is not None else q.text
        head.comment = Comment(  # the question text at hand while typing
            question[:500], "hls-toolkit")
        for k, (code, label) in enumerate(allowed or [("", "(free text)")]):
            code_row += 1
            cells = (write_cell(codes_ws, code_row, 1, q.id), write_cell(codes_ws, code_row, 2, code),
                     write_cell(codes_ws, code_row, 3, label),
                     write_cell(codes_ws, code_row, 4, question if k == 0 else None))
            for cell in cells:
                cell.font = font(9)
                cell.alignment = wrap
                if k == 0:
                    cell.border = rule
            code_heights[code_row] = max(text_height([(str(label), 9)], column_points(CODE_WIDTHS["C"])),
                                         text_height([(question if k == 0 else "", 9)],
                                                     column_points(CODE_WIDTHS["D"])))
            if k == 0:
                first_rows.append(code_row)
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
    set_widths(codes_ws, CODE_WIDTHS)
    for r, h in code_heights.items():
        codes_ws.row_dimensions[r].height = h
    page_setup(codes_ws, title_rows="1:1", footer=f"{inst.id} {inst.version}")
    paginate(codes_ws, code_heights, [], list(CODE_WIDTHS.values()), title_height=code_heights[1])
    codes_ws.protection.sheet = True
    if members is not None:
        from .roster import add_entry_roster_sheets

        meta_rows += add_entry_roster_sheets(wb, inst, lang, members)
    write_meta(wb, inst, lang, "entry", meta_rows)
    out = Path(out)
    save_workbook(wb, out, provenance={"instrument": f"{inst.id} {inst.version}"})
    return out
