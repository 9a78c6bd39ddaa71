"""Theory codebooks: a YAML tree of codes, each with a definition, guidance, an example and matching rules.

The format is documented in ``docs/coding.md`` ("Codebook format"). :func:`load_codebook` raises a
:class:`CodebookError` listing every structural problem with ``file:line: field``; :func:`check_codebook`
additionally compiles every spaCy pattern and verifies that each code's rules match its own example quote.

>>> cb = load_codebook("hls-theory")
>>> "kroll.deliberation_routines" in cb.code_ids
True
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import ProblemsError, ToolkitError
from ..instruments.yamlsrc import LineDict, LineList, load_yaml
from ..resources import codebooks_dir, resolve, shipped

ID_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
RULE_ID_RE = re.compile(r"^[A-Za-z0-9_.-]+$")
PHRASE_ATTRS = ("LEMMA", "LOWER", "ORTH", "NORM")
TOP_KEYS = {"id", "title", "version", "description", "negators", "hedges", "codes"}
CODE_KEYS = {"id", "name", "codable", "definition", "use_when", "dont_use_when", "example", "rules", "unless",
             "negation", "hedging", "children", "source"}
RULE_KINDS = ("phrases", "pattern", "patterns", "near")
RULE_KEYS = {"id", "attr", "window", "negation", "hedging", "ordered", *RULE_KINDS}
DEFAULT_NEGATORS = ("not", "never", "no", "n't", "without", "nobody", "nothing", "hardly", "barely", "neither",
                    "nor")
#: words that make a mention tentative; used by ``hedging: true`` (a hedge up to 3 tokens before a match)
DEFAULT_HEDGES = ("maybe", "perhaps", "possibly", "might", "may", "could", "supposedly", "allegedly",
                  "in theory", "sort of", "kind of", "arguably", "apparently")
MAX_WINDOW = 50


class CodebookError(ProblemsError):
    """A codebook is invalid; ``problems`` lists every problem found."""

    check_command = "hls codebook check"


@dataclass(frozen=True)
class Rule:
    """One matching rule of a code.

    kind ``phrases``: lemma (or LOWER/ORTH/NORM) phrase list; ``patterns``: spaCy Matcher token patterns;
    ``near``: two term lists whose members must occur within ``window`` tokens of each other in one unit.
    """

    id: str
    kind: str
    terms: tuple = ()  # phrases: tuple[str]; patterns: tuple[list[dict]]; near: (tuple[str], tuple[str])
    attr: str = "LEMMA"
    window: int = 0
    ordered: bool = False
    negation: bool = False
    line: int | None = None
    hedging: bool = False

    def to_dict(self) -> dict:
        d = {"id": self.id, "kind": self.kind}
        if self.kind == "near":
            d.update(near=[list(self.terms[0]), list(self.terms[1])], window=self.window, ordered=self.ordered)
        else:
            d[self.kind] = [list(t) if isinstance(t, tuple) else t for t in self.terms]
        if self.kind != "patterns":
            d["attr"] = self.attr
        if self.negation:
            d["negation"] = True
        if self.hedging:
            d["hedging"] = True
        return d


@dataclass(frozen=True)
class Code:
    id: str
    name: str
    parent: str | None = None
    codable: bool = True
    definition: str = ""
    use_when: str = ""
    dont_use_when: str = ""
    example: str = ""
    source: str = ""
    rules: tuple[Rule, ...] = ()
    unless: tuple[Rule, ...] = ()
    negation: bool = False
    hedging: bool = False
    depth: int = 0
    line: int | None = None
    example_line: int | None = None

    def to_dict(self) -> dict:
        return {"id": self.id, "name": self.name, "parent": self.parent, "codable": self.codable,
                "definition": self.definition, "use_when": self.use_when, "dont_use_when": self.dont_use_when,
                "example": self.example, "source": self.source, "negation": self.negation,
                "hedging": self.hedging,
                "rules": [r.to_dict() for r in self.rules], "unless": [r.to_dict() for r in self.unless]}


@dataclass(frozen=True)
class Codebook:
    id: str
    title: str
    version: str
    description: str
    codes: tuple[Code, ...]
    negators: tuple[str, ...] = DEFAULT_NEGATORS
    path: Path | None = None
    hedges: tuple[str, ...] = DEFAULT_HEDGES

    @property
    def code_ids(self) -> list[str]:
        """Ids of the codes that can be assigned (categories with ``codable: false`` excluded)."""
        return [c.id for c in self.codes if c.codable]

    def code(self, code_id: str) -> Code:
        for c in self.codes:
            if c.id == code_id:
                return c
        raise KeyError(code_id)

    def to_frame(self):
        """One row per code (categories included): id, parent, name, codable, definition, guidance, rules."""
        import pandas as pd

        rows = []
        for c in self.codes:
            rows.append({"id": c.id, "parent": c.parent or "", "name": c.name, "codable": c.codable,
                         "definition": c.definition, "use_when": c.use_when, "dont_use_when": c.dont_use_when,
                         "example": c.example, "rules": "; ".join(describe_rule(r) for r in c.rules),
                         "unless": "; ".join(describe_rule(r) for r in c.unless)})
        return pd.DataFrame(rows)

    def content_hash(self) -> str:
        """A hash of everything that decides coding (ids, rules, guidance, negators, hedges)."""
        import hashlib
        import json

        blob = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()[:16]

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "version": self.version, "description": self.description,
                "negators": list(self.negators),
                "hedges": list(self.hedges), "codes": [c.to_dict() for c in self.codes]}


def describe_rule(rule: Rule) -> str:
    """A one-line human summary of a rule (used by ``hls codebook show`` and the Codebook sheet)."""
    if rule.kind == "phrases":
        body = ", ".join(rule.terms[:8]) + (", ..." if len(rule.terms) > 8 else "")
        return f"{rule.id}: phrases[{rule.attr}] {body}"
    if rule.kind == "near":
        a = "/".join(rule.terms[0][:5]) + ("/..." if len(rule.terms[0]) > 5 else "")
        b = "/".join(rule.terms[1][:5]) + ("/..." if len(rule.terms[1]) > 5 else "")
        return f"{rule.id}: {a} within {rule.window} of {b}"
    return f"{rule.id}: {len(rule.terms)} token pattern(s)"


# -- loading --------------------------------------------------------------------------------------------
class _Reader:
    def __init__(self, path: Path):
        self.path = path
        self.problems: list[ToolkitError] = []
        self.seen: dict[str, int | None] = {}

    def problem(self, message, node=None, field=None, key=None, line=None):
        if line is None:
            if isinstance(node, LineDict):
                line = node.key_lines.get(key, node.line) if key is not None else node.line
            elif isinstance(node, LineList):
                line = node.line
        self.problems.append(ToolkitError(message, file=self.path, line=line, field=field))

    def text(self, node: LineDict, key: str, fld: str, required=False) -> str:
        value = node.get(key)
        if value is None:
            if required:
                self.problem(f"missing required field '{key}'", node, fld)
            return ""
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            self.problem("must be text", node, f"{fld}.{key}", key)
            return ""
        return str(value).strip()

    def boolean(self, node: LineDict, key: str, fld: str, default: bool) -> bool:
        value = node.get(key, default)
        if not isinstance(value, bool):
            self.problem("must be true or false", node, f"{fld}.{key}", key)
            return default
        return value

    def unknown(self, node: LineDict, allowed: set, fld: str):
        for key in node:
            if key not in allowed:
                self.problem(f"unknown field '{key}' (allowed: {', '.join(sorted(allowed))})", node,
                             f"{fld}.{key}", key)

    def string_list(self, value, node, key, fld) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not value:
            self.problem("must be a non-empty list of words or phrases", node, fld, key)
            return ()
        out = []
        lines = getattr(value, "item_lines", None)
        for i, v in enumerate(value):
            if not isinstance(v, str) or not v.strip():
                self.problem("each entry must be a non-empty word or phrase", node, f"{fld}[{i}]",
                             line=lines[i] if lines else None)
                continue
            out.append(v.strip())
        return tuple(out)

    def rule(self, node, code_id: str, n: int, fld: str) -> Rule | None:
        if not isinstance(node, LineDict):
            self.problem("each rule must be a mapping with one of: " + ", ".join(RULE_KINDS),
                         line=getattr(node, "line", None), field=fld)
            return None
        self.unknown(node, RULE_KEYS, fld)
        kinds = [k for k in RULE_KINDS if k in node]
        if len(kinds) != 1:
            self.problem(f"a rule needs exactly one of {', '.join(RULE_KINDS)} (found {len(kinds)})", node, fld)
            return None
        kind = kinds[0]
        rid = f"{code_id}#{n}"
        if "id" in node:
            if not isinstance(node["id"], str) or not RULE_ID_RE.match(node["id"]):
                self.problem("rule id must be letters, digits, '_', '.', '-'", node, f"{fld}.id", "id")
            else:
                rid = f"{code_id}/{node['id']}"
        attr = node.get("attr", "LEMMA")
        if not isinstance(attr, str) or attr.upper() not in PHRASE_ATTRS:
            self.problem(f"attr must be one of {', '.join(PHRASE_ATTRS)}", node, f"{fld}.attr", "attr")
            attr = "LEMMA"
        attr = attr.upper()
        negation = self.boolean(node, "negation", fld, False)
        hedging = self.boolean(node, "hedging", fld, False)
        line = node.key_lines.get(kind, node.line)
        if kind == "phrases":
            terms = self.string_list(node[kind], node, kind, f"{fld}.phrases")
            return Rule(rid, "phrases", terms, attr, negation=negation, line=line, hedging=hedging)
        if kind in ("pattern", "patterns"):
            value = node[kind]
            pats = [value] if kind == "pattern" else value
            if not isinstance(pats, list) or not pats:
                self.problem("must be a list of token dicts" if kind == "pattern"
                             else "must be a list of token patterns", node, f"{fld}.{kind}", kind)
                return None
            out = []
            for i, pat in enumerate(pats):
                if not isinstance(pat, list) or not pat or not all(isinstance(t, dict) for t in pat):
                    self.problem("a token pattern must be a non-empty list of token dicts, e.g. "
                                 "[{LEMMA: sit}, {LOWER: down}]", node, f"{fld}.{kind}[{i}]" if kind == "patterns"
                                 else f"{fld}.pattern", kind)
                    continue
                out.append(_plain(pat))
            return Rule(rid, "patterns", tuple(out), attr, negation=negation, line=line, hedging=hedging)
        # near
        value = node["near"]
        if not isinstance(value, list) or len(value) != 2:
            self.problem("near must be a list of two term lists: [[a, b], [c, d]]", node, f"{fld}.near", "near")
            return None
        a = self.string_list(value[0], node, "near", f"{fld}.near[0]")
        b = self.string_list(value[1], node, "near", f"{fld}.near[1]")
        window = node.get("window", 5)
        if not isinstance(window, int) or isinstance(window, bool) or not 1 <= window <= MAX_WINDOW:
            self.problem(f"window must be a whole number of tokens from 1 to {MAX_WINDOW}", node,
                         f"{fld}.window", "window")
            window = 5
        ordered = self.boolean(node, "ordered", fld, False)
        if not a or not b:
            return None
        return Rule(rid, "near", (a, b), attr, window, ordered, negation, line, hedging)

    def rules(self, node: LineDict, key: str, code_id: str, fld: str) -> tuple[Rule, ...]:
        value = node.get(key)
        if value is None:
            return ()
        if not isinstance(value, LineList):
            self.problem("must be a list of rules", node, f"{fld}.{key}", key)
            return ()
        out = []
        for i, item in enumerate(value):
            r = self.rule(item, code_id, i + 1 if key == "rules" else f"unless{i + 1}", f"{fld}.{key}[{i}]")
            if r is not None:
                out.append(r)
        return tuple(out)

    def code(self, node, parent: str | None, depth: int, fld: str, out: list[Code]) -> None:
        if not isinstance(node, LineDict):
            self.problem("each code must be a mapping", line=getattr(node, "line", None), field=fld)
            return
        self.unknown(node, CODE_KEYS, fld)
        cid = self.text(node, "id", fld, required=True)
        if cid:
            fld = cid
            if not ID_RE.match(cid):
                self.problem("code id must be lower-case words joined by '.' (e.g. kroll.connectedness)", node,
                             f"{cid}.id", "id")
            if cid in self.seen:
                self.problem(f"duplicate code id '{cid}' (first defined on line {self.seen[cid]})", node,
                             f"{cid}.id", "id")
            self.seen.setdefault(cid, node.key_lines.get("id", node.line))
        name = self.text(node, "name", fld, required=True)
        codable = self.boolean(node, "codable", fld, True)
        definition = self.text(node, "definition", fld, required=codable)
        negation = self.boolean(node, "negation", fld, False)
        hedging = self.boolean(node, "hedging", fld, False)
        code = Code(id=cid or fld, name=name, parent=parent, codable=codable, definition=definition,
                    use_when=self.text(node, "use_when", fld), dont_use_when=self.text(node, "dont_use_when", fld),
                    example=self.text(node, "example", fld), source=self.text(node, "source", fld),
                    rules=self.rules(node, "rules", cid or fld, fld), unless=self.rules(node, "unless", cid or fld, fld),
                    negation=negation, hedging=hedging, depth=depth, line=node.line, example_line=node.key_lines.get("example"))
        if code.rules and not codable:
            self.problem("a category (codable: false) cannot have rules", node, f"{fld}.rules", "rules")
        out.append(code)
        children = node.get("children")
        if children is not None:
            if not isinstance(children, LineList):
                self.problem("children must be a list of codes", node, f"{fld}.children", "children")
                return
            for i, child in enumerate(children):
                self.code(child, cid or fld, depth + 1, f"{fld}.children[{i}]", out)

    def codebook(self, data) -> Codebook | None:
        if not isinstance(data, LineDict):
            self.problem("a codebook file must be a mapping with 'id', 'title' and 'codes'", line=1)
            return None
        self.unknown(data, TOP_KEYS, "codebook")
        cid = self.text(data, "id", "codebook", required=True)
        negators = DEFAULT_NEGATORS
        if "negators" in data:
            negators = tuple(t.lower() for t in self.string_list(data["negators"], data, "negators", "negators"))
        hedges = DEFAULT_HEDGES
        if "hedges" in data:
            hedges = tuple(t.lower() for t in self.string_list(data["hedges"], data, "hedges", "hedges"))
        codes: list[Code] = []
        nodes = data.get("codes")
        if not isinstance(nodes, LineList) or not nodes:
            self.problem("'codes' must be a non-empty list", data, "codes", "codes")
        else:
            for i, node in enumerate(nodes):
                self.code(node, None, 0, f"codes[{i}]", codes)
        return Codebook(cid or self.path.stem, self.text(data, "title", "codebook") or cid,
                        self.text(data, "version", "codebook"), self.text(data, "description", "codebook"),
                        tuple(codes), negators, self.path, hedges)


def _plain(obj):
    """LineDict/LineList -> plain dict/list (spaCy wants ordinary containers); keys upper-cased where spaCy
    expects attribute names is left to spaCy's validation."""
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    return obj


def read_codebook(path: str | Path) -> tuple[Codebook | None, list[ToolkitError]]:
    """Parse a codebook file; returns the codebook (possibly partial) and the structural problems."""
    path = Path(path)
    reader = _Reader(path)
    data = load_yaml(path)
    cb = reader.codebook(data)
    return cb, reader.problems


def load_codebook(name_or_path: str | Path) -> Codebook:
    """Load a shipped codebook by name (``"hls-theory"``) or a codebook YAML file.

    Raises :class:`CodebookError` (a :class:`~toolkit.errors.ToolkitError`) listing every problem with file,
    line and field. Pattern syntax and example quotes are checked by :func:`check_codebook`.
    """
    if isinstance(name_or_path, Codebook):
        return name_or_path
    path = resolve(name_or_path, codebooks_dir(), "codebook")
    cb, problems = read_codebook(path)
    if problems:
        raise CodebookError(problems)
    from ..provenance import note_used

    note_used(codebook=cb)  # outputs of this run record which codebook (and version) they came from
    return cb


def list_codebooks() -> list[dict]:
    """Shipped codebooks: name, title, number of codes, path."""
    out = []
    for name, path in shipped(codebooks_dir()).items():
        try:
            cb = load_codebook(path)
            out.append({"name": name, "title": cb.title, "version": cb.version, "codes": len(cb.code_ids),
                        "path": str(path)})
        except ToolkitError as exc:
            out.append({"name": name, "title": f"(invalid: {exc})", "version": "", "codes": 0, "path": str(path)})
    return out


NO_RULES = "no rules yet: add phrases or patterns before auto-coding ('hls code run' cannot suggest this code)"


def check_codebook(name_or_path: str | Path, nlp=None) -> list[ToolkitError]:
    """Every problem in a codebook: structure, duplicate ids, invalid spaCy patterns, unmatched examples, and
    codable codes without rules (a codebook imported from a REFI ``.qdc`` has none until you add them).

    Returns a list of :class:`~toolkit.errors.ToolkitError` (empty when the codebook is sound).
    """
    path = resolve(name_or_path, codebooks_dir(), "codebook")
    try:
        cb, problems = read_codebook(path)
    except ToolkitError as exc:
        return [exc]
    if cb is None:
        return problems
    from .pipeline import Coder, pattern_problems

    pat_problems = pattern_problems(cb)
    problems.extend(pat_problems)
    bad_rules = {p.location.field for p in pat_problems}
    if nlp is None:
        from .pipeline import build_nlp

        nlp = build_nlp()
    coder = Coder(cb, nlp, skip_invalid=True)
    for code in cb.codes:
        if not code.codable:
            continue
        if not code.rules:  # e.g. every code of a codebook imported from a REFI .qdc
            problems.append(ToolkitError(NO_RULES, file=path, line=code.line, field=f"{code.id}.rules"))
            continue
        if not code.example:
            problems.append(ToolkitError("no example quote to test the rules on", file=path, line=code.line,
                                         field=f"{code.id}.example"))
            continue
        if any(f and f.startswith(code.id + ".") for f in bad_rules):
            continue  # already reported as an invalid pattern
        if code.id not in coder.codes_in(code.example):
            problems.append(ToolkitError("the code's rules do not match its own example quote",
                                         file=path, line=code.example_line or code.line, field=f"{code.id}.example"))
    return sorted(problems, key=lambda e: (e.location.line or 0))
