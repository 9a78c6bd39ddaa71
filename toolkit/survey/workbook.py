"""The one way the survey side opens spreadsheets and archives: :func:`open_workbook` and :func:`open_archive`.

Every reader of answers (filled questionnaires, entry workbooks, Kobo/ODK exports, plain tables) goes through these
two functions, so a guard for untrusted files (size caps, zip-bomb checks) applies to all of them in one place.

:func:`open_workbook` reads the workbook formats researchers meet, chosen by the file's first bytes rather than
its name (a ``.xls`` that is really an ``.xlsx`` is read all the same):

* ``.xlsx`` / ``.xlsm`` (Office Open XML, also what LibreOffice and Kobo write) with python-calamine, a Rust
  reader about ten times faster than openpyxl on large sheets (:mod:`toolkit.spreadsheets` holds that engine:
  tables converted column by column in chunks, the first rows of a sheet streamed without reading the rest, and
  formulas that were never calculated found and reported);
* ``.ods`` (LibreOffice's native OpenDocument spreadsheet) with odfpy;
* ``.xls`` (the binary format of Excel 97-2003) with xlrd.

It returns a :class:`Book`: sheet names, each sheet's visibility (``visible``, ``hidden``, ``veryHidden``) and its
cell values as a grid of Python values (``None`` for empty cells; whole numbers as ``int``), so the readers never
depend on which library read the file.

>>> book = open_workbook("returned/R0001.ods")        # doctest: +SKIP
>>> book.sheet_names, book.state("_meta")             # doctest: +SKIP
(['Instructions', 'Questionnaire', 'Lists', 'Codebook', '_meta'], 'hidden')
>>> book.cell("Questionnaire", "C11")                 # doctest: +SKIP
'Agree'
"""
from __future__ import annotations

import atexit
import datetime as _dt
import re
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataError

#: suffixes read as workbooks
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".ods", ".xls")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_CELL_RE = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")


def open_archive(path, label=None, kind: str = "archive"):
    """Open a zip archive from an untrusted source (an ODK Central ``.csv.zip``, the package of an ``.xlsx`` or
    ``.ods``) with the project's archive guard (:mod:`toolkit.archive`): member names, sizes, counts and
    compression ratios are checked before anything is read. Returns a :class:`~toolkit.archive.SafeZip` (use it
    as a context manager).
    """
    from ..archive import SafeZip

    return SafeZip(path, label=label if label is not None else path, kind=kind)


@dataclass
class Book:
    """An open workbook: ``sheet_names`` in workbook order, ``states`` per sheet and a lazily read grid of values
    per sheet (row 1 is ``rows(name)[0]``). The file is parsed once; sheets are read when first asked for.

    Use it as a context manager (or call :meth:`close`) to release the file; books from :func:`open_workbook` are
    also kept in a small cache so that sniffing a file and reading it parse it only once
    (:func:`close_workbooks` empties the cache)."""

    path: Path
    sheet_names: list[str]
    states: dict[str, str]
    _loader: object = None
    _grids: dict = field(default_factory=dict)
    _closer: object = None
    _framer: object = None  # a fast table reader for the format (xlsx), else frames are built from the grid

    def close(self) -> None:
        if self._closer is not None:
            self._closer()
            self._closer = None
        for key, book in list(_CACHE.items()):
            if book is self:
                del _CACHE[key]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def state(self, name: str) -> str:
        """``visible``, ``hidden`` or ``veryHidden``."""
        return self.states.get(name, "visible")

    def sheet(self, which: str | int = 0) -> str:
        """The name of a sheet given by name or position; a located error when it does not exist."""
        if isinstance(which, int):
            if not 0 <= which < len(self.sheet_names):
                raise DataError(f"the workbook has no sheet number {which + 1}", file=self.path)
            return self.sheet_names[which]
        if which not in self.sheet_names:
            raise DataError(f"the workbook has no sheet '{which}' (it has: {', '.join(self.sheet_names)})",
                            file=self.path)
        return which

    def rows(self, which: str | int = 0, max_rows: int | None = None) -> list[list]:
        """The sheet's cell values, one list per row from row 1 (trailing empty rows dropped)."""
        name = self.sheet(which)
        if name not in self._grids or (max_rows is None and self._grids[name][1] is not None):
            self._grids[name] = (self._loader(name, max_rows), max_rows)
        grid = self._grids[name][0]
        return grid if max_rows is None else grid[:max_rows]

    def cell(self, which: str | int, ref: str):
        """The value of one cell given as ``"C11"`` (``None`` when empty)."""
        m = _CELL_RE.match(str(ref).strip())
        if not m:
            raise ValueError(f"invalid cell reference '{ref}'")
        col = 0
        for ch in m.group(1).upper():
            col = col * 26 + (ord(ch) - 64)
        row = int(m.group(2))
        grid = self.rows(which)
        if row - 1 >= len(grid):
            return None
        line = grid[row - 1]
        return line[col - 1] if col - 1 < len(line) else None

    def frame(self, which: str | int = 0, dtype=None):
        """The sheet as a DataFrame with the first row as header, typed the way ``pandas.read_excel`` types it
        (``dtype=object`` keeps every value as read)."""
        import pandas as pd
        from pandas.io.parsers import TextParser

        if self._framer is not None:
            return self._framer(self.sheet(which), dtype is not object)
        rows = self.rows(which)
        if not rows:
            return pd.DataFrame()
        width = max(len(r) for r in rows)
        rows = [list(r) + [None] * (width - len(r)) for r in rows]
        header = rows[0]
        while header and header[-1] is None and all(r[len(header) - 1] is None for r in rows):
            header = header[:-1]  # trailing columns without header or values
        width = len(header)
        body = [r[:width] for r in rows[1:]]
        if dtype is object:
            names = [str(h).strip() if h is not None else f"Unnamed: {i}" for i, h in enumerate(header)]
            return pd.DataFrame(body, columns=names, dtype=object)
        parser = TextParser([header] + body, header=0, dtype=dtype)
        return parser.read()


_CACHE: "OrderedDict[tuple, Book]" = OrderedDict()
CACHE_SIZE = 2


def close_workbooks() -> None:
    """Close every cached workbook (the importer does this when it has read all its files)."""
    for book in list(_CACHE.values()):
        book.close()
    _CACHE.clear()


atexit.register(close_workbooks)


def open_workbook(path) -> Book:
    """Open an ``.xlsx``/``.xlsm``, ``.ods`` or ``.xls`` workbook (recognised by content) as a :class:`Book`.

    The same unchanged file opened again (to sniff its format, then to read it) gives the same :class:`Book`.
    Raises :class:`~toolkit.errors.DataError` naming the file when it is missing, not a workbook or broken.
    """
    path = Path(path)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise DataError("file not found", file=path) from None
    except OSError as exc:
        raise DataError(f"cannot read the file ({exc.strerror or type(exc).__name__})", file=path) from None
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    book = _open(path)
    _CACHE[key] = book
    while len(_CACHE) > CACHE_SIZE:
        _CACHE.popitem(last=False)[1].close()
    return book


def _open(path: Path) -> Book:
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise DataError(f"cannot read the file ({exc.strerror or type(exc).__name__})", file=path) from None
    if head.startswith(_ZIP_MAGIC):
        with open_archive(path, kind="workbook") as z:  # the archive guard runs before any library unpacks it
            is_ods = z.find("content.xml") is not None and z.find("xl/workbook.xml") is None
        return _open_ods(path) if is_ods else _open_xlsx(path)
    if head.startswith(_OLE2_MAGIC):
        from ..archive import ole_is_encrypted

        if ole_is_encrypted(path):  # an encrypted .xlsx is an OLE2 container holding the encrypted package
            raise DataError("password-protected workbook: remove the password in Excel (File > Info > Protect "
                            "Workbook) and save it again", file=path)
        return _open_xls(path)
    kind = "an .xls" if path.suffix.lower() == ".xls" else "a"
    raise DataError(f"not {kind} workbook (neither Office Open XML, OpenDocument nor Excel 97-2003); "
                    "save it again as .xlsx or .ods", file=path)


def _broken(path, exc) -> DataError:
    detail = str(exc).splitlines()[0] if str(exc) else ""
    return DataError(f"cannot open the workbook ({type(exc).__name__}{': ' + detail if detail else ''})", file=path)


def _plain(value):
    """Whole floats as int, datetimes kept, everything else as read."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2 ** 53:
        return int(value)
    return value


def _trim(grid: list[list]) -> list[list]:
    while grid and all(v is None for v in grid[-1]):
        grid.pop()
    for row in grid:
        while row and row[-1] is None:
            row.pop()
    return grid


# -- .xlsx / .xlsm --------------------------------------------------------------------------------------------
def _open_xlsx(path: Path) -> Book:
    import python_calamine as pc

    from .. import spreadsheets

    try:
        wb = pc.CalamineWorkbook.from_path(str(path))
        meta = wb.sheets_metadata
    except Exception as exc:  # noqa: BLE001 - any broken package becomes one located line
        raise _broken(path, exc) from None
    names = [m.name for m in meta]
    states = {m.name: _CALAMINE_STATES.get(str(m.visible).rsplit(".", 1)[-1], "visible") for m in meta}

    def load(name, max_rows):
        if max_rows is not None and max_rows <= 1000:  # sniffing: stream the first rows, not the whole sheet
            return _trim([[_plain(v) for v in row] for row in spreadsheets.sheet_rows(path, name, max_rows)])
        try:
            grid = [[None if v == "" else _plain(v) for v in row]
                    for row in wb.get_sheet_by_name(name).to_python(skip_empty_area=False, nrows=max_rows)]
        except Exception as exc:  # noqa: BLE001
            raise _broken(path, exc) from None
        return _trim(grid)

    def framer(name, typed):
        df = spreadsheets.read_sheet(path, name, typed=typed)
        if not typed:  # readers get "Unnamed: n" headers, as pandas names them
            df.attrs.setdefault("first_row", 2)
        return df

    return Book(path, names, states, load, _closer=wb.close, _framer=framer)


_CALAMINE_STATES = {"Visible": "visible", "Hidden": "hidden", "VeryHidden": "veryHidden"}


# -- .ods -------------------------------------------------------------------------------------------------------
def _open_ods(path: Path) -> Book:
    try:
        from odf.opendocument import load as odf_load
        from odf.namespaces import STYLENS, TABLENS
        from odf.style import Style, TableProperties
        from odf.table import Table

        doc = odf_load(str(path))
        hidden_styles = set()
        for st in doc.automaticstyles.getElementsByType(Style):
            if st.getAttrNS(STYLENS, "family") != "table":
                continue
            for props in st.getElementsByType(TableProperties):
                if str(props.getAttrNS(TABLENS, "display")).lower() == "false":
                    hidden_styles.add(st.getAttrNS(STYLENS, "name"))
        tables = {t.getAttrNS(TABLENS, "name"): t for t in doc.spreadsheet.getElementsByType(Table)}
    except Exception as exc:  # noqa: BLE001
        raise _broken(path, exc) from None
    names = list(tables)
    states = {n: ("hidden" if tables[n].getAttrNS(TABLENS, "style-name") in hidden_styles else "visible")
              for n in names}

    def load(name, max_rows):
        return _ods_grid(tables[name], max_rows)

    return Book(path, names, states, load)


def _ods_value(cell):
    from odf import teletype
    from odf.namespaces import OFFICENS, TEXTNS

    kind = cell.getAttrNS(OFFICENS, "value-type")
    if kind in ("float", "percentage", "currency"):
        return _plain(float(cell.getAttrNS(OFFICENS, "value")))
    if kind == "boolean":
        return str(cell.getAttrNS(OFFICENS, "boolean-value")).lower() == "true"
    if kind == "date":
        text = str(cell.getAttrNS(OFFICENS, "date-value"))
        try:
            return _dt.datetime.fromisoformat(text)
        except ValueError:
            return text
    if kind == "time":
        return str(cell.getAttrNS(OFFICENS, "time-value"))
    # the cell's own paragraphs only: a comment (office:annotation) holds text:p elements too
    paragraphs = [c for c in cell.childNodes if getattr(c, "qname", None) == (TEXTNS, "p")]
    if kind == "string" or paragraphs:
        value = cell.getAttrNS(OFFICENS, "string-value")
        if value:
            return str(value)
        text = "\n".join(teletype.extractText(p) for p in paragraphs)
        return text if text != "" or kind == "string" else None
    return None


def _ods_grid(table, max_rows) -> list[list]:
    """Cells of one ``table:table``; repeated rows/cells are expanded only where values follow them (LibreOffice
    writes the empty rest of a sheet as one row repeated a million times)."""
    from odf.namespaces import TABLENS
    from odf.table import TableRow

    grid: list[list] = []
    pending_rows = 0
    for row in table.getElementsByType(TableRow):
        repeat = int(row.getAttrNS(TABLENS, "number-rows-repeated") or 1)
        values: list = []
        pending_cells = 0
        for cell in row.childNodes:
            kind = getattr(cell, "qname", (None, None))
            if kind[0] != TABLENS or kind[1] not in ("table-cell", "covered-table-cell"):
                continue
            n = int(cell.getAttrNS(TABLENS, "number-columns-repeated") or 1)
            value = _ods_value(cell) if kind[1] == "table-cell" else None  # covered = inside a merged cell
            if value is None:
                pending_cells += n
                continue
            values.extend([None] * pending_cells)
            pending_cells = 0
            values.extend([value] * min(n, 16384))
        if not values:
            pending_rows += repeat
        else:
            grid.extend([] for _ in range(pending_rows))
            pending_rows = 0
            grid.extend(list(values) for _ in range(min(repeat, 1_048_576)))
        if max_rows is not None and len(grid) >= max_rows:
            return grid[:max_rows]
    return _trim(grid)


# -- .xls (Excel 97-2003) ------------------------------------------------------------------------------------------
_XLS_STATES = {0: "visible", 1: "hidden", 2: "veryHidden"}


def _open_xls(path: Path) -> Book:
    import xlrd

    try:
        wb = xlrd.open_workbook(str(path), on_demand=True)
        names = wb.sheet_names()
        states = {n: _XLS_STATES.get(wb.sheet_by_name(n).visibility, "visible") for n in names}
    except Exception as exc:  # noqa: BLE001
        raise _broken(path, exc) from None

    def load(name, max_rows):
        try:
            sh = wb.sheet_by_name(name)
            n = sh.nrows if max_rows is None else min(sh.nrows, max_rows)
            grid = [[_xls_value(t, v, wb.datemode) for t, v in zip(sh.row_types(r), sh.row_values(r))]
                    for r in range(n)]
        except Exception as exc:  # noqa: BLE001
            raise _broken(path, exc) from None
        return _trim(grid)

    return Book(path, names, states, load, _closer=wb.release_resources)


# xlrd cell types: 0 empty, 1 text, 2 number, 3 date, 4 boolean, 5 error, 6 blank
def _xls_value(ctype: int, value, datemode):
    if ctype == 2:
        return _plain(float(value))
    if ctype == 1:
        return str(value)
    if ctype in (0, 5, 6):
        return None
    if ctype == 3:
        import xlrd

        try:
            return xlrd.xldate_as_datetime(value, datemode)
        except Exception:  # noqa: BLE001 - an out-of-range date stays a number
            return _plain(float(value))
    return bool(value)


__all__ = ["Book", "WORKBOOK_SUFFIXES", "close_workbooks", "open_archive", "open_workbook"]
