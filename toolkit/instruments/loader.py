"""Read an instrument YAML file into :class:`~toolkit.instruments.model.Instrument`, collecting every problem.

The format is documented in the README ("Instrument format"). ``check_instrument`` returns all problems with
file, line and field; ``load_instrument`` raises :class:`~toolkit.errors.InstrumentError` if there are any.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import InstrumentError, ToolkitError
from ..resources import instruments_dir, resolve, shipped
from .model import (AttentionCheck, Choice, Construct, ContextQuestion, Instrument, Item, Reference, ResponseScale,
                    ScalePoint, Section, codebook_ref)
from .roster import check_roster
from .yamlsrc import LineDict, LineList, load_yaml

NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
INSTRUMENT_ID_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
MIN_ITEMS = 3
REFERENTS = ("individual", "group")
SCALE_KINDS = ("likert", "frequency", "numeric", "binary")
CONTEXT_TYPES = ("text", "integer", "select_one")
CONTEXT_ROLES = ("group", "respondent", "role", "sector", "organisation")

TOP_KEYS = {"id", "title", "version", "languages", "description", "references", "response_scales", "sections",
            "context", "attention_checks", "instructions", "consent", "roster", "codebook"}
SCALE_KEYS = {"kind", "labels", "missing"}
SECTION_KEYS = {"id", "title", "intro", "constructs"}
CONSTRUCT_KEYS = {"id", "label", "definition", "source", "referent", "scale", "items", "codes"}
CODE_ID_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")  # as toolkit.coding.codebook.ID_RE
ITEM_KEYS = {"id", "text", "scale", "reverse"}
CONTEXT_KEYS = {"id", "text", "type", "choices", "role", "required"}
CHECK_KEYS = {"id", "text", "scale", "expected", "after_section"}


class _Checker:
    """Walks the parsed YAML, building model objects and recording problems instead of stopping at the first."""

    def __init__(self, path: Path):
        self.path = path
        self.problems: list[ToolkitError] = []
        self.languages: tuple[str, ...] = ("en",)
        self.ids: dict[str, str] = {}  # variable name -> field where first defined
        self.code_lines: list[tuple] = []  # (code id, construct node, field) of every construct's codes

    # -- reporting ---------------------------------------------------------------------------------
    def problem(self, message: str, node, field: str, key=None) -> None:
        line = None
        if isinstance(node, LineDict):
            line = node.key_lines.get(key, node.line) if key is not None else node.line
        elif isinstance(node, LineList):
            line = node.line
        elif isinstance(node, int):
            line = node
        self.problems.append(ToolkitError(message, file=self.path, line=line, field=field))

    def unknown_keys(self, node: LineDict, allowed: set, field: str) -> None:
        for key in node:
            if key not in allowed:
                hint = ", ".join(sorted(allowed))
                self.problem(f"unknown field '{key}' (allowed: {hint})", node, f"{field}.{key}", key)

    # -- typed getters -----------------------------------------------------------------------------
    def mapping(self, node, key, field, required=True) -> LineDict | None:
        value = node.get(key) if isinstance(node, LineDict) else None
        if value is None:
            if required:
                self.problem(f"missing required field '{key}'", node, field)
            return None
        if not isinstance(value, LineDict):
            self.problem("must be a mapping", node, field, key)
            return None
        return value

    def sequence(self, node, key, field, required=True) -> LineList:
        value = node.get(key) if isinstance(node, LineDict) else None
        if value is None:
            if required:
                self.problem(f"missing required field '{key}'", node, field)
            return LineList()
        if not isinstance(value, LineList):
            self.problem("must be a list", node, field, key)
            return LineList()
        return value

    def string(self, node, key, field, required=True, default="") -> str:
        value = node.get(key) if isinstance(node, LineDict) else None
        if value is None:
            if required:
                self.problem(f"missing required field '{key}'", node, field)
            return default
        if isinstance(value, (LineDict, LineList)):
            self.problem("must be plain text", node, field, key)
            return default
        return str(value)

    def text(self, node, key, field, required=True) -> dict[str, str]:
        """A translatable text: a plain string (single-language instruments) or ``{lang: text}``."""
        value = node.get(key) if isinstance(node, LineDict) else None
        if value is None:
            if required:
                self.problem(f"missing required field '{key}'", node, field)
            return {}
        if isinstance(value, LineDict):
            out = {}
            for lang, t in value.items():
                if lang not in self.languages:
                    self.problem(f"language '{lang}' is not in the instrument's languages "
                                 f"({', '.join(self.languages)})", value, f"{field}.{lang}", lang)
                elif t is None or str(t).strip() == "":
                    self.problem(f"empty text for language '{lang}'", value, f"{field}.{lang}", lang)
                else:
                    out[str(lang)] = str(t)
            for lang in self.languages:
                if lang not in value:
                    self.problem(f"missing translation for language '{lang}'", node, field, key)
            return out
        if isinstance(value, LineList):
            self.problem("must be text or a mapping of language to text", node, field, key)
            return {}
        if str(value).strip() == "":
            self.problem("empty text", node, field, key)
            return {}
        if len(self.languages) > 1:
            missing = ", ".join(self.languages[1:])
            self.problem(f"missing translation for language(s) {missing} (give a mapping of language to text)",
                         node, field, key)
        return {self.languages[0]: str(value)}

    def name(self, node, field, kind="id") -> str:
        value = self.string(node, "id", field)
        if value and not NAME_RE.match(value):
            self.problem(f"{kind} '{value}' must start with a letter or _ and use only letters, digits and _ "
                         "(it becomes a variable and XML element name)", node, f"{field}.id", "id")
        return value

    def unique(self, name: str, node, field: str) -> None:
        if not name:
            return
        key = name.casefold()
        if key in self.ids:
            self.problem(f"duplicate id '{name}' (first defined at {self.ids[key]})", node, f"{field}.id", "id")
        else:
            self.ids[key] = field

    # -- sections of the file ----------------------------------------------------------------------
    def scales(self, root) -> dict[str, ResponseScale]:
        node = self.mapping(root, "response_scales", "response_scales")
        out: dict[str, ResponseScale] = {}
        if node is None:
            return out
        for sid, spec in node.items():
            field = f"response_scales.{sid}"
            if not isinstance(spec, LineDict):
                self.problem("must be a mapping with 'labels'", node, field, sid)
                continue
            self.unknown_keys(spec, SCALE_KEYS, field)
            kind = self.string(spec, "kind", field, required=False, default="likert")
            if kind not in SCALE_KINDS:
                self.problem(f"unknown kind '{kind}' (use one of {', '.join(SCALE_KINDS)})", spec, f"{field}.kind",
                             "kind")
            points = self.points(spec, "labels", f"{field}.labels", required=True)
            missing = self.points(spec, "missing", f"{field}.missing", required=False)
            if 0 < len(points) < 2:
                self.problem("a response scale needs at least two labelled values", spec, f"{field}.labels", "labels")
            values = [p.value for p in points]
            for p in missing:
                if points and min(values) <= p.value <= max(values):
                    self.problem(f"missing code {p.code} lies inside the scale's range {min(values):g}-{max(values):g}",
                                 spec, f"{field}.missing", "missing")
            self.distinct_labels([(points, spec.get("labels"), "labels"), (missing, spec.get("missing"), "missing")],
                                 field)
            if points:
                out[str(sid)] = ResponseScale(str(sid), tuple(points), tuple(missing), kind)
        return out

    def distinct_labels(self, groups, field) -> None:
        """Labels must identify their value: answers are stored as labels in xlsx questionnaires."""
        seen: dict[tuple[str, str], object] = {}
        for points, node, sub in groups:
            for p in points:
                for lang, label in p.label.items():
                    key = (lang, label.strip().casefold())
                    if key in seen:
                        self.problem(f"label '{label}' is used for both {seen[key]} and {p.code}", node,
                                     f"{field}.{sub}.{p.code}", p.code)
                    else:
                        seen[key] = p.code

    def points(self, spec, key, field, required) -> list[ScalePoint]:
        node = self.mapping(spec, key, field, required=required)
        if node is None:
            return []
        out, seen = [], set()
        for value, label in node.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                self.problem(f"value '{value}' must be a number", node, f"{field}.{value}", value)
                continue
            if value in seen:
                self.problem(f"value {value} is used twice", node, f"{field}.{value}", value)
            seen.add(value)
            label_text = self.text(node, value, f"{field}.{value}")
            out.append(ScalePoint(float(value), label_text))
        return sorted(out, key=lambda p: p.value)

    def sections(self, root, scales, refs) -> list[Section]:
        out = []
        section_ids: set[str] = set()
        nodes = self.sequence(root, "sections", "sections")
        if isinstance(root, LineDict) and "sections" in root and not nodes:
            self.problem("an instrument needs at least one section", root, "sections", "sections")
        for si, snode in enumerate(nodes):
            sfield = f"sections[{si}]"
            if not isinstance(snode, LineDict):
                self.problem("must be a mapping", nodes.item_lines[si], sfield)
                continue
            self.unknown_keys(snode, SECTION_KEYS, sfield)
            sid = self.name(snode, sfield, "section id")
            if sid and sid.casefold() in section_ids:
                self.problem(f"duplicate section id '{sid}'", snode, f"{sfield}.id", "id")
            section_ids.add(sid.casefold())
            title = self.text(snode, "title", f"{sfield}.title")
            intro = self.text(snode, "intro", f"{sfield}.intro", required=False)
            constructs = []
            cnodes = self.sequence(snode, "constructs", f"{sfield}.constructs")
            for ci, cnode in enumerate(cnodes):
                c = self.construct(cnode, cnodes.item_lines[ci], f"{sfield}.constructs[{ci}]", sid, scales, refs)
                if c:
                    constructs.append(c)
            out.append(Section(sid, title, intro, tuple(constructs)))
        return out

    def construct(self, cnode, line, cfield, section, scales, refs) -> Construct | None:
        if not isinstance(cnode, LineDict):
            self.problem("must be a mapping", line, cfield)
            return None
        self.unknown_keys(cnode, CONSTRUCT_KEYS, cfield)
        cid = self.name(cnode, cfield, "construct id")
        self.unique(cid, cnode, cfield)
        label = self.text(cnode, "label", f"{cfield}.label")
        definition = self.text(cnode, "definition", f"{cfield}.definition")
        source = self.string(cnode, "source", f"{cfield}.source")
        if source and " " not in source and source not in refs:
            self.problem(f"source '{source}' is not a reference key (known: {', '.join(refs) or 'none'})",
                         cnode, f"{cfield}.source", "source")
        source = refs.get(source, source)
        referent = self.string(cnode, "referent", f"{cfield}.referent", required=False, default="individual")
        if referent not in REFERENTS:
            self.problem(f"referent must be 'individual' or 'group', not '{referent}'", cnode, f"{cfield}.referent",
                         "referent")
        default_scale = self.string(cnode, "scale", f"{cfield}.scale", required=False, default="")
        if default_scale and default_scale not in scales:
            self.problem(f"unknown response scale '{default_scale}'", cnode, f"{cfield}.scale", "scale")
        items = []
        inodes = self.sequence(cnode, "items", f"{cfield}.items")
        for ii, inode in enumerate(inodes):
            ifield = f"{cfield}.items[{ii}]"
            if not isinstance(inode, LineDict):
                self.problem("must be a mapping", inodes.item_lines[ii], ifield)
                continue
            self.unknown_keys(inode, ITEM_KEYS, ifield)
            iid = self.name(inode, ifield, "item id")
            self.unique(iid, inode, ifield)
            text = self.text(inode, "text", f"{ifield}.text")
            scale = self.string(inode, "scale", f"{ifield}.scale", required=False, default=default_scale)
            if not scale:
                self.problem("no response scale (set 'scale' on the item or its construct)", inode, f"{ifield}.scale")
            elif scale not in scales and scale != default_scale:
                self.problem(f"unknown response scale '{scale}'", inode, f"{ifield}.scale", "scale")
            reverse = inode.get("reverse", False)
            if not isinstance(reverse, bool):
                self.problem("reverse must be true or false", inode, f"{ifield}.reverse", "reverse")
                reverse = False
            items.append(Item(iid, text, cid, scale, reverse))
        if len(items) < MIN_ITEMS and isinstance(cnode.get("items"), LineList):
            self.problem(f"construct '{cid}' has {len(items)} item(s); a construct needs at least {MIN_ITEMS}",
                         cnode, f"{cfield}.items", "items")
        ranges = sorted({(scales[i.scale].min, scales[i.scale].max) for i in items if i.scale in scales})
        if len(ranges) > 1:  # the score is the mean of the items and reverse keying is (min + max) - x
            shown = ", ".join(f"{lo:g}..{hi:g}" for lo, hi in ranges)
            self.problem(f"construct '{cid}' mixes response ranges ({shown}); its items must share one range to "
                         "be averaged and reverse-keyed", cnode, f"{cfield}.items", "items")
        codes = self.code_list(cnode, cfield)
        return Construct(cid, label, definition, source, referent, section, tuple(items), codes)

    def code_list(self, cnode, cfield) -> tuple[str, ...]:
        """A construct's ``codes``: ids of codebook codes that capture it (checked against the codebook later)."""
        if "codes" not in cnode:
            return ()
        nodes = cnode["codes"]
        if not isinstance(nodes, LineList) or not all(isinstance(c, str) for c in nodes):
            self.problem("codes must be a list of code ids such as [kroll.connectedness]", cnode, f"{cfield}.codes",
                         "codes")
            return ()
        out = []
        for code in nodes:
            if not CODE_ID_RE.match(code):
                self.problem(f"'{code}' is not a code id (lower-case words joined by '.')", cnode, f"{cfield}.codes",
                             "codes")
            elif code in out:
                self.problem(f"code '{code}' is listed twice", cnode, f"{cfield}.codes", "codes")
            else:
                out.append(code)
                self.code_lines.append((code, cnode, f"{cfield}.codes"))
        return tuple(out)

    def codebook_links(self, root) -> str | None:
        """The top-level ``codebook``: it must exist and hold every code the constructs name."""
        name = self.string(root, "codebook", "codebook", required=False, default="") or None
        if name is None:
            if self.code_lines:
                code, node, fld = self.code_lines[0]
                self.problem("constructs name codes but the instrument has no 'codebook' (e.g. codebook: hls-theory)",
                             node, fld, "codes")
            return None
        from ..coding.codebook import read_codebook
        from ..resources import codebooks_dir

        try:
            cb, problems = read_codebook(resolve(codebook_ref(name, self.path), codebooks_dir(), "codebook"))
        except ToolkitError as exc:
            self.problem(f"codebook '{name}': {exc.message}", root, "codebook", "codebook")
            return name
        if problems or cb is None:
            self.problem(f"codebook '{name}' is invalid (run hls codebook check {name})", root, "codebook", "codebook")
            return name
        codable = set(cb.code_ids)
        every = {c.id for c in cb.codes}
        for code, node, fld in self.code_lines:
            if code not in every:
                self.problem(f"code '{code}' is not in codebook '{cb.id}'", node, fld, "codes")
            elif code not in codable:
                self.problem(f"code '{code}' is a category of codebook '{cb.id}' (codable: false); name its "
                             "children", node, fld, "codes")
        return name

    def context(self, root) -> list[ContextQuestion]:
        out = []
        nodes = self.sequence(root, "context", "context", required=False)
        roles_seen: dict[str, str] = {}
        for qi, qnode in enumerate(nodes):
            qfield = f"context[{qi}]"
            if not isinstance(qnode, LineDict):
                self.problem("must be a mapping", nodes.item_lines[qi], qfield)
                continue
            self.unknown_keys(qnode, CONTEXT_KEYS, qfield)
            qid = self.name(qnode, qfield, "context question id")
            self.unique(qid, qnode, qfield)
            text = self.text(qnode, "text", f"{qfield}.text")
            qtype = self.string(qnode, "type", f"{qfield}.type", required=False, default="text")
            if qtype not in CONTEXT_TYPES:
                self.problem(f"unknown type '{qtype}' (use one of {', '.join(CONTEXT_TYPES)})", qnode,
                             f"{qfield}.type", "type")
            role = qnode.get("role")
            if role is not None:
                role = str(role)
                if role not in CONTEXT_ROLES:
                    self.problem(f"unknown role '{role}' (use one of {', '.join(CONTEXT_ROLES)})", qnode,
                                 f"{qfield}.role", "role")
                elif role in roles_seen:
                    self.problem(f"role '{role}' is already given to '{roles_seen[role]}'", qnode, f"{qfield}.role",
                                 "role")
                roles_seen[role] = qid
            choices = []
            cnodes = self.sequence(qnode, "choices", f"{qfield}.choices", required=qtype == "select_one")
            for ci, cnode in enumerate(cnodes):
                cfield = f"{qfield}.choices[{ci}]"
                if not isinstance(cnode, LineDict):
                    self.problem("must be a mapping with 'value' and 'label'", cnodes.item_lines[ci], cfield)
                    continue
                value = self.string(cnode, "value", cfield)
                if value and not NAME_RE.match(value):
                    self.problem(f"choice value '{value}' must use only letters, digits and _", cnode,
                                 f"{cfield}.value", "value")
                label = self.text(cnode, "label", f"{cfield}.label")
                if value and any(ch.value == value for ch in choices):
                    self.problem(f"choice value '{value}' is used twice", cnode, f"{cfield}.value", "value")
                for lang, t in label.items():
                    if any(ch.label.get(lang, "").strip().casefold() == t.strip().casefold() for ch in choices):
                        self.problem(f"choice label '{t}' is used twice", cnode, f"{cfield}.label", "label")
                choices.append(Choice(value, label))
            required = bool(qnode.get("required", role in ("group", "respondent")))
            out.append(ContextQuestion(qid, text, qtype, tuple(choices), role, required))
        return out

    def attention(self, root, scales, section_ids) -> list[AttentionCheck]:
        out = []
        nodes = self.sequence(root, "attention_checks", "attention_checks", required=False)
        for ai, anode in enumerate(nodes):
            afield = f"attention_checks[{ai}]"
            if not isinstance(anode, LineDict):
                self.problem("must be a mapping", nodes.item_lines[ai], afield)
                continue
            self.unknown_keys(anode, CHECK_KEYS, afield)
            aid = self.name(anode, afield, "attention check id")
            self.unique(aid, anode, afield)
            text = self.text(anode, "text", f"{afield}.text")
            scale = self.string(anode, "scale", f"{afield}.scale")
            if scale and scale not in scales:
                self.problem(f"unknown response scale '{scale}'", anode, f"{afield}.scale", "scale")
            expected = anode.get("expected")
            if isinstance(expected, bool) or not isinstance(expected, (int, float)):
                self.problem("expected must be the number of the right answer", anode, f"{afield}.expected")
                expected = float("nan")
            elif scale in scales and expected not in scales[scale].values:
                self.problem(f"expected value {expected} is not on scale '{scale}'", anode, f"{afield}.expected",
                             "expected")
            after = anode.get("after_section")
            if after is not None and str(after) not in section_ids:
                self.problem(f"unknown section '{after}'", anode, f"{afield}.after_section", "after_section")
            out.append(AttentionCheck(aid, text, scale, float(expected), str(after) if after else None))
        return out

    def references(self, root) -> tuple[list[Reference], dict[str, str]]:
        refs, lookup = [], {}
        nodes = self.sequence(root, "references", "references", required=False)
        for ri, rnode in enumerate(nodes):
            rfield = f"references[{ri}]"
            if not isinstance(rnode, LineDict):
                self.problem("must be a mapping with 'key' and 'citation'", nodes.item_lines[ri], rfield)
                continue
            key = self.string(rnode, "key", f"{rfield}.key")
            citation = self.string(rnode, "citation", f"{rfield}.citation")
            if key in lookup:
                self.problem(f"duplicate reference key '{key}'", rnode, f"{rfield}.key", "key")
            lookup[key] = citation
            refs.append(Reference(key, citation))
        return refs, lookup

    def instrument(self, root) -> Instrument | None:
        if not isinstance(root, LineDict):
            self.problem("an instrument file must be a YAML mapping (id, title, version, sections, ...)", 1, "")
            return None
        self.unknown_keys(root, TOP_KEYS, "")
        iid = self.string(root, "id", "id")
        if iid and not INSTRUMENT_ID_RE.match(iid):
            self.problem(f"instrument id '{iid}' may use only letters, digits, '_', '-' and '.'", root, "id", "id")
        langs = root.get("languages", ["en"])
        if not isinstance(langs, list) or not langs or not all(isinstance(x, str) and x for x in langs):
            self.problem("languages must be a non-empty list of language codes such as [en, de]", root, "languages",
                         "languages")
        else:
            self.languages = tuple(langs)
        title = self.text(root, "title", "title")
        version = self.string(root, "version", "version")
        description = self.text(root, "description", "description", required=False)
        instructions = self.text(root, "instructions", "instructions", required=False)
        consent = self.text(root, "consent", "consent", required=False)
        refs, lookup = self.references(root)
        scales = self.scales(root)
        sections = self.sections(root, scales, lookup)
        context = self.context(root)
        checks = self.attention(root, scales, {s.id for s in sections})
        roster = check_roster(self, root, scales, lookup, {c.id for s in sections for c in s.constructs})
        codebook = self.codebook_links(root)
        return Instrument(iid, title, version, self.languages, description, tuple(refs), scales, tuple(sections),
                          tuple(context), tuple(checks), instructions, consent, str(self.path), roster, codebook)


def _parse(path: Path) -> tuple[Instrument | None, list[ToolkitError]]:
    try:
        root = load_yaml(path)
    except ToolkitError as exc:
        return None, [exc]
    checker = _Checker(path)
    inst = checker.instrument(root)
    return inst, checker.problems


def check_instrument(name_or_path: str | Path) -> list[ToolkitError]:
    """Every problem in an instrument file, each with file, line and field; an empty list means valid.

    >>> check_instrument("collective-data-use")
    []
    """
    path = resolve(name_or_path, instruments_dir(), "instrument")
    return _parse(path)[1]


def load_instrument(name_or_path: str | Path) -> Instrument:
    """Load a shipped instrument by name (``"hls-adoption"``) or a YAML file of your own.

    Raises :class:`~toolkit.errors.InstrumentError` listing every problem when the file is invalid.

    >>> inst = load_instrument("collective-data-use")
    >>> inst.constructs[0].id                       # doctest: +SKIP
    'connectedness'
    """
    if hasattr(name_or_path, "constructs"):  # already an Instrument
        return name_or_path  # type: ignore[return-value]
    path = resolve(name_or_path, instruments_dir(), "instrument")
    inst, problems = _parse(path)
    if problems or inst is None:
        raise InstrumentError(problems)
    from ..provenance import note_used

    note_used(instrument=inst)  # outputs of this run record which instrument (and version) they came from
    return inst


def list_instruments() -> list[Instrument]:
    """All shipped instruments, loaded."""
    return [load_instrument(p) for p in shipped(instruments_dir()).values()]
