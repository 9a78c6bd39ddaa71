"""Roster answers back from the forms, as the tidy edge list (group, ego, alter, relation, weight).

Three layouts, one reader each, chosen by looking at the file (the forms' layouts are described in
:mod:`toolkit.instruments.forms.roster`):

* a filled **personalised questionnaire** (xlsx, ``_meta`` rows of kind ``roster``);
* the **entry workbook** built with ``--members`` (``Roster <group>`` sheets, one column per member);
* an **XLSForm export** (KoboToolbox, ODK Central, or any CSV/XLSX with XML names as headers): the respondent
  and partnership columns, ``alter_k`` and ``<question>_k`` columns per slot k (group paths such as
  ``roster_exchange-exchange_3`` or ``roster_exchange/exchange_3`` are accepted). Without ``alter_k`` columns
  the slots are mapped through the members file in its order, as the form does.

Answers may be codes or labels (any language); blanks and declared missing codes ("Can't say") are dyads not
answered (no row). An answer off the scale, or a named member outside the respondent's partnership, stops with
one line naming the file, row or cell and the field. ``hls survey roster`` is the command.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import DataError
from .edges import EDGE_COLUMNS, check_edges
from .members import Members, read_members

SLOT_RE = re.compile(r"^(?P<q>[A-Za-z_][A-Za-z0-9_]*)_(?P<k>[0-9]+)$")


def _variables(inst):
    from ..survey.variables import Variable

    return {q.id: Variable(q.id, "item", inst.text(q.text), tuple(q.text.values()), inst.scales[q.scale])
            for q in inst.roster_questions}


def _code(var, raw, path, where: dict):
    """The answer's value, None when unanswered; a DataError (located by *where*) for an answer off the scale."""
    from ..survey.variables import recode_value

    value, problem = recode_value(var, raw)
    if problem:
        sc = var.scale
        allowed = "; ".join(f"{p.code}={next(iter(p.label.values()))}" for p in list(sc.points) + list(sc.missing))
        raise DataError(f"answer '{raw}' to roster question '{var.id}' is not on its scale ({allowed})", file=path,
                        **where)
    return value


# -------------------------------------------------------------------------------------------- questionnaire
def _meta_rows(book):
    return book.rows("_meta") if "_meta" in book.sheet_names else None


def _read_questionnaire(path: Path, inst, members: Members) -> list[dict]:
    from ..survey.readers.questionnaire import read_answer_map
    from ..survey.workbook import open_workbook

    wb = open_workbook(path)
    try:
        meta, cells = read_answer_map(_meta_rows(wb), path)
        roster = [c for c in cells if c.get("kind") == "roster"]
        if not roster:
            return []
        group, ego = meta.get("roster_group", ""), meta.get("roster_ego", "")
        if not group or not ego:
            raise DataError("the questionnaire's _meta does not say whose roster it is (roster_group, roster_ego)",
                            file=path, field="_meta")
        variables = _variables(inst)
        out = []
        for c in roster:
            qid, _, alter = c["variable"].partition(":")
            if qid not in variables:
                raise DataError(f"roster question '{qid}' is not in instrument '{inst.id}'", file=path,
                                field=c["variable"])
            raw = wb.cell(c["sheet"], c["cell"])
            value = _code(variables[qid], raw, path, {"field": f"{c['sheet']}!{c['cell']} ({qid} about {alter})"})
            if value is not None:
                out.append({"group": group, "ego": ego, "alter": alter, "relation": qid, "weight": value,
                            "_where": f"{c['sheet']}!{c['cell']}"})
        return out
    finally:
        wb.close()


# ------------------------------------------------------------------------------------------- entry workbook
def _read_entry(path: Path, inst, members: Members) -> list[dict]:
    from ..survey.readers.questionnaire import read_answer_map
    from ..survey.workbook import open_workbook

    wb = open_workbook(path)
    try:
        _, cells = read_answer_map(_meta_rows(wb), path)
        sheets = [c for c in cells if c.get("kind") == "roster_sheet"]
        variables = _variables(inst)
        out = []
        for c in sheets:
            group = c["variable"].partition(":")[2]
            if c["sheet"] not in wb.sheet_names:
                raise DataError(f"_meta names sheet '{c['sheet']}', which the workbook lacks", file=path)
            rows = wb.rows(c["sheet"])
            header = [str(h).strip() if h is not None else "" for h in rows[0]]
            alters = header[3:]
            for r, row in enumerate(rows[2:], start=3):
                row = list(row) + [None] * (len(header) - len(row))
                cells_ = row[3:len(header)]
                if all(v is None or str(v).strip() == "" for v in cells_):
                    continue
                ego, qid = str(row[0] or "").strip(), str(row[2] or "").strip()
                if qid not in variables:
                    raise DataError(f"'{qid}' is not a roster question of '{inst.id}'", file=path, line=r,
                                    field=f"{c['sheet']}!C{r}", kind="row")
                for col, (alter, raw) in enumerate(zip(alters, cells_), start=4):
                    if not alter or alter == ego:
                        continue
                    from openpyxl.utils import get_column_letter

                    ref = f"{c['sheet']}!{get_column_letter(col)}{r}"
                    value = _code(variables[qid], raw, path, {"field": ref})
                    if value is not None:
                        out.append({"group": group, "ego": ego, "alter": alter, "relation": qid, "weight": value,
                                    "_where": ref})
        return out
    finally:
        wb.close()


# ------------------------------------------------------------------------------------------ XLSForm exports
def _short(header: str) -> str:
    h = str(header).strip()
    for sep in ("/", "-", "."):
        h = h.rsplit(sep, 1)[-1]
    return h


def _read_table(path: Path):
    import pandas as pd

    from ..survey.readers.base import first_line, is_workbook, read_delimited
    from ..survey.readers.kobo import KoboReader
    from ..survey.workbook import open_workbook

    if is_workbook(path):
        table = open_workbook(path).frame(0, dtype=object)
        first_row = 2
    else:
        line = first_line(path)
        semicolon = KoboReader().sniff(path) and line and ";" in line[0]
        table = read_delimited(path, ";" if semicolon else None)
        first_row = 2
    table.columns = [str(c).strip() for c in table.columns]
    if len(table) and all(str(v).startswith("#") for v in table.iloc[0] if str(v).strip() not in ("", "nan")):
        table = table.iloc[1:].reset_index(drop=True)  # Kobo's HXL tag row
        first_row = 3
    return table, first_row


def _read_export(path: Path, inst, members: Members, table, first_row: int) -> list[dict]:
    short = {}
    for h in table.columns:
        short.setdefault(_short(h), h)
    gcol, rcol = short.get(inst.group_column), short.get(inst.respondent_column)
    variables = _variables(inst)
    slots = {}
    for s, h in short.items():
        m = SLOT_RE.match(s)
        if m and m["q"] in variables:
            slots.setdefault(int(m["k"]), {})[m["q"]] = h
    if gcol is None or rcol is None:
        raise DataError(f"no '{inst.group_column}' or '{inst.respondent_column}' column: the roster needs to know "
                        "each respondent's partnership and member id", file=path)
    out = []
    for i, rec in enumerate(table.to_dict("records")):
        r = first_row + i
        group, ego = str(rec[gcol] or "").strip(), str(rec[rcol] or "").strip()
        answers = {k: {q: rec[h] for q, h in qs.items()} for k, qs in slots.items()}
        if not any(str(v).strip() not in ("", "nan", "None") for qs in answers.values() for v in qs.values()):
            continue
        others = [m for m in members.of(group) if m != ego]
        for k, qs in sorted(answers.items()):
            acol = short.get(f"alter_{k}")
            alter = str(rec[acol]).strip() if acol is not None and str(rec[acol]).strip() not in ("", "nan") \
                else (others[k - 1] if k - 1 < len(others) else "")
            for qid, raw in qs.items():
                value = _code(variables[qid], raw, path, {"line": r, "field": slots[k][qid], "kind": "row"})
                if value is None:
                    continue
                if not alter:
                    raise DataError(f"an answer in slot {k} but partnership '{group}' has no member for it "
                                    f"(respondent '{ego}')", file=path, line=r, field=slots[k][qid], kind="row")
                out.append({"group": group, "ego": ego, "alter": alter, "relation": qid, "weight": value,
                            "_where": f"row {r}", "_line": r, "_alter_field": acol or slots[k][qid]})
    return out


def read_roster(sources, instrument, members) -> "pd.DataFrame":  # noqa: F821
    """Read roster answers from filled questionnaires, entry workbooks and XLSForm exports into the tidy edge
    list (group, ego, alter, relation, weight), checked against the members file.

    *sources* are files or folders; *instrument* a name, YAML path or Instrument with roster questions;
    *members* the members file (or :class:`Members`). Files without roster answers contribute nothing.

    >>> edges = read_roster("returned/", "collective-data-use", "members.csv")     # doctest: +SKIP
    """
    import pandas as pd

    from ..instruments.loader import load_instrument
    from ..survey.importer import expand_sources
    from ..survey.readers.base import is_workbook, workbook_meta

    inst = load_instrument(instrument)
    if not inst.roster_questions:
        raise DataError(f"instrument '{inst.id}' has no roster questions", field="--instrument")
    mem = read_members(members)
    rows: list[dict] = []
    for path in expand_sources(sources):
        meta = workbook_meta(path) if is_workbook(path) else None
        if meta and meta.get("instrument_id") not in (None, inst.id):
            raise DataError(f"built from instrument '{meta.get('instrument_id')}', not '{inst.id}'", file=path)
        kind = (meta or {}).get("form_type", "").casefold()
        if kind == "questionnaire":
            found = _read_questionnaire(path, inst, mem)
        elif kind == "entry":
            found = _read_entry(path, inst, mem)
        else:
            table, first_row = _read_table(path)
            found = _read_export(path, inst, mem, table, first_row)
        for rec in found:
            rec["_file"] = str(path)
        rows += found
    frame = pd.DataFrame(rows, columns=[*EDGE_COLUMNS, "_file", "_where", "_line", "_alter_field"])
    for f, sub in frame.groupby("_file", sort=False):  # check per file so an error names the right file and place
        try:
            check_edges(sub[list(EDGE_COLUMNS)].astype(object), mem, path=f, first_row=1)
        except DataError as exc:
            rec = sub.iloc[(exc.location.line or 1) - 1]
            if pd.notna(rec["_line"]):  # a table row
                field = rec["_alter_field"] if exc.location.field == "alter" else exc.location.field
                raise DataError(exc.message, file=f, line=int(rec["_line"]), field=field, kind="row") from None
            raise DataError(exc.message, file=f, field=f"{rec['_where']} ({exc.location.field})") from None
    dup = frame.duplicated(["group", "ego", "alter", "relation"], keep=False)
    if dup.any():
        first, second = frame[dup].iloc[0], frame[dup].iloc[1]
        raise DataError(f"{first['ego']} answered '{first['relation']}' about {first['alter']} twice (also in "
                        f"{first['_file']}, {first['_where']}): a respondent's roster is read once",
                        file=second["_file"], field=second["_where"])
    edges = check_edges(frame[list(EDGE_COLUMNS)].astype(object), mem, path=None, first_row=1)
    edges = edges.sort_values(["group", "relation", "ego", "alter"], kind="stable").reset_index(drop=True)
    edges.attrs["files"] = int(frame["_file"].nunique())
    return edges
