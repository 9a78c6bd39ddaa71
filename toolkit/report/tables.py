"""One table writer for every result: a tidy DataFrame becomes an APA-style xlsx sheet, an HTML table or a CSV.

Every workbook the toolkit writes for people (reliability, EFA, CFA, aggregation, agreement, evaluation,
validation, the coding review, the report) is a list of :class:`Table` objects passed to
:func:`write_workbook`, so a number looks the same everywhere: labelled headers (:mod:`.labels`), two
decimals (three for p), no leading zero for values that cannot exceed 1, notes under the table, frozen
header rows, widths that fit the text, text cells that are never formulas and no wall-clock time in the file.

>>> import pandas as pd
>>> from toolkit.report.tables import Table, write_workbook, table_html
>>> t = Table("Scales", pd.DataFrame({"scale": ["trust"], "n": [120], "alpha": [0.8412]}),
...           title="Reliability per construct", note="α = Cronbach's alpha.")
>>> write_workbook("reliability.xlsx", [t])                    # doctest: +SKIP
>>> "<td class=\\"num\\">.84</td>" in table_html(t)
True

Workbooks are written in openpyxl's write-only mode, so tables of hundreds of thousands of rows stream to
disk with flat memory.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Iterable, Sequence

from ..io import is_formula_like
from . import labels as _labels

#: Excel number formats per kind (see :mod:`toolkit.report.labels`)
EXCEL_FORMATS = {
    "int": "#,##0", "id": "0", "num": "#,##0.00", "num1": "0.0", "num3": "0.000", "prop": "#.00;-#.00;.00",
    "prop3": "#.000;-#.000;.000", "p": '[<0.001]"< .001";#.000', "pct": "0.0%", "text": "General",
}
KINDS = tuple(EXCEL_FORMATS)
MAX_WIDTH = 60
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


@dataclass
class Column:
    """How one column of a :class:`Table` is shown.

    *key* names the DataFrame column; *label* is the header (default: :func:`labels.label`); *kind* the number
    style (default: :func:`labels.kind`); *width* a fixed width in characters; *wrap* wraps long text;
    *choices* (or *choices_from*, the name of a table whose first column lists them) adds a drop-down.
    """

    key: str
    label: str | None = None
    kind: str | None = None
    width: float | None = None
    wrap: bool = False
    choices: Sequence[str] | None = None
    choices_from: str | None = None


@dataclass
class Table:
    """A tidy result table and how to show it.

    Tables with the same *name* are stacked on one sheet (a blank row between them). *emphasis* is a boolean
    DataFrame (same index, column keys) of cells to stress: bold in xlsx, ``class="em"`` in HTML.
    *dropdown_rows*: drop-downs reach at least this many data rows (room for rows a reviewer adds).
    """

    name: str
    data: "object"  # pandas.DataFrame
    title: str | None = None
    columns: Sequence[Column | str] | None = None
    note: str | None = None
    emphasis: "object | None" = None
    hidden: bool = False
    header: bool = True
    freeze: bool = True
    autofilter: bool = False
    dropdown_rows: int = 0
    index: bool = False  # show the DataFrame's index as a first (label) column
    group: str | None = None  # HTML: a column whose repeated values are shown once, with a rule above each group

    def frame(self):
        """The DataFrame shown, with the index as a first column when ``index`` is set."""
        df = self.data
        if self.index:
            name = df.index.name or ""
            df = df.reset_index()
            if name == "":
                df = df.rename(columns={df.columns[0]: ""})
        return df

    def resolved_columns(self) -> list[Column]:
        """Columns with label and kind filled in (from the vocabulary and the data)."""
        df = self.frame()
        given = list(self.columns) if self.columns is not None else list(df.columns)
        out = []
        for c in given:
            col = Column(c) if not isinstance(c, Column) else Column(**c.__dict__)
            if col.key not in df.columns:
                raise KeyError(f"table {self.name!r} has no column {col.key!r}")
            if col.label is None:
                col.label = _labels.label(col.key)
            if col.kind is None:
                col.kind = _labels.kind(col.key, df[col.key])
            if col.kind not in EXCEL_FORMATS:
                raise ValueError(f"unknown number kind {col.kind!r} (kinds: {', '.join(KINDS)})")
            out.append(col)
        return out


# --- values -------------------------------------------------------------------------------------------------
def _missing(v) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    try:
        import pandas as pd

        return v is pd.NA or v is pd.NaT
    except ImportError:  # pragma: no cover
        return False


def _plain(v):
    """numpy scalars -> Python scalars; missing -> None."""
    if _missing(v):
        return None
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        try:
            v = v.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def _fixed(x: float, digits: int, grouping: bool = False) -> str:
    """*x* with *digits* decimals, halves rounded away from zero as spreadsheets do (0.0625 -> 0.063)."""
    from decimal import ROUND_HALF_UP, Decimal

    d = Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    text = f"{d:,.{digits}f}" if grouping else f"{d:.{digits}f}"
    return "0" + text[2:] if text.startswith("-0") and not d else text  # no "-0.00"


def _no_leading_zero(text: str) -> str:
    if text.startswith("0."):
        return text[1:]
    if text.startswith("-0."):
        return "-" + text[2:]
    return text


def p_clause(p) -> str:
    """``p = .046`` / ``p < .001`` / ``p = NA``: a p-value as APA style writes it in running text.

    >>> p_clause(0.0456), p_clause(1.0), p_clause(1e-9)
    ('p = .046', 'p = 1.000', 'p < .001')
    """
    text = format_value(p, "p")
    if not text or text in ("nan", "NaN"):
        return "p = NA"
    return "p " + text if text.startswith("<") else "p = " + text


def format_value(v, kind: str = "text") -> str:
    """The text a person sees for value *v* of number *kind* (same rules as the xlsx number formats).

    >>> format_value(0.0004, "p"), format_value(0.0456, "p"), format_value(-0.25, "prop"), format_value(1234, "int")
    ('< .001', '.046', '-.25', '1,234')
    """
    v = _plain(v)
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, (int, float)) and kind != "text":
        x = float(v)
        if math.isinf(x):
            return "∞" if x > 0 else "-∞"
        if kind == "int":
            return _fixed(x, 0, grouping=True)
        if kind == "id":
            return _fixed(x, 0)
        if kind == "num":
            return _fixed(x, 2, grouping=True)
        if kind == "num1":
            return _fixed(x, 1)
        if kind == "num3":
            return _fixed(x, 3)
        if kind == "prop":
            return _no_leading_zero(_fixed(x, 2))
        if kind == "prop3":
            return _no_leading_zero(_fixed(x, 3))
        if kind == "p":
            return "< .001" if x < 0.001 else _no_leading_zero(_fixed(x, 3))
        if kind == "pct":
            return _fixed(x * 100, 1) + "%"
    if isinstance(v, float):
        return _fixed(v, 2)
    if isinstance(v, (list, tuple)):
        return ", ".join(format_value(x, kind) for x in v)
    return str(v)


# --- xlsx ---------------------------------------------------------------------------------------------------
def _sheet_titles(tables: Sequence[Table]) -> dict[str, str]:
    """Table name -> a valid, unique sheet title (31 characters, no []:*?/\\)."""
    out, taken = {}, set()
    for t in tables:
        if t.name in out:
            continue
        base = _SHEET_BAD.sub("_", str(t.name)).strip("'") or "Sheet"
        title, k = base[:31], 1
        while title.lower() in taken:
            k += 1
            title = f"{base[:28]}_{k}"
        taken.add(title.lower())
        out[t.name] = title
    return out


def _width(texts: Iterable[str]) -> int:
    return max((len(line) for t in texts for line in str(t).split("\n")), default=0)


def _column_widths(table: Table, cols: list[Column], sample: int = 2000) -> list[tuple[float, bool]]:
    """(width, wrap) per column: fits the header's longest word and the formatted values, capped."""
    df = table.frame()
    head = df.head(sample)
    out = []
    for col in cols:
        values = [format_value(v, col.kind) for v in head[col.key].tolist()]
        data_w = _width(values)
        label = col.label or ""
        longest_word = max((len(w) for w in label.split()), default=0)
        head_w = min(len(label), max(longest_word, 14))
        need = max(data_w, head_w, 4) + 2
        cap = col.width or MAX_WIDTH
        wrap = col.wrap or need > cap
        out.append((float(col.width) if col.width else float(min(need, cap)), wrap))
    return out


def _lines(text: str, width: float) -> int:
    """About how many lines *text* takes in a wrapped cell *width* characters wide."""
    per_line = max(int(width * 1.15) - 2, 1)  # a width unit is one '0'; text averages narrower
    return sum(max(1, math.ceil(len(p) / per_line)) for p in str(text).split("\n"))


def _height(lines: int) -> str:
    """The ``<row>`` attributes for a row of *lines* lines (nothing for one line: the default height)."""
    return f' ht="{15 * min(lines, 27)}" customHeight="1"' if lines > 1 else ""


def _wrap_note(note: str, width: int) -> list[str]:
    import textwrap

    lines = []
    for para in str(note).split("\n"):
        lines.extend(textwrap.wrap(para, width=max(width, 60)) or [""])
    return lines


class _Renderer:
    """Turns table rows into ``<row>`` XML for :class:`toolkit.report.xlsx.Workbook` (column-wise, fast)."""

    EM_FILL = "FFF2CC"

    def __init__(self, book, text):
        from .xlsx import Style

        self.book, self.text, self.Style = book, text, Style

    def sid(self, **kw) -> int:
        return self.book.styles.id(self.Style(**kw))

    def cell(self, ref: str, value, kind: str, *, bold=False, italic=False, size=None, fill=None, top=False,
             bottom=False, wrap=False, valign=None, halign=None) -> str:
        """One cell of any value (the slow path: titles, headers, notes, emphasised and last-row cells)."""
        from .xlsx import number_xml

        v = _plain(value)
        if isinstance(v, bool):
            v = "yes" if v else "no"
        if isinstance(v, (list, tuple, dict, set)):
            v = str(v)
        base = dict(bold=bold, italic=italic, size=size, fill=fill, border_top=top, border_bottom=bottom,
                    wrap=wrap, valign=valign, halign=halign)
        if v is None:
            if fill or top or bottom:
                return f'<c r="{ref}" s="{self.sid(**base)}"/>'
            return ""
        if isinstance(v, (int, float)):
            x = number_xml(v)
            if x is None:
                return f'<c r="{ref}" s="{self.sid(**base)}"/>' if (fill or top or bottom) else ""
            return f'<c r="{ref}" s="{self.sid(num_fmt=EXCEL_FORMATS[kind], **base)}"><v>{x}</v></c>'
        v = str(v)
        s = self.sid(quote_prefix=is_formula_like(v), **base)
        return f'<c r="{ref}" s="{s}" t="inlineStr"><is><t xml:space="preserve">{self.text(v)}</t></is></c>'

    def column(self, letter: str, values: list, kind: str, wrap: bool, first_row: int) -> list[str]:
        """Cell XML for one column of plain data cells (the fast path: one comprehension per column)."""
        from .xlsx import number_xml

        valign = "top"
        num_s = self.sid(num_fmt=EXCEL_FORMATS[kind], wrap=wrap, valign=valign)
        txt_s = self.sid(wrap=wrap, valign=valign)
        quote_s = self.sid(wrap=wrap, valign=valign, quote_prefix=True)
        text = self.text
        out = []
        append = out.append
        for r, v in enumerate(values, start=first_row):
            if v is None:
                append("")
                continue
            t = type(v)
            if t is float or t is int:
                if v != v:
                    append("")
                else:
                    append(f'<c r="{letter}{r}" s="{num_s}"><v>{number_xml(v)}</v></c>')
            elif t is str:
                s = quote_s if is_formula_like(v) else txt_s
                append(f'<c r="{letter}{r}" s="{s}" t="inlineStr"><is><t xml:space="preserve">{text(v)}</t></is></c>')
            else:
                append(self.cell(f"{letter}{r}", v, kind, wrap=wrap, valign=valign))
        return out


def _prepare_values(series) -> list:
    """A column as a list of plain Python values (numpy scalars and pandas NA become float/int/None)."""
    import numpy as np
    import pandas as pd

    if pd.api.types.is_bool_dtype(series.dtype):
        return [None if _missing(v) else ("yes" if v else "no") for v in series.tolist()]
    if pd.api.types.is_integer_dtype(series.dtype):
        arr = series.to_numpy(dtype=float, na_value=np.nan)
        return [None if x != x else int(x) for x in arr.tolist()]
    if pd.api.types.is_float_dtype(series.dtype):
        return series.to_numpy(dtype=float, na_value=np.nan).tolist()
    return [_plain(v) if not isinstance(v, str) else v for v in series.tolist()]


def _table_rows(r: _Renderer, table: Table, cols: list[Column], widths, start_row: int, chunk: int = 2000):
    """Yield (xml, rows_used) chunks for one table: title, header, data rows, note."""
    import numpy as np

    from .xlsx import column_letter

    letters = [column_letter(j) for j in range(1, len(cols) + 1)]
    row = start_row
    head = []
    if table.title:
        head.append(f'<row r="{row}">' + r.cell(f"A{row}", table.title, "text", bold=True, italic=True) + "</row>")
        row += 1
    if table.header:
        lines = max((_lines(c.label or "", widths[j][0]) for j, c in enumerate(cols)), default=1)
        head.append(f'<row r="{row}"{_height(lines)}>' + "".join(
            r.cell(f"{letters[j]}{row}", c.label, "text", bold=True, top=True, bottom=True, wrap=True, valign="bottom",
                   halign="left" if c.kind == "text" else "right")
            for j, c in enumerate(cols)) + "</row>")
        row += 1
    yield "".join(head), row - start_row
    df = table.frame()
    n = len(df)
    keys = [c.key for c in cols]
    mask = None
    if table.emphasis is not None:
        mask = table.emphasis.reindex(index=table.data.index, columns=keys, fill_value=False).to_numpy(dtype=bool)
    values = [_prepare_values(df[k]) for k in keys]
    for lo in range(0, n, chunk):
        hi = min(lo + chunk, n)
        special = set()
        if table.header and hi == n and n:
            special.add(n - 1)
        if mask is not None:
            special.update(int(i) for i in np.flatnonzero(mask[lo:hi].any(axis=1)) + lo)
        columns = [r.column(letters[j], values[j][lo:hi], cols[j].kind, widths[j][1], row + lo)
                   for j in range(len(cols))]
        heights = [1] * (hi - lo)
        for j, (w, wrap) in enumerate(widths):
            if wrap:
                for k, v in enumerate(values[j][lo:hi]):
                    if type(v) is str and len(v) > w:
                        heights[k] = max(heights[k], _lines(v, w))
        parts = []
        for i, cells in enumerate(zip(*columns), start=lo):
            rr = row + i
            if i in special:
                last = table.header and i == n - 1
                cells = [r.cell(f"{letters[j]}{rr}", values[j][i], cols[j].kind, bold=bool(mask is not None and mask[i, j]),
                                fill=_Renderer.EM_FILL if (mask is not None and mask[i, j]) else None, bottom=last,
                                wrap=widths[j][1], valign="top") for j in range(len(cols))]
            parts.append(f'<row r="{rr}"{_height(heights[i - lo])}>' + "".join(cells) + "</row>")
        yield "".join(parts), hi - lo
    row += n
    if table.note:
        width = int(sum(w for w, _ in widths))
        lines = _wrap_note(f"Note. {table.note}", width)
        yield "".join(f'<row r="{row + k}">' + r.cell(f"A{row + k}", line, "text", size=9) + "</row>"
                      for k, line in enumerate(lines)), len(lines)


def write_workbook(path: str | Path, tables: Sequence[Table], provenance: dict | None = None,
                   title: str | None = None) -> Path:
    """Write *tables* to one xlsx workbook (tables sharing a name share a sheet), atomically and reproducibly.

    Text that looks like a formula stays text; characters a cell cannot hold become U+FFFD and text over
    Excel's 32,767-character cell limit is cut (one warning each). *provenance*
    (:func:`toolkit.provenance.provenance`) is stored as custom document properties.
    """
    from ..io import atomic_path, source_date
    from .xlsx import REPLACEMENT, CellText, Sheet, Validation, Workbook, column_letter

    if not tables:
        raise ValueError("write_workbook needs at least one table")
    titles = _sheet_titles(tables)
    by_sheet: dict[str, list[Table]] = {}
    for t in tables:
        by_sheet.setdefault(t.name, []).append(t)
    lengths = {name: len(group[0].frame()) for name, group in by_sheet.items()}
    stamp = source_date()
    text = CellText()
    with atomic_path(path) as tmp:
        book = Workbook(tmp, date=stamp.strftime("%Y-%m-%dT%H:%M:%SZ"), date_time=stamp.timetuple()[:6])
        try:
            renderer = _Renderer(book, text)
            for name, group in by_sheet.items():
                resolved = [(t, t.resolved_columns()) for t in group]
                ncols = max(len(cols) for _, cols in resolved)
                widths_all = [_column_widths(t, cols) for t, cols in resolved]
                sheet_widths = [max((w[j][0] for w in widths_all if j < len(w)), default=8) for j in range(ncols)]
                first = group[0]
                header_rows = (1 if first.title else 0) + (1 if first.header else 0)
                sheet = Sheet(titles[name], widths=sheet_widths, hidden=first.hidden,
                              freeze_row=header_rows if first.freeze and first.header and not first.hidden else 0,
                              print_title_rows=header_rows if first.header else 0,
                              landscape=sum(sheet_widths) > 110)

                def rows(resolved=resolved, widths_all=widths_all, sheet=sheet):
                    row = 1
                    for k, ((table, cols), widths) in enumerate(zip(resolved, widths_all)):
                        if k:
                            row += 1  # a blank row between stacked tables
                        top = row + (1 if table.title else 0) + (1 if table.header else 0)
                        for xml, used in _table_rows(renderer, table, cols, widths, row):
                            row += used
                            yield xml
                        n = len(table.frame())
                        last_data = top + max(n, table.dropdown_rows, 1) - 1
                        for j, col in enumerate(cols, start=1):
                            if col.choices is None and col.choices_from is None:
                                continue
                            if col.choices is not None:
                                formula = '"' + ",".join(str(c) for c in col.choices) + '"'
                            else:
                                src = titles[col.choices_from].replace("'", "''")
                                formula = f"'{src}'!$A$1:$A${max(lengths.get(col.choices_from, 1), 1)}"
                            letter = column_letter(j)
                            sheet.validations.append(Validation(f"{letter}{top}:{letter}{last_data}", formula,
                                                                col.label or col.key,
                                                                f"Choose a value from the list for {col.label}."))
                        if table.autofilter and table.header:
                            sheet.autofilter = f"A{top - 1}:{column_letter(len(cols))}{max(top + n - 1, top)}"

                book.write_sheet(sheet, rows())
            book.close(properties={"creator": _creator(), "title": title or ""},
                       custom={f"hls:{k}": v for k, v in _complete(provenance).items()} or None)
        except BaseException:
            book.abort()
            raise
    if text.replaced or text.truncated:
        from ..console import warn

        if text.replaced:
            warn(f"{Path(path).name}: {text.replaced} character(s) that a spreadsheet cell cannot hold (control "
                 f"characters) were replaced by {REPLACEMENT!r}")
        if text.truncated:
            warn(f"{Path(path).name}: {text.truncated} text(s) longer than Excel's 32,767 characters per cell were "
                 "cut (the CSV/JSON outputs keep them whole)")
    return Path(path)


def _complete(record):
    from ..provenance import complete

    return complete(record)


def _creator() -> str:
    from .. import __version__

    return f"hls-toolkit {__version__}"


# --- html ---------------------------------------------------------------------------------------------------
def table_html(table: Table, table_id: str | None = None, number: int | None = None) -> str:
    """An APA-style HTML ``<table>``: caption (``Table N`` + title), labelled header, formatted numbers
    (right-aligned), the note in the footer. Self-contained: styling comes from the page's CSS classes
    ``apa``, ``num``, ``em``."""
    cols = table.resolved_columns()
    df = table.frame()
    keys = [c.key for c in cols]
    mask = None
    if table.emphasis is not None:
        mask = table.emphasis.reindex(index=table.data.index, columns=keys, fill_value=False).to_numpy(dtype=bool)
    attrs = f' id="{escape(table_id)}"' if table_id else ""
    out = [f'<table class="apa"{attrs}>']
    if table.title or number is not None:
        head = f"<span class=\"tno\">Table {number}</span> " if number is not None else ""
        out.append(f"<caption>{head}<span class=\"ttitle\">{escape(table.title or '')}</span></caption>")
    if table.header:
        out.append("<thead><tr>" + "".join(
            f'<th class="{"num" if c.kind != "text" else "txt"}">{escape(c.label or "")}</th>' for c in cols)
            + "</tr></thead>")
    out.append("<tbody>")
    arrays = [df[k].tolist() for k in keys]
    gj = keys.index(table.group) if table.group in keys else None
    for i in range(len(df)):
        cells = []
        new_group = gj is not None and (i == 0 or arrays[gj][i] != arrays[gj][i - 1])
        for j, c in enumerate(cols):
            v = arrays[j][i]
            if j == gj and not new_group:
                v = None
            numeric = c.kind != "text" and isinstance(_plain(v), (int, float)) and not isinstance(_plain(v), bool)
            cls = ["num" if numeric else "txt"]
            if mask is not None and mask[i, j]:
                cls.append("em")
            cells.append(f'<td class="{" ".join(cls)}">{escape(format_value(v, c.kind))}</td>')
        out.append(("<tr class=\"grp\">" if new_group and i else "<tr>") + "".join(cells) + "</tr>")
    out.append("</tbody>")
    if table.note:
        out.append(f'<tfoot><tr><td colspan="{len(cols)}"><em>Note.</em> {escape(table.note)}</td></tr></tfoot>')
    out.append("</table>")
    return "\n".join(out)


# --- csv ----------------------------------------------------------------------------------------------------
def write_table_csv(table: Table, path: str | Path, labelled: bool = False) -> Path:
    """Write *table* as CSV: by default the machine names and full-precision values (for scripts);
    ``labelled=True`` writes the labelled headers and the formatted text a person sees."""
    import pandas as pd

    from ..io import write_csv

    cols = table.resolved_columns()
    df = table.frame()
    if labelled:
        out = pd.DataFrame({c.label: [format_value(v, c.kind) for v in df[c.key].tolist()] for c in cols})
    else:
        out = df[[c.key for c in cols]]
    write_csv(out, path)
    return Path(path)
