"""Where an output came from: toolkit version, command, instrument or codebook, seed and input files.

Every workbook records this as custom document properties (see :func:`toolkit.io.save_workbook`), and
other outputs can carry it as a JSON sidecar or inside their own metadata. Nothing time-dependent is
recorded (reruns give the same bytes); inputs are named by file name and content hash, so the record does
not depend on where the files happened to sit.

>>> p = provenance(command="analyze reliability", seed=1)
>>> p["toolkit"].startswith("hls-toolkit ")
True
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Iterable

#: custom document properties are short strings; longer lists are cut with a count of what was left out
_MAX_PROPERTY = 255


def _version() -> str:
    from . import __version__

    return __version__


def file_digest(path: str | Path, length: int = 16) -> str | None:
    """The first *length* hex digits of a file's SHA-256 (``None`` for a folder or a missing file)."""
    p = Path(path)
    if not p.is_file():
        return None
    h = hashlib.sha256()
    with open(p, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()[:length]


def _describe_input(path) -> str:
    p = Path(path)
    digest = file_digest(p)
    return f"{p.name} (sha256 {digest})" if digest else p.name


def provenance(*, command: str | None = None, inputs: Iterable | None = None, instrument=None, codebook=None,
               seed: int | None = None, settings: dict | None = None) -> dict:
    """A flat ``{name: text}`` record of what produced an output.

    *instrument* and *codebook* may be loaded objects (their ``id`` and ``version`` are used) or names;
    *inputs* are paths; *settings* adds free ``name: value`` pairs (estimator, missing-data handling, ...).
    """
    rec = {"toolkit": f"hls-toolkit {_version()}"}
    if command:
        rec["command"] = f"hls {command}"
    for key, obj in (("instrument", instrument), ("codebook", codebook)):
        if obj is None:
            continue
        ident = getattr(obj, "id", None) or str(obj)
        version = getattr(obj, "version", None)
        rec[key] = f"{ident} {version}" if version else str(ident)
    if seed is not None:
        rec["seed"] = str(seed)
    if inputs:
        rec["inputs"] = "; ".join(_describe_input(p) for p in inputs)
    for k, v in (settings or {}).items():
        if v is not None:
            rec[str(k)] = str(v)
    return rec


# -- the run in progress -------------------------------------------------------------------------------------
#: what the current run is (set by the CLI for each command) and which instrument / codebook it loaded last
_run: dict = {}


def set_run(command: str | None = None, inputs: Iterable | None = None, seed: int | None = None) -> None:
    """Record the command being run, its input files and seed; :func:`complete` adds them to every record."""
    _run.clear()
    _run.update({k: v for k, v in (("command", command), ("inputs", list(inputs or [])), ("seed", seed))
                 if v not in (None, [])})


def note_used(instrument=None, codebook=None) -> None:
    """Remember the instrument or codebook a run loaded (called by the loaders)."""
    if instrument is not None:
        _run["instrument"] = instrument
    if codebook is not None:
        _run["codebook"] = codebook


def complete(record: dict | None = None) -> dict:
    """*record* with what is known about the current run filled in (command, inputs, instrument, codebook,
    seed); keys already in *record* win."""
    record = record or {}
    # an output is about a survey (instrument) or about coding (codebook): one named by the caller rules out
    # a leftover of the other kind from earlier in the same run
    base = provenance(command=_run.get("command"), inputs=_run.get("inputs"),
                      instrument=None if "codebook" in record else _run.get("instrument"),
                      codebook=None if "instrument" in record else _run.get("codebook"), seed=_run.get("seed"))
    base.update(record or {})
    return base


def as_lines(record: dict) -> list[str]:
    """``name: value`` lines of a record (for .sav documents and REFI project descriptions)."""
    return [f"{k}: {v}" for k, v in record.items()]


def write_sidecar(output: str | Path, record: dict | None = None) -> Path:
    """Write ``NAME.provenance.json`` beside *output* (for CSV files, which have no place for metadata)."""
    from .io import write_json

    output = Path(output)
    path = output.with_name(output.stem + ".provenance.json")
    write_json({"output": output.name, **complete(record)}, path)
    return path


def apply_to_workbook(wb, record: dict | None) -> None:
    """Store *record* (completed with the current run, :func:`complete`) as custom document properties of an
    openpyxl workbook; the creator is the toolkit."""
    from openpyxl.packaging.custom import StringProperty

    record = complete(record)

    wb.properties.creator = f"hls-toolkit {_version()}"
    wb.properties.lastModifiedBy = None
    if not record:
        return
    for name in [p.name for p in wb.custom_doc_props if p.name.startswith("hls:")]:
        del wb.custom_doc_props[name]  # a workbook opened from a file of ours: its record is replaced
    for name, value in record.items():
        text = str(value)
        if len(text) > _MAX_PROPERTY:
            text = text[: _MAX_PROPERTY - 3] + "..."
        wb.custom_doc_props.append(StringProperty(name=f"hls:{name}", value=text))


def read_from_workbook(path: str | Path) -> dict:
    """The provenance record stored in a workbook by :func:`apply_to_workbook` (``{}`` when there is none)."""
    from .spreadsheets import load_openpyxl

    wb = load_openpyxl(path)
    try:
        return {p.name[4:]: p.value for p in wb.custom_doc_props if p.name.startswith("hls:")}
    finally:
        wb.close()
