"""What every reader returns, and how file headers are matched to the instrument's ids."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..variables import variables

# Columns that various platforms add and that can serve as a respondent id when the form had none.
ID_FALLBACKS = ("KEY", "instanceID", "meta-instanceID", "meta/instanceID", "_uuid", "ResponseId", "ResponseID",
                "_id")


@dataclass
class Source:
    """The answers read from one file.

    ``data``: one row per respondent, columns = instrument ids (raw values, not yet recoded);
    ``rows``: the row number of each respondent in the file (list aligned with ``data``; ``None`` when the
    file holds one respondent); ``cells``: per respondent, ``{variable: "Sheet!C7"}`` when known;
    ``meta``: what the file says about itself (instrument id/version, form type);
    ``ignored``: file columns that are not instrument variables; ``notes``: what the reader left aside on
    purpose (repeat-group tables the instrument does not use), reported with the file.
    """

    path: Path
    data: "pd.DataFrame"  # noqa: F821
    rows: list = field(default_factory=list)
    cells: list = field(default_factory=list)
    meta: dict = field(default_factory=dict)
    ignored: list = field(default_factory=list)
    unmatched: list = field(default_factory=list)
    format: str = ""
    notes: list = field(default_factory=list)
    headers: dict = field(default_factory=dict)  # instrument id -> the file's column header it was read from
    read_issues: list = field(default_factory=list)  # issue() keyword dicts about how the file was read


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().casefold()


def match_columns(headers, instrument, texts=None) -> dict:
    """Map file headers to instrument ids: ``{header: id}``.

    Tried in turn: the id itself (case-insensitive); the last part of a group path (``grp/CON1``,
    ``antecedents-CON1``, ``grp.CON1``); the question text in any language, from the header (Kobo label
    exports) or from *texts* (Qualtrics' second header row, where a matrix row reads "Question - Statement").
    """
    by_id = {}
    by_text = {}
    for v in variables(instrument):
        by_id[v.id.casefold()] = v.id
        for t in v.texts:
            by_text.setdefault(_norm(t), v.id)
    out: dict = {}
    taken: set = set()
    texts = list(texts) if texts is not None else [None] * len(headers)
    for header, text in zip(headers, texts):
        h = str(header).strip()
        candidates = [h, re.split(r"[/]", h)[-1], h.rsplit("-", 1)[-1], h.rsplit(".", 1)[-1]]
        target = next((by_id[c.casefold()] for c in candidates if c.casefold() in by_id), None)
        if target is None:
            for t in (h, text):
                if t is None:
                    continue
                for cand in (_norm(t), _norm(str(t).rsplit(" - ", 1)[-1]), _norm(str(t).rsplit("/", 1)[-1])):
                    if cand in by_text:
                        target = by_text[cand]
                        break
                if target:
                    break
        if target is not None and target not in taken:
            out[header] = target
            taken.add(target)
    return out


def frame_from_table(path: Path, table, instrument, first_row: int, texts=None, meta=None) -> Source:
    """Build a :class:`Source` from a DataFrame whose columns are file headers (one row per respondent).

    *first_row* is the file row number of the table's first data row. Completely empty rows are dropped.
    A respondent id is taken from platform columns (``KEY``, ``_uuid``, ``ResponseId``) when the form had none.
    """
    import pandas as pd

    mapping = match_columns(list(table.columns), instrument, texts)
    data = table[list(mapping)].rename(columns=mapping)
    rid = instrument.respondent_column
    fallback = next((fb for fb in ID_FALLBACKS if fb in table.columns), None)
    if fallback is not None:  # the platform's submission id stands in for a missing respondent id
        if rid not in data.columns:
            data.insert(0, rid, table[fallback])
        else:
            blank_id = data[rid].map(_blank)
            if blank_id.any():  # ids of either kind: an all-blank numeric column takes text ids
                data[rid] = data[rid].astype(object)
                data.loc[blank_id, rid] = table.loc[blank_id, fallback]
    rows = [first_row + i for i in range(len(table))]
    if len(data.columns):
        # blank text counts as empty; numeric columns need no text check (building a string per cell of a
        # million-row sheet took gigabytes)
        empty = data.isna()
        for c in range(len(data.columns)):
            col = data.iloc[:, c]
            if col.dtype == object:
                empty.iloc[:, c] |= col.map(lambda v: isinstance(v, str) and not v.strip()).to_numpy(dtype=bool)
        keep = ~empty.all(axis=1).to_numpy()
    else:
        keep = pd.Series(False, index=data.index).to_numpy()
    data = data.loc[keep].reset_index(drop=True)
    rows = [r for r, k in zip(rows, keep) if k]
    ids = {v.id for v in variables(instrument)}
    return Source(path, data, rows, [{} for _ in rows], meta or {},
                  ignored=[str(c) for c in table.columns if c not in mapping],
                  unmatched=[i for i in instrument.item_ids if i not in data.columns and i in ids],
                  headers={target: str(header) for header, target in mapping.items()},
                  read_issues=reading_notes(path, table))


def _blank(x) -> bool:
    if x is None or type(x).__name__ == "NAType":
        return True
    if isinstance(x, float) and x != x:
        return True
    return isinstance(x, str) and not x.strip()


def read_delimited(path: Path, sep: str | None = None):
    """All cells as text (no type guessing) from a CSV; UTF-8 with or without BOM, a line that is not UTF-8 as
    cp1252 (``df.attrs["fallback_lines"]`` lists them; see :func:`toolkit.survey.table.decode_text`)."""
    import io

    import pandas as pd

    from ..table import _sniff_delimiter, decode_text, unescape_frame

    text, bad = decode_text(path)
    delim = sep or ("\t" if path.suffix.lower() == ".tsv" else _sniff_delimiter(path, text=text))
    df = unescape_frame(pd.read_csv(io.StringIO(text), sep=delim, dtype=str, keep_default_na=False))
    df.attrs["fallback_lines"] = bad
    return df


def reading_notes(path: Path, table) -> list[dict]:
    """Issues the import report carries about how a file was read (lines decoded as cp1252, formulas
    without a value): ``issue(...)`` keyword dicts."""
    from ..table import fallback_message

    notes = []
    bad = table.attrs.get("fallback_lines") or []
    if bad:
        notes.append({"check": "mixed_encoding", "message": fallback_message(bad), "file": str(path)})
    columns = list(table.columns)
    for ref in table.attrs.get("formula_cells") or []:
        m = re.match(r"([A-Z]+)(\d+)$", ref)
        col = None
        if m:
            k = 0
            for ch in m.group(1):
                k = k * 26 + ord(ch) - 64
            col = columns[k - 1] if 0 < k <= len(columns) else None
        notes.append({"check": "formula_without_value", "file": str(path),
                      "row": int(m.group(2)) if m else None, "cell": f"{table.attrs.get('sheet', '')}!{ref}",
                      "column": col,
                      "message": "formula with no calculated value: it reads as empty (open and save the file in "
                                 "Excel or LibreOffice to calculate it)"})
    return notes


def first_line(path: Path, n: int = 1) -> list[str]:
    """The first *n* physical lines of a text file (empty list for binary files)."""
    from ..table import text_encodings

    out = []
    if path.suffix.lower() in (".xlsx", ".xlsm", ".sav"):
        return out
    try:
        encoding = text_encodings(path)[0]
        with open(path, encoding=encoding, errors="replace") as fh:
            for _ in range(n):
                line = fh.readline()
                if not line:
                    break
                out.append(line.rstrip("\r\n"))
    except OSError:
        return []
    return out


def workbook_header(path: Path) -> list[str]:
    """Header cells of the first sheet of a workbook (.xlsx, .ods, .xls)."""
    from ..workbook import open_workbook

    rows = open_workbook(path).rows(0, max_rows=1)
    return [str(c) for c in (rows[0] if rows else []) if c is not None]


def workbook_meta(path: Path) -> dict | None:
    """Key/value pairs at the top of the ``_meta`` sheet (visible, hidden or very hidden alike), or ``None`` when
    the workbook has none."""
    from ..workbook import open_workbook

    book = open_workbook(path)
    if "_meta" not in book.sheet_names:
        return None
    meta = {}
    for row in book.rows("_meta"):
        row = list(row) + [None, None]
        if row[0] is None or str(row[0]).strip() == "":
            break
        meta[str(row[0]).strip()] = "" if row[1] is None else str(row[1]).strip()
    return meta


def is_workbook(path: Path) -> bool:
    from ..workbook import WORKBOOK_SUFFIXES

    return path.suffix.lower() in WORKBOOK_SUFFIXES
