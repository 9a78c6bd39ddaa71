"""Roster (sociometric) questions in the forms, from an instrument's ``roster:`` block and a members file.

* **xlsx questionnaire** (one per member): a *Roster* sheet with one row per other member of the respondent's
  partnership (id, name, organisation) and one drop-down answer column per roster question; the respondent and
  partnership answers on the *Questionnaire* sheet are filled in and locked. ``_meta`` rows of kind ``roster``
  name each answer cell as ``<question>:<alter id>``; the keys ``roster_group`` and ``roster_ego`` say whose
  questionnaire it is.
* **XLSForm**: the partnership becomes ``select_one partnerships``, the respondent ``select_one members`` with
  ``choice_filter`` ``group = ${partnership}``; ``n_alters`` counts the other members and for every slot k up to
  the largest partnership a calculate ``alter_k`` holds the k-th other member's id (``alter_k_name`` the name),
  looked up in the ``members`` choice list. Each roster question is a field-list group of ``<question>_k``
  selects labelled with that name, shown only where slot k exists. Exports stay flat (one row per respondent).
* **entry workbook**: a sheet per partnership (``Roster <group>``) with one row per member and roster question
  and one column per member (the diagonal greyed), for keying in paper rosters.
"""
from __future__ import annotations

import re

from ...io import write_cell
from ..model import Instrument

ROSTER_SHEET = "Roster"
SEP = ":"  # question:alter in _meta variable names (member ids never contain ':')
UI_ROSTER = {
    "en": {"title": "The people in your partnership", "member": "Member", "name": "Name",
           "organisation": "Organisation", "who": "Your name", "partnership": "Your partnership",
           "how": "For each person, pick an answer from the drop-down list in every grey cell.",
           "roster": "Roster", "ego": "Respondent", "question": "Question"},
    "de": {"title": "Die Mitglieder Ihrer Partnerschaft", "member": "Mitglied", "name": "Name",
           "organisation": "Organisation", "who": "Ihr Name", "partnership": "Ihre Partnerschaft",
           "how": "Wählen Sie für jede Person in jedem grauen Feld eine Antwort aus der Liste.",
           "roster": "Roster", "ego": "Befragte Person", "question": "Frage"},
}


def rui(lang: str, key: str) -> str:
    return UI_ROSTER.get(lang, UI_ROSTER["en"]).get(key, UI_ROSTER["en"][key])


def roster_title(inst: Instrument, lang: str) -> str:
    return inst.text(inst.roster.title, lang) if inst.roster and inst.roster.title else rui(lang, "title")


def check_roster_ready(inst: Instrument, members) -> None:
    """An instrument built with a members file must have roster questions and the group/respondent questions."""
    from ...errors import ToolkitError

    if not inst.roster_questions:
        raise ToolkitError(f"instrument '{inst.id}' has no roster questions (add a 'roster:' block); --members is "
                           "only used for roster questions", field="--members")
    for role in ("group", "respondent"):
        if inst.context_by_role(role) is None:
            raise ToolkitError(f"instrument '{inst.id}' has no context question with role '{role}'; a roster form "
                               "needs one to know whose answers these are", field="--members")


# ----------------------------------------------------------------------------------------- xlsx questionnaire
def add_roster_sheet(wb, inst: Instrument, lang: str, members, group: str, ego: str, formulas: dict,
                     validation_factory) -> list[tuple]:
    """The *Roster* sheet of *ego*'s questionnaire; returns its ``_meta`` rows."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side

    ws = wb.create_sheet(ROSTER_SHEET)
    wrap = Alignment(wrap_text=True, vertical="top")
    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    answer_fill = PatternFill("solid", fgColor="F2F2F2")
    head_fill = PatternFill("solid", fgColor="DCE6F1")
    questions = inst.roster_questions
    last_col = 3 + len(questions)
    write_cell(ws, 1, 1, roster_title(inst, lang)).font = Font(bold=True, size=14)
    intro = inst.text(inst.roster.intro, lang) if inst.roster.intro else ""
    r = 2
    for text, style in ((intro, Font(italic=True)), (rui(lang, "how"), Font(color="444444"))):
        if not text:
            continue
        cell = write_cell(ws, r, 1, text)
        cell.font, cell.alignment = style, wrap
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=last_col)
        ws.row_dimensions[r].height = 15 * max(1, -(-len(text) // 110)) + 4
        r += 1
    header = r + 1
    heads = [rui(lang, "member"), rui(lang, "name"), rui(lang, "organisation")] + \
        [inst.text(q.text, lang) for q in questions]
    for c, text in enumerate(heads, start=1):
        cell = write_cell(ws, header, c, text)
        cell.font, cell.alignment, cell.border, cell.fill = Font(bold=True), wrap, box, head_fill
    longest = max(len(h) for h in heads[3:])
    ws.row_dimensions[header].height = 15 * max(2, -(-longest // 30)) + 4
    meta = []
    validations: dict[str, object] = {}
    row = header
    for alter in members.of(group):
        if alter == ego:
            continue
        row += 1
        info = members.row(group, alter)
        ws.row_dimensions[row].height = 20
        for c, value in enumerate((alter, info["name"] or alter, info["organisation"]), start=1):
            cell = write_cell(ws, row, c, value)
            cell.border, cell.alignment = box, Alignment(vertical="center")
        ws.cell(row=row, column=1).font = Font(color="666666", size=9)
        for c, q in enumerate(questions, start=4):
            cell = ws.cell(row=row, column=c)
            cell.protection = Protection(locked=False)
            cell.fill, cell.border = answer_fill, box
            key = f"scale:{q.scale}"
            if key not in validations:
                validations[key] = validation_factory(formulas[key])
                ws.add_data_validation(validations[key])
            validations[key].add(cell.coordinate)
            meta.append((f"{q.id}{SEP}{alter}", ROSTER_SHEET, cell.coordinate, "roster", q.scale))
    for col, width in zip("ABC", (10, 26, 24)):
        ws.column_dimensions[col].width = width
    from openpyxl.utils import get_column_letter

    for c in range(4, last_col + 1):
        ws.column_dimensions[get_column_letter(c)].width = 30
    ws.freeze_panes = ws.cell(row=header + 1, column=4)
    ws.print_title_rows = f"{header}:{header}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.protection.sheet = True
    return meta


# ----------------------------------------------------------------------------------------------- XLSForm
PARTNERSHIPS_LIST = "partnerships"
MEMBERS_LIST = "members"
MEMBER_PATH = ("instance('members')/root/item[group = ${%s} and name != ${%s}]")


def xlsform_roster(inst: Instrument, members, labels, n_labels: int, used_unique) -> dict:
    """Pieces of the XLSForm for *members*: choice rows, the context replacements and the roster rows.

    *labels(text)* gives one label per form language; *used_unique(name)* reserves a unique name. Returns
    ``{"choices": [...], "context": {question id: (type, label cells, choice_filter)}, "calculates": [...],
    "groups": [...]}`` where rows follow the survey header ``type, name, labels..., required, appearance,
    calculation, relevant, choice_filter``.
    """
    group_q, resp_q = inst.context_by_role("group"), inst.context_by_role("respondent")
    langs_ui = [rui(code, "who") for code in _codes(inst, n_labels)]
    part_ui = [inst.text(group_q.text, code) for code in _codes(inst, n_labels)]
    choices = []
    for g in members.groups:
        choices.append([PARTNERSHIPS_LIST, g, *([g] * n_labels), "", ""])
    for g in members.groups:
        for m in members.of(g):
            label = members.label(g, m)
            choices.append([MEMBERS_LIST, m, *([label] * n_labels), g, label])
    k_max = max(1, members.max_size - 1)
    path = MEMBER_PATH % (group_q.id, resp_q.id)
    blank = [""] * n_labels
    calcs = [["calculate", "n_alters", *blank, "", "", f"count({path})", "", ""]]
    for k in range(1, k_max + 1):
        calcs.append(["calculate", f"alter_{k}", *blank, "", "", f"{path}[{k}]/name", "", ""])
        calcs.append(["calculate", f"alter_{k}_name", *blank, "", "", f"{path}[{k}]/display", "", ""])
    groups = []
    title = labels(inst.roster.title) if inst.roster.title else [rui(c, "title") for c in _codes(inst, n_labels)]
    for q in inst.roster_questions:
        appearance = "likert" if inst.scales[q.scale].kind == "frequency" else "horizontal"
        gname = used_unique(f"roster_{q.id}")
        groups.append(["begin_group", gname, *title, "", "field-list", "", "${n_alters} > 0", ""])
        if q is inst.roster_questions[0] and inst.roster.intro:
            groups.append(["note", used_unique("roster_intro"), *labels(inst.roster.intro), "", "", "", "", ""])
        groups.append(["note", used_unique(f"{q.id}_question"), *[f"**{t}**" for t in labels(q.text)], "", "", "",
                       "", ""])
        for k in range(1, k_max + 1):
            groups.append([f"select_one {q.scale}", f"{q.id}_{k}", *([f"${{alter_{k}_name}}"] * n_labels), "",
                           appearance, "", f"${{n_alters}} >= {k}", ""])
        groups.append(["end_group", "", *blank, "", "", "", "", ""])
    context = {group_q.id: (f"select_one {PARTNERSHIPS_LIST}", part_ui, ""),
               resp_q.id: (f"select_one {MEMBERS_LIST}", langs_ui, "group = ${%s}" % group_q.id)}
    return {"choices": choices, "context": context, "calculates": calcs, "groups": groups}


def _codes(inst: Instrument, n_labels: int) -> list[str]:
    return list(inst.languages) if n_labels > 1 else [inst.default_language]


# ------------------------------------------------------------------------------------------ entry workbook
SHEET_BAD = re.compile(r"[\[\]:*?/\\']")


def entry_sheet_name(group: str, used: set) -> str:
    base = SHEET_BAD.sub("_", f"{rui('en', 'roster')} {group}")[:31]
    name, n = base, 1
    while name.casefold() in used:
        n += 1
        name = f"{base[:31 - len(str(n)) - 1]}~{n}"
    used.add(name.casefold())
    return name


def add_entry_roster_sheets(wb, inst: Instrument, lang: str, members) -> list[tuple]:
    """One ``Roster <group>`` sheet per partnership; returns ``_meta`` rows (kind ``roster_sheet``)."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    header_fill = PatternFill("solid", fgColor="DCE6F1")
    self_fill = PatternFill("solid", fgColor="808080")
    used = {s.casefold() for s in wb.sheetnames}
    meta = []
    for g in members.groups:
        ws = wb.create_sheet(entry_sheet_name(g, used))
        ids = members.of(g)
        heads = [inst.respondent_column, rui(lang, "name"), "relation"] + ids
        for c, text in enumerate(heads, start=1):
            cell = write_cell(ws, 1, c, text)
            cell.font, cell.fill = Font(bold=True), header_fill
            if c > 3:
                cell.comment = Comment(members.label(g, text)[:200], "hls-toolkit")
                ws.column_dimensions[get_column_letter(c)].width = max(9, min(16, max(len(text),
                                                                                       len(members.name(g, text))) + 2))
        write_cell(ws, 2, 1, inst.group_column or "group").font = Font(italic=True, color="666666")
        write_cell(ws, 2, 2, g).font = Font(italic=True, color="666666")
        for c, m in enumerate(ids, start=4):
            write_cell(ws, 2, c, members.name(g, m)).font = Font(italic=True, color="666666", size=9)
        r = 2
        for q in inst.roster_questions:
            sc = inst.scales[q.scale]
            codes = [p.code for p in list(sc.points) + list(sc.missing)]
            listing = ", ".join(f"{p.code} = {inst.text(p.label, lang)}" for p in list(sc.points) + list(sc.missing))
            dv = DataValidation(type="list", formula1='"' + ",".join(map(str, codes)) + '"', allow_blank=True,
                                showErrorMessage=True, errorStyle="stop", errorTitle=f"Code for {q.id}"[:32],
                                error=f"Allowed codes for {q.id}: {listing}"[:255], showInputMessage=True,
                                promptTitle=q.id[:32], prompt=inst.text(q.text, lang)[:255])
            ws.add_data_validation(dv)
            for k, ego in enumerate(ids):
                r += 1
                if k == 0 and r > 3:  # a rule between the questions' blocks
                    for c in range(1, len(heads) + 1):
                        ws.cell(row=r, column=c).border = Border(top=Side(style="thin", color="999999"))
                write_cell(ws, r, 1, ego)
                write_cell(ws, r, 2, members.name(g, ego))
                write_cell(ws, r, 3, q.id)
                for c, alter in enumerate(ids, start=4):
                    if alter == ego:
                        ws.cell(row=r, column=c).fill = self_fill
                    else:
                        dv.add(ws.cell(row=r, column=c).coordinate)
        ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = max(16, len(heads[0]) + 3), 24
        ws.column_dimensions["C"].width = 12
        ws.freeze_panes = "D3"
        meta.append((f"roster{SEP}{g}", ws.title, "A1", "roster_sheet", ""))
    return meta
