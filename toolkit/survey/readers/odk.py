"""ODK Central CSV exports (also SurveyCTO, which uses the same ``KEY``/``SubmissionDate`` columns).

Headers join group paths with ``-`` (``antecedents-CON1``); values are choice names (XML values). Metadata
columns (``SubmissionDate``, ``meta-instanceID``, ``KEY``, ``SubmitterID``, ...) are ignored except that ``KEY``
serves as respondent id when the form had no respondent question.
"""
from __future__ import annotations

from pathlib import Path

from .base import first_line, frame_from_table, read_delimited

ODK_META = ("SubmissionDate", "KEY", "meta-instanceID", "instanceID", "SubmitterID", "SubmitterName",
            "AttachmentsPresent", "ReviewState", "FormVersion", "formdef_version")


class OdkReader:
    name = "odk"

    def sniff(self, path: Path) -> bool:
        if path.suffix.lower() not in (".csv", ".txt"):
            return False
        line = first_line(path)
        if not line:
            return False
        names = {h.strip().strip('"') for h in line[0].split(",")}
        return "SubmissionDate" in names and bool(names & {"KEY", "meta-instanceID", "instanceID"})

    def read(self, path: Path, instrument):
        table = read_delimited(path, ",")
        table.columns = [str(c).strip() for c in table.columns]
        return frame_from_table(path, table, instrument, first_row=2, meta={"platform": "odk"})
