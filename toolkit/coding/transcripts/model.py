"""The document model every transcript reader produces: a normalised text with turns and sentences.

Offsets (``start``/``end``) are Python ``str`` indices, i.e. Unicode code points, into ``Document.text``;
``end`` is exclusive, so ``doc.text[s.start:s.end] == s.text`` always holds.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


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

    @property
    def case(self) -> str:
        """The case the document belongs to: metadata ``interview_id`` (or ``case``), else the document id."""
        for key in ("interview_id", "case"):
            if self.metadata.get(key) not in (None, ""):
                return str(self.metadata[key])
        return self.id

    @property
    def group(self) -> str:
        """The partnership or group: metadata ``group`` (or ``partnership``, ``group_id``, ``partnership_id``)."""
        for key in ("group", "partnership", "group_id", "partnership_id"):
            if self.metadata.get(key) not in (None, ""):
                return str(self.metadata[key])
        return ""

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
