"""De-identify transcripts before they are coded or shared: stable pseudonyms, a separate key, same formats.

What is replaced (each kind numbered on its own, in order of first appearance):

* e-mail addresses -> ``Email 1``; URLs and web addresses -> ``URL 1``;
* phone numbers (UK ``07700 900123``, ``0161 496 0123``, ``+44 (0)20 7946 0958``; international ``+1 (415)
  555-0199``, ``0049 30 1234567``) -> ``Phone 1``; UK postcodes (``LS1 4AP``) -> ``Postcode 1``;
* speaker names (labels such as ``Maria Lopez:``, VTT voices) -> ``Person 1``; roles (``Interviewer``,
  ``Speaker 2``, ``P3``) are kept, so ``--skip-speaker Interviewer`` still works on the redacted files;
* names from a user list (``--names``: people, organisations, places) -> ``Person 2``, ``Organisation 1``,
  ``Place 1``; a person's first or last name on its own ("Maria", "Lopez") gets the person's pseudonym;
* optionally, named entities found by presidio-analyzer with an installed trained spaCy pipeline.

The key (CSV ``kind, original, pseudonym``) is written to its own file, outside the output folder; given
again with ``--key`` it is read first, so the same person keeps the same pseudonym across runs and batches.

Redacted files keep their format (``.txt``/``.md`` text with front matter, ``.docx`` paragraphs and tables,
``.vtt``/``.srt`` cues with their timings) and their metadata (sidecar ``NAME.meta.yaml`` and ``cases.csv``
are redacted alongside, file names too), so coding, agreement and REFI-QDA export work on them as on the
originals. Redact first, then code: offsets refer to the redacted text.

>>> r = Redactor(RedactionKey(), names=[("person", "Maria Lopez")])
>>> r.redact("Maria said: mail maria.lopez@riverside.org.uk or ring 07700 900123.")
'Person 1 said: mail Email 1 or ring Phone 1.'
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from ..errors import DataError, ToolkitError

KINDS = {"person": "Person", "organisation": "Organisation", "place": "Place", "email": "Email",
         "phone": "Phone", "url": "URL", "postcode": "Postcode"}
KIND_ALIASES = {"person": "person", "people": "person", "name": "person", "organisation": "organisation",
                "organization": "organisation", "org": "organisation", "place": "place", "location": "place"}
KEY_COLUMNS = ["kind", "original", "pseudonym"]

EMAIL_RE = re.compile(r"(?<![\w.+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_TLDS = r"(?:com|org|net|gov|edu|info|biz|io|co|uk|eu|de|fr|nl|ie|us|ca|au|nz|int|nhs|ac|sch|ltd|plc|me)"
URL_RE = re.compile(
    r"(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>\"'\]]+"
    r"|\b(?:[A-Za-z0-9-]+\.)+" + _TLDS + r"\b(?:/[^\s<>\"'\]]*)?", re.I)
# a phone number: + or 00 and a country code, or a 0 trunk prefix; groups of digits with spaces, dots, hyphens
# and brackets; 9 to 15 digits in all (checked after the match)
PHONE_RE = re.compile(r"(?<![\w+])(?:(?:\+|00)\d{1,3}[ .-]?(?:\(0\)[ .-]?)?|\(?0)[\d(][\d .()-]{5,}\d(?![\w])")
POSTCODE_RE = re.compile(r"(?<![^\W_])(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})"
                         r"(?![^\W_])", re.I)
# speaker labels that name a role, not a person: kept as they are
ROLE_RE = re.compile(r"^(?:(?:the\s+)?(?:interviewer|interviewee|facilitator|moderator|host|chair|co-?chair|"
                     r"participant|respondent|speaker|researcher|note[- ]?taker|observer|unknown|inaudible|"
                     r"all|group|several|audience|other|q|a|question|answer|r|p|i|int)(?:\s*\d+)?|"
                     r"[A-Z]{1,3}\d{1,4})$", re.I)
TITLES = {"dr", "mr", "mrs", "ms", "mx", "miss", "prof", "professor", "sir", "dame", "lord", "lady", "cllr",
          "councillor", "rev", "revd", "fr", "st"}
# a first or last name on its own is replaced only when written with a capital letter ("Will", not "will")
_WORD = r"[^\W_]"


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


@dataclass
class RedactionKey:
    """Original -> pseudonym, per kind; numbering continues from the highest pseudonym of each kind.

    ``load``/``save`` read and write the key CSV (``kind, original, pseudonym``).
    """

    entries: dict = field(default_factory=dict)   # (kind, normalised original) -> pseudonym
    originals: dict = field(default_factory=dict)  # (kind, normalised original) -> original as first seen
    path: Path | None = None
    _last: dict = field(default_factory=dict, repr=False)  # kind -> highest number given

    def pseudonym(self, kind: str, original: str) -> str:
        k = (kind, _norm(original))
        p = self.entries.get(k)
        if p is None:
            if kind not in self._last:  # numbering goes on from the highest pseudonym of the kind in the key
                self._last[kind] = max((int(v.rsplit(" ", 1)[1]) for (kk, _), v in self.entries.items()
                                        if kk == kind and v.rsplit(" ", 1)[-1].isdigit()), default=0)
            self._last[kind] += 1
            p = self.entries[k] = f"{KINDS[kind]} {self._last[kind]}"
            self.originals[k] = " ".join(original.split())
        return p

    def known(self, kind: str) -> list[str]:
        return [self.originals[k] for k in self.entries if k[0] == kind]

    @classmethod
    def load(cls, path: str | Path) -> "RedactionKey":
        path = Path(path)
        key = cls(path=path)
        if not path.exists():
            return key
        from .transcripts.text import decode, normalise

        try:
            text = normalise(decode(path.read_bytes(), path))
        except OSError as exc:
            raise DataError(f"cannot read the key ({exc.strerror or type(exc).__name__})", file=path) from None
        rows = list(csv.reader(io.StringIO(text)))
        if not rows or [c.strip().lower() for c in rows[0][:3]] != KEY_COLUMNS:
            raise DataError("a redaction key needs the columns kind, original, pseudonym", file=path, line=1)
        seen: dict[str, tuple] = {}
        for n, row in enumerate(rows[1:], start=2):
            if not any(c.strip() for c in row):
                continue
            if len(row) < 3 or not row[1].strip() or not row[2].strip():
                raise DataError("each row needs kind, original and pseudonym", file=path, line=n)
            kind = row[0].strip().lower()
            if kind not in KINDS:
                raise DataError(f"unknown kind '{row[0]}' (use {', '.join(KINDS)})", file=path, line=n, field="kind")
            pseudo = " ".join(row[2].split())
            if seen.get(pseudo, (kind,))[0] != kind:
                raise DataError(f"pseudonym '{pseudo}' is used for two kinds", file=path, line=n, field="pseudonym")
            seen[pseudo] = (kind, _norm(row[1]))
            key.entries[(kind, _norm(row[1]))] = pseudo
            key.originals[(kind, _norm(row[1]))] = " ".join(row[1].split())
        return key

    def save(self, path: str | Path) -> Path:
        from ..io import atomic_path

        with atomic_path(path) as tmp:
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                w = csv.writer(fh)
                w.writerow(KEY_COLUMNS)
                for (kind, norm), pseudo in self.entries.items():
                    w.writerow([kind, self.originals[(kind, norm)], pseudo])
        return Path(path)


def read_names(path: str | Path) -> list[tuple[str, str]]:
    """A names list: one name a line, optionally ``kind: name`` (person, organisation, place; default person);
    blank lines and ``#`` comments skipped. A ``.csv`` file may have columns ``name`` and ``kind`` instead."""
    from .transcripts.text import read_text_file

    path = Path(path)
    text = read_text_file(path)
    out: list[tuple[str, str]] = []
    if path.suffix.lower() == ".csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        if rows and "name" not in rows[0]:
            raise DataError("a names CSV needs a 'name' column (and optionally 'kind')", file=path, line=1)
        for n, row in enumerate(rows, start=2):
            name = (row.get("name") or "").strip()
            if name:
                out.append((_kind(row.get("kind") or "person", path, n), name))
        return out
    for n, line in enumerate(text.split("\n"), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        kind, sep, name = line.partition(":")
        if sep and kind.strip().lower() in KIND_ALIASES:
            out.append((KIND_ALIASES[kind.strip().lower()], name.strip()))
        else:
            out.append(("person", line))
    return [(k, n) for k, n in out if n]


def _kind(value: str, path, line) -> str:
    kind = KIND_ALIASES.get(value.strip().lower())
    if kind is None:
        raise DataError(f"unknown kind '{value}' (use person, organisation or place)", file=path, line=line,
                        field="kind")
    return kind


def is_role(label: str) -> bool:
    """True for speaker labels that name a role rather than a person (``Interviewer``, ``Speaker 2``, ``P3``)."""
    return bool(ROLE_RE.match(" ".join(label.split())))


class Redactor:
    """Finds identifiers in text and replaces them with the key's pseudonyms.

    *names*: ``(kind, name)`` pairs (speaker names are added with :meth:`add_names` as files are read);
    *entities*: an optional callable ``text -> [(kind, name), ...]`` (e.g. :func:`presidio_entities`).
    """

    def __init__(self, key: RedactionKey, names: Iterable[tuple[str, str]] = (),
                 entities: Callable[[str], list] | None = None):
        self.key = key
        self.entities = entities
        self.counts: dict[str, int] = {}
        self._names: dict[tuple[str, str], str] = {}  # (kind, normalised) -> name as given
        self._regex = None
        for kind in ("person", "organisation", "place"):
            self.add_names(kind, key.known(kind))
        for kind, name in names:
            self.add_names(kind, [name])

    def add_names(self, kind: str, names: Iterable[str]) -> None:
        for name in names:
            name = " ".join(name.split()).strip(" .,;:")
            if len(name) < 2 or (kind == "person" and is_role(name)):
                continue
            k = (kind, _norm(name))
            if k not in self._names:
                self._names[k] = name
                self._regex = None

    # -- matching --------------------------------------------------------------------------------------------
    def _compile(self):
        """One alternation of every name (longest first), words joined by any spaces, '_' or '-'; and the parts
        of people's names (first/last names, written with a capital letter) mapped to the whole name."""
        full: dict[str, tuple[str, str]] = {}
        for (kind, norm), name in self._names.items():
            full.setdefault(norm, (kind, name))
        parts: dict[str, set] = {}
        for norm, (kind, name) in full.items():
            words = [w for w in re.split(r"[\s_-]+", name) if w]
            if kind != "person" or len(words) < 2:
                continue
            for w in words:
                wn = w.casefold().strip(".")
                if len(wn) >= 2 and wn not in TITLES and wn not in full:
                    parts.setdefault(w.strip("."), set()).add(norm)

        def alternation(items):
            pats = []
            for text in sorted(items, key=len, reverse=True):
                words = [re.escape(w) for w in re.split(r"[\s_-]+", text) if w]
                pats.append(r"[ \t_-]+".join(words))  # never across a line break: labels stay on their line
            return "|".join(pats)

        self._full = full
        # a part shared by two names stands for neither: it is a name of its own (still only when capitalised)
        self._parts = {part.casefold(): (full[next(iter(owners))] if len(owners) == 1 else ("person", part))
                       for part, owners in parts.items()}
        full_re = alternation([n for _, n in full.values()])
        part_re = alternation(list(parts))
        self._regex = (re.compile(rf"(?<!{_WORD})(?:{full_re})(?!{_WORD})", re.I) if full_re else None,
                       re.compile(rf"(?<!{_WORD})(?:{part_re})(?!{_WORD})", re.I) if part_re else None)

    def spans(self, text: str) -> list[tuple[int, int, str, str]]:
        """``(start, end, kind, original)`` of every identifier, earliest first, overlaps resolved (the earlier,
        then the longer, wins)."""
        if self.entities is not None:
            for kind, name in self.entities(text):
                self.add_names(kind, [name])
        if self._regex is None:
            self._compile()
        found: list[tuple[int, int, str, str]] = []
        for kind, rx in (("email", EMAIL_RE), ("url", URL_RE)):
            for m in rx.finditer(text):
                s, e = m.start(), m.end()
                while e > s and text[e - 1] in ".,;:!?)'\"":
                    e -= 1
                found.append((s, e, kind, text[s:e]))
        for m in PHONE_RE.finditer(text):
            digits = sum(c.isdigit() for c in m.group())
            if 9 <= digits <= 15 and "  " not in m.group():
                found.append((m.start(), m.end(), "phone", m.group()))
        for m in POSTCODE_RE.finditer(text):
            if any(c.isdigit() for c in m.group()) and any(c.isalpha() for c in m.group()):
                found.append((m.start(), m.end(), "postcode", m.group()))
        full_rx, part_rx = self._regex
        if full_rx is not None:
            for m in full_rx.finditer(text):
                kind, name = self._full[_norm(re.sub(r"[\s_-]+", " ", m.group()))]
                found.append((m.start(), m.end(), kind, name))
        if part_rx is not None:
            for m in part_rx.finditer(text):
                target = self._parts.get(m.group().casefold())
                if target is not None and m.group()[:1].isupper():  # "Will" or "WILL", not "will"
                    found.append((m.start(), m.end(), *target))
        found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
        out: list[tuple[int, int, str, str]] = []
        for f in found:
            if f[1] > f[0] and (not out or f[0] >= out[-1][1]):
                out.append(f)
        return out

    def redact(self, text: str) -> str:
        """*text* with every identifier replaced by its pseudonym."""
        spans = self.spans(text)
        if not spans:
            return text
        parts = []
        last = 0
        for s, e, kind, original in spans:
            parts.append(text[last:s])
            parts.append(self.key.pseudonym(kind, original))
            self.counts[kind] = self.counts.get(kind, 0) + 1
            last = e
        parts.append(text[last:])
        return "".join(parts)

    def redact_name(self, file_name: str) -> str:
        """A file name with identifiers replaced (spaces in pseudonyms become ``_``)."""
        stem, dot, ext = file_name.rpartition(".") if "." in file_name else (file_name, "", "")
        return self.redact(stem).replace(" ", "_") + dot + ext


# -- presidio (optional) ------------------------------------------------------------------------------------
PRESIDIO_KINDS = {"PERSON": "person", "ORGANIZATION": "organisation", "ORG": "organisation", "NRP": None,
                  "LOCATION": "place", "GPE": "place"}


def presidio_entities(model: str, threshold: float = 0.5) -> Callable[[str], list]:
    """Named people, organisations and places found by presidio-analyzer with the installed spaCy pipeline
    *model* (e.g. ``en_core_web_lg``). Nothing is downloaded: a missing package or pipeline is an error."""
    import spacy

    try:
        from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
        from presidio_analyzer.nlp_engine import SpacyNlpEngine
    except ImportError:
        raise ToolkitError("named-entity redaction needs presidio-analyzer (pip install presidio-analyzer)",
                           field="--ner") from None
    if not spacy.util.is_package(model) and not Path(model).exists():
        raise ToolkitError(f"spaCy pipeline '{model}' is not installed (nothing is downloaded; install a trained "
                           "pipeline yourself)", field="--ner")
    nlp = spacy.load(model)

    class _Engine(SpacyNlpEngine):  # presidio would otherwise download its default pipeline
        def __init__(self):
            super().__init__(models=[{"lang_code": "en", "model_name": model}])
            self.nlp = {"en": nlp}

        def load(self):
            pass

    registry = RecognizerRegistry()
    registry.load_predefined_recognizers(languages=["en"])
    engine = AnalyzerEngine(nlp_engine=_Engine(), registry=registry, supported_languages=["en"])
    wanted = [k for k, v in PRESIDIO_KINDS.items() if v]

    def find(text: str) -> list[tuple[str, str]]:
        out = []
        for r in engine.analyze(text=text, language="en", entities=wanted, score_threshold=threshold):
            kind = PRESIDIO_KINDS.get(r.entity_type)
            if kind:
                out.append((kind, text[r.start:r.end]))
        return out

    return find


# -- files ----------------------------------------------------------------------------------------------------
@dataclass
class RedactionResult:
    """What :func:`redact_transcripts` wrote: ``files`` (input -> output), the key file and counts per kind."""

    files: dict
    key_path: Path
    counts: dict
    pseudonyms: int
    errors: list = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"files": {str(k): str(v) for k, v in self.files.items()}, "key": str(self.key_path),
                "replacements": self.counts, "pseudonyms": self.pseudonyms, "errors": [str(e) for e in self.errors]}


def default_key_path(out_dir: str | Path) -> Path:
    """Where the key goes when none is named: beside the output folder (never inside it)."""
    out_dir = Path(out_dir)
    return out_dir.parent / f"{out_dir.name}-key.csv"


TIMING_LINE = re.compile(r"-->")


def _redact_text(src: Path, r: Redactor) -> str:
    from .transcripts.text import read_text_file

    text = read_text_file(src)
    if src.suffix.lower() in (".vtt", ".srt"):  # cue timings stay as they are
        return "\n".join(line if TIMING_LINE.search(line) or line.startswith("WEBVTT") else r.redact(line)
                         for line in text.split("\n"))
    return r.redact(text)


def _write_docx(src: Path, dst: Path, r: Redactor) -> None:
    """A new .docx holding the redacted paragraphs and tables in document order, nothing else (no comments,
    headers, hyperlink targets or author properties that could still name someone)."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    from ..io import atomic_path

    try:
        d = docx.Document(str(src))
    except Exception as exc:  # noqa: BLE001 - a broken package of any kind
        raise DataError(f"cannot read Word file ({exc.__class__.__name__})", file=src) from None
    out = docx.Document()
    for p in list(out.paragraphs):
        p._element.getparent().remove(p._element)
    for child in d.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            out.add_paragraph(_xml_text(r.redact(Paragraph(child, d).text)))
        elif tag == "tbl":
            rows = [[_xml_text(r.redact(c.text)) for c in row.cells] for row in Table(child, d).rows]
            if rows:
                table = out.add_table(rows=len(rows), cols=max(len(x) for x in rows))
                for i, row in enumerate(rows):
                    for j, value in enumerate(row):
                        table.cell(i, j).text = value
    props = out.core_properties
    props.author = props.last_modified_by = props.title = props.comments = ""
    with atomic_path(dst) as tmp:
        out.save(str(tmp))


def _xml_text(text: str) -> str:
    from ..io import ILLEGAL_XML_CHARS, XML_REPLACEMENT

    return ILLEGAL_XML_CHARS.sub(XML_REPLACEMENT, text)  # control characters cannot go into XML


def _redact_cases(paths: list[Path], renamed: dict[str, str], r: Redactor) -> str | None:
    """The ``cases.csv`` rows of the transcripts' folders, file names mapped, other cells redacted."""
    from .transcripts.text import decode, normalise

    rows: list[dict] = []
    columns: list[str] = []
    for path in paths:
        text = normalise(decode(path.read_bytes(), path))
        reader = csv.DictReader(io.StringIO(text))
        for name in reader.fieldnames or []:
            if name not in columns:
                columns.append(name)
        for row in reader:
            key = (row.get("file") or "").strip()
            new = dict(row)
            for k, v in row.items():
                if k is None or v is None:
                    continue
                new[k] = renamed.get(key, r.redact_name(key)) if k == "file" else r.redact(v)
            new.pop(None, None)
            rows.append(new)
    if not rows:
        return None
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    w.writeheader()
    w.writerows(rows)
    return buf.getvalue()


def redact_transcripts(paths, out_dir: str | Path, names: str | Path | Iterable | None = None,
                       key: str | Path | None = None, speakers: bool = True, ner: str | None = None,
                       entities: Callable[[str], list] | None = None) -> RedactionResult:
    """Write de-identified copies of transcripts (files or folders) into *out_dir*; see the module docs.

    *names*: a names file (:func:`read_names`) or ``(kind, name)`` pairs; *key*: the key CSV, read first if
    it exists and written back with any new pseudonyms (default: :func:`default_key_path`); *speakers*:
    pseudonymise speaker names; *ner*: an installed spaCy pipeline for presidio-analyzer (optional);
    *entities*: any other ``text -> [(kind, name)]`` finder. Unreadable files are skipped and listed in
    ``errors``; if none can be read nothing is written.

    >>> res = redact_transcripts(["interviews/"], "redacted/", names="names.txt")   # doctest: +SKIP
    >>> res.key_path, res.counts                                                      # doctest: +SKIP
    """
    from ..io import atomic_path, write_text
    from .transcripts import read_transcript, transcript_paths

    out_dir = Path(out_dir)
    key_path = Path(key) if key is not None else default_key_path(out_dir)
    sources = [Path(p) for p in ([paths] if isinstance(paths, (str, Path)) else paths)]
    files = transcript_paths(sources)
    if not files:
        raise DataError("no transcripts to redact (looked for .txt .md .docx .vtt .srt)",
                        file=sources[0] if sources else None)
    out_res = out_dir.resolve()
    for src in sources:
        if src.is_dir() and src.resolve() == out_res:
            raise ToolkitError("is the input folder: redacted files go to a folder of their own (inputs are never "
                               "modified)", file=out_dir, field="-o")
    if out_res == key_path.resolve().parent or out_res in key_path.resolve().parents:
        raise ToolkitError("the key must not be written inside the output folder: keep it apart from the "
                           "redacted transcripts", file=key_path, field="--key")
    pairs = read_names(names) if isinstance(names, (str, Path)) else list(names or [])
    rkey = RedactionKey.load(key_path)
    if ner:
        entities = presidio_entities(ner)
    r = Redactor(rkey, pairs, entities)
    errors: list[ToolkitError] = []
    readable: list[Path] = []
    for src in files:
        try:
            doc = read_transcript(src)
        except ToolkitError as exc:
            exc.transcript = src
            errors.append(exc)
            continue
        readable.append(src)
        if speakers:
            r.add_names("person", [t.speaker for t in doc.turns if t.speaker])
    if not readable:
        raise DataError(f"no transcript could be read, so nothing was written ({len(errors)} file(s) skipped: "
                        + ", ".join(str(e.transcript) for e in errors) + ")")
    renamed: dict[str, str] = {}
    written: dict[Path, Path] = {}
    targets: dict[Path, Path] = {}
    for src in readable:
        dst = out_dir / r.redact_name(src.name)
        if dst.resolve() in targets:
            raise DataError(f"would be written as {dst.name}, like {targets[dst.resolve()]}; rename one", file=src)
        if dst.resolve() == src.resolve():
            raise ToolkitError("would overwrite the input file (inputs are never modified)", file=src, field="-o")
        targets[dst.resolve()] = src
        renamed[src.name], renamed[src.stem] = dst.name, dst.stem
    for src in readable:
        dst = out_dir / renamed[src.name]
        if src.suffix.lower() == ".docx":
            _write_docx(src, dst, r)
        else:
            write_text(dst, _redact_text(src, r))
        written[src] = dst
        from .transcripts.metadata import sidecar_path

        side = sidecar_path(src)
        if side is not None:
            from .transcripts.text import read_text_file

            write_text(out_dir / (dst.stem + side.name[len(src.stem):]), r.redact(read_text_file(side)))
    case_files = sorted({src.parent / "cases.csv" for src in readable if (src.parent / "cases.csv").exists()})
    if case_files:
        text = _redact_cases(case_files, renamed, r)
        if text is not None:
            with atomic_path(out_dir / "cases.csv") as tmp:
                tmp.write_text(text, encoding="utf-8")
    rkey.save(key_path)
    return RedactionResult(written, key_path, dict(r.counts), len(rkey.entries), errors)
