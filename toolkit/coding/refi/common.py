"""What the .qdc and .qdpx modules share: namespaces, deterministic GUIDs, code descriptions, id slugs.

GUIDs are ``uuid5`` of a fixed namespace and a readable key (``code:<codebook>:<code id>``,
``source:<document>``, ``user:<name>``, ...), so exporting the same codings twice gives identical files and a
project coded by hand on an exported codebook can be mapped back to our code ids by GUID.
"""
from __future__ import annotations

import hashlib
import re
import uuid

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://hls-toolkit.org/refi-qda")
ORIGIN = "hls-toolkit"
#: one colour per top-level branch of a codebook (REFI RGBType "#RRGGBB")
PALETTE = ("#1F77B4", "#FF7F0E", "#2CA02C", "#D62728", "#9467BD", "#8C564B", "#E377C2", "#7F7F7F",
           "#BCBD22", "#17BECF")

#: Description labels, in the order they are written; import maps them back to codebook fields
DESCRIPTION_FIELDS = (("definition", "Definition"), ("use_when", "Use when"), ("dont_use_when", "Don't use when"),
                      ("example", "Example"), ("source", "Source"))
ID_LABEL = "Code id"


_NS_BYTES = NAMESPACE.bytes


def guid(kind: str, *parts: object) -> str:
    """A deterministic GUID (lower-case 8-4-4-4-12 hex) for an object of *kind* named by *parts*.

    Exactly ``str(uuid.uuid5(NAMESPACE, "kind:part:..."))`` (RFC 4122 name-based, SHA-1), computed with
    hashlib directly because exports create one GUID per coding.
    """
    b = bytearray(hashlib.sha1(_NS_BYTES + ":".join([kind, *map(str, parts)]).encode("utf-8")).digest()[:16])
    b[6] = (b[6] & 0x0F) | 0x50
    b[8] = (b[8] & 0x3F) | 0x80
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def code_guid(codebook_id: str, code_id: str) -> str:
    return guid("code", codebook_id, code_id)


def describe_code(code) -> str:
    """The REFI ``Description`` of a code: definition, when to use / not use, example, source and our id.

    The description is the only free-text slot a REFI code has, so the coding guidance travels in it, one
    labelled paragraph per field (read back by :func:`parse_description`).
    """
    lines = []
    for attr, label in DESCRIPTION_FIELDS:
        value = " ".join(str(getattr(code, attr, "") or "").split())
        if value:
            lines.append(f"{label}: {value}")
    lines.append(f"{ID_LABEL}: {code.id}")
    return "\n".join(lines)


_LABELS = {label.lower(): attr for attr, label in DESCRIPTION_FIELDS} | {ID_LABEL.lower(): "id"}
_LABEL_RE = re.compile(r"^\s*(" + "|".join(re.escape(k) for k in _LABELS) + r")\s*:\s*(.*)$", re.I)


def parse_description(text: str | None) -> dict:
    """Split a description written by :func:`describe_code` into fields; unlabelled text is the definition."""
    out: dict[str, str] = {}
    if not text:
        return out
    current = "definition"
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        m = _LABEL_RE.match(line)
        if m:
            current = _LABELS[m.group(1).lower()]
            value = m.group(2).strip()
        else:
            value = line.strip()
        if value:
            out[current] = f"{out[current]} {value}" if out.get(current) else value
    return out


def slug(name: str) -> str:
    """A codebook id segment from a code name: lower-case letters, digits and ``_`` (never empty)."""
    s = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    return s or "code"
