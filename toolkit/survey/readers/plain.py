"""Plain tables: CSV/TSV (delimiter sniffed), XLSX (first sheet) or SAV with one column per item id."""
from __future__ import annotations

from pathlib import Path

from .base import frame_from_table, read_delimited


class PlainReader:
    name = "table"

    def sniff(self, path: Path) -> bool:
        return path.suffix.lower() in (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".sav")

    def read(self, path: Path, instrument):
        from ...spreadsheets import read_sheet
        from ..table import read_table

        suffix = path.suffix.lower()
        if suffix in (".csv", ".tsv", ".txt"):
            table = read_delimited(path)
            first_row = 2
        elif suffix == ".sav":
            table = read_table(path)
            first_row = 1  # SPSS case number
        else:
            table = read_sheet(path)
            first_row = table.attrs["first_row"]
        table.columns = [str(c).strip() for c in table.columns]
        return frame_from_table(path, table, instrument, first_row=first_row, meta={})
