"""The data dictionary of an instrument as ``.xlsx`` or ``.csv``: one row per variable with its label, construct,
response scale, value labels (``1=Strongly disagree; 2=...``), reverse-keyed flag and missing codes.

The workbook prints: A4 landscape, one page wide, header row repeated, every cell wrapped, rows as tall as their
text (:mod:`.printing`); its cells hold exactly what the CSV holds."""
from __future__ import annotations

from pathlib import Path

from ...errors import ToolkitError
from ...io import save_workbook, write_csv
from ..model import Instrument
from .common import dictionary_rows, set_widths, write_table


def dictionary_frame(inst: Instrument, lang: str | None = None):
    """The data dictionary as a pandas DataFrame (columns as in :func:`~.common.dictionary_rows`)."""
    import pandas as pd

    return pd.DataFrame(dictionary_rows(inst, lang))


#: column widths of the dictionary sheet (character units): every column wraps, so the sheet prints one A4
#: landscape page wide at a readable size
WIDTHS = {"A": 12, "B": 34, "C": 7, "D": 10, "E": 12, "F": 16, "G": 7, "H": 9, "I": 24, "J": 6, "K": 12,
          "L": 40}


def _write_xlsx(inst: Instrument, out: Path, lang: str | None) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, PatternFill

    from .printing import column_points, font, page_setup, paginate, text_height

    wb = Workbook()
    ws = wb.active
    ws.title = "Dictionary"
    rows = dictionary_rows(inst, lang)
    write_table(ws, rows)
    wrap = Alignment(wrap_text=True, vertical="top")
    fill = PatternFill("solid", fgColor="DCE6F1")
    size = 8
    heights = {}
    points = [column_points(w) for w in WIDTHS.values()]
    for r, row in enumerate(ws.iter_rows(min_row=1, max_row=len(rows) + 1, max_col=len(WIDTHS)), start=1):
        parts = []
        for cell, width in zip(row, points):
            cell.font = font(size, bold=r == 1)
            cell.alignment = wrap
            if r == 1:
                cell.fill = fill
            if cell.value not in (None, ""):
                parts.append(text_height([(str(cell.value), size)], width))
        heights[r] = ws.row_dimensions[r].height = max(parts + [12.0])
    set_widths(ws, WIDTHS)
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = ws.dimensions
    page_setup(ws, orientation="landscape", title_rows="1:1", footer=f"{inst.id} {inst.version} data dictionary")
    paginate(ws, heights, [], list(WIDTHS.values()), title_height=heights[1], orientation="landscape")
    save_workbook(wb, out, provenance={"instrument": f"{inst.id} {inst.version}"})


def _write_csv(inst: Instrument, out: Path, lang: str | None) -> None:
    write_csv(dictionary_frame(inst, lang), out)


WRITERS = {".xlsx": _write_xlsx, ".csv": _write_csv}


def write_dictionary_file(inst: Instrument, out: Path, lang: str | None = None) -> Path:
    out = Path(out)
    writer = WRITERS.get(out.suffix.lower())
    if writer is None:
        raise ToolkitError(f"cannot write a data dictionary as '{out.suffix or out.name}' "
                           f"(use {' or '.join(WRITERS)})", file=out)
    writer(inst, out, lang)
    return out
