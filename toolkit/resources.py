"""Find the instruments and codebooks shipped with the toolkit (also after a non-editable install)."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

from .errors import ToolkitError


def _folder(package: str) -> Path:
    return Path(str(resources.files(package)))


def instruments_dir() -> Path:
    """Folder holding the shipped instrument YAML files."""
    return _folder("toolkit._instruments")


def codebooks_dir() -> Path:
    """Folder holding the shipped codebook YAML files."""
    return _folder("toolkit._codebooks")


def sample_data_dir() -> Path:
    """Folder holding the bundled sample data (``sample_data/`` in a checkout, package data when installed)."""
    return _folder("toolkit._sample_data")


def shipped(folder: Path) -> dict[str, Path]:
    """Map shipped names (file stem) to paths."""
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))}


def resolve(name_or_path: str | Path, folder: Path, what: str) -> Path:
    """A path to a YAML file given either a shipped name or a file path."""
    p = Path(name_or_path)
    if p.suffix.lower() in (".yaml", ".yml") or p.exists():
        if not p.exists():
            raise ToolkitError(f"{what} file not found", file=p)
        return p
    names = shipped(folder)
    if str(name_or_path) in names:
        return names[str(name_or_path)]
    known = ", ".join(names) or "none"
    raise ToolkitError(f"unknown {what} '{name_or_path}' (shipped: {known}; or give a .yaml path)")
