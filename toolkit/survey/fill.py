"""Write answers into a questionnaire built by ``hls instrument build --format xlsx`` (as a respondent would).

Used to make sample data and round-trip tests: each answer goes into the cell the form's ``_meta`` sheet names,
as the label a respondent would pick from the drop-down (in the form's language).
"""
from __future__ import annotations

from pathlib import Path

from ..io import save_workbook, write_cell
from .variables import as_instrument, variables

#: recorded in a questionnaire filled by :func:`fill_questionnaire`: machine answers, not a person's work
SIMULATED = "filled in by the toolkit (simulated answers)"


def answer_label(var, value, lang: str):
    """The text a respondent would choose for *value* (labels for scales and choices, else the value)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if var.scale is not None:
        if isinstance(value, str):
            return value
        for p in tuple(var.scale.points) + tuple(var.scale.missing):
            if float(p.value) == float(value):
                return p.label.get(lang) or next(iter(p.label.values()))
        return value
    if var.question is not None and var.question.type == "select_one":
        for c in var.question.choices:
            if c.value == str(value):
                return c.label.get(lang) or next(iter(c.label.values()))
    return value


def fill_questionnaire(form, answers: dict, out, instrument) -> Path:
    """Copy the built questionnaire *form* to *out* with *answers* (``{variable: value}``) filled in as labels.

    >>> fill_questionnaire("form.xlsx", {"respondent_id": "R1", "CON1": 4}, "R1.xlsx",
    ...                    "collective-data-use")   # doctest: +SKIP
    """
    from ..spreadsheets import load_openpyxl
    from .readers.questionnaire import read_answer_map

    inst = as_instrument(instrument)
    vars_ = {v.id: v for v in variables(inst)}
    wb = load_openpyxl(form, read_only=False, data_only=False)
    rows = list(wb["_meta"].iter_rows(values_only=True)) if "_meta" in wb.sheetnames else None
    meta, cells = read_answer_map(rows, Path(form))
    lang = meta.get("language") or inst.default_language
    for c in cells:
        name = c["variable"]
        if name not in answers or name not in vars_:
            continue
        label = answer_label(vars_[name], answers[name], lang)
        ws = wb[c["sheet"]]
        cell = ws[c["cell"]]
        write_cell(ws, cell.row, cell.column, label)
    out = Path(out)
    save_workbook(wb, out, provenance={"answers": SIMULATED})
    return out
