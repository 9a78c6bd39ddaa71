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


def apply_to_workbook(wb, record: dict | None) -> None:
    """Store *record* as custom document properties of an openpyxl workbook; the creator is the toolkit."""
    from openpyxl.packaging.custom import StringProperty

    wb.properties.creator = f"hls-toolkit {_version()}"
    wb.properties.lastModifiedBy = None
    if not record:
        return
    for name, value in record.items():
        text = str(value)
        if len(text) > _MAX_PROPERTY:
            text = text[: _MAX_PROPERTY - 3] + "..."
        wb.custom_doc_props.append(StringProperty(name=f"hls:{name}", value=text))


def read_from_workbook(path: str | Path) -> dict:
    """The provenance record stored in a workbook by :func:`apply_to_workbook` (``{}`` when there is none)."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    try:
        return {p.name[4:]: p.value for p in wb.custom_doc_props if p.name.startswith("hls:")}
    finally:
        wb.close()
