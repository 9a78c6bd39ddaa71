"""Pieces shared by the form writers: language choice, interface strings, the ordered question list, the
``_meta`` sheet and the data-dictionary rows.

The ``_meta`` sheet is a contract with :mod:`toolkit.survey.readers`: a very-hidden sheet named ``_meta`` with
key/value rows (``instrument_id``, ``instrument_version``, ``language``, ``form_type``), a blank row, a header
row ``variable | sheet | cell | kind | scale`` and one row per answer cell.
"""
from __future__ import annotations

from dataclasses import dataclass

from ...errors import ToolkitError
from ...io import write_cell
from ..model import Instrument, text_in

META_SHEET = "_meta"
META_HEADER = ("variable", "sheet", "cell", "kind", "scale")

# Interface text of the generated forms, per language (English is the fallback for any other language).
UI = {
    "en": {
        "instructions": "Instructions", "consent": "Consent", "how": "How to answer",
        "how_text": "Click the grey cell next to each statement and pick your answer from the drop-down list. "
                    "Only the answer cells can be edited. Save the file when you have finished and return it.",
        "paper": "On paper",
        "paper_text": "Tick one box under each statement (or write your answer in the grey box), then hand the "
                      "pages back.",
        "write_in": "(please write in the box)", "number": "(a whole number)",
        "question": "Question", "answer": "Your answer", "id": "No.", "about": "About you and your work",
        "check": "Attention check", "instrument": "Instrument", "version": "Version",
        "references": "Sources", "pick": "Please pick an answer from the drop-down list.",
    },
    "de": {
        "instructions": "Hinweise", "consent": "Einverständnis", "how": "So antworten Sie",
        "how_text": "Klicken Sie auf das graue Feld neben jeder Aussage und wählen Sie Ihre Antwort aus der "
                    "Liste. Nur die Antwortfelder lassen sich bearbeiten. Speichern Sie die Datei am Ende und "
                    "senden Sie sie zurück.",
        "paper": "Auf Papier",
        "paper_text": "Kreuzen Sie unter jeder Aussage ein Kästchen an (oder schreiben Sie Ihre Antwort in das graue "
                      "Feld) und geben Sie die Seiten zurück.",
        "write_in": "(bitte in das Feld schreiben)", "number": "(eine ganze Zahl)",
        "question": "Frage", "answer": "Ihre Antwort", "id": "Nr.", "about": "Angaben zu Ihrer Person und Arbeit",
        "check": "Aufmerksamkeitsprüfung", "instrument": "Fragebogen", "version": "Version",
        "references": "Quellen", "pick": "Bitte wählen Sie eine Antwort aus der Liste.",
    },
}

LANGUAGE_NAMES = {
    "en": "English", "de": "Deutsch", "fr": "Français", "nl": "Nederlands", "es": "Español", "it": "Italiano",
    "pt": "Português", "da": "Dansk", "sv": "Svenska", "nb": "Norsk bokmål", "no": "Norsk", "fi": "Suomi",
    "pl": "Polski", "cs": "Čeština", "el": "Ελληνικά", "tr": "Türkçe", "cy": "Cymraeg", "ga": "Gaeilge",
}


def ui(lang: str, key: str) -> str:
    return UI.get(lang, UI["en"]).get(key, UI["en"][key])


def pick_language(inst: Instrument, lang: str | None) -> str:
    """The language to write: *lang* if the instrument has it (error otherwise), else its default language."""
    if lang is None:
        return inst.default_language
    if lang not in inst.languages:
        raise ToolkitError(f"instrument '{inst.id}' has no language '{lang}' (it has: {', '.join(inst.languages)})",
                           field="--lang")
    return lang


@dataclass(frozen=True)
class Question:
    """One answerable question in form order: an item, a context question or an attention check."""

    id: str
    kind: str  # item | context | attention
    text: str
    section: str | None  # section id (None for context questions)
    scale: str | None  # response scale id (None for context questions)
    obj: object  # the model object (Item, ContextQuestion or AttentionCheck)


def ordered_blocks(inst: Instrument, lang: str) -> list[tuple[str, str, str, list[Question]]]:
    """``[(block_id, title, intro, questions)]``: context first, then each section with its attention checks.

    Attention checks sit at the end of the section named in ``after_section`` (or of the last section).
    """
    blocks = []
    if inst.context:
        qs = [Question(q.id, "context", inst.text(q.text, lang), None, None, q) for q in inst.context]
        blocks.append(("background", ui(lang, "about"), "", qs))
    last = inst.sections[-1].id if inst.sections else None
    for s in inst.sections:
        qs = [Question(i.id, "item", inst.text(i.text, lang), s.id, i.scale, i) for c in s.constructs for i in c.items]
        for a in inst.attention_checks:
            if (a.after_section or last) == s.id:
                qs.append(Question(a.id, "attention", inst.text(a.text, lang), s.id, a.scale, a))
        blocks.append((s.id, inst.text(s.title, lang), inst.text(s.intro, lang), qs))
    return blocks


def column_order(inst: Instrument) -> list[Question]:
    """Data columns in the order of the entry sheet: respondent id, group id, other context, items, checks."""
    lang = inst.default_language
    ctx = list(inst.context)
    first = [q for role in ("respondent", "group") for q in ctx if q.role == role]
    rest = [q for q in ctx if q not in first]
    out = [Question(q.id, "context", inst.text(q.text, lang), None, None, q) for q in first + rest]
    if not any(q.role == "respondent" for q in ctx):
        out.insert(0, Question(inst.respondent_column, "context", "Respondent number", None, None, None))
    for s in inst.sections:
        for c in s.constructs:
            out += [Question(i.id, "item", inst.text(i.text, lang), s.id, i.scale, i) for i in c.items]
    out += [Question(a.id, "attention", inst.text(a.text, lang), a.after_section, a.scale, a)
            for a in inst.attention_checks]
    return out


def scale_labels(inst: Instrument, scale_id: str, lang: str, include_missing: bool = True) -> list[str]:
    """Labels of a response scale in display order (values first, then missing codes)."""
    sc = inst.scales[scale_id]
    points = list(sc.points) + (list(sc.missing) if include_missing else [])
    return [text_in(p.label, lang, inst.default_language) for p in points]


def value_labels(inst: Instrument, scale_id: str, lang: str, missing: bool = False) -> str:
    """``"1=Strongly disagree; 2=Disagree; ..."`` for the scale's values (or its missing codes)."""
    sc = inst.scales[scale_id]
    points = sc.missing if missing else sc.points
    return "; ".join(f"{p.code}={text_in(p.label, lang, inst.default_language)}" for p in points)


def write_meta(wb, inst: Instrument, lang: str, form_type: str, rows: list[tuple], extra: dict | None = None) -> None:
    """Add the very-hidden ``_meta`` sheet (see the module docstring for the exact layout); *extra* key/value
    pairs follow the standard ones (roster forms say whose questionnaire it is)."""
    ws = wb.create_sheet(META_SHEET)
    head = [("instrument_id", inst.id), ("instrument_version", inst.version), ("language", lang),
            ("form_type", form_type)] + list((extra or {}).items())
    r = 1
    for key, value in head:
        write_cell(ws, r, 1, key)
        write_cell(ws, r, 2, value)
        r += 1
    r += 1  # blank row
    for c, name in enumerate(META_HEADER, start=1):
        write_cell(ws, r, c, name)
    for row in rows:
        r += 1
        for c, value in enumerate(row, start=1):
            write_cell(ws, r, c, "" if value is None else value)
    ws.sheet_state = "veryHidden"
    ws.protection.sheet = True


def dictionary_rows(inst: Instrument, lang: str | None = None) -> list[dict]:
    """One row per variable: the data dictionary (also the Codebook sheet of the questionnaire)."""
    lang = pick_language(inst, lang)
    rows = []
    for q in column_order(inst):
        rec = {"variable": q.id, "label": inst.text(q.obj.text, lang) if q.obj is not None else q.text,
               "kind": q.kind, "section": "", "construct": "", "construct_label": "", "referent": "",
               "response_scale": "", "value_labels": "", "reverse_keyed": "", "missing_codes": "", "source": ""}
        if q.kind == "item":
            c = inst.construct(q.obj.construct)
            sc = q.scale
            rec.update(section=c.section, construct=c.id, construct_label=inst.text(c.label, lang),
                       referent=c.referent, response_scale=sc, value_labels=value_labels(inst, sc, lang),
                       reverse_keyed="yes" if q.obj.reverse else "no",
                       missing_codes=value_labels(inst, sc, lang, missing=True), source=c.source)
        elif q.kind == "attention":
            sc = q.scale
            expected = inst.scales[sc]
            right = next((p for p in expected.points if p.value == q.obj.expected), None)
            rec.update(section=q.obj.after_section or "", response_scale=sc, value_labels=value_labels(inst, sc, lang),
                       missing_codes=value_labels(inst, sc, lang, missing=True),
                       construct_label=f"attention check (right answer: {right.code if right else q.obj.expected})")
        elif q.obj is not None and q.obj.choices:
            rec["value_labels"] = "; ".join(f"{ch.value}={inst.text(ch.label, lang)}" for ch in q.obj.choices)
            rec["construct_label"] = f"context ({q.obj.role})" if q.obj.role else "context"
        else:
            role = getattr(q.obj, "role", None) if q.obj is not None else "respondent"
            rec["construct_label"] = f"context ({role})" if role else "context"
        rows.append(rec)
    for rq in inst.roster_questions:  # answered about every other member; read back as an edge list
        c = next((c for c in inst.constructs if c.id == rq.antecedent), None)
        rows.append({"variable": rq.id, "label": inst.text(rq.text, lang), "kind": "roster", "section": "",
                     "construct": rq.antecedent, "construct_label": inst.text(c.label, lang) if c else rq.antecedent,
                     "referent": "each other member", "response_scale": rq.scale,
                     "value_labels": value_labels(inst, rq.scale, lang), "reverse_keyed": "",
                     "missing_codes": value_labels(inst, rq.scale, lang, missing=True), "source": rq.source})
    return rows


def set_widths(ws, widths: dict[str, float]) -> None:
    for col, w in widths.items():
        ws.column_dimensions[col].width = w


def write_table(ws, rows: list[dict], start_row: int = 1) -> None:
    """Header + rows of dicts into a sheet, every cell through :func:`~toolkit.io.write_cell`."""
    from openpyxl.styles import Font

    if not rows:
        return
    cols = list(rows[0])
    for c, name in enumerate(cols, start=1):
        write_cell(ws, start_row, c, name).font = Font(bold=True)
    for r, rec in enumerate(rows, start=start_row + 1):
        for c, name in enumerate(cols, start=1):
            write_cell(ws, r, c, rec[name])
