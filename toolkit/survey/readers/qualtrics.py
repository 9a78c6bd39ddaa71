"""Qualtrics CSV/TSV exports (TSV is UTF-16): three header rows (export tags, question text, ``{"ImportId": ...}`` JSON).

Columns are matched by export tag (name your questions with the item ids) or, failing that, by question text:
a matrix row's text reads "Question - Statement" and the statement is matched to the item text. Values may be
numeric recodes or choice text. ``ResponseId`` serves as respondent id when the form had no respondent question.
"""
from __future__ import annotations

import csv
from pathlib import Path

from ...errors import DataError
from .base import frame_from_table


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


class QualtricsReader:
    name = "qualtrics"

    def sniff(self, path: Path) -> bool:
        if path.suffix.lower() not in (".csv", ".tsv", ".txt"):
            return False
        rows = _rows(path, 3)
        return len(rows) == 3 and any('"ImportId"' in c or "{'ImportId'" in c for c in rows[2])

    def read(self, path: Path, instrument):
        import pandas as pd

        rows = _rows(path)
        if len(rows) < 3:
            raise DataError("a Qualtrics export needs three header rows", file=path)
        header, texts = [h.strip() for h in rows[0]], rows[1]
        width = len(header)
        body = [(r + [""] * width)[:width] for r in rows[3:]]
        table = pd.DataFrame(body, columns=header, dtype=object)
        return frame_from_table(path, table, instrument, first_row=4, texts=texts, meta={"platform": "qualtrics"})
