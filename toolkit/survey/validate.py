"""Check survey answers against their instrument and report every problem with its file and row.

Checks (``check`` column of :attr:`ValidationReport.issues`):

=========================  ========  =====================================================================
check                      severity  meaning
=========================  ========  =====================================================================
``unreadable_file``        error     the file could not be read (skipped)
``wrong_instrument``       error     a form built from another instrument or version (skipped)
``blank_file``             warning   a questionnaire with no answer at all (skipped)
``missing_columns``        warning   a table lacks some item columns (they stay empty)
``mixed_encoding``         warning   lines that are not UTF-8, read as Windows-1252 (cp1252)
``formula_without_value``  warning   a cell holding a formula that was never calculated (reads as empty)
``non_numeric``            error     text that is neither a code nor a label of the response scale
``out_of_range``           error     a number that is not on the response scale (nor a missing code)
``unknown_choice``         warning   a context answer that is not one of the question's choices
``duplicate_id``           error     a respondent id used more than once (every occurrence listed)
``missing_id``             warning   no respondent id
``missing_group``          warning   no group (partnership) id
``straightlining``         warning   the same answer on all items, with at least N items answered
``attention_failed``       warning   an attention check answered wrongly or not at all
``respondent_missing``     warning   too few answers to score one or more constructs (at the min share)
``item_missing``           info      an item left unanswered by some respondents (count and share)
``table_not_used``         info      a repeat-group table (ODK zip, Kobo workbook sheet) the instrument does not use
=========================  ========  =====================================================================

Invalid answers (``non_numeric``, ``out_of_range``) become missing in the imported data; the report keeps the
original value. Per-item and per-respondent missingness are also given as full tables.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .score import DEFAULT_MIN_SHARE, enough_answered
from .variables import _is_blank, as_instrument, recode_frame, variables

DEFAULT_STRAIGHTLINE_MIN = 5

SEVERITY = {
    "unreadable_file": "error", "wrong_instrument": "error", "blank_file": "warning", "missing_columns": "warning",
    "mixed_encoding": "warning", "formula_without_value": "warning",
    "non_numeric": "error", "out_of_range": "error", "unknown_choice": "warning", "duplicate_id": "error",
    "missing_id": "warning", "missing_group": "warning", "straightlining": "warning",
    "attention_failed": "warning", "respondent_missing": "warning", "item_missing": "info",
    "table_not_used": "info",
}
ISSUE_COLUMNS = ["severity", "check", "file", "row", "cell", "respondent", "column", "value", "message"]
_MESSAGES = {
    "non_numeric": "not a code or label of scale '{scale}'",
    "out_of_range": "not on scale '{scale}' ({lo:g}..{hi:g}{miss})",
    "unknown_choice": "not one of the choices ({choices})",
}


def issue(check: str, message: str, file=None, row=None, cell=None, respondent=None, column=None,
          value=None) -> dict:
    """One row of the issues table."""
    return {"severity": SEVERITY[check], "check": check, "file": file, "row": row, "cell": cell,
            "respondent": respondent, "column": column, "value": value, "message": message}


@dataclass
class ValidationReport:
    """Result of :func:`validate_survey` (and of the import): tidy tables plus a summary.

    ``issues``: one row per problem (columns ``severity, check, file, row, cell, respondent, column, value,
    message``); ``item_missing``: per item ``n, n_missing, n_declared_missing, share_missing``;
    ``respondent_missing``: per respondent ``file, row, respondent, n_items, n_missing, share_missing``;
    ``files``: per input file ``file, format, status, respondents, message``.
    """

    issues: "pd.DataFrame"  # noqa: F821
    item_missing: "pd.DataFrame"  # noqa: F821
    respondent_missing: "pd.DataFrame"  # noqa: F821
    files: "pd.DataFrame | None" = None  # noqa: F821
    n_respondents: int = 0
    settings: dict = field(default_factory=dict)

    @property
    def counts(self) -> dict:
        """Number of issues per check."""
        return {k: int(v) for k, v in self.issues["check"].value_counts().items()} if len(self.issues) else {}

    @property
    def n_errors(self) -> int:
        return int((self.issues["severity"] == "error").sum()) if len(self.issues) else 0

    @property
    def n_warnings(self) -> int:
        return int((self.issues["severity"] == "warning").sum()) if len(self.issues) else 0

    @property
    def skipped_files(self) -> list[str]:
        if self.files is None or not len(self.files):
            return []
        return [str(f) for f in self.files.loc[self.files["status"] != "ok", "file"]]

    def to_dict(self) -> dict:
        """JSON-ready: counts, settings, every issue and both missingness tables."""
        def records(df):
            return [] if df is None else df.astype(object).where(df.notna(), None).to_dict(orient="records")

        return {
            "n_respondents": self.n_respondents,
            "n_errors": self.n_errors,
            "n_warnings": self.n_warnings,
            "counts": self.counts,
            "settings": self.settings,
            "files": records(self.files),
            "skipped_files": self.skipped_files,
            "issues": records(self.issues),
            "item_missing": records(self.item_missing),
            "respondent_missing": records(self.respondent_missing),
        }

    def summary(self, max_lines: int = 20) -> str:
        """A short human-readable summary: counts per check, then the first problems with file and row."""
        lines = [f"{self.n_respondents} respondent(s); {self.n_errors} error(s), {self.n_warnings} warning(s)"]
        if self.files is not None and len(self.files):
            ok = int((self.files["status"] == "ok").sum())
            lines.append(f"files: {ok} read, {len(self.files) - ok} skipped")
            for _, f in self.files[self.files["status"] != "ok"].iterrows():
                lines.append(f"  skipped {f['file']}: {f['message']}")
            for _, f in self.files[(self.files["status"] == "ok") & (self.files["message"] != "")].iterrows():
                lines.append(f"  note {f['file']}: {f['message']}")
        for check, n in self.counts.items():
            lines.append(f"  {check:<20} {n:>5}  ({SEVERITY[check]})")
        shown = self.issues[self.issues["severity"] != "info"].head(max_lines)
        for _, r in shown.iterrows():
            lines.append("  " + format_issue(r))
        rest = int((self.issues["severity"] != "info").sum()) - len(shown)
        if rest > 0:
            lines.append(f"  ... and {rest} more (see the report file or --json)")
        if self.n_respondents and len(self.item_missing) and self.item_missing["n_missing"].sum() == 0:
            lines.append("missing answers: none")
        elif self.n_respondents and len(self.item_missing):  # (no respondents: no shares to rank)
            worst = self.item_missing.sort_values("share_missing", ascending=False).iloc[0]
            lines.append(f"missing answers: {self.item_missing['n_missing'].sum()} in total; most on "
                         f"{worst['item']} ({worst['share_missing']:.1%})")
        return "\n".join(lines)

    def write(self, path) -> None:
        """Write the report: ``.csv`` = the issues table; ``.xlsx`` = sheets Summary, Issues, Item missingness,
        Respondent missingness and Files. Atomic; text never becomes a formula."""
        from pathlib import Path

        from ..errors import DataError
        from ..io import write_csv

        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".csv":
            write_csv(self.issues, path)
        elif suffix == ".xlsx":
            from ..report.tables import write_workbook

            write_workbook(path, validation_tables(self), title="Survey validation report")
        else:
            raise DataError(f"report must be .csv or .xlsx, not '{suffix}'", file=path, field="--report")


#: what each check means, in the words of the report's Summary sheet
CHECK_LABELS = {
    "unreadable_file": "File could not be read", "wrong_instrument": "File of another instrument",
    "blank_file": "Blank file", "missing_columns": "Item columns missing", "non_numeric": "Answer not on the scale",
    "out_of_range": "Answer outside the scale", "unknown_choice": "Unknown choice", "duplicate_id": "Duplicate respondent ID",
    "missing_id": "Respondent ID missing", "missing_group": "Group missing", "straightlining": "Straight-lining",
    "attention_failed": "Attention check failed", "respondent_missing": "Too many items missing",
    "item_missing": "Item with missing answers",
}


def validation_tables(report: ValidationReport) -> list:
    """The validation report as tables of the one table writer: Summary, Issues, Item missingness, Respondent
    missingness and Files (``ValidationReport.write`` puts them in a workbook; ``hls report`` shows them)."""
    import pandas as pd

    from ..report.tables import Column, Table

    counts = pd.DataFrame([{"check": CHECK_LABELS.get(k, k), "severity": SEVERITY.get(k, ""), "count": int(v)}
                           for k, v in report.counts.items()], columns=["check", "severity", "count"])
    head = pd.DataFrame({"check": ["Respondents", "Errors", "Warnings"], "severity": ["", "error", "warning"],
                         "count": [report.n_respondents, report.n_errors, report.n_warnings]})
    settings = pd.DataFrame({"setting": [str(k).replace("_", " ").capitalize() for k in report.settings],
                             "value": [str(v) if not isinstance(v, float) else f"{v:.4g}"
                                       for v in report.settings.values()]})
    issues = report.issues.copy()
    issues["check"] = issues["check"].map(lambda k: CHECK_LABELS.get(k, k))
    tables = [
        Table("Summary", pd.concat([head, counts], ignore_index=True), title="Validation summary",
              columns=[Column("check", "Check"), Column("severity", "Severity"), Column("count", "Count", "int")],
              note="Errors are answers that cannot be used as they are; warnings deserve a look; 'Item with missing "
                   "answers' counts items with at least one blank or declared-missing answer."),
        Table("Summary", settings, title="Settings", columns=[Column("setting", "Setting"), Column("value", "Value")]),
        Table("Issues", issues, title="Problems found, with the file and row they come from",
              columns=[Column("severity"), Column("check"), Column("file"), Column("row", kind="int"), Column("cell"),
                       Column("respondent"), Column("column", "Item"), Column("value", kind="text"),
                       Column("message", wrap=True, width=70)], autofilter=True),
        Table("Item missingness", report.item_missing, title="Missing answers per item",
              note="Missing codes are answers such as 'Don't know' that the instrument declares as missing."),
        Table("Respondent missingness", report.respondent_missing, title="Missing answers per respondent",
              columns=[Column("file"), Column("row", kind="int"), Column("respondent"), Column("n_items"),
                       Column("n_missing"), Column("share_missing")]),
    ]
    if report.files is not None:
        tables.append(Table("Files", report.files, title="Files read",
                            columns=[Column("file"), Column("format"), Column("status"),
                                     Column("respondents", kind="int"), Column("message", wrap=True, width=60)]))
    return tables


def format_issue(r) -> str:
    """``file:row 7: CON1: message`` (or the cell for filled questionnaires)."""
    where = []
    if not _is_blank(r.get("file")):
        where.append(str(r["file"]))
    if not _is_blank(r.get("cell")):
        where.append(str(r["cell"]))
    elif not _is_blank(r.get("row")):
        where.append(f"row {int(r['row'])}")
    head = ":".join(where)
    if not _is_blank(r.get("column")):
        head = f"{head}: {r['column']}" if head else str(r["column"])
    return f"{head}: {r['check']}: {r['message']}" if head else f"{r['check']}: {r['message']}"


def _locations(df):
    """(file, row) per row of *df*: from ``_source``/``_row`` columns, else the frame's source and the
    spreadsheet row (header = row 1)."""
    n = len(df)
    if "_source" in df.columns:
        files = [None if _is_blank(f) else f for f in df["_source"]]
    elif "source_file" in df.columns:
        files = [None if _is_blank(f) else f for f in df["source_file"]]
    else:
        files = [df.attrs.get("source")] * n
    if "_row" in df.columns:
        rows = list(df["_row"])
    elif "source_row" in df.columns:
        rows = list(df["source_row"])
    else:
        rows = list(range(2, n + 2))
    rows = [None if _is_blank(r) else int(r) for r in rows]
    return files, rows


def validate_survey(df, instrument, straightline_min: int = DEFAULT_STRAIGHTLINE_MIN,
                    min_share: float = DEFAULT_MIN_SHARE, cells=None, file_issues=None,
                    files=None, unchecked=None) -> ValidationReport:
    """Validate survey answers (raw labels or codes) against an instrument.

    Parameters: *df* one row per respondent, columns named by the instrument's ids (plus optional ``_source``
    and ``_row`` provenance columns); *straightline_min* the minimum number of answered items for the
    straight-lining check; *min_share* the share of a construct's items needed to score it (used to flag
    respondents whose constructs cannot be scored); *cells* an optional list aligned with *df* of
    ``{column: "Sheet!C7"}``; *unchecked* an optional ``{attention check id: set of files}`` whose files had
    no column for that check (their respondents are not flagged for it).

    Example::

        >>> import pandas as pd, toolkit
        >>> df = pd.DataFrame({"respondent_id": ["a", "a"], "partnership": ["P1", "P1"], "SM1": [1, 7]})
        >>> rep = toolkit.validate_survey(df, "tests/data/mini-instrument.yaml")   # doctest: +SKIP
        >>> sorted(rep.counts)                                                      # doctest: +SKIP
        ['attention_failed', 'duplicate_id', 'item_missing', 'out_of_range', ...]
    """
    import numpy as np
    import pandas as pd

    inst = as_instrument(instrument)
    df = df.reset_index(drop=True)
    files_col, rows_col = _locations(df)
    cells = cells if cells is not None else [{} for _ in range(len(df))]
    vars_ = {v.id: v for v in variables(inst)}
    rid_col = inst.respondent_column
    gid_col = inst.group_column
    rids = [None] * len(df)
    if rid_col in df.columns:
        rids = [None if _is_blank(x) else
                (str(int(x)) if isinstance(x, float) and x.is_integer() else str(x).strip()) for x in df[rid_col]]

    out: list[dict] = list(file_issues or [])

    def add(check, i, column=None, value=None, message=""):
        cell = cells[i].get(column) if column and i < len(cells) else None
        out.append(issue(check, message, files_col[i], rows_col[i], cell, rids[i], column,
                         None if value is None else str(value)))

    # 1. answers that are not on the scale / not a choice
    kept, problems = recode_frame(df, inst, keep_missing_codes=True)
    for idx, col, raw, problem in problems:
        var = vars_[col]
        if problem == "unknown_choice":
            choices = ", ".join(c.value for c in var.question.choices)
            msg = _MESSAGES[problem].format(choices=choices)
        elif var.scale is not None:
            s = var.scale
            miss = f"; missing {', '.join(str(m) for m in s.missing_values)}" if s.missing_values else ""
            msg = _MESSAGES[problem].format(scale=s.id, lo=s.min, hi=s.max, miss=miss)
        else:
            msg = "not a whole number"
        add(problem, idx, col, raw, f"{raw!r} is {msg}")

    # 2. respondent and group ids
    seen: dict = {}
    for i, r in enumerate(rids):
        if r is None:
            add("missing_id", i, rid_col, None, "no respondent id")
        else:
            seen.setdefault(r, []).append(i)
    for r, where in seen.items():
        if len(where) > 1:
            for i in where:
                others = ", ".join(_where(files_col[j], rows_col[j]) for j in where if j != i)
                add("duplicate_id", i, rid_col, r, f"respondent id '{r}' also at {others}")
    if gid_col and gid_col in df.columns:
        for i, g in enumerate(kept[gid_col]):
            if _is_blank(g):
                add("missing_group", i, gid_col, None, "no group id")
    elif gid_col:
        out.append(issue("missing_columns", f"no group column '{gid_col}' in the data", file=df.attrs.get("source"),
                         column=gid_col))

    # 3. item missingness, straight-lining, attention checks
    items = [i for i in inst.item_ids if i in kept.columns]
    block = kept[items].astype("Float64") if items else pd.DataFrame(index=kept.index)
    declared = {}
    for item in items:
        mv = list(inst.scale_of(item).missing_values)
        declared[item] = block[item].isin(mv).fillna(False) if mv else pd.Series(False, index=block.index)
    valid = block.copy()
    for item in items:
        valid[item] = valid[item].mask(declared[item])
    valid = valid.astype(float)
    absent = [i for i in inst.item_ids if i not in kept.columns]
    if absent:
        out.append(issue("missing_columns", f"no column for item(s) {', '.join(absent)}",
                         file=df.attrs.get("source")))

    n = len(df)
    item_rows = []
    for item in inst.item_ids:
        if item in items:
            n_miss = int(valid[item].isna().sum())
            n_decl = int(declared[item].sum())
        else:
            n_miss, n_decl = n, 0
        share = n_miss / n if n else np.nan
        item_rows.append({"item": item, "construct": inst.item(item).construct, "n": n, "n_missing": n_miss,
                          "n_declared_missing": n_decl, "share_missing": share})
        if n_miss and item in items:
            out.append(issue("item_missing", f"{n_miss} of {n} missing ({share:.1%}; {n_decl} declared missing "
                             "such as Don't know)", column=item, value=str(n_miss)))
    item_missing = pd.DataFrame(item_rows, columns=["item", "construct", "n", "n_missing", "n_declared_missing",
                                                    "share_missing"])

    n_items = len(inst.item_ids)
    answered_mask = valid.notna()
    n_miss = (len(items) - answered_mask.sum(axis=1)).astype(int) + len(absent) if items else \
        pd.Series(len(absent), index=valid.index)
    respondent_missing = pd.DataFrame({"file": files_col, "row": rows_col, "respondent": rids, "n_items": n_items,
                                       "n_missing": n_miss.to_numpy(),
                                       "share_missing": n_miss.to_numpy() / n_items if n_items else np.nan},
                                      columns=["file", "row", "respondent", "n_items", "n_missing",
                                               "share_missing"])
    lost = pd.DataFrame(index=valid.index)
    for c in inst.constructs:
        present = [it for it in c.item_ids if it in items]
        got = answered_mask[present].sum(axis=1) if present else pd.Series(0, index=valid.index)
        lost[c.id] = ~enough_answered(got, len(c.items), min_share)
    for i in np.flatnonzero(lost.any(axis=1).to_numpy() & (n_miss.to_numpy() > 0)):
        names = [c for c in lost.columns if lost.iat[i, lost.columns.get_loc(c)]]
        add("respondent_missing", i, None, int(n_miss.iat[i]),
            f"{int(n_miss.iat[i])} of {n_items} items missing; cannot score {', '.join(names)} "
            f"(needs {min_share:.0%} of a construct's items)")
    if straightline_min and items:
        n_answered = answered_mask.sum(axis=1).to_numpy()
        lo, hi = valid.min(axis=1).to_numpy(), valid.max(axis=1).to_numpy()
        for i in np.flatnonzero((n_answered >= straightline_min) & (lo == hi)):
            add("straightlining", i, None, _fmt(lo[i]),
                f"same answer ({_fmt(lo[i])}) on all {int(n_answered[i])} answered items")
    for check in inst.attention_checks:
        if check.id not in kept.columns:
            continue
        col = kept[check.id].astype("Float64")
        skip = (unchecked or {}).get(check.id, set())
        for i in np.flatnonzero(col.isna().to_numpy()):
            if files_col[i] in skip:
                continue
            add("attention_failed", i, check.id, None, f"not answered (expected {_fmt(check.expected)})")
        for i in np.flatnonzero((col != float(check.expected)).fillna(False).to_numpy()):
            v = col.iat[i]
            add("attention_failed", i, check.id, _fmt(v), f"answered {_fmt(v)}, expected {_fmt(check.expected)}")

    issues = pd.DataFrame(out, columns=ISSUE_COLUMNS)
    if len(issues):
        order = {"error": 0, "warning": 1, "info": 2}
        issues = issues.assign(_o=issues["severity"].map(order)).sort_values(["_o"], kind="stable")
        issues = issues.drop(columns="_o").reset_index(drop=True)
        issues["row"] = issues["row"].astype("Int64")
    return ValidationReport(issues, item_missing, respondent_missing, files, n,
                            {"instrument": inst.id, "instrument_version": inst.version,
                             "straightline_min": straightline_min, "min_share": min_share})


def _fmt(x) -> str:
    x = float(x)
    return str(int(x)) if x.is_integer() else f"{x:g}"


def _where(file, row) -> str:
    parts = [str(file)] if file else []
    if row is not None:
        parts.append(f"row {row}")
    return ":".join(parts) or "?"
