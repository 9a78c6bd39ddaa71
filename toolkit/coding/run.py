"""Code transcripts against a codebook: documents stream through ``nlp.pipe``; rows come out per document.

>>> import toolkit
>>> res = toolkit.code_documents(["sample_data/transcripts"], "hls-theory",      # doctest: +SKIP
...                              skip_speakers=["Interviewer"])
>>> res.codings.head()                                                            # doctest: +SKIP
"""
from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from ..errors import ToolkitError
from .codebook import Codebook, load_codebook
from .transcripts import READERS, Document, Sentence, iter_documents, transcript_paths

#: the codings schema (the agreement, evaluation and REFI-QDA modules rely on these names)
CODING_COLUMNS = ["document", "case", "group", "speaker", "unit", "unit_index", "start", "end", "text", "code",
                  "rule", "matched"]
UNITS = ("sentence", "turn")
BATCH_SIZE = 256


@dataclass
class CodingStats:
    """Counts accumulated while rows stream past: frequencies and co-occurrence without keeping the rows."""

    codes: list[str]
    doc_counts: dict = field(default_factory=dict)        # document -> Counter(code -> units)
    speaker_counts: dict = field(default_factory=dict)    # (document, speaker) -> Counter
    pairs: Counter = field(default_factory=Counter)       # (code_a, code_b) -> units
    documents: list = field(default_factory=list)         # per-document summary dicts
    units_coded: int = 0
    words: int = 0

    def add_document(self, doc: Document, units: int, coded: list[tuple[str, list[str]]]) -> None:
        """*coded*: (speaker, [codes]) for every unit that received at least one code."""
        dc = self.doc_counts.setdefault(doc.id, Counter())
        for speaker, codes in coded:
            dc.update(codes)
            self.speaker_counts.setdefault((doc.id, speaker), Counter()).update(codes)
            for i, a in enumerate(codes):
                for b in codes[i:]:
                    self.pairs[(a, b)] += 1
                    if a != b:
                        self.pairs[(b, a)] += 1
        self.units_coded += len(coded)
        words = doc.words
        self.words += words
        self.documents.append({"document": doc.id, "case": doc.case, "group": doc.group,
                               "path": str(doc.path or ""), "turns": len(doc.turns), "units": units,
                               "coded_units": len(coded), "words": words})

    def frequencies(self):
        """Codes x documents: number of units coded, with a total column."""
        import pandas as pd

        df = pd.DataFrame({d: {c: cnt.get(c, 0) for c in self.codes} for d, cnt in self.doc_counts.items()},
                          index=self.codes, dtype="int64")
        df.index.name = "code"
        df["total"] = df.sum(axis=1) if len(df.columns) else 0
        return df

    def speaker_frequencies(self):
        """Codes x (document: speaker): number of units coded."""
        import pandas as pd

        cols = {f"{d}: {s}" if s else d: {c: cnt.get(c, 0) for c in self.codes}
                for (d, s), cnt in self.speaker_counts.items()}
        df = pd.DataFrame(cols, index=self.codes, dtype="int64")
        df.index.name = "code"
        return df

    def cooccurrence(self):
        """Codes x codes: units holding both codes (diagonal = units holding the code)."""
        import pandas as pd

        df = pd.DataFrame(0, index=self.codes, columns=self.codes, dtype="int64")
        for (a, b), n in self.pairs.items():
            df.loc[a, b] = n
        df.index.name = "code"
        return df


@dataclass
class CodingResult:
    """Everything ``code_documents`` produces; ``to_dict()`` is the ``--json`` output."""

    codings: object  # DataFrame with CODING_COLUMNS
    frequencies: object
    speaker_frequencies: object
    cooccurrence: object
    documents: object
    codebook: Codebook
    unit: str
    errors: list = field(default_factory=list)

    def write_review(self, path) -> Path:
        """The review workbook: codings with accept / reject / recode drop-downs, frequencies, co-occurrence
        and the codebook; fold the decisions back in with :func:`toolkit.apply_review`."""
        from .outputs import write_review_workbook

        return write_review_workbook(path, self)

    def to_dict(self) -> dict:
        return {
            "codebook": self.codebook.id, "unit": self.unit,
            "documents": self.documents.to_dict(orient="records"),
            "codings": self.codings.to_dict(orient="records"),
            "frequencies": {c: row.to_dict() for c, row in self.frequencies.iterrows()},
            "speaker_frequencies": {c: row.to_dict() for c, row in self.speaker_frequencies.iterrows()},
            "cooccurrence": {c: row.to_dict() for c, row in self.cooccurrence.iterrows()},
            "errors": [str(e) for e in self.errors],
        }


class CodingRun:
    """A streaming coding run: iterate to get ``(document, rows)`` per document; ``stats`` fills as you go.

    Unreadable files are skipped and collected in ``errors`` (a :class:`ToolkitError` each).
    """

    def __init__(self, paths_or_documents: Iterable, codebook, unit: str = "sentence",
                 skip_speakers: Iterable[str] = (), model: str | None = None, jobs: int = 1,
                 batch_size: int = BATCH_SIZE):
        from .pipeline import Coder, build_nlp, uses_contract_sentences

        if unit not in UNITS:
            raise ToolkitError(f"unit must be one of {', '.join(UNITS)}", field="--unit")
        if jobs < 1:
            raise ToolkitError("jobs must be at least 1", field="--jobs")
        self.codebook = load_codebook(codebook)
        self.nlp = build_nlp(model)
        self.coder = Coder(self.codebook, self.nlp)
        self.contract = uses_contract_sentences(self.nlp)
        self.unit = unit
        self._skip_names = {s.strip().casefold(): s.strip() for s in skip_speakers}
        self.skip = set(self._skip_names)
        self.jobs = jobs
        self.batch_size = batch_size
        if isinstance(paths_or_documents, (str, Path, Document)):
            paths_or_documents = [paths_or_documents]
        self.sources = list(paths_or_documents)
        for src in self.sources:
            if not isinstance(src, Document) and Path(src).is_dir() and not transcript_paths([src]):
                raise ToolkitError(f"no transcripts in this folder (looked for {', '.join(READERS)})", file=src)
        self.errors: list[ToolkitError] = []
        self.stats = CodingStats(self.codebook.code_ids)
        self.speakers: set[str] = set()  # casefolded speaker names seen, to spot a mistyped --skip-speaker

    def unmatched_skips(self) -> list[str]:
        """``skip_speakers`` names that matched no speaker of the documents coded so far (typos)."""
        return sorted(name for key, name in self._skip_names.items() if key not in self.speakers)

    def _turns(self, pending: deque) -> Iterator:
        from .transcripts.sentences import TextView

        for doc in iter_documents(self.sources, self.errors):
            views = [TextView(t.text) for t in doc.turns]  # line breaks, tabs, double spaces -> one space
            pending.append((doc, views))
            for turn, view in zip(doc.turns, views):
                yield view.text, (id(doc), turn.index)

    def __iter__(self) -> Iterator[tuple[Document, list[dict]]]:
        pending: deque = deque()
        stream = self.nlp.pipe(self._turns(pending), as_tuples=True, batch_size=self.batch_size,
                               n_process=self.jobs)
        current: list = []  # spaCy docs of the front document's turns
        for sdoc, (doc_key, turn_index) in stream:
            while pending and id(pending[0][0]) != doc_key:  # finished documents (incl. ones without turns)
                yield self._finish(*pending.popleft(), current)
                current = []
            current.append(sdoc)
        while pending:
            yield self._finish(*pending.popleft(), current)
            current = []

    def _finish(self, doc: Document, views: list, sdocs: list) -> tuple[Document, list[dict]]:
        from .transcripts.sentences import sentences_from_doc

        if len(sdocs) != len(doc.turns):  # pragma: no cover - defensive
            raise RuntimeError(f"internal error: {doc.id}: {len(sdocs)} processed turns for {len(doc.turns)}")
        token_bounds: dict[int, list] = {}  # turn index -> token range of each sentence, when known
        if self.contract and doc._sentences is None:
            sents: list[Sentence] = []
            for turn, view, sdoc in zip(doc.turns, views, sdocs):
                sents.extend(sentences_from_doc(sdoc, turn, len(sents), token_bounds.setdefault(turn.index, []),
                                                view))
            doc.set_sentences(sents)
        self.speakers.update(t.speaker.casefold() for t in doc.turns)
        rows: list[dict] = []
        coded: list[tuple[str, list[str]]] = []
        units = 0
        by_turn: dict[int, list[Sentence]] = {}
        if self.unit == "sentence":
            for s in doc.sentences:
                by_turn.setdefault(s.turn, []).append(s)
        for turn, view, sdoc in zip(doc.turns, views, sdocs):
            if self.unit == "turn":
                segs = [(turn.index, turn.start, turn.end, turn.text)]
            else:
                segs = [(s.index, s.start, s.end, s.text) for s in by_turn.get(turn.index, [])]
            units += len(segs)
            if turn.speaker.casefold() in self.skip or not segs:
                continue
            if self.unit == "turn":
                bounds = [(0, len(sdoc))]
            elif turn.index in token_bounds:
                bounds = token_bounds[turn.index]
            else:
                bounds = []
                for _, start, end, _ in segs:
                    span = sdoc.char_span(view.to_view(start - turn.start), view.to_view(end - turn.start - 1) + 1,
                                          alignment_mode="expand")
                    bounds.append((span.start, span.end) if span is not None else (0, 0))
            for (index, start, end, text), found in zip(segs, self.coder.code_units(sdoc, bounds)):
                if not found:
                    continue
                coded.append((turn.speaker, list(found)))
                for code, (rules, matched) in found.items():
                    rows.append({"document": doc.id, "case": doc.case, "group": doc.group, "speaker": turn.speaker,
                                 "unit": self.unit, "unit_index": index, "start": start, "end": end, "text": text,
                                 "code": code, "rule": ", ".join(rules), "matched": " | ".join(matched)})
        self.stats.add_document(doc, units, coded)
        return doc, rows


def code_documents(paths_or_documents, codebook, unit: str = "sentence", skip_speakers: Iterable[str] = (),
                   model: str | None = None, jobs: int = 1) -> CodingResult:
    """Auto-code transcripts: one row per coded unit x code (see :data:`CODING_COLUMNS`).

    Parameters
    ----------
    paths_or_documents : files, folders or :class:`Document` objects.
    codebook : a shipped codebook name, a YAML path or a loaded :class:`Codebook`.
    unit : ``"sentence"`` (the sentence contract) or ``"turn"``.
    skip_speakers : speaker names (case-insensitive) whose turns are not coded, e.g. ``["Interviewer"]``.
    model : an installed spaCy pipeline name; default: offline blank English + lookup lemmas.
    jobs : worker processes for ``nlp.pipe`` (1 is usually fastest for this cheap pipeline).

    Unreadable files are skipped and listed in ``result.errors``.
    """
    import pandas as pd

    run = CodingRun(paths_or_documents, codebook, unit, skip_speakers, model, jobs)
    rows: list[dict] = []
    for _, doc_rows in run:
        rows.extend(doc_rows)
    return CodingResult(
        codings=pd.DataFrame(rows, columns=CODING_COLUMNS).astype({"unit_index": "int64", "start": "int64",
                                                                    "end": "int64"}),
        frequencies=run.stats.frequencies(), speaker_frequencies=run.stats.speaker_frequencies(),
        cooccurrence=run.stats.cooccurrence(),
        documents=pd.DataFrame(run.stats.documents, columns=["document", "case", "group", "path", "turns", "units",
                                                             "coded_units", "words"]),
        codebook=run.codebook, unit=unit, errors=run.errors)
