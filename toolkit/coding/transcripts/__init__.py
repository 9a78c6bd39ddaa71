"""Transcript readers: one module per format, chosen through :data:`READERS` by file extension.

>>> doc = read_transcript("interview.txt")          # doctest: +SKIP
>>> doc.turns[0].speaker, doc.sentences[0].text     # doctest: +SKIP
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, Iterator

from ...errors import DataError, ToolkitError
from .model import Document, Sentence, Turn, TurnStream


def _txt(path):
    from .txt import read

    return read(path)


def _docx(path):
    from .docx import read

    return read(path)


def _vtt(path):
    from .cues import read_vtt

    return read_vtt(path)


def _srt(path):
    from .cues import read_srt

    return read_srt(path)


#: file extension -> reader(path) -> Document
READERS: dict[str, Callable[[Path], Document]] = {
    ".txt": _txt,
    ".md": _txt,
    ".markdown": _txt,
    ".docx": _docx,
    ".vtt": _vtt,
    ".srt": _srt,
}


def _txt_stream(path):
    from .txt import open_stream

    return open_stream(path)


#: file extension -> opener(path) -> TurnStream, for formats that can be read turn by turn; the others are
#: read whole (:data:`READERS`) and then handed out turn by turn
STREAMERS: dict[str, Callable[[Path], TurnStream]] = {".txt": _txt_stream, ".md": _txt_stream,
                                                       ".markdown": _txt_stream}


def read_transcript(path: str | Path) -> Document:
    """Read one transcript (.txt, .md, .docx, .vtt, .srt) into a :class:`Document`.

    Raises :class:`~toolkit.errors.DataError` naming the file for unreadable or unsupported files.
    """
    path = Path(path)
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise DataError(f"unsupported transcript format '{path.suffix}' (supported: {', '.join(READERS)})",
                        file=path)
    if not path.exists():
        raise DataError("file not found", file=path)
    return reader(path)


#: file stems skipped when a folder is expanded (documentation that sits beside transcripts)
NOT_TRANSCRIPTS = {"README", "LICENSE", "LICENCE", "CHANGELOG", "NOTES", "CONTRIBUTING"}


def transcript_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders into the transcript files they hold (sorted). Files with other extensions, hidden or
    Office lock files and ``README``/``LICENSE``-like files are skipped; files named explicitly are kept."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in READERS
                              and not f.name.startswith((".", "~$")) and f.stem.upper() not in NOT_TRANSCRIPTS))
        else:
            out.append(p)
    return out


def iter_documents(paths: Iterable[str | Path | Document], errors: list | None = None) -> Iterator[Document]:
    """Read documents lazily; unreadable files are appended to *errors* (if given) instead of stopping."""
    return _iter(paths, errors, read_transcript)


def open_stream(item: str | Path | Document) -> TurnStream:
    """A document as a :class:`TurnStream`: ``.txt``/``.md`` files are read turn by turn (only the current turn
    in memory), other formats are read whole first; a :class:`Document` is wrapped."""
    if isinstance(item, Document):
        return TurnStream.of(item)
    path = Path(item)
    opener = STREAMERS.get(path.suffix.lower())
    if opener is None:
        return TurnStream.of(read_transcript(path))
    if not path.exists():
        raise DataError("file not found", file=path)
    return opener(path)


def iter_streams(paths: Iterable[str | Path | Document], errors: list | None = None) -> Iterator[TurnStream]:
    """Like :func:`iter_documents`, as :class:`TurnStream` objects (what a coding run reads)."""
    return _iter(paths, errors, open_stream)


def _iter(paths, errors, opener) -> Iterator:
    items = list(paths)
    expanded: list = []
    files: set = set()
    for item in items:
        if isinstance(item, Document):
            expanded.append(item)
            continue
        for path in transcript_paths([item]):
            key = path.resolve() if path.exists() else path
            if key not in files:  # a file named twice (or inside a folder also named) is read once
                files.add(key)
                expanded.append(path)
    seen: dict[str, object] = {}  # document id -> where it came from: codings point at documents by id
    for item in expanded:
        try:
            doc = opener(item) if not isinstance(item, Document) or opener is open_stream else item
            if doc.id in seen:
                raise DataError(f"document id '{doc.id}' is already used by {seen[doc.id]}: codings refer to "
                                "documents by file stem, so rename one of the files", file=doc.path or doc.id)
        except ToolkitError as exc:  # DataError, or a located YAML error in a sidecar or cases.csv
            if errors is None:
                raise
            exc.transcript = item if not isinstance(item, Document) else (item.path or item.id)  # the skipped file
            errors.append(exc)
            continue
        seen[doc.id] = doc.path or "another document"
        yield doc


__all__ = ["Document", "Turn", "Sentence", "TurnStream", "READERS", "STREAMERS", "read_transcript", "open_stream",
           "transcript_paths", "iter_documents", "iter_streams"]
