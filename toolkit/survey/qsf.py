"""Qualtrics survey files (``.qsf``): which number stands for which answer in a numeric export.

A ``.qsf`` (Survey > Tools > Import/Export > Export survey) is JSON: ``SurveyEntry`` plus ``SurveyElements``, of
which the ``SQ`` elements are the questions. Each question's ``Payload`` holds what an export needs:

* ``QuestionID`` (``QID5``, the ``ImportId`` in the export's third header row) and ``DataExportTag`` (the column
  name, ``Q5`` unless renamed);
* ``Choices`` (``{"1": {"Display": "Manager"}, ...}``; a list in some files) - the options of a multiple-choice
  question, the statements (rows) of a matrix;
* ``Answers`` - the scale points (columns) of a matrix;
* ``RecodeValues`` (``{"6": "9"}``) - the number exported for a choice (or, in a matrix, a scale point) when it
  differs from the choice id; without it the id itself is exported: 1..k in the order the options were created,
  so "Don't know" added as sixth option of a five-point item is exported as 6;
* ``ChoiceDataExportTags`` - column names of matrix statements (``{"1": "SM1"}``) when they were renamed,
  else ``<tag>_<choice id>``.

:func:`load_qsf` reads these facts; :meth:`QsfSurvey.labels_for` gives, for one export column, the label of every
number it may hold.
"""
from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataError

_TAG_RE = re.compile(r"<[^>]+>")


def plain_text(value) -> str:
    """Question or choice text without markup: ``<br>`` becomes a space, entities are decoded."""
    if value is None:
        return ""
    text = re.sub(r"(?i)<br\s*/?>", " ", str(value))
    text = html.unescape(_TAG_RE.sub("", text))
    return " ".join(text.split())


def _options(raw) -> dict[str, str]:
    """``{id: label}`` from a ``Choices``/``Answers`` dict or list."""
    if isinstance(raw, list):
        raw = {str(i + 1): v for i, v in enumerate(raw)}
    if not isinstance(raw, dict):
        return {}
    out = {}
    for key, opt in raw.items():
        display = opt.get("Display") if isinstance(opt, dict) else opt
        out[str(key)] = plain_text(display)
    return out


def _mapping(raw) -> dict[str, str]:
    if isinstance(raw, list):
        raw = {str(i + 1): v for i, v in enumerate(raw)}
    if not isinstance(raw, dict):
        return {}
    return {str(k): str(v).strip() for k, v in raw.items() if v is not None and str(v).strip() != ""}


@dataclass
class QsfQuestion:
    """One question of a ``.qsf``."""

    qid: str
    tag: str
    text: str
    type: str
    selector: str = ""
    choices: dict = field(default_factory=dict)  # choice id -> label (matrix: statement)
    answers: dict = field(default_factory=dict)  # answer id -> label (matrix scale points)
    recodes: dict = field(default_factory=dict)  # option id -> exported number
    choice_tags: dict = field(default_factory=dict)  # matrix statement id -> column name

    @property
    def is_matrix(self) -> bool:
        return self.type == "Matrix"

    def value_labels(self) -> dict[str, str]:
        """``{exported number as text: label}`` for the options a respondent picks."""
        options = self.answers if self.is_matrix else self.choices
        return {self.recodes.get(oid, oid): label for oid, label in options.items()}

    def columns(self) -> dict[str, str | None]:
        """``{export column name: choice id or None}`` of this question's answer columns."""
        if self.is_matrix and self.choices:
            return {self.choice_tags.get(cid) or f"{self.tag}_{cid}": cid for cid in self.choices}
        return {self.tag: None}


@dataclass
class QsfSurvey:
    """The questions of a ``.qsf``, by ``QuestionID``."""

    path: Path
    name: str
    questions: dict[str, QsfQuestion]

    def question_for(self, column: str, import_id: str | None = None) -> QsfQuestion | None:
        """The question an export column belongs to: by its ``ImportId`` (``QID5``, ``QID5_2``), else by column
        name (legacy exports have no ImportId)."""
        if import_id:
            m = re.match(r"^(QID\d+)(?:_(\w+))?$", import_id)
            if m and m.group(1) in self.questions:
                q = self.questions[m.group(1)]
                rest = m.group(2)
                if rest is None or (q.is_matrix and rest in q.choices):
                    return q
                return None  # _TEXT, _DO, timing columns: not an answer column
        for q in self.questions.values():
            if column in q.columns():
                return q
        return None

    def labels_for(self, column: str, import_id: str | None = None) -> dict[str, str] | None:
        """``{number: label}`` for an answer column, or ``None`` when the column is not a choice question's."""
        q = self.question_for(column, import_id)
        if q is None:
            return None
        labels = q.value_labels()
        return labels or None


def load_qsf(path) -> QsfSurvey:
    """Read a Qualtrics ``.qsf`` file; a located :class:`~toolkit.errors.DataError` when it is not one."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError("file not found", file=path, field="--qsf") from None
    except OSError as exc:
        raise DataError(f"cannot read the file ({exc.strerror or type(exc).__name__})", file=path,
                        field="--qsf") from None
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise DataError(f"not a Qualtrics survey file (.qsf is JSON: {exc.__class__.__name__})", file=path,
                        line=line, field="--qsf") from None
    elements = doc.get("SurveyElements") if isinstance(doc, dict) else None
    if isinstance(elements, dict):
        elements = list(elements.values())
    if not isinstance(elements, list):
        raise DataError("not a Qualtrics survey file: no SurveyElements", file=path, field="--qsf")
    questions: dict[str, QsfQuestion] = {}
    for el in elements:
        if not isinstance(el, dict) or el.get("Element") != "SQ" or not isinstance(el.get("Payload"), dict):
            continue
        p = el["Payload"]
        qid = str(p.get("QuestionID") or el.get("PrimaryAttribute") or "")
        if not qid:
            continue
        questions[qid] = QsfQuestion(
            qid=qid, tag=str(p.get("DataExportTag") or qid), text=plain_text(p.get("QuestionText")),
            type=str(p.get("QuestionType") or ""), selector=str(p.get("Selector") or ""),
            choices=_options(p.get("Choices")), answers=_options(p.get("Answers")),
            recodes=_mapping(p.get("RecodeValues")), choice_tags=_mapping(p.get("ChoiceDataExportTags")))
    if not questions:
        raise DataError("the survey file has no questions (no SQ elements)", file=path, field="--qsf")
    entry = doc.get("SurveyEntry") or {}
    return QsfSurvey(path, str(entry.get("SurveyName") or path.stem), questions)


__all__ = ["QsfQuestion", "QsfSurvey", "load_qsf", "plain_text"]
