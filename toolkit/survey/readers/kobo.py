"""KoboToolbox exports: CSV (``;``-separated, every field quoted) or XLSX, with labels or XML values.

Recognised by Kobo's metadata columns (``_uuid``, ``_submission_time``, ``_index``, ...). Headers may carry group
paths (``group/CON1``) or question labels; an HXL tag row (``#...``) under the header is skipped.
"""
from __future__ import annotations

from pathlib import Path

from .base import first_line, frame_from_table, read_delimited, xlsx_header

KOBO_META = ("_uuid", "_submission_time", "_validation_status", "_submitted_by", "__version__", "_index")


def _has_kobo_columns(headers) -> bool:
    names = {h.strip().strip('"') for h in headers}
    return sum(m in names for m in KOBO_META) >= 2


class KoboReader:
    name = "kobo"

    def sniff(self, path: Path) -> bool:
        suffix = path.suffix.lower()
        if suffix in (".xlsx", ".xlsm"):
            return _has_kobo_columns(xlsx_header(path))
        if suffix in (".csv", ".txt"):
            line = first_line(path)
            return bool(line) and _has_kobo_columns(line[0].split(";" if ";" in line[0] else ","))
        return False

    def read(self, path: Path, instrument):
        from ...spreadsheets import read_sheet

        if path.suffix.lower() in (".xlsx", ".xlsm"):
            table = read_sheet(path)
        else:
            line = first_line(path)
            table = read_delimited(path, ";" if line and ";" in line[0] else ",")
        attrs = dict(table.attrs)
        table.columns = [str(c).strip() for c in table.columns]
        first_row = attrs.get("first_row", 2)
        if len(table) and all(str(v).startswith("#") for v in table.iloc[0] if str(v).strip() not in ("", "nan")):
            table = table.iloc[1:].reset_index(drop=True)  # HXL tag row
            first_row += 1
        table.attrs.update(attrs)
        return frame_from_table(path, table, instrument, first_row=first_row, meta={"platform": "kobo"})
