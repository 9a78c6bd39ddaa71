"""KoboToolbox exports: CSV (``;``-separated, every field quoted) or a workbook (``.xlsx``, legacy ``.xls``), with
labels or XML values.

Recognised by Kobo's metadata columns (``_uuid``, ``_submission_time``, ``_index``, ...). Headers may carry group
paths (``group/CON1``, "Include groups in headers") or question labels; an HXL tag row (``#...``) under the header
is skipped. A workbook export puts each repeat group on a sheet of its own (columns ``_parent_table_name``,
``_parent_index``): the main sheet is read and each repeat sheet is reported as not used by the instrument.
"""
from __future__ import annotations

from pathlib import Path

from .base import first_line, frame_from_table, is_workbook, read_delimited, workbook_header

KOBO_META = ("_uuid", "_submission_time", "_validation_status", "_submitted_by", "__version__", "_index")
REPEAT_MARKERS = ("_parent_table_name", "_parent_index")


def _has_kobo_columns(headers) -> bool:
    names = {h.strip().strip('"') for h in headers}
    return sum(m in names for m in KOBO_META) >= 2


def repeat_note(what: str, n_rows: int, columns) -> str:
    """The note for a repeat-group table left aside: what it is, how many rows, a few of its columns."""
    shown = [str(c) for c in columns if not str(c).startswith("_") and str(c) not in ("PARENT_KEY", "KEY")]
    listing = ", ".join(shown[:4]) + (", ..." if len(shown) > 4 else "")
    return (f"repeat group {what} ({n_rows} row(s){'; ' + listing if listing else ''}) not used by this "
            "instrument: only the main table was read")


class KoboReader:
    name = "kobo"

    def sniff(self, path: Path) -> bool:
        if is_workbook(path):
            return _has_kobo_columns(workbook_header(path))
        if path.suffix.lower() in (".csv", ".txt"):
            line = first_line(path)
            return bool(line) and _has_kobo_columns(line[0].split(";" if ";" in line[0] else ","))
        return False

    def read(self, path: Path, instrument):
        from ..workbook import open_workbook

        notes = []
        if is_workbook(path):
            book = open_workbook(path)
            table = book.frame(0, dtype=object)
            for name in book.sheet_names[1:]:
                rows = book.rows(name)
                header = [c for c in (rows[0] if rows else []) if c is not None]
                if any(str(h) in REPEAT_MARKERS for h in header):
                    notes.append(repeat_note(f"sheet '{name}'", len(rows) - 1, header))
        else:
            line = first_line(path)
            table = read_delimited(path, ";" if line and ";" in line[0] else ",")
        attrs = dict(table.attrs)
        table.columns = [str(c).strip() for c in table.columns]
        first_row = attrs.get("first_row", 2)
        if len(table) and all(str(v).startswith("#") for v in table.iloc[0] if str(v).strip() not in ("", "nan", "None")):
            table = table.iloc[1:].reset_index(drop=True)  # HXL tag row
            first_row += 1
        table.attrs.update(attrs)
        source = frame_from_table(path, table, instrument, first_row=first_row, meta={"platform": "kobo"})
        source.notes = notes
        return source
