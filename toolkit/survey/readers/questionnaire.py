"""Filled questionnaires built by ``hls instrument build --format xlsx`` (one respondent per file), as saved by
Excel (``.xlsx``), LibreOffice (``.xlsx`` or its native ``.ods``) or old Excel (``.xls``).

Metadata contract (written by :mod:`toolkit.instruments.forms`): a very-hidden sheet ``_meta`` holding key/value
rows (column A key, column B value: ``instrument_id``, ``instrument_version``, ``language``, ``form_type`` =
``questionnaire``), a blank row, a header row ``variable | sheet | cell | kind | scale`` and one row per answer
cell. LibreOffice cannot keep a sheet very hidden and saves ``_meta`` merely hidden; that is read all the same.
Answer cells hold the label chosen from a drop-down (or a typed code); labels are recoded later.
"""
from __future__ import annotations

from pathlib import Path

from ...errors import DataError
from .base import Source, is_workbook, workbook_meta


def read_answer_map(rows, path: Path) -> tuple[dict, list[dict]]:
    """``(meta, answer cells)`` from the rows of the ``_meta`` sheet (``None`` when the workbook has none)."""
    if rows is None:
        raise DataError("no _meta sheet: not a questionnaire built by 'hls instrument build'", file=path)
    meta: dict = {}
    cells: list[dict] = []
    header = None
    for r, row in enumerate(rows, start=1):
        row = tuple(row) + (None,) * (5 - len(row))
        blank = all(c is None or str(c).strip() == "" for c in row[:5])
        if header is None:
            if blank:
                continue
            first = str(row[0]).strip()
            if first.casefold() == "variable" and str(row[1] or "").strip().casefold() == "sheet":
                header = [str(c or "").strip().casefold() for c in row[:5]]
                continue
            meta[first] = "" if row[1] is None else str(row[1]).strip()
            continue
        if blank:
            continue
        rec = dict(zip(header, row[:5]))
        if not rec.get("variable") or not rec.get("sheet") or not rec.get("cell"):
            raise DataError("incomplete answer-cell row in _meta (needs variable, sheet and cell)", file=path,
                            line=r, field="_meta", kind="row")
        cells.append({k: (str(v).strip() if v is not None else "") for k, v in rec.items()})
    if header is None:
        raise DataError("_meta sheet has no 'variable | sheet | cell | kind | scale' table", file=path)
    return meta, cells


class QuestionnaireReader:
    name = "questionnaire"

    def sniff(self, path: Path) -> bool:
        if not is_workbook(path):
            return False
        meta = workbook_meta(path)
        return bool(meta) and meta.get("form_type", "").casefold() == "questionnaire"

    def read(self, path: Path, instrument) -> Source:
        import pandas as pd

        from ..workbook import open_workbook

        book = open_workbook(path)
        meta, cells = read_answer_map(book.rows("_meta") if "_meta" in book.sheet_names else None, path)
        values, where = {}, {}
        for c in cells:
            sheet = c["sheet"]
            if sheet not in book.sheet_names:
                raise DataError(f"_meta names sheet '{sheet}', which the workbook lacks", file=path,
                                field=c["variable"])
            try:
                value = book.cell(sheet, c["cell"])
            except ValueError:
                raise DataError(f"_meta names an invalid cell '{c['cell']}'", file=path,
                                field=c["variable"]) from None
            values[c["variable"]] = value
            where[c["variable"]] = f"{sheet}!{c['cell']}"
        issues = []
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            from ...spreadsheets import formula_cells_without_value

            sheets = sorted({w.split("!")[0] for w in where.values()})
            unfilled = {f"{sh}!{ref}" for sh in sheets for ref in formula_cells_without_value(path, sh)}
            for var, cell in where.items():
                if cell in unfilled:
                    issues.append({"check": "formula_without_value", "file": str(path), "cell": cell, "column": var,
                                   "message": "the answer cell holds a formula with no calculated value; it reads "
                                              "as empty (open and save the file in Excel or LibreOffice to calculate "
                                              "it)"})
        data = pd.DataFrame([values], columns=list(values))
        ids = set(instrument.item_ids)
        return Source(path, data, [None], [where], meta, ignored=[],
                      unmatched=[i for i in instrument.item_ids if i not in values and i in ids],
                      read_issues=issues)
