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


def sentences_from_doc(doc, turn, first_index: int) -> list[Sentence]:
    """Sentences of one processed turn (a spaCy Doc of ``turn.text``), offsets shifted into the document."""
    out = []
    for sent in doc.sents:
        text = sent.text
        if not text.strip():
            continue
        start = turn.start + sent.start_char
        out.append(Sentence(first_index + len(out), turn.index, turn.speaker, start, start + len(text), text))
    return out


def split_sentences(document: Document) -> list[Sentence]:
    nlp = sentencizer_nlp()
    out: list[Sentence] = []
    for turn, doc in zip(document.turns, nlp.pipe(t.text for t in document.turns)):
        out.extend(sentences_from_doc(doc, turn, len(out)))
    return out
