"""The tidy edge list: one row per reported dyad (who answered about whom, on which roster question).

Columns ``group, ego, alter, relation, weight``: *ego* answered about *alter* on roster question *relation*;
*weight* is the answer's value (0 = answered "no tie"; 1 for "yes" or the frequency code). A dyad nobody
answered is simply not a row. :func:`read_edges` and :func:`check_edges` stop at the first problem with one
line naming the file, row and column: a self-nomination, a dyad given twice, a negative or non-numeric weight,
an ego or alter who is not a member of the partnership (with a members file).
"""
from __future__ import annotations

import math
from pathlib import Path

from ..errors import DataError
from .members import CODE_RE, Members, check_code, find_columns, read_text_table

EDGE_COLUMNS = ("group", "ego", "alter", "relation", "weight")
ACCEPTED = {
    "group": ("group", "partnership", "partnership_id", "group_id", "team"),
    "ego": ("ego", "from", "source", "respondent", "respondent_id"),
    "alter": ("alter", "to", "target", "member", "member_id"),
    "relation": ("relation", "question", "roster_question"),
    "weight": ("weight", "value", "answer"),
}


def _weight(raw, path, row, column) -> float:
    if raw is None or (isinstance(raw, float) and math.isnan(raw)) or str(raw).strip() == "":
        return math.nan
    try:
        w = float(str(raw).strip())
    except ValueError:
        raise DataError(f"weight '{raw}' is not a number (0 = no tie, 1 = yes, or the frequency code)", file=path,
                        line=row, field=column, kind="row") from None
    if not math.isfinite(w) or w < 0:
        raise DataError(f"weight {raw} must be a number >= 0 (0 = answered: no tie)", file=path, line=row,
                        field=column, kind="row")
    return w


def check_edges(df, members: Members | None = None, path: str | None = None, first_row: int = 2,
                columns: dict | None = None, scales: dict | None = None):
    """Validate an edge table and return it tidy (columns group, ego, alter, relation, weight as float).

    *columns* maps the canonical names to *df*'s headers (default: the canonical names). Rows without a weight
    are dropped (the dyad was not answered); ``attrs["unanswered"]`` counts them. *first_row* is the file row
    of the first data row, for messages. *scales* (``{relation: ResponseScale}``, from an instrument's roster
    questions) restricts each relation to its questions' scale: a declared missing code ("Can't say" = 9) is
    an unanswered dyad, any other value off the scale an error, and so is a relation that is not a question.
    """
    import pandas as pd

    cols = columns or {c: c for c in EDGE_COLUMNS}
    frame = df[[cols[c] for c in EDGE_COLUMNS]]
    frame.columns = list(EDGE_COLUMNS)
    fast = _fast_check(frame, members, scales)
    if fast is not None:  # every row is fine: the vectorised result
        fast.attrs["source"] = path
        return fast
    return _slow_check(frame, members, path, first_row, cols, scales)


def _fast_check(frame, members: Members | None, scales: dict | None = None):
    """The checked edge table when no row has a problem, else None (then :func:`_slow_check` finds the first
    problem row by row and reports it with its exact message)."""
    import numpy as np
    import pandas as pd

    text = frame.astype(str).apply(lambda c: c.str.strip())
    blank = text.isin(["", "nan", "None", "<NA>"])
    keep = ~blank.all(axis=1)
    text, blank = text[keep], blank[keep]
    codes = text[["group", "ego", "alter", "relation"]]
    bad = ~codes.apply(lambda c: c.str.match(CODE_RE.pattern)).all(axis=1)
    weight = pd.to_numeric(text["weight"].where(~blank["weight"]), errors="coerce")
    bad |= (~blank["weight"] & (weight.isna() | ~np.isfinite(weight.fillna(0)) | (weight < 0)))
    bad |= text["ego"] == text["alter"]
    if members is not None:
        known = pd.MultiIndex.from_frame(members.table[["group", "member"]])
        bad |= ~pd.MultiIndex.from_arrays([text["group"], text["ego"]]).isin(known)
        bad |= ~pd.MultiIndex.from_arrays([text["group"], text["alter"]]).isin(known)
    bad |= text.duplicated(["group", "ego", "alter", "relation"], keep="first").to_numpy()
    missing_code = pd.Series(False, index=text.index)
    if scales is not None:
        bad |= ~text["relation"].isin(list(scales))
        for rel, sc in scales.items():
            mine = text["relation"] == rel
            missing_code |= mine & weight.isin(sc.missing_values)
            bad |= mine & weight.notna() & ~weight.isin(sc.values) & ~weight.isin(sc.missing_values)
    if bad.any():
        return None
    answered = weight.notna() & ~missing_code
    edges = text.loc[answered, ["group", "ego", "alter", "relation"]].reset_index(drop=True)
    edges["weight"] = weight[answered].astype(float).to_numpy()
    edges.attrs["unanswered"] = int((~answered).sum())
    return edges


def _slow_check(frame, members, path, first_row, cols, scales=None):
    import pandas as pd

    out, seen, unanswered = [], {}, 0
    where = path
    for i, rec in enumerate(frame.itertuples(index=False, name=None)):
        r = first_row + i
        if all(str(v).strip() in ("", "nan", "None") for v in rec):
            continue
        group = check_code(rec[0], where, r, cols["group"], "group id")
        ego = check_code(rec[1], where, r, cols["ego"], "ego id")
        alter = check_code(rec[2], where, r, cols["alter"], "alter id")
        relation = check_code(rec[3], where, r, cols["relation"], "relation")
        weight = _weight(rec[4], where, r, cols["weight"])
        if scales is not None:
            if relation not in scales:
                raise DataError(f"'{relation}' is not a roster question of the instrument (its questions: "
                                f"{', '.join(scales)})", file=where, line=r, field=cols["relation"], kind="row")
            sc = scales[relation]
            if weight in sc.missing_values:
                weight = math.nan  # "Can't say": not answered
            elif not math.isnan(weight) and weight not in sc.values:
                allowed = ", ".join(f"{p.code}={next(iter(p.label.values()))}" for p in sc.points)
                raise DataError(f"weight {rec[4]} is not on the scale of '{relation}' ({allowed})", file=where,
                                line=r, field=cols["weight"], kind="row")
        if ego == alter:
            raise DataError(f"'{ego}' answers about themselves; a roster asks about the other members only",
                            file=where, line=r, field=cols["alter"], kind="row")
        if members is not None:
            if not members.of(group):
                raise DataError(f"partnership '{group}' is not in the members file {members.path or ''}".rstrip(),
                                file=where, line=r, field=cols["group"], kind="row")
            for who, role in ((ego, "ego"), (alter, "alter")):
                if not members.has(group, who):
                    elsewhere = [g for g in members.groups if members.has(g, who)]
                    hint = f" ({who} belongs to {', '.join(elsewhere)})" if elsewhere else ""
                    raise DataError(f"'{who}' is not a member of partnership '{group}'{hint}: a member can only "
                                    "answer about the other members of their own partnership", file=where, line=r,
                                    field=cols[role], kind="row")
        key = (group, ego, alter, relation)
        if key in seen:
            raise DataError(f"{ego} -> {alter} on '{relation}' in '{group}' is given twice (first at row "
                            f"{seen[key]})", file=where, line=r, field=cols["alter"], kind="row")
        seen[key] = r
        if math.isnan(weight):
            unanswered += 1
            continue
        out.append((group, ego, alter, relation, weight))
    edges = pd.DataFrame(out, columns=list(EDGE_COLUMNS))
    edges["weight"] = edges["weight"].astype(float)
    edges.attrs["source"] = where
    edges.attrs["unanswered"] = unanswered
    return edges


def read_edges(path: str | Path, members: Members | None = None, scales: dict | None = None):
    """Read and check a tidy edge list (CSV/TSV/XLSX with columns group, ego, alter, relation, weight).

    >>> edges = read_edges("edges.csv", read_members("members.csv"))        # doctest: +SKIP
    """
    df = read_text_table(path)
    cols = find_columns(df, ACCEPTED, EDGE_COLUMNS, path, "the edge list")
    return check_edges(df, members, str(path), first_row=2, columns=cols, scales=scales)


def as_edges(edges, members: Members | None = None, scales: dict | None = None):
    """Accept a path or a DataFrame (checked the same way, rows numbered from 1)."""
    import pandas as pd

    if isinstance(edges, (str, Path)):
        return read_edges(edges, members, scales)
    if isinstance(edges, pd.DataFrame):
        frame = edges.astype(object).where(edges.notna(), "")
        cols = find_columns(frame, ACCEPTED, EDGE_COLUMNS, None, "the edge table")
        return check_edges(frame, members, edges.attrs.get("source"), first_row=1, columns=cols, scales=scales)
    raise DataError(f"edges must be a file path or a DataFrame, not {type(edges).__name__}")
