"""The .xlsx engine behind :func:`toolkit.survey.workbook.open_workbook`, the one way the toolkit opens a workbook
to read values (it also reads .ods and .xls). Readers call that function; this module does the xlsx work:

* :func:`read_sheet` reads one sheet as a table (header row, then one row per record) with python-calamine, a
  Rust reader more than ten times faster than openpyxl on large sheets, converting rows to columns in chunks so
  Python objects for the whole sheet never exist at once;
* :func:`sheet_rows` streams the first rows of a sheet out of the archive and stops (sniffing a million-row file
  costs as little as sniffing a small one); :func:`sheet_names` lists the sheets;
* :func:`formula_cells_without_value` finds cells holding a formula that was never calculated;
* :func:`load_openpyxl` gives an openpyxl workbook to code that edits a workbook or needs more than values
  (filling a questionnaire, checking a review workbook before it is replaced).

Each first passes the file through :func:`toolkit.archive.check_archive` (zip bombs, unsafe members,
password-protected workbooks), so no library sees a hostile file.

>>> from toolkit.spreadsheets import read_sheet
>>> df = read_sheet("answers.xlsx")                   # doctest: +SKIP
>>> df.attrs["first_row"], df.attrs["formula_cells"]  # doctest: +SKIP
(2, [])
"""
from __future__ import annotations

import re
from pathlib import Path

from .errors import DataError

XLSX_SUFFIXES = (".xlsx", ".xlsm")
CHUNK_ROWS = 50_000


def _guard(path: Path) -> None:
    from .archive import check_archive

    if not path.exists():
        raise DataError("file not found", file=path)
    check_archive(path, kind="workbook")


def load_openpyxl(path: str | Path, read_only: bool = True, data_only: bool = True):
    """An openpyxl workbook, after the archive guard; a broken workbook is one located :class:`DataError`.

    For code that edits a workbook or needs more than cell values; readers of values use
    :func:`toolkit.survey.workbook.open_workbook`."""
    from openpyxl import load_workbook

    path = Path(path)
    _guard(path)
    try:
        return load_workbook(path, read_only=read_only, data_only=data_only)
    except Exception as exc:  # noqa: BLE001 - zip/xml/KeyError failures of a broken workbook
        raise DataError(f"not a readable .xlsx workbook ({type(exc).__name__})", file=path) from None


def _calamine(path: Path):
    import python_calamine as pc

    try:
        return pc.CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # noqa: BLE001 - calamine's Zip/Xml/Password errors
        raise DataError(f"not a readable .xlsx workbook ({_calamine_reason(exc)})", file=path) from None


def _calamine_reason(exc) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text[:120]}" if text else type(exc).__name__


def sheet_names(path: str | Path) -> list[str]:
    """Names of the worksheets, in workbook order."""
    path = Path(path)
    _guard(path)
    wb = _calamine(path)
    try:
        return list(wb.sheet_names)
    finally:
        wb.close()


def _sheet(wb, path: Path, sheet):
    try:
        if isinstance(sheet, int):
            return wb.get_sheet_by_index(sheet)
        return wb.get_sheet_by_name(str(sheet))
    except (IndexError, KeyError) as exc:
        raise DataError(f"no sheet {sheet!r} (sheets: {', '.join(wb.sheet_names)})", file=path) from exc
    except Exception as exc:  # noqa: BLE001 - WorksheetNotFound, XmlError in the sheet
        if type(exc).__name__ == "WorksheetNotFound":
            raise DataError(f"no sheet {sheet!r} (sheets: {', '.join(wb.sheet_names)})", file=path) from None
        raise DataError(f"cannot read sheet {sheet!r} ({_calamine_reason(exc)})", file=path) from None


def sheet_rows(path: str | Path, sheet: str | int = 0, max_rows: int | None = None) -> list[list]:
    """The first *max_rows* rows of a sheet as lists (empty cells ``None``; row 1 first), for sniffing.

    The sheet streams out of the archive and parsing stops after *max_rows* rows, so looking at the header of
    a million-row workbook costs as little as looking at a small one. ``[]`` when there is no such sheet.
    """
    from .archive import SafeZip

    path = Path(path)
    _guard(path)
    with SafeZip(path, label=path, kind="workbook") as z:
        member = _sheet_member(z, sheet)
        if member is None:
            return []
        try:
            return _peek(z, member, max_rows)
        except DataError:
            raise
        except Exception as exc:  # noqa: BLE001 - malformed sheet XML
            raise DataError(f"cannot read sheet {sheet!r} ({type(exc).__name__})", file=path) from None


def _col_index(ref: str | None, default: int) -> int:
    if not ref:
        return default
    k = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            k = k * 26 + ord(ch) - 64
        else:
            break
    return k - 1 if k else default


def _peek(z, member: str, max_rows: int | None) -> list[list]:
    from defusedxml.ElementTree import iterparse

    rows: dict[int, dict[int, object]] = {}
    shared_needed: set[int] = set()
    n = 0
    for _, el in iterparse(_MemberStream(z, member), events=("end",), forbid_dtd=True, forbid_entities=True,
                           forbid_external=True):
        tag = el.tag.rsplit("}", 1)[-1]
        if tag != "row":
            continue
        n += 1
        r = int(el.get("r") or n)
        cells: dict[int, object] = {}
        for j, c in enumerate(x for x in el if x.tag.rsplit("}", 1)[-1] == "c"):
            kind = c.get("t") or "n"
            v = next((x for x in c if x.tag.rsplit("}", 1)[-1] == "v"), None)
            text = v.text if v is not None else None
            if kind == "inlineStr":
                value = "".join(t.text or "" for t in c.iter() if t.tag.rsplit("}", 1)[-1] == "t")
            elif text is None:
                value = None
            elif kind == "s":
                value = ("__shared__", int(text))
                shared_needed.add(int(text))
            elif kind in ("str", "e"):
                value = text
            elif kind == "b":
                value = text.strip() == "1"
            else:
                try:
                    value = _py(float(text))
                except ValueError:
                    value = text
            cells[_col_index(c.get("r"), j)] = value
        rows[r] = cells
        el.clear()
        if max_rows is not None and n >= max_rows:
            break
    strings = _shared_strings(z, max(shared_needed)) if shared_needed else []
    out = []
    for r in range(1, (max(rows) if rows else 0) + 1):
        cells = rows.get(r, {})
        width = max(cells) + 1 if cells else 0
        row = []
        for j in range(width):
            v = cells.get(j)
            if isinstance(v, tuple):
                v = strings[v[1]] if v[1] < len(strings) else None
            row.append(None if v == "" else v)
        out.append(row)
        if max_rows is not None and len(out) >= max_rows:
            break
    return out


def _shared_strings(z, upto: int) -> list[str]:
    """Shared strings 0..*upto*, streamed (a sheet's header uses the first few)."""
    from defusedxml.ElementTree import iterparse

    name = z.find("xl/sharedStrings.xml")
    if name is None:
        return []
    out: list[str] = []
    for _, el in iterparse(_MemberStream(z, name), events=("end",), forbid_dtd=True, forbid_entities=True,
                           forbid_external=True):
        if el.tag.rsplit("}", 1)[-1] == "si":
            out.append("".join(t.text or "" for t in el.iter() if t.tag.rsplit("}", 1)[-1] == "t"))
            el.clear()
            if len(out) > upto:
                break
    return out


def _py(v):
    if type(v) is float and v.is_integer() and abs(v) < 2 ** 53:
        return int(v)
    return v


def _column(col, empty):
    """One column of a chunk (object array, *empty* marking empty cells) as a numpy array: float64 when every
    cell is a number or empty, else objects (empty cells None, whole-number floats int, as pandas' own Excel
    readers give them)."""
    import numpy as np

    filled = col[~empty]
    if set(map(type, filled)) <= {float, int}:
        out = np.full(len(col), np.nan)
        out[~empty] = filled.astype(float)
        return out
    out = col.copy()
    out[empty] = None
    for i in np.flatnonzero(~empty):
        v = out[i]
        if type(v) is float and v.is_integer() and abs(v) < 2 ** 53:
            out[i] = int(v)
    return out


def _finish(parts: list, typed: bool):
    """Join a column's chunks. Numeric columns stay numeric: whole numbers become ``int64`` (typed, no empty
    cell) or nullable ``Int64`` (untyped), others ``float64``; mixed columns are objects."""
    import numpy as np
    import pandas as pd

    if {p.dtype.kind for p in parts} == {"f"}:
        col = np.concatenate(parts) if len(parts) > 1 else parts[0]
        nan = np.isnan(col)
        safe = np.where(nan, 0.0, col)
        integral = bool(np.isfinite(safe).all() and (np.abs(safe) < 2 ** 53).all()
                        and (np.floor(safe) == safe).all())
        if integral and len(col) and not nan.all():
            if typed and not nan.any():
                return col.astype(np.int64)
            if not typed:
                from pandas.arrays import IntegerArray

                return IntegerArray(safe.astype(np.int64), nan)
        if not typed and nan.all():
            return np.full(len(col), None, dtype=object)
        return col
    objs = []
    for p in parts:
        if p.dtype.kind == "f":
            o = p.astype(object)
            nan = np.isnan(p)
            o[nan] = None
            for i in np.flatnonzero(~nan):
                if p[i].is_integer() and abs(p[i]) < 2 ** 53:
                    o[i] = int(p[i])
            objs.append(o)
        else:
            objs.append(p)
    col = np.concatenate(objs) if len(objs) > 1 else objs[0]
    if typed:
        return pd.Series(col, dtype=object).infer_objects().to_numpy()
    return col


def _headers(row) -> list[str]:
    out, seen = [], {}
    for i, h in enumerate(row):
        name = str(_py(h)).strip() if h not in ("", None) else f"Unnamed: {i}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return out


def _read_xlsx(path: Path, sheet, typed: bool):
    import itertools

    import numpy as np
    import pandas as pd

    wb = _calamine(path)
    try:
        s = _sheet(wb, path, sheet)
        name = s.name
        try:
            it = iter(s.iter_rows())
            header, header_row = None, 0
            for header_row, row in enumerate(it, start=1):  # leading empty rows are skipped
                if any(v != "" for v in row):
                    header = row
                    break
            if header is None:
                df = pd.DataFrame()
                df.attrs.update(first_row=2, sheet=name)
                return df
            width = len(header)
            while width and header[width - 1] == "":
                width -= 1
            columns = _headers(header[:width])
            parts: list[list] = [[] for _ in columns]
            while True:
                chunk = list(itertools.islice(it, CHUNK_ROWS))
                if not chunk:
                    break
                block = np.empty((len(chunk), width), dtype=object)
                for i, r in enumerate(chunk):
                    block[i, :] = r[:width] if len(r) >= width else list(r) + [""] * (width - len(r))
                del chunk
                empty = block == ""
                for j in range(width):
                    parts[j].append(_column(block[:, j], empty[:, j]))
                del block
        except DataError:
            raise
        except Exception as exc:  # noqa: BLE001 - malformed sheet XML, bad shared strings, ...
            raise DataError(f"cannot read sheet {name!r} ({_calamine_reason(exc)})", file=path) from None
    finally:
        wb.close()
    data = {c: (_finish(p, typed) if p else []) for c, p in zip(columns, parts)}
    df = pd.DataFrame(data, columns=columns)
    if len(df):  # trailing rows that are empty in every column are not records
        last = len(df)
        blank = df.isna().all(axis=1).to_numpy()
        while last and blank[last - 1]:
            last -= 1
        df = df.iloc[:last]
    df.attrs.update(first_row=header_row + 1, sheet=name)
    return df


SHEET_READERS = {".xlsx": _read_xlsx, ".xlsm": _read_xlsx}
"""Registry: file suffix -> ``reader(path, sheet, typed) -> DataFrame`` (.ods and .xls are read through
:mod:`toolkit.survey.workbook`)."""


def read_sheet(path: str | Path, sheet: str | int = 0, typed: bool = False):
    """Read one sheet as a table: the first non-empty row is the header, every later row a record.

    *typed* ``False`` (survey readers): object columns holding the cells as written (numbers, text, dates;
    empty cells ``None``; whole numbers as ``int``). *typed* ``True`` (analysis): pandas dtypes as
    ``pandas.read_excel`` would give them (``int64``/``float64`` for numeric columns).

    ``df.attrs``: ``first_row`` (the sheet row number of the first record), ``sheet`` (its name) and
    ``formula_cells`` (cells holding a formula whose value was never calculated: they read as empty; see
    :func:`formula_cells_without_value`). Trailing empty rows are dropped.
    """
    path = Path(path)
    reader = SHEET_READERS.get(path.suffix.lower())
    if reader is None:
        raise DataError(f"not a spreadsheet this toolkit reads ('{path.suffix}'; use "
                        f"{', '.join(SHEET_READERS)})", file=path)
    _guard(path)
    df = reader(path, sheet, typed)
    df.attrs["formula_cells"] = formula_cells_without_value(path, df.attrs.get("sheet", sheet)) \
        if path.suffix.lower() in XLSX_SUFFIXES else []
    return df


class _MemberStream:
    """A zip member as a read-only file object, capped like every :class:`~toolkit.archive.SafeZip` read."""

    def __init__(self, z, member: str):
        self._it = z.iter_chunks(member)
        self._buf = b""

    def read(self, n: int = -1) -> bytes:
        while n < 0 or len(self._buf) < n:
            chunk = next(self._it, None)
            if chunk is None:
                break
            self._buf += chunk
        if n < 0:
            out, self._buf = self._buf, b""
        else:
            out, self._buf = self._buf[:n], self._buf[n:]
        return out


# -- formulas without a cached value ------------------------------------------------------------------------
_F = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _sheet_member(z, sheet) -> str | None:
    """The zip member holding *sheet* (a name or 0-based index), from workbook.xml and its relationships."""
    from .coding.refi.safety import parse_xml

    wb_name = z.find("xl/workbook.xml")
    rels_name = z.find("xl/_rels/workbook.xml.rels")
    if wb_name is None or rels_name is None:
        return None
    wb = parse_xml(z.read(wb_name), wb_name)
    rels = parse_xml(z.read(rels_name), rels_name)
    targets = {el.get("Id"): el.get("Target") for el in rels.iter() if el.tag.endswith("Relationship")}
    sheets = [el for el in wb.iter() if el.tag.endswith("}sheet") or el.tag == "sheet"]
    chosen = None
    if isinstance(sheet, int):
        chosen = sheets[sheet] if 0 <= sheet < len(sheets) else None
    else:
        chosen = next((el for el in sheets if el.get("name") == sheet), None)
    if chosen is None:
        return None
    rid = next((v for k, v in chosen.attrib.items() if k.endswith("}id")), None)
    target = targets.get(rid)
    if not target:
        return None
    target = target.lstrip("/")
    return z.find(target if target.startswith("xl/") else "xl/" + target)


def formula_cells_without_value(path: str | Path, sheet: str | int = 0, limit: int = 1000) -> list[str]:
    """Cell references (``B7``) on *sheet* that hold a formula but no calculated value.

    A workbook written by a program that does not calculate (a script, some web exports) stores the formula
    only; every reader then sees an empty cell. The sheet is scanned as it streams out of the archive, and
    parsed only if it contains a formula at all.
    """
    from .archive import SafeZip

    path = Path(path)
    try:
        with SafeZip(path, label=path, kind="workbook") as z:
            member = _sheet_member(z, sheet)
            if member is None:
                return []
            tail = b""
            found = False
            for chunk in z.iter_chunks(member):
                window = tail + chunk
                if (b"<f" in window or b":f" in window) and _F.search(window):
                    found = True
                    break
                tail = chunk[-16:]
            if not found:
                return []
            return _formula_cells(z, member, limit)
    except DataError:
        return []


def _formula_cells(z, member: str, limit: int) -> list[str]:
    from defusedxml.ElementTree import iterparse

    out: list[str] = []

    try:
        for _, el in iterparse(_MemberStream(z, member), events=("end",), forbid_dtd=True,
                               forbid_entities=True, forbid_external=True):
            tag = el.tag.rsplit("}", 1)[-1]
            if tag == "c":
                f = v = None
                for child in el:
                    t = child.tag.rsplit("}", 1)[-1]
                    if t == "f":
                        f = child
                    elif t == "v":
                        v = child
                if f is not None and (v is None or not (v.text or "").strip()):
                    out.append(el.get("r") or "?")
                    if len(out) >= limit:
                        break
                el.clear()
            elif tag == "row":
                el.clear()
    except Exception:  # noqa: BLE001 - a malformed sheet is reported by the reader itself
        return out
    return out
