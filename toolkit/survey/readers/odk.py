"""ODK Central exports (also SurveyCTO, which uses the same ``KEY``/``SubmissionDate`` columns): the root table as
CSV, or the ``.csv.zip`` download that holds the root table plus one CSV per repeat group.

Headers join group paths with ``-`` (``antecedents-CON1``); values are choice names (XML values). Metadata
columns (``SubmissionDate``, ``meta-instanceID``, ``KEY``, ``SubmitterID``, ...) are ignored except that ``KEY``
serves as respondent id when the form had no respondent question. In a ``.csv.zip`` the root table is the CSV
with ``SubmissionDate`` and no ``PARENT_KEY`` column (``<formId>.csv``); repeat tables
(``<formId>-<repeat>.csv``, with ``PARENT_KEY``) and attachments are reported, not read.
"""
from __future__ import annotations

import io
from pathlib import Path, PurePosixPath

from ...errors import DataError
from .base import first_line, frame_from_table, read_delimited
from .kobo import repeat_note

ODK_META = ("SubmissionDate", "KEY", "meta-instanceID", "instanceID", "SubmitterID", "SubmitterName",
            "AttachmentsPresent", "ReviewState", "FormVersion", "formdef_version")


def _is_root_header(names: set) -> bool:
    return "SubmissionDate" in names and bool(names & {"KEY", "meta-instanceID", "instanceID"})


def _csv_text(data: bytes, label: str) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DataError("cannot decode the CSV as UTF-8 or cp1252", file=label)  # pragma: no cover


def _frame(text: str):
    import pandas as pd

    from ..table import unescape_frame

    return unescape_frame(pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False))


def read_zip(path: Path):
    """``(root table, [(member, table), ...] repeat tables)`` from an ODK Central ``.csv.zip``."""
    from ..workbook import open_archive

    root, repeats = None, []
    with open_archive(path) as z:
        members = [n for n in z.names() if n.lower().endswith(".csv") and not PurePosixPath(n).name.startswith(".")]
        for name in sorted(members, key=lambda n: (n.count("/"), len(n), n)):
            table = _frame(_csv_text(z.read(name), f"{path}!{name}"))
            table.columns = [str(c).strip() for c in table.columns]
            names = set(table.columns)
            if root is None and _is_root_header(names) and "PARENT_KEY" not in names:
                root = (name, table)
            else:
                repeats.append((name, table))
    if root is None:
        raise DataError("no ODK Central submissions table in the archive (a CSV with SubmissionDate and KEY)",
                        file=path)
    return root, repeats


def is_zip_export(path: Path) -> bool:
    return path.suffix.lower() == ".zip"


class OdkReader:
    name = "odk"

    def sniff(self, path: Path) -> bool:
        if is_zip_export(path):
            return True  # the one platform that exports a zip; read() says what is wrong with a bad one
        if path.suffix.lower() not in (".csv", ".txt"):
            return False
        line = first_line(path)
        if not line:
            return False
        return _is_root_header({h.strip().strip('"') for h in line[0].split(",")})

    def read(self, path: Path, instrument):
        notes = []
        if is_zip_export(path):
            (root_name, table), repeats = read_zip(path)
            for name, rep in repeats:
                notes.append(repeat_note(f"table '{name}'", len(rep), rep.columns))
            meta = {"platform": "odk", "table": root_name}
        else:
            table = read_delimited(path, ",")
            table.columns = [str(c).strip() for c in table.columns]
            meta = {"platform": "odk"}
        source = frame_from_table(path, table, instrument, first_row=2, meta=meta)
        source.notes = notes
        return source
