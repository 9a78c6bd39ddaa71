"""An XLSForm workbook (sheets ``survey``, ``choices``, ``settings``) for KoboToolbox, ODK and Enketo.

One ``begin_group``/``end_group`` per section with appearance ``field-list`` (a page per section), Likert items
as ``select_one <scale>`` with appearance ``likert``, one choice list per response scale whose choice names are
the numeric codes (missing codes such as 9 = "Don't know" included), context questions in a first group, and
attention checks at the end of their section. Instruments with several languages get ``label::Name (code)``
columns for every language (XLSForm's recommended form) and ``default_language`` set to the same string.
The result converts with ``pyxform`` without warnings (checked in the tests).
"""
from __future__ import annotations

import re
from pathlib import Path

from ...io import save_workbook, write_cell
from ..model import Instrument, text_in
from .common import LANGUAGE_NAMES, ordered_blocks, pick_language, ui

LIKERT_KINDS = ("likert", "frequency")
CONTEXT_TYPES = {"text": "text", "integer": "integer"}


def language_column(code: str) -> str:
    """``English (en)``: the XLSForm language declaration for a language code."""
    return f"{LANGUAGE_NAMES.get(code, code)} ({code})"


def _unique(name: str, used: set[str]) -> str:
    base, n = name, 1
    while name.casefold() in used:
        n += 1
        name = f"{base}_{n}"
    used.add(name.casefold())
    return name


def form_id(inst: Instrument) -> str:
    """An XML-safe form id from the instrument id (``collective-data-use`` -> ``collective_data_use``)."""
    fid = re.sub(r"[^A-Za-z0-9_]", "_", inst.id)
    return fid if re.match(r"[A-Za-z_]", fid) else f"f_{fid}"


def xlsform_sheets(inst: Instrument, lang: str | None = None, members=None) -> dict[str, list[list]]:
    """The three XLSForm sheets as lists of rows (first row = header); *lang* sets the default language.

    With *members* (:class:`~toolkit.networks.members.Members`) the form carries the instrument's roster
    questions (see :mod:`toolkit.instruments.forms.roster`)."""
    default = pick_language(inst, lang)
    multi = len(inst.languages) > 1
    langs = list(inst.languages) if multi else [default]
    label_cols = [f"label::{language_column(code)}" for code in langs] if multi else ["label"]

    def labels(text, fallback=None):
        return [text_in(text, code, inst.default_language) if text else (fallback or {}).get(code, "")
                for code in langs]

    def ui_labels(key):
        return [ui(code, key) for code in langs]

    used = {q.id.casefold() for q in inst.context} | {i.casefold() for i in inst.item_ids} | \
        {a.id.casefold() for a in inst.attention_checks} | {"meta", "data"}
    survey = [["type", "name", *label_cols, "required", "appearance", "calculation"]]
    roster = None
    if members is not None:
        from .roster import xlsform_roster

        roster = xlsform_roster(inst, members, labels, len(label_cols), lambda n: _unique(n, used))
        survey[0] += ["relevant", "choice_filter"]
    # the respondent id is generated once per submission (respondents should not have to invent one); with a
    # members file respondents pick their own name instead
    rid = inst.context_by_role("respondent")
    if rid is not None and rid.type == "text" and roster is None:
        survey.append(["calculate", rid.id, *([""] * len(label_cols)), "", "", "once(uuid())"])
    if inst.instructions:
        survey.append(["note", _unique("instructions", used), *labels(inst.instructions), "", ""])
    if inst.consent:
        survey.append(["note", _unique("consent", used), *labels(inst.consent), "", ""])

    choices = [["list_name", "name", *label_cols] + (["group", "display"] if roster else [])]
    lists_used = set()
    for sid, sc in inst.scales.items():
        lists_used.add(sid.casefold())
        for p in list(sc.points) + list(sc.missing):
            choices.append([sid, str(p.code), *labels(p.label)])
    context_lists = {}
    for q in inst.context:
        if q.type == "select_one":
            name = _unique(f"{q.id}_choices", lists_used)
            context_lists[q.id] = name
            for ch in q.choices:
                choices.append([name, ch.value, *labels(ch.label)])

    for block_id, _title, _intro, questions in ordered_blocks(inst, default):
        section = next((s for s in inst.sections if s.id == block_id), None)
        title = labels(section.title) if section else ui_labels("about")
        survey.append(["begin_group", _unique(block_id, used), *title, "", "field-list"])
        if section is not None and section.intro:
            survey.append(["note", _unique(f"{block_id}_intro", used), *labels(section.intro), "", ""])
        if roster is not None and block_id == "background":  # pick the partnership first, then your name in it
            first = [q for q in questions if q.id in (inst.group_column, inst.respondent_column)]
            first.sort(key=lambda q: q.id != inst.group_column)
            questions = first + [q for q in questions if q not in first]
        for q in questions:
            obj = q.obj
            if obj is rid and rid.type == "text" and roster is None:
                continue
            if roster is not None and q.kind == "context" and q.id in roster["context"]:
                qtype, qlabels, choice_filter = roster["context"][q.id]
                survey.append([qtype, q.id, *qlabels, "yes", "", "", "", choice_filter])
                continue
            if q.kind == "context":
                qtype = f"select_one {context_lists[q.id]}" if obj.type == "select_one" else \
                    CONTEXT_TYPES.get(obj.type, "text")
                survey.append([qtype, q.id, *labels(obj.text), "yes" if obj.required else "", ""])
            else:
                appearance = "likert" if inst.scales[q.scale].kind in LIKERT_KINDS else ""
                survey.append([f"select_one {q.scale}", q.id, *labels(obj.text), "", appearance])
        survey.append(["end_group", "", *([""] * len(label_cols)), "", ""])
        if roster is not None and block_id == "background":
            survey += roster["calculates"]
    if roster is not None:
        choices += roster["choices"]
        survey += roster["groups"]

    # style 'pages': Enketo (the Kobo/ODK web form) shows one field-list group, i.e. one section, per page
    settings = [["form_title", "form_id", "version", "default_language", "style"],
                [text_in(inst.title, default, inst.default_language), form_id(inst), str(inst.version),
                 language_column(default), "pages"]]
    return {"survey": survey, "choices": choices, "settings": settings}


def write_xlsform(inst: Instrument, out: Path, lang: str | None = None, members=None) -> Path:
    """Write the XLSForm workbook for *inst* to *out* (atomically); *members* adds the roster questions."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    sheets = xlsform_sheets(inst, lang, members)
    wb = Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value != "" or r == 1:
                    cell = write_cell(ws, r, c, value)
                    if r == 1:
                        cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        for col, width in zip("ABCDEFG", (18, 20, 60, 60, 10, 12, 12)):
            ws.column_dimensions[col].width = width
    out = Path(out)
    save_workbook(wb, out, provenance={"instrument": f"{inst.id} {inst.version}"})
    return out
