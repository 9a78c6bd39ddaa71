"""Case metadata for a transcript: front matter, a sidecar ``NAME.meta.yaml`` or a ``cases.csv`` beside it.

Precedence (later wins): ``cases.csv`` row < sidecar ``NAME.meta.yaml`` < the file's own front matter.
"""
from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

from ...errors import DataError


def sidecar_path(path: Path) -> Path | None:
    for suffix in (".meta.yaml", ".meta.yml"):
        p = path.with_name(path.stem + suffix)
        if p.exists():
            return p
    return None


def read_sidecar(path: Path) -> dict:
    from ...instruments.yamlsrc import load_yaml

    data = load_yaml(path)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise DataError("metadata sidecar must be a mapping of key: value", file=path, line=1)
    return {str(k): ("" if v is None else str(v) if not isinstance(v, (dict, list)) else v) for k, v in data.items()}


@lru_cache(maxsize=64)
def _cases_table(path: Path, mtime: float) -> dict[str, dict]:
    from .text import decode, normalise

    text = normalise(decode(path.read_bytes(), path))
    rows = list(csv.DictReader(text.splitlines()))
    if rows and "file" not in rows[0]:
        raise DataError("cases.csv needs a 'file' column", file=path, line=1)
    table: dict[str, dict] = {}
    for n, row in enumerate(rows, start=2):
        key = (row.pop("file") or "").strip()
        if not key:
            raise DataError("empty 'file' cell", file=path, line=n, field="file")
        table[key] = {k.strip(): (v or "").strip() for k, v in row.items() if k}
    return table


def cases_row(path: Path) -> dict:
    cases = path.parent / "cases.csv"
    if not cases.exists():
        return {}
    table = _cases_table(cases, cases.stat().st_mtime)
    for key in (path.name, path.stem):
        if key in table:
            return dict(table[key])
    return {}


def gather(path: Path, front_matter: dict) -> dict:
    meta = cases_row(path)
    side = sidecar_path(path)
    if side is not None:
        meta.update(read_sidecar(side))
    meta.update(front_matter)
    return meta
