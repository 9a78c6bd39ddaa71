"""An Excel/LibreOffice questionnaire a respondent fills in on screen or on paper: one drop-down answer cell per
question, with the answer options printed under every question.

Sheets: ``Instructions`` (purpose, instructions, consent, how to answer on screen and on paper), ``Questionnaire``
(section headings, question text with its answer options as tick boxes, and one unlocked answer cell each, with a
list validation of the answer labels; everything else locked; sheet protection on without a password),
``Codebook`` (variables, answers and response scales, laid out to be read on paper), a hidden ``Lists`` sheet
feeding the drop-downs and the very-hidden ``_meta`` sheet that tells :mod:`toolkit.survey.readers.questionnaire`
where every answer is.

Printing (:mod:`.printing`): A4, Arial throughout, rows as tall as their text needs in any common sans-serif
font, the header row repeated on every page, page numbers, and a page break before a section heading that would
otherwise be the last line of a page.
"""
from __future__ import annotations

from pathlib import Path

from ...io import save_workbook, write_cell
from ..model import Instrument
from .common import dictionary_rows, ordered_blocks, pick_language, scale_labels, set_widths, ui, write_meta
from .printing import column_points, font, options_line, page_setup, paginate, text_height

SHEET = "Questionnaire"
LISTS = "Lists"
HEADER_ROW = 3
ANSWER_COL = 3  # column C
WIDTHS = {"A": 10, "B": 62, "C": 18}
QUESTION_SIZE, OPTION_SIZE = 10, 8
GREY = "555555"


def _instructions_sheet(wb, inst: Instrument, lang: str) -> None:
    from openpyxl.styles import Alignment

    ws = wb.active
    ws.title = "Instructions"
    width = 92
    rows: list[tuple[str, str]] = [("title", inst.text(inst.title, lang)),
                                   ("small", f"{ui(lang, 'instrument')}: {inst.id}  ·  {ui(lang, 'version')} "
                                             f"{inst.version}")]
    if inst.description:
        rows.append(("text", inst.text(inst.description, lang)))
    for key, text in (("instructions", inst.instructions), ("consent", inst.consent)):
        if text:
            rows += [("head", ui(lang, key)), ("text", inst.text(text, lang))]
    rows += [("head", ui(lang, "how")), ("text", ui(lang, "how_text")),
             ("head", ui(lang, "paper")), ("text", ui(lang, "paper_text"))]
    if inst.references:
        rows.append(("head", ui(lang, "references")))
        rows += [("text", ref.citation) for ref in inst.references]
    styles = {"title": (14, {"bold": True}), "head": (12, {"bold": True}), "small": (9, {"italic": True,
              "color": "666666"}), "text": (10, {})}
    heights, keep = {}, []
    for r, (style, text) in enumerate(rows, start=1):
        size, kw = styles[style]
        cell = write_cell(ws, r, 1, text)
        cell.font = font(size, **kw)
        cell.alignment = Alignment(wrap_text=True, vertical="bottom" if style == "head" else "top")
        extra = 8.0 if style == "head" else 0.0  # a little air above each heading
        heights[r] = text_height([(text, size)], column_points(width)) + extra
        ws.row_dimensions[r].height = heights[r]
        if style == "head" and r < len(rows):
            keep.append((r, r + 1))
    ws.column_dimensions["A"].width = width
    # LibreOffice does not shrink a one-column print range to the page width (the text ran off the page when
    # wider fonts were substituted): print a second, one-unit column with it
    ws.column_dimensions["B"].width = 1
    ws.print_area = f"A1:B{len(rows)}"
    page_setup(ws, footer=f"{inst.id} {inst.version}")
    paginate(ws, heights, keep, [width, 1])
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


def answer_options(inst: Instrument, q, lang: str) -> str:
    """What a printed copy shows under question *q*: its answer options as tick boxes, or how to answer."""
    if q.kind in ("item", "attention"):
        return options_line(scale_labels(inst, q.scale, lang))
    if q.obj is not None and q.obj.type == "select_one" and q.obj.choices:
        return options_line([inst.text(ch.label, lang) for ch in q.obj.choices])
    if q.obj is not None and q.obj.type == "integer":
        return ui(lang, "number")
    return ui(lang, "write_in")


def _question_value(text: str, options: str):
    """The question cell: the question, then its options in smaller grey type (one cell, so they never part)."""
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    from .printing import FONT

    return CellRichText([TextBlock(InlineFont(rFont=FONT, sz=QUESTION_SIZE), text),
                         TextBlock(InlineFont(rFont=FONT, sz=OPTION_SIZE, color=GREY), "\n" + options)])


def write_questionnaire(inst: Instrument, out: Path, lang: str | None = None, respondent=None) -> Path:
    """Write the fill-in questionnaire workbook for *inst* to *out* (atomically).

    *respondent* = ``(members, group, member id)`` personalises it: the respondent and partnership answers are
    filled in and locked, and a *Roster* sheet asks the roster questions about every other member of the
    partnership (:mod:`toolkit.instruments.forms.roster`)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, PatternFill, Protection, Side
    from openpyxl.worksheet.datavalidation import DataValidation

    lang = pick_language(inst, lang)
    wb = Workbook()
    wb.properties.title = inst.text(inst.title, lang)
    _instructions_sheet(wb, inst, lang)
    ws = wb.create_sheet(SHEET)
    formulas = _lists_sheet(wb, inst, lang)

    top = Alignment(vertical="top")
    wrap = Alignment(wrap_text=True, vertical="top")
    answer_fill = PatternFill("solid", fgColor="F2F2F2")
    heading_fill = PatternFill("solid", fgColor="DCE6F1")
    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    unlocked = Protection(locked=False)
    text_points = column_points(WIDTHS["B"])
    heights: dict[int, float] = {}

    write_cell(ws, 1, 1, inst.text(inst.title, lang)).font = font(14, bold=True)
    heights[1] = 22.0
    write_cell(ws, 2, 1, f"{ui(lang, 'instrument')}: {inst.id}  ·  {ui(lang, 'version')} {inst.version}").font = \
        font(9, italic=True, color="666666")
    heights[2] = 15.0
    for c, key in enumerate(("id", "question", "answer"), start=1):
        cell = write_cell(ws, HEADER_ROW, c, ui(lang, key))
        cell.font = font(10, bold=True)
        cell.border = box
        cell.alignment = top
    heights[HEADER_ROW] = 17.0
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)

    validations: dict[str, DataValidation] = {}
    meta_rows = []
    prefilled = {}
    if respondent is not None:
        members, group, ego = respondent
        prefilled = {inst.group_column: group, inst.respondent_column: ego}
    blocks: list[tuple[int, int]] = []
    r = HEADER_ROW
    for _block_id, title, intro, questions in ordered_blocks(inst, lang):
        r += 1
        heights[r] = 9.0  # air before the heading
        r += 1
        heading = r
        for c in range(1, ANSWER_COL + 1):
            ws.cell(row=r, column=c).fill = heading_fill
        cell = write_cell(ws, r, 1, title)
        cell.font = font(12, bold=True)
        cell.alignment = Alignment(vertical="center")
        heights[r] = 21.0
        if intro:
            r += 1
            cell = write_cell(ws, r, 2, intro)
            cell.font = font(9.5, italic=True)
            cell.alignment = wrap
            ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=ANSWER_COL)
            heights[r] = text_height([(intro, 9.5)], text_points + column_points(WIDTHS["C"]))
        for k, q in enumerate(questions):
            r += 1
            if k == 0:
                blocks.append((heading, r))
            cell = write_cell(ws, r, 1, q.id)
            cell.font = font(8, color="666666")
            cell.alignment = Alignment(vertical="top", shrink_to_fit=True)
            options = answer_options(inst, q, lang)
            cell = write_cell(ws, r, 2, _question_value(q.text, options))
            cell.font = font(QUESTION_SIZE)
            cell.alignment = wrap
            heights[r] = text_height([(q.text, QUESTION_SIZE), (options, OPTION_SIZE)], text_points)
            answer = ws.cell(row=r, column=ANSWER_COL)
            answer.border = box
            answer.font = font(10)
            answer.alignment = wrap
            if q.kind == "context" and q.id in prefilled:  # personalised: whose questionnaire this is
                write_cell(ws, r, ANSWER_COL, prefilled[q.id]).font = font(10, bold=True)
                meta_rows.append((q.id, SHEET, answer.coordinate, q.kind, ""))
                continue
            answer.protection = unlocked
            answer.fill = answer_fill
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
    for row, h in heights.items():
        ws.row_dimensions[row].height = round(h, 2)
    set_widths(ws, WIDTHS)
    page_setup(ws, title_rows=f"{HEADER_ROW}:{HEADER_ROW}", footer=f"{inst.id} {inst.version}")
    paginate(ws, heights, blocks, list(WIDTHS.values()), title_height=heights[HEADER_ROW])
    ws.protection.sheet = True

    _codebook_sheet(wb, inst, lang)

    extra = {}
    if respondent is not None:
        from .roster import add_roster_sheet

        def validation(formula):
            return DataValidation(type="list", formula1=formula, allow_blank=True, showDropDown=False,
                                  showErrorMessage=True, errorStyle="stop", errorTitle=ui(lang, "answer"),
                                  error=ui(lang, "pick"))

        meta_rows += add_roster_sheet(wb, inst, lang, members, group, ego, formulas, validation)
        wb.move_sheet("Roster", offset=-(len(wb.sheetnames) - 1 - wb.sheetnames.index(SHEET) - 1))
        extra = {"roster_group": group, "roster_ego": ego}
    write_meta(wb, inst, lang, "questionnaire", meta_rows, extra)
    wb.active = 0
    out = Path(out)
    save_workbook(wb, out, provenance={"instrument": f"{inst.id} {inst.version}"})
    return out


CODEBOOK_WIDTHS = {"A": 13, "B": 60, "C": 28, "D": 30, "E": 9}


def _codebook_sheet(wb, inst: Instrument, lang: str) -> None:
    """The codebook as a reader needs it on paper: one row per variable (question, construct, answers, reverse
    keying), then each response scale once with its codes. Landscape, about full size, header repeated."""
    from openpyxl.styles import Alignment, Border, PatternFill, Side

    ws = wb.create_sheet("Codebook")
    wrap = Alignment(wrap_text=True, vertical="top")
    head_fill = PatternFill("solid", fgColor="DCE6F1")
    rule = Border(bottom=Side(style="thin", color="999999"))
    points = {col: column_points(w) for col, w in CODEBOOK_WIDTHS.items()}
    size = 9

    heights: dict[int, float] = {}

    def row(r, values, bold=False, fill=None, border=None):
        parts = []
        for c, (col, value) in enumerate(zip(CODEBOOK_WIDTHS, values), start=1):
            cell = write_cell(ws, r, c, value if value not in (None, "") else None)
            cell.font = font(size, bold=bold)
            cell.alignment = wrap
            if fill is not None:
                cell.fill = fill
            if border is not None:
                cell.border = border
            if value:
                parts.append(text_height([(str(value), size)], points[col]))
        heights[r] = ws.row_dimensions[r].height = max(parts + [15.0])

    headers = {"en": ("Variable", "Question", "Construct", "Answers", "Reverse"),
               "de": ("Variable", "Frage", "Konstrukt", "Antworten", "Umgepolt")}.get(lang)
    headers = headers or ("Variable", "Question", "Construct", "Answers", "Reverse")
    row(1, headers, bold=True, fill=head_fill, border=rule)
    r = 1
    used_scales: list[str] = []
    for rec in dictionary_rows(inst, lang):
        r += 1
        scale = rec["response_scale"]
        if scale:
            if scale not in used_scales:
                used_scales.append(scale)
            sc = inst.scales[scale]
            answers = f"{scale}: {', '.join(str(p.code) for p in sc.points)}"
            if sc.missing:
                answers += f"; missing {', '.join(str(p.code) for p in sc.missing)}"
        elif rec["value_labels"]:
            answers = rec["value_labels"].replace("; ", "\n")
        else:
            answers = ""
        construct = rec["construct_label"] or rec["construct"]
        reverse = {"yes": "yes", "no": ""}.get(rec["reverse_keyed"], rec["reverse_keyed"])
        row(r, (rec["variable"], rec["label"], construct, answers, reverse))
    keep = []
    if used_scales:
        r += 2
        title = {"de": "Antwortskalen"}.get(lang, "Response scales")
        cell = write_cell(ws, r, 1, title)
        cell.font = font(11, bold=True)
        heights[r] = ws.row_dimensions[r].height = 20.0
        keep.append((r, r + 2))  # the title, its header row and the first scale
        r += 1
        row(r, ("Scale" if lang != "de" else "Skala", "Code = label" if lang != "de" else "Code = Bezeichnung",
                "", "", ""), bold=True, fill=head_fill, border=rule)
        for sid in used_scales:
            sc = inst.scales[sid]
            lines = [f"{p.code} = {inst.text(p.label, lang)}" for p in sc.points]
            lines += [f"{p.code} = {inst.text(p.label, lang)} (missing)" for p in sc.missing]
            r += 1
            row(r, (sid, "\n".join(lines), "", "", ""))
    set_widths(ws, CODEBOOK_WIDTHS)
    ws.freeze_panes = "A2"
    page_setup(ws, orientation="landscape", title_rows="1:1", footer=f"{inst.id} {inst.version}")
    paginate(ws, heights, keep, list(CODEBOOK_WIDTHS.values()), title_height=heights[1], orientation="landscape")
    ws.protection.sheet = True


__all__ = ["answer_options", "write_questionnaire"]
