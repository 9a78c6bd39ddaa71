"""The data-entry workbook built by ``hls instrument build --format entry``.

Sheet ``Data``: a header row of column ids, then one row per respondent holding codes (labels are accepted
too). The very-hidden ``_meta`` sheet says ``form_type`` = ``entry`` and which instrument/version built it.
"""
from __future__ import annotations

from pathlib import Path

from ...errors import DataError
from .base import frame_from_table, xlsx_meta


class EntryReader:
    name = "entry"

    def sniff(self, path: Path) -> bool:
        if path.suffix.lower() not in (".xlsx", ".xlsm"):
            return False
        meta = xlsx_meta(path)
        return bool(meta) and meta.get("form_type", "").casefold() == "entry"

    def read(self, path: Path, instrument):
        from ...spreadsheets import read_sheet, sheet_names

        meta = xlsx_meta(path) or {}
        if "Data" not in sheet_names(path):
            raise DataError("entry workbook has no 'Data' sheet", file=path)
        table = read_sheet(path, "Data")
        if not len(table.columns):
            raise DataError("the 'Data' sheet is empty", file=path, field="Data")
        return frame_from_table(path, table, instrument, first_row=table.attrs["first_row"], meta=meta)
