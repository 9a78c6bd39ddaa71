"""Plain tables: CSV/TSV (delimiter sniffed), a workbook's first sheet (.xlsx, .ods, .xls) or SPSS/Stata files
with one column per item id."""
from __future__ import annotations

from pathlib import Path

from .base import frame_from_table, is_workbook, read_delimited


class PlainReader:
    name = "table"

    def sniff(self, path: Path) -> bool:
        return path.suffix.lower() in (".csv", ".tsv", ".txt", ".sav", ".dta") or is_workbook(path)

    def read(self, path: Path, instrument):
        from ..table import read_table
        from ..workbook import open_workbook

        suffix = path.suffix.lower()
        if suffix in (".csv", ".tsv", ".txt"):
            table = read_delimited(path)
            first_row = 2
        elif suffix in (".sav", ".dta"):
            table = read_table(path)
            first_row = 1  # case number
        else:
            table = open_workbook(path).frame(0, dtype=object)
            first_row = table.attrs.get("first_row", 2)
        table.columns = [str(c).strip() for c in table.columns]
        return frame_from_table(path, table, instrument, first_row=first_row, meta={})
