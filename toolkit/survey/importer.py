"""Read answers from every channel into one tidy table and validate them (``hls survey import``).

Files that cannot be used (unreadable, built from another instrument or version, blank questionnaires) are
skipped, listed in the report's ``files`` table and as issues; the answers of all other files are kept.
"""
from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from ..errors import DataError
from .readers import SUFFIXES, read_source
from .readers.qualtrics import ExportSettingsError
from .validate import DEFAULT_STRAIGHTLINE_MIN, ValidationReport, issue, validate_survey
from .variables import as_instrument, recode_frame, variables

PROVENANCE = ["_source", "_row"]


class SurveyImport(NamedTuple):
    """``(data, report)``: the tidy table and its :class:`ValidationReport`."""

    data: "pd.DataFrame"  # noqa: F821
    report: ValidationReport


def expand_sources(sources) -> list[Path]:
    """Files from a path, a folder (its data files, sorted; Office lock files and hidden files skipped) or a list
    of both."""
    if isinstance(sources, (str, Path)):
        sources = [sources]
    out: list[Path] = []
    for s in sources:
        p = Path(s)
        if p.is_dir():
            found = sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in SUFFIXES
                           and not f.name.startswith(("~$", ".")))
            if not found:
                raise DataError(f"no data files ({', '.join(SUFFIXES)}) in this folder", file=p)
            out.extend(found)
        elif p.exists():
            out.append(p)
        else:
            raise DataError("file not found", file=p)
    if not out:
        raise DataError("no input files given")
    unique, seen = [], set()
    for p in out:  # a file named twice (or also inside a named folder) is read once
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(p)
    return unique


def _all_blank(df) -> bool:
    for col in df.columns:
        for x in df[col]:
            if x is None or (isinstance(x, float) and x != x) or (isinstance(x, str) and not x.strip()):
                continue
            return False
    return True


def read_survey(sources, instrument, format: str | None = None,
                straightline_min: int = DEFAULT_STRAIGHTLINE_MIN, keep_missing_codes: bool = False,
                min_share: float | None = None, qsf=None) -> SurveyImport:
    """Read filled questionnaires, entry workbooks, Kobo/ODK/Qualtrics exports or plain tables into one table.

    Returns ``(data, report)``. *data* has one row per respondent and the columns respondent id, group id,
    other context, items, attention checks (labels recoded to the scale's values; declared missing codes and
    invalid answers missing, or kept as codes with *keep_missing_codes*), then ``_source`` (file) and ``_row``
    (row in that file; empty for one-respondent questionnaires). *format* forces a reader for every file.
    *qsf* is the Qualtrics survey file (path or :class:`~toolkit.survey.qsf.QsfSurvey`) that turns the numbers of
    a numeric Qualtrics export back into answer labels. A numeric Qualtrics export that does not fit the
    instrument without one stops the import (:class:`~toolkit.survey.readers.qualtrics.ExportSettingsError`).

    Example::

        >>> import toolkit
        >>> data, report = toolkit.read_survey("sample_data/survey/questionnaires",
        ...                                    "collective-data-use")      # doctest: +SKIP
        >>> print(report.summary())                                        # doctest: +SKIP
    """
    from .readers import READERS

    if format is not None and format not in READERS:
        raise DataError(f"unknown format '{format}' (use one of {', '.join(READERS)})", field="--format")
    from .workbook import close_workbooks

    inst = as_instrument(instrument)
    paths = expand_sources(sources)
    try:
        return _read_all(paths, inst, format, straightline_min, keep_missing_codes, min_share, qsf)
    finally:
        close_workbooks()  # release the files the readers opened


def _read_all(paths, inst, format, straightline_min, keep_missing_codes, min_share, qsf) -> SurveyImport:
    import pandas as pd

    if qsf is not None and not hasattr(qsf, "questions"):
        from .qsf import load_qsf

        qsf = load_qsf(qsf)
    file_rows, file_issues, frames, cells = [], [], [], []
    unchecked: dict[str, set] = {}  # attention check id -> files without its column (nothing to check there)
    from ..console import progress

    for path in progress(paths, total=len(paths), desc="reading", unit="file"):
        name = str(path)
        try:
            src = read_source(path, inst, format, qsf=qsf)
        except ExportSettingsError:
            raise  # the export must be redone (or the .qsf given): reading the other files would hide it
        except DataError as exc:
            file_rows.append({"file": name, "format": format or "", "status": "unreadable", "respondents": 0,
                              "message": exc.message})
            file_issues.append(issue("unreadable_file", exc.message, file=name))
            continue
        except Exception as exc:  # noqa: BLE001 - a broken file must not stop the others
            msg = f"cannot read the file ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})"
            file_rows.append({"file": name, "format": format or "", "status": "unreadable", "respondents": 0,
                              "message": msg})
            file_issues.append(issue("unreadable_file", msg, file=name))
            continue
        for found in src.read_issues:  # how the file was read: lines decoded as cp1252, formulas without value
            file_issues.append(issue(**found))
        meta = src.meta or {}
        iid, iver = meta.get("instrument_id"), meta.get("instrument_version")
        problem = None
        if iid is not None and iid != inst.id:
            problem = f"built from instrument '{iid}', not '{inst.id}'"
        elif iver is not None and str(iver) != str(inst.version):
            problem = f"built from version {iver} of '{inst.id}', but the instrument is version {inst.version}"
        if problem:
            file_rows.append({"file": name, "format": src.format, "status": "wrong_instrument", "respondents": 0,
                              "message": problem})
            file_issues.append(issue("wrong_instrument", problem, file=name))
            continue
        if len(src.data) == 0 or _all_blank(src.data):
            msg = "no answers in this file"
            if src.format != "questionnaire" and src.ignored and not (set(src.data.columns) & set(inst.item_ids)):
                shown = ", ".join(map(str, src.ignored[:5])) + (", ..." if len(src.ignored) > 5 else "")
                msg = f"no column is an item of '{inst.id}' (the file has: {shown})"
            file_rows.append({"file": name, "format": src.format, "status": "blank", "respondents": 0,
                              "message": msg})
            file_issues.append(issue("blank_file", msg, file=name))
            continue
        if src.unmatched and src.format != "questionnaire":
            file_issues.append(issue("missing_columns", f"no column for item(s) {', '.join(src.unmatched)}",
                                     file=name))
        absent_checks = [a.id for a in inst.attention_checks if a.id not in src.data.columns]
        if absent_checks:
            file_issues.append(issue("missing_columns", f"no column for attention check(s) "
                                     f"{', '.join(absent_checks)}; not checked in this file", file=name))
            for a in absent_checks:
                unchecked.setdefault(a, set()).add(name)
        data = src.data.copy()
        data["_source"] = name
        data["_row"] = pd.array(src.rows, dtype="Int64")
        frames.append(data)
        cells.extend(src.cells)
        for note in src.notes:
            file_issues.append(issue("table_not_used", note, file=name))
        file_rows.append({"file": name, "format": src.format, "status": "ok", "respondents": len(data),
                          "message": "; ".join(src.notes)})
    files = pd.DataFrame(file_rows, columns=["file", "format", "status", "respondents", "message"])
    order = [v.id for v in variables(inst)]
    if frames:
        # a column that is empty in one file must not decide the column's type (pandas' concat rule is
        # changing): leave it out there, the other files' values set the type and rows from it stay empty
        def typed(f):
            empty = [c for c in f.columns if c not in PROVENANCE and f[c].isna().all()]
            return f.drop(columns=empty) if len(frames) > 1 else f

        raw = pd.concat([typed(f) for f in frames], ignore_index=True, sort=False)
    else:
        raw = pd.DataFrame(columns=order + PROVENANCE)
    for col in order:
        if col not in raw.columns:
            raw[col] = None
    raw = raw[order + PROVENANCE].astype({c: object for c in order})
    kwargs = {} if min_share is None else {"min_share": min_share}
    report = validate_survey(raw, inst, straightline_min=straightline_min, cells=cells, file_issues=file_issues,
                             files=files, unchecked=unchecked, **kwargs)
    clean, _ = recode_frame(raw, inst, keep_missing_codes=keep_missing_codes)
    clean["_source"] = raw["_source"]
    clean["_row"] = raw["_row"].astype("Int64")
    clean.attrs["instrument"] = inst.id
    return SurveyImport(clean[order + PROVENANCE], report)
