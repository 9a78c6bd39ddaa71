"""An Excel/LibreOffice questionnaire a respondent fills in: one drop-down answer cell per question.

Sheets: ``Instructions`` (purpose, instructions, consent, how to answer), ``Questionnaire`` (section headings,
question text and one unlocked answer cell each, with a list validation of the answer labels; everything else
locked; sheet protection on without a password; A4, fit to one page wide, header row repeated), ``Codebook``
(the data dictionary), a hidden ``Lists`` sheet feeding the drop-downs and the very-hidden ``_meta`` sheet that
tells :mod:`toolkit.survey.readers.questionnaire` where every answer is.
"""
from __future__ import annotations

import math
from pathlib import Path

from ...io import save_workbook, write_cell
from ..model import Instrument
from .common import (dictionary_rows, ordered_blocks, pick_language, scale_labels, set_widths, ui, write_meta,
                     write_table)

SHEET = "Questionnaire"
LISTS = "Lists"
HEADER_ROW = 3
ANSWER_COL = 3  # column C
TEXT_WIDTH = 72


def _height(text: str, width: int = TEXT_WIDTH) -> float:
    lines = max(1, math.ceil(len(text) / (width * 1.1)))
    return 15.0 * lines + 3


def _print_setup(ws) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _instructions_sheet(wb, inst: Instrument, lang: str) -> None:
    from openpyxl.styles import Alignment, Font

    ws = wb.active
    ws.title = "Instructions"
    wrap = Alignment(wrap_text=True, vertical="top")
    rows: list[tuple[str, str]] = [("title", inst.text(inst.title, lang)),
                                   ("small", f"{ui(lang, 'instrument')}: {inst.id}  ·  {ui(lang, 'version')} "
                                             f"{inst.version}")]
    if inst.description:
        rows.append(("text", inst.text(inst.description, lang)))
    for key, text in (("instructions", inst.instructions), ("consent", inst.consent)):
        if text:
            rows += [("head", ui(lang, key)), ("text", inst.text(text, lang))]
    rows += [("head", ui(lang, "how")), ("text", ui(lang, "how_text"))]
    if inst.references:
        rows.append(("head", ui(lang, "references")))
        rows += [("text", ref.citation) for ref in inst.references]
    for r, (style, text) in enumerate(rows, start=1):
        cell = write_cell(ws, r, 1, text)
        cell.alignment = wrap
        if style == "title":
            cell.font = Font(bold=True, size=14)
        elif style == "head":
            cell.font = Font(bold=True, size=12)
        elif style == "small":
            cell.font = Font(italic=True, color="666666")
        if style == "text":
            ws.row_dimensions[r].height = _height(text, 90)
    ws.column_dimensions["A"].width = 95
    _print_setup(ws)
    ws.protection.sheet = True


def _lists_sheet(wb, inst: Instrument, lang: str) -> dict[str, str]:
    """A hidden sheet with one column per drop-down list; returns ``{list key: range formula}``."""
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(LISTS)
    lists: dict[str, list[str]] = {f"scale:{sid}": scale_labels(inst, sid, lang) for sid in inst.scales}
    for q in inst.context:
        if q.type == "select_one" and q.choices:
            lists[f"context:{q.id}"] = [inst.text(ch.label, lang) for ch in q.choices]
    formulas = {}
    for c, (key, labels) in enumerate(lists.items(), start=1):
        write_cell(ws, 1, c, key)
        for r, label in enumerate(labels, start=2):
            write_cell(ws, r, c, label)
        col = get_column_letter(c)
        formulas[key] = f"{LISTS}!${col}$2:${col}${len(labels) + 1}"
    ws.sheet_state = "hidden"
    ws.protection.sheet = True
    return formulas


def write_questionnaire(inst: Instrument, out: Path, lang: str | None = None) -> Path:
    """Write the fill-in questionnaire workbook for *inst* to *out* (atomically)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    lang = pick_language(inst, lang)
    wb = Workbook()
    wb.properties.title = inst.text(inst.title, lang)
    _instructions_sheet(wb, inst, lang)
    ws = wb.create_sheet(SHEET)
    formulas = _lists_sheet(wb, inst, lang)

    wrap = Alignment(wrap_text=True, vertical="top")
    answer_fill = PatternFill("solid", fgColor="F2F2F2")
    heading_fill = PatternFill("solid", fgColor="DCE6F1")
    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    unlocked = Protection(locked=False)

    write_cell(ws, 1, 1, inst.text(inst.title, lang)).font = Font(bold=True, size=14)
    write_cell(ws, 2, 1, f"{ui(lang, 'instrument')}: {inst.id}  ·  {ui(lang, 'version')} {inst.version}").font = \
        Font(italic=True, color="666666")
    for c, key in enumerate(("id", "question", "answer"), start=1):
        cell = write_cell(ws, HEADER_ROW, c, ui(lang, key))
        cell.font = Font(bold=True)
        cell.border = box
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)

    validations: dict[str, DataValidation] = {}
    meta_rows = []
    r = HEADER_ROW
    for _block_id, title, intro, questions in ordered_blocks(inst, lang):
        r += 2
        for c in range(1, ANSWER_COL + 1):
            ws.cell(row=r, column=c).fill = heading_fill
        write_cell(ws, r, 1, title).font = Font(bold=True, size=12)
        if intro:
            r += 1
            cell = write_cell(ws, r, 2, intro)
            cell.font = Font(italic=True)
            cell.alignment = wrap
            ws.row_dimensions[r].height = _height(intro)
        for q in questions:
            r += 1
            write_cell(ws, r, 1, q.id).font = Font(color="666666", size=9)
            cell = write_cell(ws, r, 2, q.text)
            cell.alignment = wrap
            ws.row_dimensions[r].height = _height(q.text)
            answer = ws.cell(row=r, column=ANSWER_COL)
            answer.protection = unlocked
            answer.fill = answer_fill
            answer.border = box
            answer.alignment = Alignment(vertical="top", wrap_text=True)
            if q.kind == "context":
                key = f"context:{q.id}" if q.obj.type == "select_one" and q.obj.choices else None
                if q.obj.type == "integer":
                    answer.number_format = "0"
            else:
                key = f"scale:{q.scale}"
            if key:
                if key not in validations:
                    dv = DataValidation(type="list", formula1=formulas[key], allow_blank=True,
                                        showDropDown=False, showErrorMessage=True, errorStyle="stop",
                                        errorTitle=ui(lang, "answer"),
                                        error=ui(lang, "pick"))
                    ws.add_data_validation(dv)
                    validations[key] = dv
                validations[key].add(answer.coordinate)
            meta_rows.append((q.id, SHEET, answer.coordinate, q.kind, q.scale or ""))
    set_widths(ws, {"A": 8, "B": TEXT_WIDTH, "C": 30})
    _print_setup(ws)
    ws.protection.sheet = True

    cb = wb.create_sheet("Codebook")
    write_table(cb, dictionary_rows(inst, lang))
    set_widths(cb, {"A": 14, "B": 60, "C": 10, "D": 14, "E": 24, "F": 30, "G": 11, "H": 14, "I": 60, "J": 8,
                    "K": 20, "L": 40})
    cb.freeze_panes = "B2"
    _print_setup(cb)  # A4, one page wide (landscape: the dictionary has twelve columns)
    cb.page_setup.orientation = "landscape"
    cb.print_title_rows = "1:1"
    cb.protection.sheet = True

    write_meta(wb, inst, lang, "questionnaire", meta_rows)
    wb.active = 0
    out = Path(out)
    save_workbook(wb, out, provenance={"instrument": f"{inst.id} {inst.version}"})
    return out
