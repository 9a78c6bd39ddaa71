"""Qualtrics CSV/TSV exports (TSV is UTF-16), in both header layouts:

* current (since 2017): three header rows - column names (export tags), question text, ``{"ImportId": "QID5"}``;
* legacy: two header rows - ``V1..V10`` followed by the export tags, then ``ResponseID, ResponseSet, ...`` and the
  question text.

Columns are matched by export tag (name your questions with the item ids) or, failing that, by question text:
a matrix row's text reads "Question - Statement" and the statement is matched to the item text.
``ResponseId`` / ``ResponseID`` serves as respondent id when the form had no respondent question.

Values are choice text or numbers, as chosen when exporting. Qualtrics numbers an answer by its *recode value*:
by default the option's id, 1..k in the order the options were created, so on a five-point item with a
"Don't know" option that answer is 6. With the survey's ``.qsf`` (``--qsf``) every number is turned back into its
option label, which the instrument then recodes like any label. Without a ``.qsf``, a numeric export whose numbers
do not fit the instrument stops the import with one message naming the columns (:class:`ExportSettingsError`).
``-99`` (Qualtrics' "seen but unanswered" code) is read as blank.
"""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from ...errors import DataError
from ..variables import _as_number, variables
from .base import frame_from_table

SEEN_UNANSWERED = "-99"


class ExportSettingsError(DataError):
    """The file was exported in a way the instrument cannot read without help: stops the whole import."""


def _rows(path: Path, n: int | None = None) -> list[list[str]]:
    from ..table import text_encodings

    for encoding in text_encodings(path):  # Qualtrics' TSV export is UTF-16
        try:
            with open(path, encoding=encoding, newline="") as fh:
                first = fh.readline()
                fh.seek(0)
                tab = path.suffix.lower() == ".tsv" or first.count("\t") > first.count(",")
                reader = csv.reader(fh, delimiter="\t" if tab else ",")
                out = []
                for row in reader:
                    out.append(row)
                    if n is not None and len(out) >= n:
                        break
                return out
        except UnicodeDecodeError:
            continue
    return []  # pragma: no cover


def _import_id(cell: str) -> str | None:
    cell = cell.strip()
    if not cell.startswith("{"):
        return None
    try:
        value = json.loads(cell)
    except json.JSONDecodeError:
        try:  # some tools write the object with single quotes
            value = json.loads(cell.replace("'", '"'))
        except json.JSONDecodeError:
            return None
    return str(value.get("ImportId")) if isinstance(value, dict) and value.get("ImportId") else None


def layout(rows: list[list[str]]) -> str | None:
    """``"current"`` (three header rows), ``"legacy"`` (two header rows, ``V1..V10``) or ``None``."""
    if len(rows) >= 3 and any('"ImportId"' in c or "{'ImportId'" in c for c in rows[2]):
        return "current"
    if len(rows) >= 2 and rows[0] and rows[0][0].strip().lstrip("\ufeff") == "V1" and \
            {"ResponseID", "ResponseSet"} <= {c.strip() for c in rows[1][:12]}:
        return "legacy"
    return None


class QualtricsReader:
    name = "qualtrics"
    options = ("qsf",)

    def sniff(self, path: Path) -> bool:
        if path.suffix.lower() not in (".csv", ".tsv", ".txt"):
            return False
        return layout(_rows(path, 3)) is not None

    def read(self, path: Path, instrument, qsf=None):
        import pandas as pd

        rows = _rows(path)
        kind = layout(rows[:3])
        if kind is None:
            raise DataError("a Qualtrics export needs its header rows (three, or two in the legacy layout)",
                            file=path)
        n_head = 3 if kind == "current" else 2
        header, texts = [h.strip() for h in rows[0]], rows[1]
        width = len(header)
        if kind == "legacy":  # V1..V10 are ResponseID, ResponseSet, ...: name them so ResponseID can serve as id
            header = [t.strip() if re.fullmatch(r"V\d+", h) and t.strip() else h
                      for h, t in zip(header, (texts + [""] * width)[:width])]
        import_ids = [_import_id(c) for c in (rows[2] + [""] * width)[:width]] if kind == "current" else \
            [None] * width
        body = [(r + [""] * width)[:width] for r in rows[n_head:]]
        table = pd.DataFrame(body, columns=header, dtype=object)
        keep = [bool(h) for h in header]  # the legacy layout ends every line with a comma
        table = table.loc[:, keep]
        texts = [t for t, k in zip((texts + [""] * width)[:width], keep) if k]
        import_ids = [i for i, k in zip(import_ids, keep) if k]
        meta = {"platform": "qualtrics", "layout": kind}
        if qsf is not None:
            meta["qsf"] = str(qsf.path)
            _apply_qsf(table, import_ids, qsf, path)
        else:
            table = table.apply(lambda s: s.map(lambda v: "" if str(v).strip() == SEEN_UNANSWERED else v))
        source = frame_from_table(path, table, instrument, first_row=n_head + 1, texts=texts, meta=meta)
        if qsf is None:
            _check_numeric(source, instrument, path)
        return source


def _apply_qsf(table, import_ids, qsf, path) -> None:
    """Replace each answer column's numbers by their option labels, as the ``.qsf`` defines them."""
    qids = {i.split("_")[0] for i in import_ids if i and i.startswith("QID")}
    if qids and not qids & set(qsf.questions):
        raise ExportSettingsError(f"{qsf.path} is not the survey of this export (the export has questions "
                                  f"{', '.join(sorted(qids)[:4])}, the .qsf has none of them)", file=path,
                                  field="--qsf")
    for col, import_id in zip(list(table.columns), import_ids):
        labels = qsf.labels_for(col, import_id)
        if not labels:
            continue

        def relabel(v, labels=labels):
            key = str(v).strip()
            if key in labels:
                return labels[key]
            number = _as_number(key)
            if number is not None and float(number).is_integer() and str(int(number)) in labels:
                return labels[str(int(number))]
            return "" if key == SEEN_UNANSWERED else v

        table[col] = table[col].map(relabel)


def _check_numeric(source, instrument, path) -> None:
    """Stop when numbers in the file are not codes of the instrument (a numeric export whose recode values
    differ from the instrument's codes): one message naming every such column."""
    by_id = {v.id: v for v in variables(instrument)}
    header_of = source.headers
    bad = []
    for col in source.data.columns:
        var = by_id.get(col)
        if var is None or (var.scale is None and (var.question is None or var.question.type != "select_one")):
            continue
        allowed = set(var.scale.values) | set(var.scale.missing_values) if var.scale is not None else \
            {c.value.casefold() for c in var.question.choices}
        misfit = set()
        for raw in source.data[col]:
            number = _as_number(raw) if isinstance(raw, str) else None
            if number is None:
                continue
            if var.scale is not None:
                if number not in allowed:
                    misfit.add(number)
            elif str(raw).strip().casefold() not in allowed and \
                    not (float(number).is_integer() and str(int(number)) in allowed):
                misfit.add(number)
        if misfit:
            shown = ", ".join(str(int(x)) if float(x).is_integer() else str(x) for x in sorted(misfit)[:6])
            name = header_of.get(col, col)
            bad.append(f"{name} ({shown})" if name == col else f"{name} = {col} ({shown})")
    if bad:
        raise ExportSettingsError(
            "numeric Qualtrics export whose numbers are not the instrument's codes in column(s) "
            f"{'; '.join(bad)}: Qualtrics exports its own recode values (by default 1..k in the order the "
            "options were made, so 'Don't know' may be 6). Give the survey's .qsf with --qsf FILE (Survey > "
            "Tools > Import/Export > Export survey), or export the data again with 'Use choice text'",
            file=path)
