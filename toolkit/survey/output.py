"""Write survey data: CSV, XLSX (text cells never formulas) or SPSS ``.sav`` with variable and value labels.

All writes are atomic (:func:`toolkit.io.atomic_path`).
"""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import DataError
from ..io import atomic_path, save_workbook, write_cell, write_csv

OUTPUT_SUFFIXES = (".csv", ".xlsx", ".sav")
# SPSS names cannot start with "_": provenance columns get portable names in .sav files
SAV_RENAME = {"_source": "source_file", "_row": "source_row"}


def write_xlsx_sheets(sheets: dict, path) -> None:
    """Write DataFrames to named sheets of one workbook (header row bold-free, plain cells)."""
    import math

    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, df in sheets.items():
        ws = wb.create_sheet(title=name[:31])
        for j, col in enumerate(df.columns, start=1):
            write_cell(ws, 1, j, str(col))
        for i, row in enumerate(df.itertuples(index=False, name=None), start=2):
            for j, value in enumerate(row, start=1):
                if value is None or (isinstance(value, float) and math.isnan(value)):
                    continue
                try:
                    import pandas as pd

                    if value is pd.NA:
                        continue
                except ImportError:  # pragma: no cover
                    pass
                if hasattr(value, "item"):
                    value = value.item()
                write_cell(ws, i, j, value)
    save_workbook(wb, path)


# SPSS reserved words cannot name a variable (ReadStat refuses the file)
SAV_RESERVED = {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"}


def _sav_name(name: str) -> str:
    name = SAV_RENAME.get(name, name)
    clean = re.sub(r"[^A-Za-z0-9_.@#$]", "_", name)
    if not re.match(r"^[A-Za-z@]", clean):
        clean = "v" + clean
    if clean.upper() in SAV_RESERVED:
        clean += "_"
    return clean[:64]


def _sav_names(columns) -> dict:
    """``{column: SPSS name}``, valid and unique ignoring case (SPSS names are case-insensitive)."""
    out, taken = {}, set()
    for col in columns:
        base = name = _sav_name(str(col))
        k = 1
        while name.upper() in taken:
            k += 1
            name = f"{base[:60]}_{k}"
        taken.add(name.upper())
        out[col] = name
    return out


def write_sav(df, path, instrument=None) -> None:
    """Write a ``.sav`` file; with an *instrument*, items carry their question text as variable label, the
    scale's labels as value labels (missing codes included) and the missing codes as user-missing values."""
    import pandas as pd
    import pyreadstat

    from .variables import as_instrument, variables

    names = _sav_names(df.columns)
    out = pd.DataFrame(index=df.index)
    for col in df.columns:
        s = df[col]
        if str(s.dtype) in ("Int64", "Float64", "boolean"):
            s = s.astype(float)
        elif s.dtype == object:
            s = s.map(lambda x: None if x is None or (isinstance(x, float) and x != x) or x is pd.NA else str(x))
        out[names[col]] = s
    labels, value_labels, missing = {}, {}, {}
    if instrument is not None:
        inst = as_instrument(instrument)
        for v in variables(inst):
            if v.id not in df.columns:
                continue
            name = names[v.id]
            labels[name] = v.label[:256]
            if v.scale is not None:
                vl = {float(p.code): inst.text(p.label)[:120] for p in v.scale.points}
                vl.update({float(p.code): inst.text(p.label)[:120] for p in v.scale.missing})
                value_labels[name] = vl
                if v.scale.missing_values:
                    missing[name] = [float(m) for m in v.scale.missing_values[:3]]
    labels.setdefault("source_file", "File the answers were read from")
    labels.setdefault("source_row", "Row (or case number) in that file")
    column_labels = [labels.get(c) for c in out.columns]
    from ..provenance import as_lines, complete

    record = complete({"instrument": f"{inst.id} {inst.version}"} if instrument is not None else None)
    with atomic_path(path) as tmp:
        pyreadstat.write_sav(out, str(tmp), column_labels=column_labels, note=as_lines(record),
                             variable_value_labels=value_labels or None, missing_ranges=missing or None)
        pin_sav_timestamp(tmp)


SAV_DATE_OFFSET = 92  # "$FL2", product name (60), layout, case size, compression, weight, cases, bias (8)


def pin_sav_timestamp(path) -> None:
    """Overwrite the creation date and time in a .sav header (``dd mmm yy`` + ``hh:mm:ss`` at byte 92) with
    :func:`toolkit.io.source_date`, so the same data give the same bytes."""
    from ..io import source_date

    stamp = source_date()
    text = (stamp.strftime("%d ") + stamp.strftime("%b").capitalize() + stamp.strftime(" %y")
            + stamp.strftime("%H:%M:%S")).encode("ascii")
    with open(path, "r+b") as fh:
        head = fh.read(SAV_DATE_OFFSET + len(text))
        if head[:4] not in (b"$FL2", b"$FL3") or len(head) < SAV_DATE_OFFSET + len(text):
            return
        fh.seek(SAV_DATE_OFFSET)
        fh.write(text)


def _inst(instrument):
    from .variables import as_instrument

    return as_instrument(instrument)


def write_survey(df, path, instrument=None) -> Path:
    """Write survey data by suffix: ``.csv``, ``.xlsx`` (sheet ``Data``) or ``.sav`` (labelled).

    Each records where it came from (toolkit version, command, instrument and version, seed, input files):
    a ``NAME.provenance.json`` sidecar beside a CSV, document properties in an xlsx, the document record of a
    ``.sav`` (SPSS: Utilities > Data File Comments)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        write_csv(df, path)
        from ..provenance import write_sidecar

        write_sidecar(path, {"instrument": f"{_inst(instrument).id} {_inst(instrument).version}"}
                      if instrument is not None else None)
    elif suffix == ".xlsx":
        write_xlsx_sheets({"Data": df}, path)
    elif suffix == ".sav":
        write_sav(df, path, instrument)
    else:
        raise DataError(f"output must be .csv, .xlsx or .sav, not '{suffix or path.name}'", file=path,
                        field="--output")
    return path
