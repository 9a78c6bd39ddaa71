"""The document model every transcript reader produces: a normalised text with turns and sentences.

Offsets (``start``/``end``) are Python ``str`` indices, i.e. Unicode code points, into ``Document.text``;
``end`` is exclusive, so ``doc.text[s.start:s.end] == s.text`` always holds.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator


@dataclass(frozen=True)
class Turn:
    """One speaker turn; ``start``/``end`` delimit the spoken text (the ``Name:`` label excluded)."""

    index: int
    speaker: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Sentence:
    """One sentence of a turn, numbered across the whole document (``index``)."""

    index: int
    turn: int
    speaker: str
    start: int
    end: int
    text: str


def case_of(doc_id: str, metadata: dict) -> str:
    """The case a document belongs to: metadata ``interview_id`` (or ``case``), else the document id."""
    for key in ("interview_id", "case"):
        if metadata.get(key) not in (None, ""):
            return str(metadata[key])
    return doc_id


def group_of(metadata: dict) -> str:
    """The partnership or group: metadata ``group`` (or ``partnership``, ``group_id``, ``partnership_id``)."""
    for key in ("group", "partnership", "group_id", "partnership_id"):
        if metadata.get(key) not in (None, ""):
            return str(metadata[key])
    return ""


@dataclass
class Document:
    """A transcript: id (file stem), source path, normalised text, metadata and turns.

    ``sentences`` are computed on first use with ``spacy.blank("en")`` + ``sentencizer`` run over each
    turn's text separately (a sentence never spans turns), numbered 0, 1, 2, ... in document order.
    """

    id: str
    path: Path | None
    text: str
    turns: list[Turn]
    metadata: dict = field(default_factory=dict)
    _sentences: list[Sentence] | None = field(default=None, repr=False)

    case = property(lambda self: case_of(self.id, self.metadata), doc="metadata ``interview_id``/``case`` or the id")
    group = property(lambda self: group_of(self.metadata), doc="metadata ``group`` (or ``partnership``, ...)")

    @property
    def sentences(self) -> list[Sentence]:
        if self._sentences is None:
            from .sentences import split_sentences

            self._sentences = split_sentences(self)
        return self._sentences

    def set_sentences(self, sentences: list[Sentence]) -> None:
        """Install sentences computed elsewhere (the coding pipeline reuses its own sentencizer output)."""
        self._sentences = sentences

    @property
    def words(self) -> int:
        """Number of whitespace-separated words in the turns (used for throughput figures)."""
        return sum(len(t.text.split()) for t in self.turns)


@dataclass
class TurnStream:
    """A document read turn by turn (the coding run's input): id, path and metadata up front, turns on demand.

    ``turns()`` reads the turns again on every call; for ``.txt``/``.md`` files only the current turn is held
    in memory (see :func:`toolkit.coding.transcripts.open_stream`).
    """

    id: str
    path: Path | None
    metadata: dict
    read_turns: Callable[[], Iterator[Turn]] = field(repr=False)

    case = property(lambda self: case_of(self.id, self.metadata), doc="as :attr:`Document.case`")
    group = property(lambda self: group_of(self.metadata), doc="as :attr:`Document.group`")

    def turns(self) -> Iterator[Turn]:
        return self.read_turns()

    @classmethod
    def of(cls, doc: Document) -> "TurnStream":
        return cls(doc.id, doc.path, doc.metadata, lambda: iter(doc.turns))
