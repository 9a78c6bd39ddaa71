"""Read a rectangular data file (CSV, TSV, a workbook - XLSX, ODS, XLS -, SPSS SAV or Stata DTA) into a DataFrame,
with located errors.

This is the entry point every analysis command uses for its DATA argument; richer sources (filled
questionnaires, KoboToolbox, ODK, Qualtrics) are read by :mod:`toolkit.survey.readers`.
"""
from __future__ import annotations

import csv
from pathlib import Path

from ..errors import DataError


def _sniff_delimiter(path: Path, encoding: str | None = None, text: str | None = None) -> str:
    if text is None:
        with open(path, encoding=encoding, errors="replace", newline="") as fh:
            text = fh.read(64 * 1024)
    try:
        return csv.Sniffer().sniff(text[:64 * 1024], delimiters=",;\t").delimiter
    except csv.Error:
        return ","


FALLBACK = "cp1252"


def decode_text(path: str | Path) -> tuple[str, list[int]]:
    """The text of a delimited file and the (1-based) lines that were not UTF-8.

    UTF-16 when the file starts with a UTF-16 byte-order mark (Excel's "Unicode text", Qualtrics' TSV);
    otherwise UTF-8 (with or without BOM), line by line: a line that is not valid UTF-8 (one row pasted from
    an old Windows program) is read as Windows-1252, and only that line, so the UTF-8 rows around it keep
    their accents. NUL bytes are dropped.
    """
    data = Path(path).read_bytes()
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return data.decode("utf-16").replace("\x00", ""), []
        except UnicodeDecodeError:
            return data.decode("utf-16", errors="replace").replace("\x00", ""), []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8").replace("\x00", ""), []
    except UnicodeDecodeError:
        pass
    parts, bad = [], []
    for n, raw in enumerate(data.splitlines(keepends=True), start=1):
        try:
            parts.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            parts.append(raw.decode(FALLBACK, errors="replace"))
            bad.append(n)
    return "".join(parts).replace("\x00", ""), bad


def fallback_message(lines: list[int]) -> str:
    """One sentence naming the lines read as Windows-1252."""
    shown = ", ".join(map(str, lines[:10])) + (f", ... ({len(lines)} lines)" if len(lines) > 10 else "")
    return (f"line(s) {shown} are not UTF-8 and were read as Windows-1252 (cp1252); check their accented "
            "letters (save the file as 'CSV UTF-8' to avoid this)")


def text_encodings(path: Path) -> tuple[str, ...]:  # sniffing only: reading uses decode_text
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
            text = values.map(lambda v: isinstance(v, str) and (v.startswith("'") or "\n'" in v or "\r'" in v))
            if text.any():
                df[col] = values.map(unescape_text)
    return df


def read_table(path: str | Path, sheet: str | int | None = 0):
    """Read CSV/TSV (delimiter sniffed; UTF-8 with or without BOM, a line that is not UTF-8 as cp1252 with a
    warning naming the lines), a workbook's sheet (.xlsx, .xlsm, LibreOffice .ods, Excel 97-2003 .xls; the first
    by default), SPSS .sav or Stata .dta.

    Column names are stripped of surrounding white space; in CSV/TSV text, the ``'`` that keeps formula-like
    text (``=x``, ``-P1``) from becoming a spreadsheet formula is removed again. Raises :class:`DataError`
    naming the file.
    """
    import pandas as pd

    from ..errors import warn

    path = Path(path)
    if not path.exists():
        raise DataError("file not found", file=path)
    if path.is_dir():
        raise DataError("is a folder, not a data file", file=path)
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm", ".ods", ".xls"):
            from .workbook import open_workbook

            with open_workbook(path) as book:
                df = book.frame(sheet if sheet is not None else 0)
                for ref in df.attrs.get("formula_cells", [])[:20]:
                    warn("formula with no calculated value: it reads as empty (open and save the file in Excel or "
                         "LibreOffice to calculate it)", file=path, field=f"{df.attrs.get('sheet', '')}!{ref}")
        elif suffix == ".sav":
            import pyreadstat

            df, _ = pyreadstat.read_sav(str(path))
        elif suffix == ".dta":
            import pyreadstat

            df, _ = pyreadstat.read_dta(str(path))
        elif suffix in (".csv", ".tsv", ".txt"):
            import io

            text, bad = decode_text(path)
            if bad:
                warn(fallback_message(bad), file=path)
            sep = "\t" if suffix == ".tsv" else _sniff_delimiter(path, text=text)
            df = unescape_frame(pd.read_csv(io.StringIO(text), sep=sep))
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
