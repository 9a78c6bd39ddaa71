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
from dataclasses import dataclass
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


#: a turn longer than this (characters) is coded in pieces: spaCy refuses texts over ``nlp.max_length``
#: (1,000,000, error E088) and its memory grows with the text it holds at once
PIECE_CHARS = 20_000
#: text of the previous piece processed again before a piece, so a rule match that runs across the cut is found
CONTEXT_CHARS = 1_000
_LAST_SPACE = re.compile(r"\s(?=\S)")


@dataclass(frozen=True)
class Piece:
    """A stretch ``[start, end)`` of a turn's text coded as one spaCy Doc.

    spaCy sees ``text[context:end]``: the stretch ``[context, start)`` repeats the end of the previous piece
    (up to :data:`CONTEXT_CHARS`, starting after a space) so matches across the cut are found; units that
    start there belong to the previous piece. ``view`` is that text as spaCy sees it (see :class:`TextView`),
    ``own`` the view offset where this piece's own text begins.
    """

    start: int
    end: int
    context: int
    view: TextView
    own: int


def turn_pieces(text: str, limit: int | None = None) -> list[Piece]:
    """Cut a turn's text into pieces of at most *limit* characters (default :data:`PIECE_CHARS`).

    A cut falls at the start of a sentence (as the sentencizer finds it, after a space), so a piece boundary
    never cuts a sentence; only a sentence longer than the limit is cut, at its last space (or, with no
    space at all, at the limit). Sentences of the pieces are exactly the sentences of the whole turn.
    """
    limit = limit or PIECE_CHARS
    if len(text) <= limit:
        view = TextView(text)
        return [Piece(0, len(text), 0, view, 0)]
    nlp = sentencizer_nlp()
    cuts = [0]
    pos = 0
    while len(text) - pos > limit:
        window = text[pos:pos + limit]
        view = TextView(window)
        cut = 0
        for _, _, cs, _ in reversed(sentence_spans(nlp(view.text))):
            if cs > 0 and view.text[cs - 1] == " ":
                cut = view.to_original(cs)
                break
        if cut <= 0:  # one sentence longer than the limit: cut at its last space
            last = None
            for last in _LAST_SPACE.finditer(window):
                pass
            cut = last.end() if last is not None else limit
        pos += cut
        cuts.append(pos)
    cuts.append(len(text))
    out = []
    for start, end in zip(cuts, cuts[1:]):
        context = start
        if start > 0 and text[start - 1].isspace():  # (a cut inside a word gets no context)
            m = _LAST_SPACE.search(text, max(0, start - CONTEXT_CHARS), start)
            context = m.end() if m is not None and m.end() < start else start
        view = TextView(text[context:end])
        out.append(Piece(start, end, context, view, view.to_view(start - context)))
    return out


def sentences_from_doc(doc, turn, first_index: int, bounds: list | None = None,
                       view: TextView | None = None, piece: Piece | None = None) -> list[Sentence]:
    """Sentences of one processed turn (a spaCy Doc of ``TextView(turn.text).text``) or of one *piece* of it
    (a Doc of ``piece.view.text``), offsets shifted into the document; leading and trailing whitespace is
    left out of each sentence. Sentences starting in a piece's context belong to the previous piece.

    If *bounds* is a list, the token range of each kept sentence is appended to it.
    """
    out = []
    text = turn.text
    base = own = 0
    if piece is not None:
        view, base, own = piece.view, piece.context, piece.own
    elif view is None:
        view = TextView(text)
    idx = None
    for ts, te, cs, ce in sentence_spans(doc):
        if cs < own:  # in the context: the previous piece's, or the rest of a sentence cut at a space
            if ce <= own:
                continue
            if idx is None:
                from spacy.attrs import IDX

                idx = doc.to_array(IDX).tolist()
            cs, ts = own, bisect.bisect_left(idx, own)
        cs, ce = base + view.to_original(cs), base + view.to_original(ce, end=True)
        piece_text = text[cs:ce]
        stripped = piece_text.strip()
        if not stripped:
            continue
        if len(stripped) != len(piece_text):
            cs += len(piece_text) - len(piece_text.lstrip())
            piece_text = stripped
        start = turn.start + cs
        out.append(Sentence(first_index + len(out), turn.index, turn.speaker, start, start + len(piece_text),
                            piece_text))
        if bounds is not None:
            bounds.append((ts, te))
    return out


def turn_sentences(turn, first_index: int, nlp=None) -> list[Sentence]:
    """The contract's sentences of one turn (in pieces when it is long), numbered from *first_index*."""
    nlp = nlp or sentencizer_nlp()
    out: list[Sentence] = []
    pieces = turn_pieces(turn.text)
    for piece, doc in zip(pieces, nlp.pipe(p.view.text for p in pieces)):
        out.extend(sentences_from_doc(doc, turn, first_index + len(out), piece=piece))
    return out


def split_sentences(document: Document) -> list[Sentence]:
    nlp = sentencizer_nlp()
    items = [(turn, piece) for turn in document.turns for piece in turn_pieces(turn.text)]
    out: list[Sentence] = []
    for (turn, piece), doc in zip(items, nlp.pipe(p.view.text for _, p in items)):
        out.extend(sentences_from_doc(doc, turn, len(out), piece=piece))
    return out
