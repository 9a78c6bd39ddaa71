"""The sentence contract: ``spacy.blank("en")`` + ``sentencizer`` over each turn's text separately.

spaCy sees a *view* of each turn in which every run of whitespace other than one plain space (a line break
of a hard-wrapped turn, a tab, a no-break space, two spaces) is one space: the contract joins continuation
lines with a single space, and spaCy would otherwise make a token of the whitespace, which breaks phrases
("went through the\\nnumbers") and starts sentences with a line break. Offsets are mapped back, so
sentences still point into ``Document.text`` and never start or end with whitespace.
"""
from __future__ import annotations

import bisect
import re
from functools import lru_cache

from .model import Document, Sentence


@lru_cache(maxsize=1)
def sentencizer_nlp():
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


_ODD_SPACE = re.compile(r"\s{2,}|[^\S ]")
_SPACE_RUN = re.compile(r"\s+")


class TextView:
    """The text spaCy sees for one turn (``text``) and the map between its offsets and the turn's."""

    __slots__ = ("text", "_view", "_orig", "_space")

    def __init__(self, original: str):
        if not _ODD_SPACE.search(original):
            self.text, self._view = original, None
            return
        parts, view, orig, space = [], [], [], []
        c = last = 0
        for m in _SPACE_RUN.finditer(original):
            if m.group() == " ":
                continue
            for piece, at, is_space in ((original[last:m.start()], last, False), (" ", m.start(), True)):
                view.append(c)
                orig.append(at)
                space.append(is_space)
                parts.append(piece)
                c += len(piece)
            last = m.end()
        view.append(c)
        orig.append(last)
        space.append(False)
        parts.append(original[last:])
        self.text, self._view, self._orig, self._space = "".join(parts), view, orig, space

    def to_original(self, k: int, end: bool = False) -> int:
        """A view offset as an offset into the original text (*end*: an exclusive end offset)."""
        if self._view is None:
            return k
        if end:
            return self.to_original(k - 1) + 1 if k > 0 else 0
        i = bisect.bisect_right(self._view, k) - 1
        return self._orig[i] + (0 if self._space[i] else k - self._view[i])

    def to_view(self, o: int) -> int:
        """An offset into the original text as a view offset (inside a whitespace run: the run's space)."""
        if self._view is None:
            return o
        i = bisect.bisect_right(self._orig, o) - 1
        return self._view[i] + (0 if self._space[i] else o - self._orig[i])


def sentence_spans(doc) -> list[tuple[int, int, int, int]]:
    """(first token, end token, start char, end char) of each sentence of a Doc, read from token arrays
    (the same spans as ``doc.sents``, without building Span objects)."""
    from spacy.attrs import IDX, LENGTH, SENT_START

    n = len(doc)
    if n == 0:
        return []
    arr = doc.to_array([SENT_START, IDX, LENGTH]).tolist()
    starts = [i for i in range(n) if i == 0 or arr[i][0] == 1]
    out = []
    for k, s in enumerate(starts):
        e = starts[k + 1] if k + 1 < len(starts) else n
        out.append((s, e, arr[s][1], arr[e - 1][1] + arr[e - 1][2]))
    return out


def sentences_from_doc(doc, turn, first_index: int, bounds: list | None = None,
                       view: TextView | None = None) -> list[Sentence]:
    """Sentences of one processed turn (a spaCy Doc of ``TextView(turn.text).text``), offsets shifted into
    the document; leading and trailing whitespace is left out of each sentence.

    If *bounds* is a list, the token range of each kept sentence is appended to it.
    """
    out = []
    text = turn.text
    if view is None:
        view = TextView(text)
    for ts, te, cs, ce in sentence_spans(doc):
        cs, ce = view.to_original(cs), view.to_original(ce, end=True)
        piece = text[cs:ce]
        stripped = piece.strip()
        if not stripped:
            continue
        if len(stripped) != len(piece):
            cs += len(piece) - len(piece.lstrip())
            piece = stripped
        start = turn.start + cs
        out.append(Sentence(first_index + len(out), turn.index, turn.speaker, start, start + len(piece), piece))
        if bounds is not None:
            bounds.append((ts, te))
    return out


def split_sentences(document: Document) -> list[Sentence]:
    nlp = sentencizer_nlp()
    out: list[Sentence] = []
    views = [TextView(t.text) for t in document.turns]
    for turn, view, doc in zip(document.turns, views, nlp.pipe(v.text for v in views)):
        out.extend(sentences_from_doc(doc, turn, len(out), view=view))
    return out
