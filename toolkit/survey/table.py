"""Read a rectangular data file (CSV, TSV, a workbook - XLSX, ODS, XLS -, SPSS SAV or Stata DTA) into a DataFrame,
with located errors.

This is the entry point every analysis command uses for its DATA argument; richer sources (filled
questionnaires, KoboToolbox, ODK, Qualtrics) are read by :mod:`toolkit.survey.readers`.
"""
from __future__ import annotations

import csv
from pathlib import Path

from ..errors import DataError


def _sniff_delimiter(path: Path, encoding: str) -> str:
    with open(path, encoding=encoding, newline="") as fh:
        sample = fh.read(64 * 1024)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        return ","


def text_encodings(path: Path) -> tuple[str, ...]:
    """Encodings to try for a text table: UTF-16 when it starts with a UTF-16 byte-order mark (Excel's
    "Unicode text" export), else UTF-8 (with or without BOM), then cp1252."""
    with open(path, "rb") as fh:
        head = fh.read(2)
    if head in (b"\xff\xfe", b"\xfe\xff"):
        return ("utf-16",)
    return ("utf-8-sig", "cp1252")


def unescape_frame(df):
    """Undo :func:`toolkit.io.safe_text` in the text columns of a CSV we (or anyone following the same rule)
    wrote: ``'=Trust & Co`` becomes ``=Trust & Co`` again, so a CSV -> XLSX round trip does not gain a quote."""
    from ..io import unescape_text

    for col in df.columns:
        values = df[col]
        if values.dtype == object:
            text = values.map(lambda v: isinstance(v, str) and v.startswith("'"))
            if text.any():
                df[col] = values.map(unescape_text)
    return df


def read_table(path: str | Path, sheet: str | int | None = 0):
    """Read CSV/TSV (delimiter sniffed; UTF-8 with or without BOM, else cp1252), a workbook's sheet (.xlsx, .xlsm,
    LibreOffice .ods, Excel 97-2003 .xls; the first by default), SPSS .sav or Stata .dta.

    Column names are stripped of surrounding white space; in CSV/TSV text, the ``'`` that keeps formula-like
    text (``=x``, ``-P1``) from becoming a spreadsheet formula is removed again. Raises :class:`DataError`
    naming the file.
    """
    import pandas as pd

    path = Path(path)
    if not path.exists():
        raise DataError("file not found", file=path)
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm", ".ods", ".xls"):
            from .workbook import open_workbook

            with open_workbook(path) as book:
                df = book.frame(sheet if sheet is not None else 0)
        elif suffix == ".sav":
            import pyreadstat

            df, _ = pyreadstat.read_sav(str(path))
        elif suffix == ".dta":
            import pyreadstat

            df, _ = pyreadstat.read_dta(str(path))
        elif suffix in (".csv", ".tsv", ".txt"):
            for encoding in text_encodings(path):
                try:
                    sep = "\t" if suffix == ".tsv" else _sniff_delimiter(path, encoding)
                    df = unescape_frame(pd.read_csv(path, sep=sep, encoding=encoding))
                    break
                except UnicodeDecodeError:
                    continue
            else:  # pragma: no cover - cp1252 decodes almost anything
                raise DataError("cannot decode the file as UTF-8 or cp1252", file=path)
        else:
            raise DataError(f"unsupported file type '{suffix}' (use .csv, .tsv, .xlsx, .ods, .xls, .sav or .dta)",
                            file=path)
    except DataError:
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure becomes one located line
        raise DataError(f"cannot read data ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})",
                        file=path) from None
    df.columns = [str(c).strip() for c in df.columns]
    df.attrs["source"] = str(path)
    return df
