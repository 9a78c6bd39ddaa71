"""The data-entry workbook built by ``hls instrument build --format entry`` (as ``.xlsx``, or saved by LibreOffice
or old Excel as ``.ods`` / ``.xls``).

Sheet ``Data``: a header row of column ids, then one row per respondent holding codes (labels are accepted
too). The very-hidden (or, after LibreOffice, hidden) ``_meta`` sheet says ``form_type`` = ``entry`` and which
instrument/version built it.
"""
from __future__ import annotations

from pathlib import Path

from ...errors import DataError
from .base import frame_from_table, is_workbook, workbook_meta


class EntryReader:
    name = "entry"

    def sniff(self, path: Path) -> bool:
        if not is_workbook(path):
            return False
        meta = workbook_meta(path)
        return bool(meta) and meta.get("form_type", "").casefold() == "entry"

    def read(self, path: Path, instrument):
        from ..workbook import open_workbook

        meta = workbook_meta(path) or {}
        book = open_workbook(path)
        if "Data" not in book.sheet_names:
            raise DataError("entry workbook has no 'Data' sheet", file=path)
        if not book.rows("Data"):
            raise DataError("the 'Data' sheet is empty", file=path, field="Data")
        table = book.frame("Data", dtype=object)
        table.columns = [c if not c.startswith("Unnamed: ") else f"_col{c[9:]}" for c in table.columns]
        return frame_from_table(path, table, instrument, first_row=table.attrs.get("first_row", 2), meta=meta)
