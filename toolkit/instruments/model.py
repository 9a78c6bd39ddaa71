"""Typed, immutable objects for a questionnaire: instrument, sections, constructs, items, response scales.

Built by :mod:`toolkit.instruments.loader` from YAML; every form writer and analysis reads these.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

Text = Mapping[str, str]  # language code -> text


def text_in(text: Text, lang: str | None, fallback: str | None = None) -> str:
    """The text in *lang*, else in *fallback*, else any language."""
    if not text:
        return ""
    if lang and lang in text:
        return text[lang]
    if fallback and fallback in text:
        return text[fallback]
    return next(iter(text.values()))


@dataclass(frozen=True)
class ScalePoint:
    value: float
    label: Text

    @property
    def code(self) -> int | float:
        """The value as an int when it is whole (1 rather than 1.0)."""
        return int(self.value) if float(self.value).is_integer() else self.value


@dataclass(frozen=True)
class ResponseScale:
    """Ordered response options with numeric values; ``missing`` holds codes such as "Don't know" = 9."""

    id: str
    points: tuple[ScalePoint, ...]
    missing: tuple[ScalePoint, ...] = ()
    kind: str = "likert"  # likert | frequency | numeric | binary

    @property
    def min(self) -> float:
        return min(p.value for p in self.points)

    @property
    def max(self) -> float:
        return max(p.value for p in self.points)

    @property
    def n_options(self) -> int:
        return len(self.points)

    @property
    def values(self) -> tuple:
        return tuple(p.code for p in self.points)

    @property
    def missing_values(self) -> tuple:
        return tuple(p.code for p in self.missing)

    def label_map(self, lang: str | None = None, include_missing: bool = True) -> dict[str, float | None]:
        """Map each label (any language, case-folded) to its value; missing codes' labels map to None."""
        out: dict[str, float | None] = {}
        for p in self.points:
            for t in p.label.values():
                out[t.strip().casefold()] = p.code
        if include_missing:
            for p in self.missing:
                for t in p.label.values():
                    out[t.strip().casefold()] = None
        return out


@dataclass(frozen=True)
class Item:
    id: str
    text: Text
    construct: str
    scale: str
    reverse: bool = False


@dataclass(frozen=True)
class Construct:
    id: str
    label: Text
    definition: Text
    source: str  # citation (or reference key resolved to its citation)
    referent: str  # "individual" | "group"
    section: str
    items: tuple[Item, ...]
    #: ids of the codes (in the instrument's ``codebook``) that capture this construct in interviews: the one
    #: declaration of the construct <-> code link the report's joint display uses
    codes: tuple[str, ...] = ()

    @property
    def item_ids(self) -> list[str]:
        return [i.id for i in self.items]

    @property
    def reversed_items(self) -> list[str]:
        return [i.id for i in self.items if i.reverse]


@dataclass(frozen=True)
class Section:
    id: str
    title: Text
    intro: Text
    constructs: tuple[Construct, ...]


@dataclass(frozen=True)
class Choice:
    value: str
    label: Text


@dataclass(frozen=True)
class ContextQuestion:
    """A background question (role, sector, organisation, group id).

    ``role`` marks special columns: ``group`` (the partnership/team id used for aggregation) or
    ``respondent`` (the respondent id).
    """

    id: str
    text: Text
    type: str  # text | integer | select_one
    choices: tuple[Choice, ...] = ()
    role: str | None = None
    required: bool = False


@dataclass(frozen=True)
class AttentionCheck:
    """An instructed-response item ("please answer 'Agree' here"); ``expected`` is the right value."""

    id: str
    text: Text
    scale: str
    expected: float
    after_section: str | None = None


@dataclass(frozen=True)
class RosterQuestion:
    """A sociometric (roster) question, answered by each member about every other member of the partnership.

    ``scale`` is a binary or frequency response scale whose lowest value (0) means "no tie"; ``antecedent`` names
    what the network measures (a construct id of the instrument or one of Kroll's antecedents); ``source`` is
    the resolved citation of the measure the question follows.
    """

    id: str
    text: Text
    scale: str
    antecedent: str
    source: str = ""


@dataclass(frozen=True)
class Roster:
    """The roster block of an instrument: a title and intro for the grid, and its questions in order."""

    title: Text
    intro: Text
    questions: tuple[RosterQuestion, ...]

    @property
    def ids(self) -> list[str]:
        return [q.id for q in self.questions]


@dataclass(frozen=True)
class Reference:
    key: str
    citation: str


@dataclass(frozen=True)
class Instrument:
    id: str
    title: Text
    version: str
    languages: tuple[str, ...]
    description: Text
    references: tuple[Reference, ...]
    scales: Mapping[str, ResponseScale]
    sections: tuple[Section, ...]
    context: tuple[ContextQuestion, ...] = ()
    attention_checks: tuple[AttentionCheck, ...] = ()
    instructions: Text = field(default_factory=dict)
    consent: Text = field(default_factory=dict)
    source_path: str | None = None
    roster: Roster | None = None
    #: the codebook whose code ids the constructs' ``codes`` name (a shipped name or a path)
    codebook: str | None = None

    @property
    def roster_questions(self) -> tuple[RosterQuestion, ...]:
        """The roster (sociometric) questions; empty when the instrument has none."""
        return self.roster.questions if self.roster else ()

    @property
    def default_language(self) -> str:
        return self.languages[0]

    @property
    def constructs(self) -> list[Construct]:
        return [c for s in self.sections for c in s.constructs]

    @property
    def items(self) -> list[Item]:
        return [i for c in self.constructs for i in c.items]

    @property
    def item_ids(self) -> list[str]:
        return [i.id for i in self.items]

    def item(self, item_id: str) -> Item:
        for i in self.items:
            if i.id == item_id:
                return i
        raise KeyError(item_id)

    def construct(self, construct_id: str) -> Construct:
        for c in self.constructs:
            if c.id == construct_id:
                return c
        raise KeyError(construct_id)

    def scale_of(self, item_id: str) -> ResponseScale:
        return self.scales[self.item(item_id).scale]

    def context_by_role(self, role: str) -> ContextQuestion | None:
        return next((q for q in self.context if q.role == role), None)

    @property
    def group_column(self) -> str | None:
        q = self.context_by_role("group")
        return q.id if q else None

    @property
    def respondent_column(self) -> str:
        q = self.context_by_role("respondent")
        return q.id if q else "respondent_id"

    def text(self, text: Text, lang: str | None = None) -> str:
        return text_in(text, lang or self.default_language, self.default_language)

    @property
    def code_links(self) -> dict[str, tuple[str, ...]]:
        """``{construct id: (code id, ...)}`` for the constructs linked to codes of :attr:`codebook`."""
        return {c.id: c.codes for c in self.constructs if c.codes}

    def codebook_path(self):
        """Where :attr:`codebook` is: a shipped name, or a path relative to the instrument file (or as given)."""
        return codebook_ref(self.codebook, self.source_path) if self.codebook else None

    def scales_spec(self) -> dict[str, dict]:
        """``{construct: {"items": [...], "reversed": [...], "min": m, "max": M}}`` for scoring and reliability."""
        out = {}
        for c in self.constructs:
            scales = [self.scales[i.scale] for i in c.items]
            out[c.id] = {
                "items": c.item_ids,
                "reversed": c.reversed_items,
                "min": min(s.min for s in scales),
                "max": max(s.max for s in scales),
            }
        return out


def codebook_ref(name: str, instrument_path=None):
    """An instrument's ``codebook``: a shipped codebook name as given, a ``.yaml`` path relative to the
    instrument file when one is there, else the path as given."""
    from pathlib import Path

    p = Path(name)
    if p.suffix.lower() not in (".yaml", ".yml"):
        return name
    if not p.is_absolute() and instrument_path:
        beside = Path(instrument_path).parent / p
        if beside.exists():
            return beside
    return p
