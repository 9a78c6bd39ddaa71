"""REFI-QDA projects (``.qdpx``): export our codings with their sources, read codings made in other tools.

A ``.qdpx`` is a zip holding ``project.qde`` (XML, root ``Project`` in namespace
``urn:QDA-XML:project:1.0``) and a flat ``sources/`` folder (REFI-QDA 1.5, sections 5.3 and 8). We write:

* one ``TextSource`` per transcript whose plain text is the document's normalised text
  (``Document.text``: UTF-8, ``\\n`` line ends, no BOM) stored as ``sources/<guid>.txt``;
* one ``PlainTextSelection`` per coder and span, ``startPosition``/``endPosition`` = Unicode code-point
  offsets (end exclusive, section 10.2), holding one ``Coding`` + ``CodeRef`` per code; a coding's
  ``memo`` becomes a project ``Note`` the coding points to with ``NoteRef`` (and the selection's
  ``Description``), and is read back from either;
* one ``User`` per coder (the auto-coder, reviewers, gold coders), the codebook as hierarchical ``Codes``
  with descriptions, one ``Case`` per interview with its variables (role, group, ...) and one per
  partnership (``group``) referring to its interviews.

Every GUID is a ``uuid5`` of a readable key, so the same input always gives byte-identical XML.

>>> from toolkit.coding.refi import read_qdpx
>>> project = read_qdpx("team.qdpx")                  # doctest: +SKIP
>>> project.codings.groupby("coder").size()           # doctest: +SKIP
"""
from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import DataError
from ...io import atomic_path
from .common import ORIGIN, PROJECT_NS, code_guid, guid
from .qdc import RefiCode, assign_ids, codes_element, parse_codes
from .safety import Limits, SafeZip, current_limits, iter_xml

DEFAULT_CODER = "hls auto-coder"
#: zip timestamp used for every member so exports are byte-reproducible
ZIP_DATE = (2020, 1, 1, 0, 0, 0)
SKIP_VARIABLES = ("title",)


# -- writing ------------------------------------------------------------------------------------------------
def project_xml(codings, codebook, documents: list, name: str = "hls-toolkit project", description: str | None = None):
    """The ``project.qde`` for *codings* (frame: document, start, end, code[, coder]) on *documents*, as an
    iterator of UTF-8 byte chunks (``b"".join(...)`` for the whole file). *description* becomes the project's
    ``Description`` (where it came from)."""
    docs = {d.id: d for d in documents}
    coders = _coders(codings)
    users = {c: guid("user", c) for c in coders}
    root = ET.Element("Project", {"xmlns": PROJECT_NS, "name": name, "origin": ORIGIN})
    if users:
        root.set("creatingUserGUID", next(iter(users.values())))
        users_el = ET.SubElement(root, "Users")
        for coder, g in users.items():
            ET.SubElement(users_el, "User", {"guid": g, "name": coder})
    cb_el = ET.SubElement(root, "CodeBook")
    cb_el.append(codes_element(codebook))

    # variables from the documents' metadata (case attributes), plus the source-level variables that carry each
    # source's case and group on the TextSource itself (see SOURCE_VARIABLES)
    keys = sorted({k for d in documents for k, v in d.metadata.items()
                   if k not in SKIP_VARIABLES and isinstance(v, (str, int, float)) and str(v) != ""})
    var_guid = {k: guid("variable", k) for k in keys}
    source_vars = source_variable_names(keys, any(d.group for d in documents))
    if keys or source_vars:
        vars_el = ET.SubElement(root, "Variables")
        for k in keys:
            ET.SubElement(vars_el, "Variable", {"guid": var_guid[k], "name": k, "typeOfVariable": "Text"})
        for what, name in source_vars.items():
            var_el = ET.SubElement(vars_el, "Variable", {"guid": guid("source-variable", what), "name": name,
                                                          "typeOfVariable": "Text"})
            ET.SubElement(var_el, "Description").text = SOURCE_VARIABLES[what]
    cases: dict[str, list] = {}
    for d in documents:
        cases.setdefault(d.case, []).append(d)
    if cases:
        cases_el = ET.SubElement(root, "Cases")
        for case, members in cases.items():
            case_el = ET.SubElement(cases_el, "Case", {"guid": guid("case", case), "name": case})
            values: dict[str, str] = {}
            for d in members:
                for k in keys:
                    v = d.metadata.get(k)
                    if v not in (None, "") and k not in values:
                        values[k] = str(v)
            for k, v in values.items():
                vv = ET.SubElement(case_el, "VariableValue")
                ET.SubElement(vv, "VariableRef", {"targetGUID": var_guid[k]})
                ET.SubElement(vv, "TextValue").text = v
            for d in members:
                ET.SubElement(case_el, "SourceRef", {"targetGUID": guid("source", d.id)})
        # one case per partnership (the documents' ``group``) too, so a team can compare partnerships
        groups: dict[str, list] = {}
        for d in documents:
            if d.group:
                groups.setdefault(d.group, []).append(d)
        for group, members in groups.items():
            case_el = ET.SubElement(cases_el, "Case", {"guid": guid("group-case", group), "name": group})
            if "group" in var_guid:
                vv = ET.SubElement(case_el, "VariableValue")
                ET.SubElement(vv, "VariableRef", {"targetGUID": var_guid["group"]})
                ET.SubElement(vv, "TextValue").text = group
            for d in members:
                ET.SubElement(case_el, "SourceRef", {"targetGUID": guid("source", d.id)})

    spans, memos = _spans(codings, docs)
    yield from _chunks(root, documents, spans, users, codebook, source_vars, description, memos)


#: variables written on every TextSource (REFI allows VariableValue there): the case it belongs to and its group.
#: Tools that ignore ``SourceRef`` inside ``Case`` (QualCoder) keep these as the file's attributes, so the
#: source still says which case it is.
SOURCE_VARIABLES = {"case": "The case (interview) this source belongs to; the Case element lists its sources too.",
                    "group": "The group (partnership) of this source's case."}


def source_variable_names(keys, with_group: bool) -> dict:
    """``{"case": name, "group": name}``: ``case`` / ``case group``, made distinct from the case variables (a tool
    that meets one variable on cases and on sources may treat it as a case variable only)."""
    taken = set(keys)
    out = {}
    for what, name in (("case", "case"), ("group", "case group")):
        if what == "group" and not with_group:
            continue
        while name in taken:
            name += " (source)"
        taken.add(name)
        out[what] = name
    return out


def _chunks(root, documents, spans, users, codebook, source_vars=None, description=None, memos=None):
    """Serialise the head once, then one ``TextSource`` at a time (memory flat in the number of codings)."""
    ET.indent(root)
    head = ET.tostring(root, encoding="unicode")
    close = "</Project>"
    if head.endswith(" />"):  # an empty root would serialise self-closed
        head = head[:-3] + ">"
    else:
        head = head[: -len(close)].rstrip("\n")
    yield (b'<?xml version="1.0" encoding="UTF-8"?>\n' + head.encode("utf-8") + b"\n  <Sources>\n")
    memos = memos or {}
    notes: list[tuple[str, str, str, str]] = []  # (note guid, name, text, user)
    for d in documents:
        sg = guid("source", d.id)
        src = ET.Element("TextSource", {"guid": sg, "name": d.id, "plainTextPath": f"internal://{sg}.txt"})
        for (coder, start, end), codes in spans.get(d.id, {}).items():
            sel = ET.SubElement(src, "PlainTextSelection", {
                "guid": guid("selection", d.id, coder, start, end), "name": _snippet(d.text[start:end]),
                "startPosition": str(start), "endPosition": str(end), "creatingUser": users[coder]})
            texts = [memos[(d.id, coder, start, end, c)] for c in codes if (d.id, coder, start, end, c) in memos]
            if texts:
                ET.SubElement(sel, "Description").text = "\n\n".join(texts)
            for code in codes:
                cg = guid("coding", d.id, coder, start, end, code)
                c_el = ET.SubElement(sel, "Coding", {"guid": cg, "creatingUser": users[coder]})
                ET.SubElement(c_el, "CodeRef", {"targetGUID": code_guid(codebook.id, code)})
                memo = memos.get((d.id, coder, start, end, code))
                if memo:
                    ng = guid("note", cg)
                    ET.SubElement(c_el, "NoteRef", {"targetGUID": ng})
                    notes.append((ng, f"Memo: {code} in {d.id} {start}-{end}", memo, users[coder]))
        for what, value in (("case", d.case), ("group", d.group)):  # the schema puts them after the selections
            if source_vars and what in source_vars and value:
                vv = ET.SubElement(src, "VariableValue")
                ET.SubElement(vv, "VariableRef", {"targetGUID": guid("source-variable", what)})
                ET.SubElement(vv, "TextValue").text = str(value)
        ET.indent(src, level=2)
        yield b"    " + ET.tostring(src, encoding="unicode").encode("utf-8") + b"\n"
    tail = b"  </Sources>\n"
    if notes:  # the schema puts Notes after Sources and before the project's Description
        notes_el = ET.Element("Notes")
        for ng, name, text, user in notes:
            note = ET.SubElement(notes_el, "Note", {"guid": ng, "name": name, "creatingUser": user})
            ET.SubElement(note, "PlainTextContent").text = text
        ET.indent(notes_el, level=1)
        tail += b"  " + ET.tostring(notes_el, encoding="unicode").encode("utf-8") + b"\n"
    if description:
        from xml.sax.saxutils import escape

        tail += b"  <Description>" + escape(description).encode("utf-8") + b"</Description>\n"
    yield tail + b"</Project>"


def _coders(codings) -> list[str]:
    if codings is None or len(codings) == 0:
        return [DEFAULT_CODER]
    if "coder" in codings.columns:
        return list(dict.fromkeys(str(c) for c in codings["coder"].fillna(DEFAULT_CODER)))
    return [DEFAULT_CODER]


def _snippet(text: str, n: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _spans(codings, docs: dict) -> tuple[dict, dict]:
    """document -> {(coder, start, end): [codes]} in a stable order, offsets checked against the text; and
    (document, coder, start, end, code) -> memo for codings with a memo."""
    out: dict[str, dict] = {}
    memos: dict[tuple, str] = {}
    if codings is None or len(codings) == 0:
        return out, memos
    rows = codings.sort_values(["document", "start", "end", "code"], kind="stable")
    coder_col = rows["coder"].tolist() if "coder" in rows.columns else [None] * len(rows)
    memo_col = rows["memo"].tolist() if "memo" in rows.columns else [None] * len(rows)
    for n, doc_id, start, end, code, coder, memo in zip(rows.index.tolist(), rows["document"].astype(str).tolist(),
                                                         rows["start"].tolist(), rows["end"].tolist(),
                                                         rows["code"].astype(str).tolist(), coder_col, memo_col):
        doc = docs.get(doc_id)
        row = int(n) + 2 if isinstance(n, int) else None
        if doc is None:
            raise DataError(f"no transcript for document '{doc_id}' (pass the transcripts folder)",
                            line=row, field="document", kind="row")
        start, end = int(start), int(end)
        if not 0 <= start <= end <= len(doc.text):
            raise DataError(f"offsets {start}-{end} fall outside document '{doc.id}' ({len(doc.text)} characters)",
                            line=row, field="start", kind="row")
        coder = DEFAULT_CODER if coder is None or coder != coder else str(coder)
        codes = out.setdefault(doc.id, {}).setdefault((coder, start, end), [])
        if code not in codes:
            codes.append(code)
        if memo is not None and memo == memo and str(memo).strip():
            memos[(doc.id, coder, start, end, code)] = str(memo).strip()
    return out, memos


def write_qdpx(codings, codebook, documents, path: str | Path, name: str | None = None) -> Path:
    """Write a REFI ``.qdpx`` project: sources, users, codebook, cases with variables, codings.

    *codings*: frame with ``document, start, end, code`` (and ``coder`` if several people coded);
    *codebook*: a Codebook or its name/path; *documents*: :class:`~toolkit.coding.transcripts.Document`
    objects (or transcript paths/folders) for every coded document. Codes must exist in the codebook.
    """
    from ..codebook import load_codebook
    from ..transcripts import iter_documents

    codebook = load_codebook(codebook)
    documents = list(iter_documents(documents))
    if not documents:
        raise DataError("no documents to export (a REFI project needs at least one source)", field="--transcripts")
    known = set(codebook.code_ids)
    if codings is not None and len(codings):
        unknown = sorted(set(map(str, codings["code"])) - known)
        if unknown:
            raise DataError(f"code(s) not in codebook '{codebook.id}': {', '.join(unknown[:5])}"
                            + (" ..." if len(unknown) > 5 else ""), field="code")
    from ...provenance import as_lines, complete

    path = Path(path)
    record = complete({"codebook": f"{codebook.id} {codebook.version}" if getattr(codebook, "version", None)
                       else codebook.id})
    # the project's name and description never depend on the output file's name: same inputs, same bytes
    chunks = project_xml(codings, codebook, documents, name or f"{codebook.id} project",
                         description="Written by hls-toolkit.\n" + "\n".join(as_lines(record)))
    with atomic_path(path) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
            with z.open(_info("project.qde"), "w") as fh:
                for chunk in chunks:
                    fh.write(chunk)
            for d in documents:
                _add(z, f"sources/{guid('source', d.id)}.txt", d.text.encode("utf-8"))
    return path


def _info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _add(z: zipfile.ZipFile, name: str, data: bytes):
    z.writestr(_info(name), data)


# -- reading ------------------------------------------------------------------------------------------------
@dataclass
class QdpxSource:
    guid: str
    name: str
    text: str
    origin: str  # where the text came from: "plain text", "PlainTextContent", "docx (plain text empty)", ""
    metadata: dict = field(default_factory=dict)
    missing: str = ""  # without text: the archive member (or path) that should have held it


@dataclass
class QdpxProject:
    """What a ``.qdpx`` holds that the toolkit uses; ``warnings`` lists everything that could not be read."""

    path: Path
    name: str
    origin: str
    users: dict[str, str]
    codes: list[RefiCode]
    sources: list[QdpxSource]
    codings: object  # DataFrame: document, coder, code, code_name, start, end, text
    warnings: list[str] = field(default_factory=list)

    @property
    def coders(self) -> list[str]:
        return list(dict.fromkeys(self.codings["coder"])) if len(self.codings) else []

    def documents(self) -> list:
        """The text sources as :class:`~toolkit.coding.transcripts.Document` (turns parsed from the text)."""
        from ..transcripts.model import Document
        from ..transcripts.text import parse_turns

        return [Document(s.name, None, s.text, parse_turns(s.text), dict(s.metadata)) for s in self.sources]

    def for_coder(self, coder: str):
        return self.codings[self.codings["coder"] == coder].reset_index(drop=True)


def read_qdpx(path: str | Path, codebook=None, limits: Limits | None = None) -> QdpxProject:
    """Read users, codes, text sources, cases and text codings from a REFI ``.qdpx`` (untrusted input).

    Code ids: our GUIDs when *codebook* (or the ``Code id:`` line of our descriptions) identifies them,
    else dotted slugs of the code path. A source whose plain text is missing or empty falls back to the
    text of its ``.docx`` (NVivo exports do this); a note is added to ``warnings``.
    """
    import pandas as pd

    path = Path(path)
    ns = PROJECT_NS
    q = lambda tag: f"{{{ns}}}{tag}"  # noqa: E731
    other_kinds = {q(k): k for k in ("PictureSource", "PDFSource", "AudioSource", "VideoSource")}
    warnings: list[str] = []
    users: dict[str, str] = {}
    var_names: dict[str, str] = {}
    case_meta: dict[str, dict] = {}
    codes: list[RefiCode] = []
    by_guid: dict[str, RefiCode] = {}
    sources: list[QdpxSource] = []
    rows: list[dict] = []
    names_seen: dict[str, int] = {}
    others: dict[str, int] = {}
    notes: dict[str, str] = {}
    root = None
    limits = limits or current_limits()
    with SafeZip(path, limits) as z:
        qde = z.find("project.qde")
        if qde is None:
            raise DataError("no project.qde in the archive (is this a REFI-QDA .qdpx project?)", file=path)
        # streamed: each TextSource is handled and cleared at its end tag (the schema puts Users, CodeBook,
        # Variables and Cases before Sources)
        for event, el in iter_xml(z.read(qde), f"{path}!project.qde", limits):
            if event == "start":
                if root is None:
                    root = el
                    if root.tag != q("Project"):
                        raise DataError(f"not a REFI-QDA project: root element is '{root.tag}', expected "
                                        f"'Project' in namespace {ns}", file=path)
                continue
            tag = el.tag
            if tag == q("User"):
                users[_g(el.get("guid"))] = el.get("name") or el.get("id") or _g(el.get("guid"))
            elif tag == q("CodeBook"):
                codes = assign_ids(parse_codes(el.find(q("Codes")), ns), codebook)
                by_guid = {c.guid: c for c in codes}
                el.clear()
            elif tag == q("Variable"):
                var_names[_g(el.get("guid"))] = el.get("name") or ""
            elif tag == q("Case"):
                _case_metadata(el, q, var_names, case_meta)
                el.clear()
            elif tag == q("Note"):
                content = el.find(q("PlainTextContent"))
                if content is not None and content.text:
                    notes[_g(el.get("guid"))] = content.text
                el.clear()
            elif tag == q("TextSource"):
                _text_source(el, z, q, root, users, by_guid, case_meta, var_names, names_seen, sources, rows,
                             warnings, limits)
                el.clear()
            elif tag in other_kinds:
                others[other_kinds[tag]] = others.get(other_kinds[tag], 0) + 1
                el.clear()
    for kind, n in others.items():
        warnings.append(f"{n} {kind}(s) ignored: only text sources are read")
    for r in rows:  # Notes follow Sources in the file: resolve each coding's NoteRefs now
        refs = r.pop("note_refs", ())
        texts = [notes[g] for g in refs if g in notes]
        r["memo"] = "\n\n".join(texts) if texts else r.pop("description", "") or ""
        r.pop("description", None)
    cols = ["document", "coder", "code", "code_name", "start", "end", "text", "memo"]
    codings = pd.DataFrame(rows, columns=cols)
    if not len(codings):
        warnings.append("the project holds no text codings")
    return QdpxProject(path, root.get("name") or path.stem, root.get("origin") or "", users, codes, sources,
                       codings, warnings)


def _text_source(src, z, q, root, users, by_guid, case_meta, var_names, names_seen, sources, rows, warnings,
                 limits):
    """Read one ``TextSource``: its text (plain, inline or .docx fallback, line ends normalised to ``\n``), its
    variables and its positioned codings (positions moved onto the normalised text, see :func:`position_map`)."""
    sg = _g(src.get("guid"))
    name = src.get("name") or sg
    if name in names_seen:
        names_seen[name] += 1
        name = f"{name} ({names_seen[name]})"
    else:
        names_seen[name] = 1
    raw, origin = _source_text(z, src, q, name, warnings, limits)
    text, where = position_map(raw, crlf_counts_two=not counts_line_end_once(root.get("origin")))
    missing = ""
    if not text:
        uri = src.get("plainTextPath") or src.get("richTextPath") or ""
        missing = "sources/" + uri[len("internal://"):] if uri.lower().startswith("internal://") else uri
    metadata = dict(case_meta.get(sg, {}))
    own = {guid("source-variable", what): what for what in SOURCE_VARIABLES}
    for vv in src.findall(q("VariableValue")):  # document variables (MAXQDA) and our case/group variables
        ref = vv.find(q("VariableRef"))
        value_el = next((c for c in vv if c is not ref), None)
        if ref is None or value_el is None or value_el.text is None:
            continue
        target = _g(ref.get("targetGUID"))
        metadata.setdefault(own.get(target) or var_names.get(target, target), value_el.text)
    sources.append(QdpxSource(sg, name, text, origin, metadata, (missing or "(no text given)") if not text else ""))
    default_user = _g(root.get("creatingUserGUID"))
    for sel in src.findall(q("PlainTextSelection")):
        try:
            start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
        except (TypeError, ValueError):
            warnings.append(f"{name}: selection {sel.get('guid')} has no valid positions; skipped")
            continue
        if not 0 <= start <= end or (raw and end > len(where) - 1):
            warnings.append(f"{name}: selection {start}-{end} lies outside the text ({len(where) - 1} characters); "
                            "skipped")
            continue
        if raw:  # without the text (a missing member) positions stay as exported, for --transcripts to place
            start, end = where[start], where[end]
        sel_user = _g(sel.get("creatingUser")) or default_user
        desc_el = sel.find(q("Description"))
        description = desc_el.text or "" if desc_el is not None else ""
        n_codings = len(sel.findall(q("Coding")))
        for coding in sel.findall(q("Coding")):
            ref = coding.find(q("CodeRef"))
            code = by_guid.get(_g(ref.get("targetGUID"))) if ref is not None else None
            if code is None:
                warnings.append(f"{name}: coding {coding.get('guid')} refers to an unknown code; skipped")
                continue
            user = _g(coding.get("creatingUser")) or sel_user
            rows.append({"document": name, "coder": users.get(user, user or "unknown"), "code": code.id,
                         "code_name": code.name, "start": start, "end": end, "text": text[start:end],
                         "note_refs": [_g(n.get("targetGUID")) for n in coding.findall(q("NoteRef"))],
                         # a selection's Description is its coding's memo when it holds one coding
                         "description": description if n_codings == 1 else ""})
    whole = len(src.findall(q("Coding")))
    if whole:
        warnings.append(f"{name}: {whole} coding(s) of the whole source ignored (no position)")


def _g(value: str | None) -> str:
    return (value or "").strip().strip("{}").lower()


def _case_metadata(case, q, var_names: dict, out: dict) -> None:
    """Add ``{"case": name, variable: value, ...}`` for every source the ``Case`` refers to, into *out*.

    A ``Case`` without a name (MAXQDA and Quirkos write them) only carries variables of its one source."""
    meta = {"case": case.get("name")} if case.get("name") else {}
    for vv in case.findall(q("VariableValue")):
        ref = vv.find(q("VariableRef"))
        value_el = next((c for c in vv if c is not ref), None)
        if ref is not None and value_el is not None and value_el.text is not None:
            meta[var_names.get(_g(ref.get("targetGUID")), _g(ref.get("targetGUID")))] = value_el.text
    for sr in case.findall(q("SourceRef")):
        src = out.setdefault(_g(sr.get("targetGUID")), {})
        case_name = src.get("case", meta.get("case"))  # a source in several cases (interview, partnership): first
        src.update(meta)
        if case_name is not None:
            src["case"] = case_name


def counts_line_end_once(origin: str | None) -> bool:
    """True for projects whose positions count a ``\r\n`` line end as ONE character although the source file
    stores two: ATLAS.ti does this (QualCoder's importer, ``refi.py``, special-cases origin "ATLAS" the same way).
    Other tools (MAXQDA, NVivo for Windows) count the characters of the file as stored."""
    return "atlas" in (origin or "").lower()


def position_map(raw: str, crlf_counts_two: bool = True) -> tuple[str, list[int]]:
    """``(text, where)``: *raw* with line ends normalised to ``\n`` and composed to NFC (as our transcripts are),
    and ``where[p]`` = the position in *text* of position *p* as the exporting tool counted it.

    With *crlf_counts_two* positions count every code point of *raw* (``\r\n`` = 2); otherwise each ``\r\n``
    counts once (ATLAS.ti). ``where`` has one entry more than the counted text, for end positions.
    """
    import unicodedata

    from ..transcripts.text import normalise

    base = raw if crlf_counts_two else raw.replace("\r\n", "\n")
    if "\r" not in base and unicodedata.is_normalized("NFC", base):
        return base, range(len(base) + 1)  # the common case: nothing moves
    out: list[str] = []
    where = [0] * (len(base) + 1)
    n, i, size = 0, 0, len(base)
    while i < size:
        ch = base[i]
        if ch == "\r":
            where[i] = n
            out.append("\n")
            n += 1
            if i + 1 < size and base[i + 1] == "\n":
                where[i + 1] = n
                i += 2
            else:
                i += 1
            continue
        j = i + 1
        while j < size and unicodedata.combining(base[j]):
            j += 1
        seg = unicodedata.normalize("NFC", base[i:j])
        for k in range(i, j):
            where[k] = n + min(k - i, len(seg))
        out.append(seg)
        n += len(seg)
        i = j
    where[size] = n
    text = "".join(out)
    if text != normalise(base):  # a composition across segments (rare scripts): keep line ends only
        lf = base.replace("\r\n", "\n").replace("\r", "\n")
        if len(lf) == len(base):
            return lf, range(len(base) + 1)
        return position_map(lf, True)[0], _lf_only_map(base)
    return text, where


def _lf_only_map(base: str) -> list[int]:
    where, n, i = [0] * (len(base) + 1), 0, 0
    while i < len(base):
        where[i] = n
        if base[i] == "\r" and i + 1 < len(base) and base[i + 1] == "\n":
            where[i + 1] = n + 1
            i += 2
        else:
            i += 1
        n += 1
    where[len(base)] = n
    return where


def _internal(z: SafeZip, uri: str | None) -> str | None:
    """The archive member an ``internal://`` URI points to (``None`` for relative/absolute sources)."""
    if not uri or not uri.lower().startswith("internal://"):
        return None
    member = "sources/" + uri[len("internal://"):]
    return z.find(member)


def _source_text(z: SafeZip, src, q, name: str, warnings: list, limits: Limits) -> tuple[str, str]:
    content = src.find(q("PlainTextContent"))
    if content is not None and content.text:
        return content.text, "PlainTextContent"
    plain = src.get("plainTextPath")
    member = _internal(z, plain)
    text = ""
    if member is not None:
        from ..transcripts.text import decode

        text = decode(z.read(member), member).lstrip("\ufeff")
        if text.strip():
            return text, "plain text"
    elif plain:
        warnings.append(f"{name}: plain text '{plain}' is outside the archive or missing; not read")
    rich = _internal(z, src.get("richTextPath"))
    if rich is not None and rich.lower().endswith(".docx"):
        doc_text = _docx_text(z.read(rich), rich, limits)
        if doc_text.strip():
            warnings.append(f"{name}: plain text is empty; used the text of {rich} (positions assume "
                            "paragraphs joined by a newline)")
            return doc_text, "docx (plain text empty)"
    warnings.append(f"{name}: the source has no text (empty plain text"
                    + (" and empty .docx" if rich else "") + "); its codings cannot be located")
    return text if text.strip() else "", ""


def _docx_text(data: bytes, label: str, limits: Limits) -> str:
    """Paragraph text of a .docx held in memory, after the same archive checks (a .docx is a zip too)."""
    import docx

    SafeZip(data, limits, label=label, kind="document").close()
    try:
        d = docx.Document(io.BytesIO(data))
    except Exception as exc:  # a broken package of any kind
        raise DataError(f"cannot read Word source ({exc.__class__.__name__})", file=label) from None
    return "\n".join(p.text for p in d.paragraphs)
