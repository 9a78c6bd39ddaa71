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
        import pandas as pd
        from openpyxl import load_workbook

        meta = xlsx_meta(path) or {}
        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            sheet = "Data" if "Data" in wb.sheetnames else None
            if sheet is None:
                raise DataError("entry workbook has no 'Data' sheet", file=path)
            rows = list(wb[sheet].iter_rows(values_only=True))
        finally:
            wb.close()
        if not rows:
            raise DataError("the 'Data' sheet is empty", file=path, field="Data")
        header = [str(c).strip() if c is not None else f"_col{i}" for i, c in enumerate(rows[0])]
        body = [list(r) + [None] * (len(header) - len(r)) for r in rows[1:]]
        table = pd.DataFrame([r[:len(header)] for r in body], columns=header, dtype=object)
        return frame_from_table(path, table, instrument, first_row=2, meta=meta)
