"""The sentence contract: ``spacy.blank("en")`` + ``sentencizer`` over each turn's text separately."""
from __future__ import annotations

from functools import lru_cache

from .model import Document, Sentence


@lru_cache(maxsize=1)
def sentencizer_nlp():
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


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


def sentences_from_doc(doc, turn, first_index: int, bounds: list | None = None) -> list[Sentence]:
    """Sentences of one processed turn (a spaCy Doc of ``turn.text``), offsets shifted into the document.

    If *bounds* is a list, the token range of each kept sentence is appended to it.
    """
    out = []
    text = turn.text  # == doc.text, which spaCy would rebuild token by token
    for ts, te, cs, ce in sentence_spans(doc):
        piece = text[cs:ce]
        if not piece.strip():
            continue
        start = turn.start + cs
        out.append(Sentence(first_index + len(out), turn.index, turn.speaker, start, start + len(piece), piece))
        if bounds is not None:
            bounds.append((ts, te))
    return out


def split_sentences(document: Document) -> list[Sentence]:
    nlp = sentencizer_nlp()
    out: list[Sentence] = []
    for turn, doc in zip(document.turns, nlp.pipe(t.text for t in document.turns)):
        out.extend(sentences_from_doc(doc, turn, len(out)))
    return out
