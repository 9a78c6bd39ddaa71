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


#: what ``copy_sample_data`` leaves out: the scripts that made the samples and package plumbing
_NOT_INPUTS = {"__init__.py", "generate.sh", "make_gold_template.py"}


def copy_sample_data(dest: str | Path, overwrite: bool = False) -> list[Path]:
    """Copy the bundled sample inputs (``survey/``, ``transcripts/`` and their READMEs) into *dest*.

    Returns the files written. An existing file with other content is an error unless *overwrite*; one with
    the same content is left alone, so copying twice is harmless.

    >>> import toolkit
    >>> files = toolkit.copy_sample_data("hls-sample")          # doctest: +SKIP
    """
    import shutil

    src = sample_data_dir()
    dest = Path(dest)
    pairs = []
    for path in sorted(src.rglob("*")):
        if path.is_dir() or path.name in _NOT_INPUTS or "__pycache__" in path.parts:
            continue
        pairs.append((path, dest / path.relative_to(src)))
    if not overwrite:
        clash = [t for s, t in pairs if t.exists() and t.read_bytes() != s.read_bytes()]
        if clash:
            raise ToolkitError(f"already exists with other content ({len(clash)} file(s) would be replaced; "
                               "use --force to replace them)", file=clash[0])
    written = []
    for s, t in pairs:
        if t.exists() and t.read_bytes() == s.read_bytes():
            written.append(t)
            continue
        t.parent.mkdir(parents=True, exist_ok=True)
        from .io import atomic_path

        with atomic_path(t) as tmp:
            shutil.copyfile(s, tmp)
        written.append(t)
    return written
