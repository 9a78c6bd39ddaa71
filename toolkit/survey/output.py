"""Write survey data: CSV, XLSX (text cells never formulas), SPSS ``.sav`` or Stata ``.dta`` with the instrument's
labels, measurement levels and formats (:mod:`toolkit.survey.statfiles`).

All writes are atomic (:func:`toolkit.io.atomic_path`).
"""
from __future__ import annotations

from pathlib import Path

from ..errors import DataError
from ..io import atomic_path, write_csv

OUTPUT_SUFFIXES = (".csv", ".xlsx", ".sav", ".dta")


def check_output_suffix(path, option: str = "--output") -> None:
    """Stop before any work when *path* is not a data format we write (R formats: say why not)."""
    from .statfiles import R_MESSAGE, R_SUFFIXES

    suffix = Path(path).suffix.lower()
    if suffix in R_SUFFIXES:
        raise DataError(R_MESSAGE, file=path, field=option)
    if suffix not in OUTPUT_SUFFIXES:
        raise DataError(f"'{Path(path).name}' must end in {' or '.join(OUTPUT_SUFFIXES)}", field=option)


def write_data_xlsx(df, path, sheet: str = "Data") -> None:
    """Survey data as one sheet *sheet*: the variable names as headers (not labels: this is data a program
    reads back), every value unrounded, text never a formula (the one table writer, :mod:`toolkit.report`)."""
    from ..report.tables import Column, Table, write_workbook

    frame = df.reset_index(drop=True)
    frame.columns = [str(c) for c in frame.columns]
    cols = [Column(c, label=c, kind="text") for c in frame.columns]
    write_workbook(path, [Table(sheet, frame, columns=cols)])


def _inst(instrument):
    from .variables import as_instrument

    return as_instrument(instrument)


def write_survey(df, path, instrument=None) -> Path:
    """Write survey data by suffix: ``.csv``, ``.xlsx`` (sheet ``Data``), ``.sav`` (SPSS) or ``.dta`` (Stata 14+),
    the last two labelled from *instrument* (see :mod:`toolkit.survey.statfiles`).

    Each records where it came from (toolkit version, command, instrument and version, seed, input files):
    a ``NAME.provenance.json`` sidecar beside a CSV, document properties in an xlsx, the document record of a
    ``.sav`` (SPSS: Utilities > Data File Comments), the data label and notes of a ``.dta``."""
    from .statfiles import R_MESSAGE, R_SUFFIXES, write_dta, write_sav

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        write_csv(df, path)
        from ..provenance import write_sidecar

        write_sidecar(path, {"instrument": f"{_inst(instrument).id} {_inst(instrument).version}"}
                      if instrument is not None else None)
    elif suffix == ".xlsx":
        write_data_xlsx(df, path)
    elif suffix == ".sav":
        write_sav(df, path, instrument)
    elif suffix == ".dta":
        write_dta(df, path, instrument)
    elif suffix in R_SUFFIXES:
        raise DataError(R_MESSAGE, file=path, field="--output")
    else:
        raise DataError(f"output must be .csv, .xlsx, .sav or .dta, not '{suffix or path.name}'", file=path,
                        field="--output")
    return path
