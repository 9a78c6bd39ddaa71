"""One reader per way answers come back, chosen through a registry.

Each reader is a small object with a ``name``, a ``sniff(path) -> bool`` and a ``read(path, instrument)`` that
returns a :class:`Source`: the raw answers with columns renamed to the instrument's ids, the row number of each
answer in the file (as a spreadsheet shows it) and, for filled questionnaires, the cell of each answer.
Adding a channel (LimeSurvey, SurveyCTO, ...) means adding one module and one entry in :data:`READERS`.

The sniffing order runs from the most specific format to the plain table, which accepts any CSV, workbook
(.xlsx, .ods, .xls) or SPSS/Stata file. A reader that takes options (the Qualtrics reader's ``.qsf``) lists their
names in ``options``; :func:`read_source` passes it only those.
"""
from __future__ import annotations

from pathlib import Path

from ...errors import DataError
from .base import Source, match_columns  # noqa: F401 - re-exported for readers and tests
from .entry import EntryReader
from .kobo import KoboReader
from .odk import OdkReader
from .plain import PlainReader
from .qualtrics import QualtricsReader
from .questionnaire import QuestionnaireReader

READERS = {r.name: r for r in (QuestionnaireReader(), EntryReader(), QualtricsReader(), OdkReader(), KoboReader(),
                               PlainReader())}
"""Registry: format name -> reader, in sniffing order."""

SUFFIXES = (".xlsx", ".xlsm", ".ods", ".xls", ".csv", ".tsv", ".txt", ".zip", ".sav", ".dta")


def formats() -> list[str]:
    """The format names ``--format`` accepts."""
    return list(READERS)


def sniff(path: str | Path) -> str:
    """The name of the first reader that recognises *path*."""
    path = Path(path)
    for name, reader in READERS.items():
        try:
            if reader.sniff(path):
                return name
        except Exception:  # noqa: BLE001 - a reader that cannot even look at the file does not claim it
            continue
    raise DataError(f"unrecognised file type '{path.suffix}' (use {', '.join(SUFFIXES)})", file=path)


def read_source(path: str | Path, instrument, format: str | None = None, **options) -> Source:
    """Read one file with the named reader, or the sniffed one; *options* (e.g. ``qsf=`` a loaded
    :class:`~toolkit.survey.qsf.QsfSurvey`) go to the readers that declare them."""
    path = Path(path)
    if not path.exists():
        raise DataError("file not found", file=path)
    if format is not None and format not in READERS:
        raise DataError(f"unknown format '{format}' (use one of {', '.join(READERS)})", field="--format")
    name = format or sniff(path)
    reader = READERS[name]
    wanted = {k: v for k, v in options.items() if v is not None and k in getattr(reader, "options", ())}
    try:
        source = reader.read(path, instrument, **wanted)
    except DataError:
        raise
    except Exception as exc:  # noqa: BLE001 - a parser's own failure becomes one located line
        first = str(exc).splitlines()[0] if str(exc) else ""
        raise DataError(f"cannot read the file as {name} ({type(exc).__name__}: {first[:200]})", file=path) from None
    source.format = name
    return source
