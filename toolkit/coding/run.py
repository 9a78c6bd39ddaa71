"""Code transcripts against a codebook: documents stream turn by turn through ``nlp.pipe``; rows come out in
document order.

>>> import toolkit
>>> res = toolkit.code_documents(["sample_data/transcripts"], "hls-theory",      # doctest: +SKIP
...                              skip_speakers=["Interviewer"])
>>> res.codings.head()                                                            # doctest: +SKIP
"""
from __future__ import annotations

import bisect
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from ..errors import DataError, ToolkitError
from .codebook import Codebook, load_codebook
from .transcripts import READERS, Document, Turn, TurnStream, iter_streams, transcript_paths
from .transcripts.sentences import Piece, sentences_from_doc, turn_pieces

#: the codings schema (the agreement, evaluation and REFI-QDA modules rely on these names)
CODING_COLUMNS = ["document", "case", "group", "speaker", "unit", "unit_index", "start", "end", "text", "code",
                  "rule", "matched"]
#: added to every suggestion: where it came from (rule / model / both), the trained model's score (empty
#: without --trained, or for a code the model did not learn) and a memo (NVivo's per-coding memo, filled in
#: during review; exported to REFI-QDA as the coding's NoteRef). Readers accept files without them.
SUGGESTION_COLUMNS = ["source", "score", "memo"]
OUTPUT_COLUMNS = CODING_COLUMNS + SUGGESTION_COLUMNS
#: document metadata that become "case attribute" columns of the frequency tables (NVivo's case classification)
CASE_ATTRIBUTES = ("role", "sector", "partnership", "group", "organisation")
UNITS = ("sentence", "turn")
BATCH_SIZE = 256


@dataclass
class DocumentCounts:
    """One document's code counts, gathered while its units stream past (a bounded number of counters)."""

    codes: Counter = field(default_factory=Counter)        # code -> units
    speakers: dict = field(default_factory=dict)           # speaker -> Counter
    pairs: Counter = field(default_factory=Counter)        # (code_a, code_b) -> units
    coded_units: int = 0
    attributes: dict = field(default_factory=dict)         # the document's case attributes (attribute -> value)

    def add(self, speaker: str, codes: list[str]) -> None:
        """One unit that received *codes* (at least one)."""
        self.codes.update(codes)
        self.speakers.setdefault(speaker, Counter()).update(codes)
        for i, a in enumerate(codes):
            for b in codes[i:]:
                self.pairs[(a, b)] += 1
                if a != b:
                    self.pairs[(b, a)] += 1
        self.coded_units += 1


@dataclass
class CodingStats:
    """Counts accumulated while rows stream past: frequencies and co-occurrence without keeping the rows."""

    codes: list[str]
    doc_counts: dict = field(default_factory=dict)        # document -> Counter(code -> units)
    speaker_counts: dict = field(default_factory=dict)    # (document, speaker) -> Counter
    pairs: Counter = field(default_factory=Counter)       # (code_a, code_b) -> units
    documents: list = field(default_factory=list)         # per-document summary dicts
    attribute_counts: dict = field(default_factory=dict)  # (attribute, value) -> Counter
    attribute_docs: dict = field(default_factory=dict)    # (attribute, value) -> documents
    units_coded: int = 0
    words: int = 0

    def add_document(self, doc, counts: DocumentCounts, turns: int, units: int, words: int) -> None:
        """A finished document (a :class:`TurnStream`, :class:`Document` or anything with ``id``, ``case``,
        ``group`` and ``path``) and its counts; its case attributes come with the counts."""
        self.doc_counts.setdefault(doc.id, Counter()).update(counts.codes)
        for speaker, c in counts.speakers.items():
            self.speaker_counts.setdefault((doc.id, speaker), Counter()).update(c)
        self.pairs.update(counts.pairs)
        for key in counts.attributes.items():  # NVivo's matrix query by case attribute: the document's units
            self.attribute_counts.setdefault(key, Counter()).update(counts.codes)
            self.attribute_docs[key] = self.attribute_docs.get(key, 0) + 1
        self.units_coded += counts.coded_units
        self.words += words
        self.documents.append({"document": doc.id, "case": doc.case, "group": doc.group,
                               "path": str(doc.path or ""), "turns": turns, "units": units,
                               "coded_units": counts.coded_units, "words": words})

    def frequencies(self):
        """Codes x documents: number of units coded, with a total column."""
        import pandas as pd

        df = pd.DataFrame({d: {c: cnt.get(c, 0) for c in self.codes} for d, cnt in self.doc_counts.items()},
                          index=self.codes, dtype="int64")
        df.index.name = "code"
        df["total"] = df.sum(axis=1) if len(df.columns) else 0
        return df

    def attribute_frequencies(self):
        """Codes x (attribute, value): units coded in the documents of each case-attribute value (role,
        sector, partnership, ...), as NVivo's matrix coding query by case classification; columns are a
        MultiIndex (attribute, value) and ``attribute_documents`` holds the documents per value."""
        import pandas as pd

        keys = sorted(self.attribute_counts)
        df = pd.DataFrame({k: {c: self.attribute_counts[k].get(c, 0) for c in self.codes} for k in keys},
                          index=self.codes, dtype="int64")
        if keys:
            df.columns = pd.MultiIndex.from_tuples(keys, names=["attribute", "value"])
        df.index.name = "code"
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


def case_attributes(doc) -> dict[str, str]:
    """The case attributes of a document (a :class:`Document` or :class:`TurnStream`: metadata among
    :data:`CASE_ATTRIBUTES`; ``partnership`` falls back to the group column), as text."""
    md = doc.metadata or {}
    out = {}
    for a in CASE_ATTRIBUTES:
        v = md.get(a)
        if v is None and a == "partnership":
            v = doc.group or None
        if v is None or a == "group":
            continue
        out[a] = str(v)
    return out


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
    attribute_frequencies: object = None
    model: dict | None = None

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
            "attribute_frequencies": {} if self.attribute_frequencies is None else
            {c: {f"{a}={v}": n for (a, v), n in row.items()} for c, row in self.attribute_frequencies.iterrows()},
            "cooccurrence": {c: row.to_dict() for c, row in self.cooccurrence.iterrows()},
            "errors": [str(e) for e in self.errors],
        }


@dataclass
class _DocState:
    """A document being coded: where its numbering stands, its counts and rows not yet handed out."""

    stream: TurnStream
    turns: int = 0
    units: int = 0
    words: int = 0
    next_sentence: int = 0
    counts: DocumentCounts = field(default_factory=DocumentCounts)
    rows: list = field(default_factory=list)
    flushed: bool = False
    error: ToolkitError | None = None
    parts: list = field(default_factory=list)  # pieces of the current turn (turn units)


@dataclass
class _Job:
    """One piece of one turn on its way through spaCy."""

    state: _DocState
    turn: Turn
    piece: Piece
    first: bool
    last: bool


class CodingRun:
    """A streaming coding run: iterate to get ``(document, rows)`` batches in document order (a long document's
    rows come in several batches); ``stats`` fills as documents finish.

    Documents are read turn by turn (``.txt``/``.md`` files are never held whole), long turns are coded in
    pieces (:func:`~toolkit.coding.transcripts.sentences.turn_pieces`), so memory stays bounded whatever the
    size of a transcript. Unreadable files, and files that cannot be coded, are skipped and collected in
    ``errors`` (a :class:`ToolkitError` each, naming the file).
    """

    #: a document's rows are handed out when it ends, or in batches of this many while a long one runs
    flush_rows = 5000

    def __init__(self, paths_or_documents: Iterable, codebook, unit: str = "sentence",
                 skip_speakers: Iterable[str] = (), model: str | None = None, jobs: int = 1,
                 batch_size: int = BATCH_SIZE, trained=None):
        from .pipeline import Coder, build_nlp, uses_contract_sentences

        if unit not in UNITS:
            raise ToolkitError(f"unit must be one of {', '.join(UNITS)}", field="--unit")
        if jobs < 1:
            raise ToolkitError("jobs must be at least 1", field="--jobs")
        self.codebook = load_codebook(codebook)
        self.nlp = build_nlp(model)
        self.coder = Coder(self.codebook, self.nlp)
        self.trained = None
        if trained is not None:
            from .learn.trained import TrainedCoder

            self.trained = trained if isinstance(trained, TrainedCoder) else \
                TrainedCoder.load(trained, self.codebook, self.nlp)
            if unit != "sentence":
                raise ToolkitError("a trained coder codes sentences; use --unit sentence", field="--trained")
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

    def result(self, rows: list[dict]) -> CodingResult:
        """A :class:`CodingResult` from the rows collected while iterating (statistics from ``stats``)."""
        return coding_result(self, rows)

    @property
    def vetoed(self) -> int:
        """Rule matches the trained coder vetoed so far (0 without one)."""
        return 0 if self.trained is None else self.trained.vetoed

    @property
    def model_warnings(self) -> list[str]:
        return [] if self.trained is None else list(self.trained.warnings)

    def model_info(self) -> dict | None:
        """The trained coder's summary for the result (``None`` without one)."""
        if self.trained is None:
            return None
        from .learn.trained import model_summary

        return model_summary(self.trained.path, self.trained.meta, self.vetoed)

    def unmatched_skips(self) -> list[str]:
        """``skip_speakers`` names that matched no speaker of the documents coded so far (typos)."""
        return sorted(name for key, name in self._skip_names.items() if key not in self.speakers)

    # -- the stream ------------------------------------------------------------------------------------------
    def _feed(self, events: deque) -> Iterator[str]:
        """Texts for spaCy, one piece at a time; *events* gets a ``_Job`` per piece and the document ends."""
        for stream in iter_streams(self.sources, self.errors):
            state = _DocState(stream, counts=DocumentCounts(attributes=case_attributes(stream)))
            try:
                for turn in stream.turns():
                    state.turns += 1
                    state.words += len(turn.text.split())
                    self.speakers.add(turn.speaker.casefold())
                    pieces = turn_pieces(turn.text)
                    for k, piece in enumerate(pieces):
                        events.append(_Job(state, turn, piece, k == 0, k == len(pieces) - 1))
                        yield piece.view.text
            except Exception as exc:  # noqa: BLE001 - reading failed half-way: skip the file, code the others
                state.error = _cannot_code(stream, exc, "cannot be read")
            events.append(state)

    def _processed(self, events: deque) -> Iterator[tuple[object, Exception | None]]:
        """``(spaCy Doc, None)`` per piece in order, or ``(None, error)`` for a piece spaCy fails on."""
        feed = self._feed(events)
        in_flight: deque = deque()

        def tracked():
            for text in feed:
                in_flight.append(text)
                yield text

        while True:
            try:
                for sdoc in self.nlp.pipe(tracked(), batch_size=self.batch_size, n_process=self.jobs):
                    in_flight.popleft()
                    yield sdoc, None
                return
            except Exception:  # noqa: BLE001 - a batch failed: find the piece, then carry on with a new pipe
                while in_flight:
                    text = in_flight.popleft()
                    try:
                        sdoc = self.nlp(text)
                    except Exception as exc:  # noqa: BLE001
                        yield None, exc
                    else:
                        yield sdoc, None

    def __iter__(self) -> Iterator[tuple[TurnStream, list[dict]]]:
        events: deque = deque()
        for sdoc, exc in self._processed(events):
            job = events.popleft()
            while isinstance(job, _DocState):  # documents that ended before this piece (or had no turns)
                yield from self._finish(job)
                job = events.popleft()
            state = job.state
            if state.error is None:
                try:
                    if exc is not None:
                        raise exc
                    self._code(job, sdoc)
                except Exception as err:  # noqa: BLE001 - this file cannot be coded: skip it, code the others
                    state.error = _cannot_code(state.stream, err, "cannot be coded")
            if len(state.rows) >= self.flush_rows and state.error is None:
                state.flushed = True
                yield state.stream, state.rows
                state.rows = []
        while events:
            yield from self._finish(events.popleft())

    def _finish(self, state: _DocState) -> Iterator[tuple[TurnStream, list[dict]]]:
        if state.error is not None:
            if state.flushed:  # rows of its first turns are already out: say so, keep its counts
                state.error.message += f" (stopped after {state.turns} turn(s); rows for the turns before were kept)"
                self.stats.add_document(state.stream, state.counts, state.turns, state.units, state.words)
            self.errors.append(state.error)
            return
        self.stats.add_document(state.stream, state.counts, state.turns, state.units, state.words)
        if state.rows:
            yield state.stream, state.rows
        state.rows = []

    # -- coding one piece --------------------------------------------------------------------------------------
    def _code(self, job: _Job, sdoc) -> None:
        state, turn, piece = job.state, job.turn, job.piece
        skipped = turn.speaker.casefold() in self.skip
        if self.unit == "turn":
            if job.first:
                state.units += 1
                state.parts = []
            if skipped:
                return
            first_token = 0
            if piece.own:
                from spacy.attrs import IDX

                first_token = bisect.bisect_left(sdoc.to_array(IDX).tolist(), piece.own)
            state.parts.append(self.coder.code_piece(sdoc, first_token))
            if job.last:
                found = self.coder.merge(state.parts)
                state.parts = []
                if found:
                    self._rows(state, turn, [(turn.index, turn.start, turn.end, turn.text)], [found])
            return
        bounds: list = []
        if self.contract:
            sents = sentences_from_doc(sdoc, turn, state.next_sentence, bounds, piece=piece)
        else:  # a trained pipeline's own sentences differ: units are still the contract's sentences
            from .transcripts.sentences import sentencizer_nlp

            sents = sentences_from_doc(sentencizer_nlp()(piece.view.text), turn, state.next_sentence, piece=piece)
            view, base = piece.view, turn.start + piece.context
            for s in sents:
                span = sdoc.char_span(view.to_view(s.start - base), view.to_view(s.end - base - 1) + 1,
                                      alignment_mode="expand")
                bounds.append((span.start, span.end) if span is not None else (0, 0))
        state.next_sentence += len(sents)
        state.units += len(sents)
        if skipped or not sents:
            return
        found_units = self.coder.code_units(sdoc, bounds)
        if self.trained is not None:  # rule matches merged with the model's suggestions: (rules, matched,
            # source, score) per code; the model's neighbour features see the sentences of this piece (a turn
            # longer than PIECE_CHARS is scored piece by piece, so its pieces' edge sentences see one side)
            order = self.coder.order
            found_units = [{c: (sg.rules, sg.matched, sg.source, sg.score)
                            for c, sg in sorted(m.items(), key=lambda kv: order[kv[0]])}
                           for m in self.trained.code_units(self.coder, sdoc, bounds, found_units)]
        self._rows(state, turn, [(s.index, s.start, s.end, s.text) for s in sents], found_units)

    def _rows(self, state: _DocState, turn: Turn, segs: list, founds: list) -> None:
        doc = state.stream
        for (index, start, end, text), found in zip(segs, founds):
            if not found:
                continue
            state.counts.add(turn.speaker, list(found))
            for code, hit in found.items():
                rules, matched = hit[0], hit[1]
                source, score = (hit[2], hit[3]) if len(hit) > 2 else ("rule", None)
                state.rows.append({"document": doc.id, "case": doc.case, "group": doc.group,
                                   "speaker": turn.speaker, "unit": self.unit, "unit_index": index, "start": start,
                                   "end": end, "text": text, "code": code, "rule": ", ".join(rules),
                                   "matched": " | ".join(matched), "source": source,
                                   "score": None if score is None else round(score, 4), "memo": ""})


def _cannot_code(stream: TurnStream, exc: Exception, what: str) -> ToolkitError:
    """A located error for a file that fails half-way (reading or coding), naming the file."""
    where = stream.path or stream.id
    if isinstance(exc, ToolkitError):
        err = exc
    else:
        detail = " ".join(str(exc).split())[:200]
        err = DataError(f"{what} ({type(exc).__name__}{': ' + detail if detail else ''})", file=where)
    err.transcript = where
    return err


def coding_result(run, rows: list[dict]) -> CodingResult:
    """A :class:`CodingResult` from a finished run (a :class:`CodingRun`, or a
    :class:`~toolkit.coding.scale.DaskRun`: anything with ``stats``, ``codebook``, ``unit``, ``errors`` and
    ``model_info()``) and the rows it handed out."""
    import pandas as pd

    st = run.stats
    return CodingResult(
        codings=codings_frame(rows), frequencies=st.frequencies(), speaker_frequencies=st.speaker_frequencies(),
        cooccurrence=st.cooccurrence(),
        documents=pd.DataFrame(st.documents, columns=["document", "case", "group", "path", "turns", "units",
                                                      "coded_units", "words"]),
        codebook=run.codebook, unit=run.unit, errors=run.errors, attribute_frequencies=st.attribute_frequencies(),
        model=run.model_info())


def codings_frame(rows: list[dict]):
    """Rows -> DataFrame with :data:`OUTPUT_COLUMNS` and integer offsets."""
    import pandas as pd

    df = pd.DataFrame(rows, columns=OUTPUT_COLUMNS)
    df = df.astype({"unit_index": "int64", "start": "int64", "end": "int64"})
    df["score"] = pd.to_numeric(df["score"], errors="coerce").astype("float64")
    return df


def code_documents(paths_or_documents, codebook, unit: str = "sentence", skip_speakers: Iterable[str] = (),
                   model: str | None = None, jobs: int = 1, trained=None) -> CodingResult:
    """Auto-code transcripts: one row per coded unit x code (see :data:`CODING_COLUMNS`).

    Parameters
    ----------
    paths_or_documents : files, folders or :class:`Document` objects.
    codebook : a shipped codebook name, a YAML path or a loaded :class:`Codebook`.
    unit : ``"sentence"`` (the sentence contract) or ``"turn"``.
    skip_speakers : speaker names (case-insensitive) whose turns are not coded, e.g. ``["Interviewer"]``.
    model : an installed spaCy pipeline name; default: offline blank English + lookup lemmas.
    jobs : worker processes for ``nlp.pipe`` (1 is usually fastest for this cheap pipeline).
    trained : a model folder from :func:`toolkit.train_coder` (or a loaded one): rule matches and model
        suggestions are merged; every row says its ``source`` (rule / model / both) and ``score``.

    Unreadable files are skipped and listed in ``result.errors``.
    """
    run = CodingRun(paths_or_documents, codebook, unit, skip_speakers, model, jobs, trained=trained)
    rows: list[dict] = []
    for _, doc_rows in run:
        rows.extend(doc_rows)
    return run.result(rows)
