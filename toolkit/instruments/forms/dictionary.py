"""The data dictionary of an instrument as ``.xlsx`` or ``.csv``: one row per variable with its label, construct,
response scale, value labels (``1=Strongly disagree; 2=...``), reverse-keyed flag and missing codes."""
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


def _write_xlsx(inst: Instrument, out: Path, lang: str | None) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Dictionary"
    write_table(ws, dictionary_rows(inst, lang))
    set_widths(ws, {"A": 14, "B": 60, "C": 10, "D": 14, "E": 24, "F": 30, "G": 11, "H": 14, "I": 60, "J": 8,
                    "K": 20, "L": 40})
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = ws.dimensions
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
