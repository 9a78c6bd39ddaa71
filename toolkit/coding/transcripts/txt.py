"""Plain text and Markdown transcripts: optional ``---`` front matter, then ``Speaker: text`` turns."""
from __future__ import annotations

from pathlib import Path

from .model import Document
from .text import parse_turns, read_text_file, split_front_matter


def from_text(text: str, path: Path, doc_id: str | None = None) -> Document:
    """A Document from already decoded text (front matter split off; offsets are into the body)."""
    from .metadata import gather
    from .text import normalise

    meta, body, _ = split_front_matter(normalise(text), path)
    return Document(doc_id or path.stem, path, body, parse_turns(body), gather(path, meta))


def read(path: Path) -> Document:
    return from_text(read_text_file(path), path)
