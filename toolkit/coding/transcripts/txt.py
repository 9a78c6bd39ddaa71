"""Plain text and Markdown transcripts: optional ``---`` front matter, then ``Speaker: text`` turns.

:func:`read` gives the whole :class:`Document`; :func:`open_stream` reads the same turns line by line (two
passes over the file: one to check the encoding and count speaker labels, one to yield the turns), so a
coding run holds one turn of a long transcript at a time.
"""
from __future__ import annotations

import unicodedata
from itertools import chain
from pathlib import Path
from typing import Iterable, Iterator

from ...errors import DataError
from .model import Document, TurnStream
from .text import (FENCE_RE, count_labels, iter_turns, parse_turns, read_text_file, sniff_encodings,
                   split_front_matter)


def from_text(text: str, path: Path, doc_id: str | None = None) -> Document:
    """A Document from already decoded text (front matter split off; offsets are into the body)."""
    from .metadata import gather
    from .text import normalise

    meta, body, _ = split_front_matter(normalise(text), path)
    return Document(doc_id or path.stem, path, body, parse_turns(body), gather(path, meta))


def read(path: Path) -> Document:
    return from_text(read_text_file(path), path)


def _lines(path: Path, encoding: str) -> Iterator[str]:
    """The file's lines, normalised as :func:`~toolkit.coding.transcripts.text.normalise` does the whole text
    (universal newlines, BOM stripped, NFC per line: a line break never takes part in composition)."""
    with open(path, encoding=encoding, newline=None) as fh:
        first = True
        for raw in fh:
            line = raw[:-1] if raw.endswith("\n") else raw
            if first:
                line, first = line.lstrip("\ufeff"), False
            if not unicodedata.is_normalized("NFC", line):
                line = unicodedata.normalize("NFC", line)
            yield line


def _front_matter(lines: Iterable[str], path: Path) -> tuple[dict, Iterator[str]]:
    """Split a front matter block off a stream of lines: (metadata, the body's lines)."""
    it = iter(lines)
    first = next(it, None)
    if first is None:
        return {}, iter(())
    if not FENCE_RE.match(first):
        return {}, chain([first], it)
    block = [first]
    for line in it:
        block.append(line)
        if FENCE_RE.match(line):
            break
    meta, _, _ = split_front_matter("\n".join(block), path)  # raises when the block is never closed
    return meta, it


def open_stream(path: Path) -> TurnStream:
    """The transcript as a :class:`TurnStream` whose turns are read line by line (same turns as :func:`read`)."""
    from .metadata import gather

    for encoding in sniff_encodings(path):
        try:
            meta, body = _front_matter(_lines(path, encoding), path)
            labels = count_labels(body)
            break
        except UnicodeDecodeError:
            continue
        except OSError as exc:
            raise DataError(f"cannot read file ({exc.strerror or exc.__class__.__name__})", file=path) from None
    else:
        raise DataError("cannot decode text (tried UTF-8 and Windows-1252)", file=path)

    def turns() -> Iterator:
        _, body = _front_matter(_lines(path, encoding), path)
        return iter_turns(body, labels)

    return TurnStream(path.stem, path, gather(path, meta), turns)
