"""REFI-QDA codebooks (``.qdc``): write ours, read anyone's, convert to codebook YAML.

A ``.qdc`` is UTF-8 XML with root ``CodeBook`` in namespace ``urn:QDA-XML:codebook:1.0`` (REFI-QDA standard
1.5, section 5.2): ``Codes`` holds nested ``Code`` elements (``guid``, ``name``, ``isCodable``, ``color``)
with an optional ``Description``. Categories (``codable: false``) are written as ``isCodable="false"``; a
code's definition, when-to-use guidance, example and source travel in its ``Description``.

>>> import toolkit
>>> from toolkit.coding.refi import write_qdc, read_qdc
>>> cb = toolkit.load_codebook("hls-theory")
>>> write_qdc(cb, "hls-theory.qdc")                           # doctest: +SKIP
>>> [c.id for c in read_qdc("hls-theory.qdc")][:2]              # doctest: +SKIP
['hls', 'hls.human']
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from ...errors import DataError
from ...io import atomic_path, write_text
from .common import (CODEBOOK_NS, ID_LABEL, ORIGIN, PALETTE, code_guid, describe_code, parse_description,
                     slug)
from .safety import parse_xml


@dataclass
class RefiCode:
    """One code read from a REFI file; ``id`` is our dotted code id (see :func:`assign_ids`)."""

    guid: str
    name: str
    codable: bool = True
    description: str = ""
    color: str | None = None
    parent: str | None = None  # parent GUID
    path: tuple[str, ...] = ()  # names from the root
    id: str = ""

    @property
    def fields(self) -> dict:
        return parse_description(self.description)


# -- writing ------------------------------------------------------------------------------------------------
def codes_element(codebook) -> ET.Element:
    """``<Codes>`` for *codebook* (the codebook and project schemas share the shape).

    Tags are written unqualified under a root carrying ``xmlns=...`` (ElementTree cannot combine a
    default namespace with plain attribute names), which puts them all in the root's namespace.
    """
    q = str
    codes_el = ET.Element(q("Codes"))
    elements: dict[str, ET.Element] = {}
    top_index: dict[str, int] = {}
    for code in codebook.codes:
        root = code.id if code.parent is None else top_of(codebook, code.id)
        if root not in top_index:
            top_index[root] = len(top_index)
        parent_el = codes_el if code.parent is None else elements[code.parent]
        el = ET.SubElement(parent_el, q("Code"), {
            "guid": code_guid(codebook.id, code.id), "name": code.name or code.id,
            "isCodable": "true" if code.codable else "false",
            "color": PALETTE[top_index[root] % len(PALETTE)]})
        ET.SubElement(el, q("Description")).text = describe_code(code)
        elements[code.id] = el
    # REFI wants Description before nested Codes: children were appended after it, so the order holds.
    return codes_el


def top_of(codebook, code_id: str) -> str:
    parents = {c.id: c.parent for c in codebook.codes}
    while parents.get(code_id):
        code_id = parents[code_id]
    return code_id


def qdc_bytes(codebook) -> bytes:
    root = ET.Element("CodeBook", {"xmlns": CODEBOOK_NS, "origin": ORIGIN})
    root.append(codes_element(codebook))
    return xml_bytes(root)


def xml_bytes(root: ET.Element) -> bytes:
    """UTF-8 bytes with an XML declaration, no BOM, two-space indentation, ``\n`` line ends."""
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode").encode("utf-8")


def write_qdc(codebook, path: str | Path) -> Path:
    """Write *codebook* (a :class:`~toolkit.coding.codebook.Codebook` or its name/path) as a REFI ``.qdc``."""
    from ..codebook import load_codebook

    codebook = load_codebook(codebook)
    path = Path(path)
    with atomic_path(path) as tmp:
        Path(tmp).write_bytes(qdc_bytes(codebook))
    return path


# -- reading ------------------------------------------------------------------------------------------------
def parse_codes(codes_el, ns: str) -> list[RefiCode]:
    """Flatten a ``<Codes>`` element into :class:`RefiCode` rows in document order (parents first)."""
    out: list[RefiCode] = []

    def walk(el, parent: RefiCode | None):
        for child in el.findall(f"{{{ns}}}Code"):
            desc = child.find(f"{{{ns}}}Description")
            codable = (child.get("isCodable") or "true").strip().lower() in ("true", "1")
            name = (child.get("name") or "").strip() or "(unnamed)"
            code = RefiCode(guid=(child.get("guid") or "").strip("{}").lower(), name=name, codable=codable,
                            description=(desc.text or "").strip() if desc is not None else "",
                            color=child.get("color"), parent=parent.guid if parent else None,
                            path=(parent.path if parent else ()) + (name,))
            out.append(code)
            walk(child, code)

    if codes_el is not None:
        walk(codes_el, None)
    return out


def assign_ids(codes: list[RefiCode], codebook=None) -> list[RefiCode]:
    """Give every code our dotted id.

    In order of trust: the GUID of a code of *codebook* (our own export, or a project coded on it); the
    ``Code id:`` line our exports put in the description; else the parent's id + a slug of the name
    (``rq1_definition.competencies.programming``), made unique with ``_2``, ``_3``.
    """
    from ..codebook import ID_RE, load_codebook

    by_guid = {}
    if codebook is not None:
        codebook = load_codebook(codebook)
        by_guid = {code_guid(codebook.id, c.id): c.id for c in codebook.codes}
    ids: dict[str, str] = {}
    used: set[str] = set()
    for code in codes:
        cid = by_guid.get(code.guid)
        if cid is None:
            marked = code.fields.get("id", "")
            if marked and ID_RE.match(marked) and marked not in used:
                cid = marked
        if cid is None or cid in used:
            base = slug(code.name)
            if not base[0].isalpha():
                base = "c_" + base
            parent_id = ids.get(code.parent) if code.parent else None
            stem = f"{parent_id}.{base}" if parent_id else base
            cid, n = stem, 2
            while cid in used:
                cid, n = f"{stem}_{n}", n + 1
        code.id = cid
        used.add(cid)
        ids[code.guid] = cid
    return codes


def read_qdc(path: str | Path, codebook=None) -> list[RefiCode]:
    """Read the codes of a REFI ``.qdc`` (defusedxml; namespace checked) with our ids assigned."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataError("file not found", file=path) from None
    root = parse_xml(data, path)
    if root.tag != f"{{{CODEBOOK_NS}}}CodeBook":
        raise DataError(f"not a REFI-QDA codebook: root element is '{root.tag}', expected 'CodeBook' in "
                        f"namespace {CODEBOOK_NS}", file=path)
    codes = parse_codes(root.find(f"{{{CODEBOOK_NS}}}Codes"), CODEBOOK_NS)
    if not codes:
        raise DataError("the codebook has no codes", file=path)
    return assign_ids(codes, codebook)


# -- conversion to our YAML -----------------------------------------------------------------------------------
def codebook_dict(codes: list[RefiCode], codebook_id: str, title: str, origin: str = "") -> dict:
    """Our codebook structure (plain dicts, rules empty) from REFI codes."""
    nodes: dict[str, dict] = {}
    top: list[dict] = []
    for code in codes:
        f = code.fields
        node: dict = {"id": code.id, "name": code.name}
        if not code.codable:
            node["codable"] = False
        definition = f.get("definition", "")
        if code.codable and not definition:
            definition = f"(no definition in the imported codebook) {code.name}"
        if definition:
            node["definition"] = definition
        for key in ("use_when", "dont_use_when", "example", "source"):
            if f.get(key):
                node[key] = f[key]
        nodes[code.guid] = node
        if code.parent and code.parent in nodes:
            nodes[code.parent].setdefault("children", []).append(node)
        else:
            top.append(node)
    description = f"Imported from a REFI-QDA codebook{f' ({origin})' if origin else ''}. Rules are empty: " \
                  "add phrases/patterns before running 'hls code run'."
    return {"id": codebook_id, "title": title, "version": "1.0", "description": description, "codes": top}


def import_qdc(path: str | Path, out: str | Path, codebook_id: str | None = None) -> dict:
    """Convert a REFI ``.qdc`` (or the codebook of a ``.qdpx``) into our codebook YAML at *out*.

    Codes, hierarchy and descriptions are kept; rules are empty.

    The result loads with :func:`toolkit.load_codebook`. Returns the written structure.
    """
    import yaml

    from ..codebook import load_codebook

    path, out = Path(path), Path(out)
    if path.suffix.lower() == ".qdpx":  # a whole project: take its codebook
        from .qdpx import read_qdpx

        project = read_qdpx(path)
        codes, origin = project.codes, project.origin
        if not codes:
            raise DataError("the project has no codebook", file=path)
    else:
        codes = read_qdc(path)
        origin = parse_xml(path.read_bytes(), path).get("origin") or ""
    cid = codebook_id or slug(path.stem).replace("_", "-")
    data = codebook_dict(codes, cid, path.stem, origin)
    header = (f"# Converted from {path.name} by 'hls codebook import'. {ID_LABEL}s come from the REFI file.\n"
              "# Rules are empty: add phrases or patterns (see docs/coding.md) so 'hls code run' can suggest codes.\n")
    body = header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110)
    from ...io import yaml_header

    write_text(out, yaml_header(body, "(hls codebook import)") + body)  # hash marks it as an untouched output
    try:
        load_codebook(out)
    except Exception as exc:  # the conversion must always produce a loadable codebook
        raise DataError(f"converted codebook does not load ({exc})", file=out) from None
    return data
