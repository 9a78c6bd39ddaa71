"""The study a report describes: its inputs, and every analysis computed once, on first use, for all sections.

A :class:`Study` is what the report's sections read. Each analysis is a cached property that calls the
public API (``toolkit.reliability``, ``toolkit.efa``, ...), so a number in the report is the API's number.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ..errors import DataError, ToolkitError

#: speakers whose talk is not coded by default (the questions of the interview)
DEFAULT_SKIP_SPEAKERS = ("Interviewer",)


@dataclass
class Qualitative:
    """Coded interviews in one shape, whatever they came from.

    ``units``: one row per unit that could be coded (interviewees' sentences): ``document, unit_index,
    speaker, text``; ``codes``: one row per coded unit x code (``document, unit_index, code``, plus ``rule``
    and ``matched`` for auto-codings); ``cases``: one row per document with its case attributes (``case``,
    ``group`` and every metadata field such as ``role``, ``sector``); ``codebook``: the codebook (may be
    ``None`` for codings read without one); ``source``: a sentence saying where the codings came from.
    """

    units: object
    codes: object
    cases: object
    codebook: object
    source: str
    auto: bool
    warnings: list = field(default_factory=list)

    def code_name(self, code: str) -> str:
        if self.codebook is not None:
            try:
                return self.codebook.code(code).name
            except KeyError:
                pass
        return code

    @property
    def code_ids(self) -> list[str]:
        """The codes to report: the codebook's codable codes (in codebook order), else the codes used."""
        used = list(dict.fromkeys(self.codes["code"]))
        if self.codebook is None:
            return sorted(used)
        ids = list(self.codebook.code_ids)
        return ids + [c for c in used if c not in ids]


@dataclass
class Study:
    """The inputs of a report; analyses are computed lazily and shared by the sections."""

    survey: Path | None = None
    instrument_ref: object = None
    group: str | None = None          # comparison groups for measurement invariance (--group)
    ordered: bool = False             # CFA and invariance on the Likert items as ordered categories (WLSMV)
    level: str | None = None          # higher-level unit for aggregation and the joint display (default: instrument)
    codings_path: Path | None = None
    transcripts: Path | None = None
    codebook_ref: object = None
    skip_speakers: tuple = DEFAULT_SKIP_SPEAKERS
    seed: int = 1
    members: Path | None = None
    edges: Path | None = None
    ran: dict = field(default_factory=dict)     # section id -> True once built (the Methods section reads it)

    # -- survey ------------------------------------------------------------------------------------
    @property
    def has_survey(self) -> bool:
        return self.survey is not None and self.instrument_ref is not None

    @cached_property
    def inst(self):
        from ..instruments.loader import load_instrument

        return load_instrument(self.instrument_ref) if self.instrument_ref is not None else None

    @cached_property
    def _survey(self):
        """``(data, validation report)`` from :func:`toolkit.read_survey`: answers recoded to the scale's codes,
        declared missing codes and invalid answers missing, every problem listed in the report."""
        from ..survey.importer import read_survey

        df, rep = read_survey([self.survey], self.inst)
        absent = [i for i in self.inst.item_ids if i not in df.columns]
        if len(absent) == len(self.inst.item_ids):
            raise DataError(f"no column is an item of instrument '{self.inst.id}'", file=self.survey)
        for col, opt in ((self.group, "--group"), (self.level, "--level")):
            if col is not None and col not in df.columns:
                shown = ", ".join(str(c) for c in df.columns if not str(c).startswith("_") and c not in
                                  self.inst.item_ids)
                raise DataError(f"column '{col}' is not in the data (other columns: {shown or 'none'})",
                                file=self.survey, field=opt)
        return df, rep

    @property
    def data(self):
        """The survey answers as codes; declared missing codes (e.g. 9 = Don't know) and invalid answers are
        missing (they are counted in :attr:`validation`)."""
        return self._survey[0]

    @property
    def validation(self):
        """The validation report of the survey (``toolkit.read_survey``)."""
        return self._survey[1]

    @cached_property
    def items(self):
        """The instrument's items with declared missing codes as NaN (what every analysis uses)."""
        from ..psychometrics.factor import select_items

        return select_items(self.data, instrument=self.inst)

    @cached_property
    def constructs(self) -> list:
        return list(self.inst.constructs)

    @cached_property
    def scores(self):
        """One column per construct: the mean of its reverse-keyed items (``toolkit.score``)."""
        from ..survey.score import score

        scored = score(self.data, self.inst)
        return scored[[c.id for c in self.constructs]]

    @property
    def level_column(self) -> str | None:
        """The column that names each respondent's partnership/team (--level, else the instrument's group)."""
        col = self.level or self.inst.group_column
        return col if col is not None and col in self.data.columns else None

    def label(self, construct_id: str) -> str:
        """A construct's label in the instrument's language (its id for unknown names)."""
        try:
            return self.inst.text(self.inst.construct(construct_id).label)
        except KeyError:
            return str(construct_id)

    @cached_property
    def reliability(self):
        from ..psychometrics.reliability import reliability

        return reliability(self.data, instrument=self.inst, ordinal=True)

    @cached_property
    def efa(self):
        from ..psychometrics.factor import efa

        return efa(self.items, n_factors="auto", method="minres", rotation="oblimin", seed=self.seed)

    @cached_property
    def cfa(self):
        """``toolkit.cfa`` of the instrument: ML (FIML with missing answers), or WLSMV on the Likert items as
        ordered categories with :attr:`ordered`."""
        from ..psychometrics.cfa import cfa

        return cfa(self.data, instrument=self.inst, ordered=True if self.ordered else None)

    @cached_property
    def invariance(self) -> list:
        """Per construct: ``(construct id, InvarianceResult or the ToolkitError that stopped it)``."""
        from ..console import progress
        from ..psychometrics.invariance import invariance

        out = []
        for c in progress(self.constructs, desc="invariance", unit="construct"):
            try:
                out.append((c.id, invariance(self.data, group=self.group, instrument=self.inst, constructs=[c.id],
                                             ordered=True if self.ordered else None)))
            except ToolkitError as exc:
                out.append((c.id, exc))
        return out

    @cached_property
    def aggregation(self):
        from ..psychometrics.aggregation import aggregate

        return aggregate(self.data, group=self.level_column, instrument=self.inst)

    # -- interviews --------------------------------------------------------------------------------
    @property
    def has_qualitative(self) -> bool:
        if self.codings_path is not None:
            return True
        linked = self.inst is not None and bool(self.inst.codebook)
        return self.transcripts is not None and (self.codebook_ref is not None or linked)

    @cached_property
    def codebook(self):
        from ..coding.codebook import load_codebook

        ref = self.codebook_ref
        if ref is None and self.inst is not None and self.inst.codebook:
            ref = self.inst.codebook_path()
        return load_codebook(ref) if ref is not None else None

    @cached_property
    def qual(self) -> Qualitative:
        if self.codings_path is not None:
            return self._read_codings()
        return self._auto_code()

    def _auto_code(self) -> Qualitative:
        import pandas as pd

        from ..coding.codings_io import load_documents
        from ..coding.run import CodingRun, transcript_paths
        from ..console import Steps

        run = CodingRun([self.transcripts], self.codebook, skip_speakers=self.skip_speakers)
        total = len(transcript_paths([self.transcripts])) if Path(self.transcripts).is_dir() else 1
        codes = []
        with Steps(total, "coding interviews") as bar:
            done = 0
            for _, rows in run:
                codes.extend((r["document"], r["unit_index"], r["code"], r["rule"], r["matched"]) for r in rows)
                while done < len(run.stats.documents):
                    bar.advance(run.stats.documents[done]["document"])
                    done += 1
        if not run.stats.documents:
            raise DataError("no transcript could be read", file=self.transcripts)
        coded_docs = [d["document"] for d in run.stats.documents]
        # the units every document has (the sentence contract the run codes on), for shares and quotes
        errors: list = []
        docs = load_documents([self.transcripts], errors)
        skip = {s.casefold() for s in self.skip_speakers}
        units, cases = [], []
        for doc_id in coded_docs:
            doc = docs.get(doc_id)
            if doc is None:
                continue
            units.extend((doc.id, s.index, s.speaker, s.text) for s in doc.sentences
                         if s.speaker.casefold() not in skip)
            cases.append(_case_row(doc))
        warnings = [f"transcript skipped: {e}" for e in run.errors]
        missed = run.unmatched_skips()
        if missed:
            warnings.append(f"no speaker called {', '.join(missed)} in the interviews (check --skip-speaker)")
        return Qualitative(
            pd.DataFrame(units, columns=["document", "unit_index", "speaker", "text"]),
            pd.DataFrame(codes, columns=["document", "unit_index", "code", "rule", "matched"]),
            pd.DataFrame(cases), run.codebook,
            f"auto-coded with codebook '{run.codebook.id}' {run.codebook.version}", True, warnings)

    def _read_codings(self) -> Qualitative:
        import pandas as pd

        from ..coding.codings_io import load_documents, read_codings, unit_table

        sets = read_codings(self.codings_path, codebook=self.codebook)
        if len(sets) != 1:
            raise DataError(f"the codings hold {len(sets)} coders ({', '.join(s.name for s in sets)}); the report "
                            "shows one coding (export one coder, or the merged coding)", file=self.codings_path)
        errors: list = []
        docs = load_documents([self.transcripts], errors) if self.transcripts is not None else {}
        table = unit_table(sets, transcripts=list(docs.values()) or None, skip_speakers=self.skip_speakers)
        units = table.units[["document", "unit_index", "speaker", "text"]].reset_index(drop=True)
        name = table.coders[0]
        pairs = table.codes[name]
        codes = pd.DataFrame([(units.at[p, "document"], int(units.at[p, "unit_index"]), c) for p, c in pairs],
                             columns=["document", "unit_index", "code"])
        codes["rule"], codes["matched"] = "", ""
        all_docs = dict(sets[0].documents)
        all_docs.update(docs)
        cases = []
        for doc_id in dict.fromkeys(units["document"]):
            doc = all_docs.get(doc_id)
            cases.append(_case_row(doc) if doc is not None else {"document": doc_id, "case": doc_id, "group": ""})
        warnings = list(table.warnings) + [f"transcript skipped: {e}" for e in errors]
        return Qualitative(units, codes, pd.DataFrame(cases), self.codebook,
                           f"codings read from {Path(self.codings_path).name}", False, warnings)

    # -- partnership networks ------------------------------------------------------------------------
    @property
    def has_network(self) -> bool:
        return self.edges is not None

    @cached_property
    def network(self):
        """``toolkit.network`` of the roster edge list (with the members file and the instrument's roster
        questions, which name the antecedent each question measures)."""
        from ..networks.analysis import network

        inst = self.inst if self.inst is not None and getattr(self.inst, "roster_questions", ()) else None
        return network(self.edges, members=self.members, instrument=inst)


def _case_row(doc) -> dict:
    row = {"document": doc.id, "case": doc.case, "group": doc.group}
    for k, v in doc.metadata.items():
        if k not in row and isinstance(v, (str, int, float)) and str(v).strip():
            row[str(k)] = str(v)
    return row
