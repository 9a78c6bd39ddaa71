"""Decoding, normalisation, front matter and ``Speaker: text`` turn parsing shared by the readers.

Normalisation (applied to every transcript before offsets are computed): strip a byte-order mark, turn
``\\r\\n`` and lone ``\\r`` into ``\\n``, and compose Unicode to NFC. Nothing else is changed.
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from ...errors import DataError
from .model import Turn

# A speaker label: up to 40 characters before the first colon, no sentence punctuation, at most 5 words.
# Optional leading timestamp "[00:01:23]" or "00:01:23", a time stamp after the name as Rev and Descript write
# it ("Jane Doe (00:01:23):", "Sam [01:02]:") and markdown emphasis "**Name:**" / "**Name**:".
# A name may start with an abbreviated title ("Dr. Smith:", "Cllr. Patel:"), the only full stop allowed in it.
TITLE = r"(?:(?i:dr|mr|mrs|ms|mx|prof|cllr|rev|revd|fr|sr|jr|st|supt|insp|sgt|capt|col|hon|sir|lt|maj|gen)\.[ \t]*)?"
SPEAKER_RE = re.compile(
    r"^[ \t]*(?:\[?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?\]?[ \t]+)?"
    r"(?:\*\*|__)?(?P<name>" + TITLE + r"[^\s:.!?;,\"“”*_\[\]()][^:.!?;,\"“”*\n]{0,39}?)"
    r"(?:[ \t]*[(\[]\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?[)\]])?(?:\*\*|__)?[ \t]*:(?:\*\*|__)?[ \t]*"
    r"(?P<text>.*)$")
FENCE_RE = re.compile(r"^---[ \t]*$")
# A speaker header with a time stamp on its own line (Teams .docx, Otter): "Jane Doe   0:03", "Speaker 1  01:02:03"
HEADER_RE = re.compile(r"^[ \t]*(?P<name>" + TITLE + r"[^\s:.!?;,\"“”*\[\]()][^:.!?;,\"“”*\n]{0,39}?)(?:[ \t]{2,}|\t)\(?"
                       r"\d{1,2}:\d{2}(?::\d{2})?\)?[ \t]*$")


def decode(data: bytes, path: str | Path) -> str:
    """Bytes to text: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8", "cp1252"]
    for enc in encodings:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise DataError("cannot decode text (tried UTF-8 and Windows-1252)", file=path)


def normalise(text: str) -> str:
    """Strip a BOM, normalise line ends to ``\\n`` and compose to NFC."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def read_text_file(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataError("file not found", file=path) from None
    except OSError as exc:
        raise DataError(f"cannot read file ({exc.strerror or exc.__class__.__name__})", file=path) from None
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError("not a text file (binary content)", file=path)
    return normalise(decode(data, path))


def split_front_matter(text: str, path: Path | None = None) -> tuple[dict, str, int]:
    """Split a ``---`` fenced block of ``key: value`` lines off the top.

    Returns (metadata, body, line number of the body's first line). Values stay strings, except YAML-like
    quoting which is stripped.
    """
    lines = text.split("\n")
    if not lines or not FENCE_RE.match(lines[0]):
        return {}, text, 1
    for i in range(1, len(lines)):
        if FENCE_RE.match(lines[i]):
            break
    else:
        raise DataError("front matter opened with '---' is never closed", file=path, line=1)
    meta: dict = {}
    for n, line in enumerate(lines[1:i], start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep or not key.strip():
            raise DataError("front matter lines must be 'key: value'", file=path, line=n)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        meta[key.strip()] = value
    body = "\n".join(lines[i + 1:])
    return meta, body, i + 2


def speaker_of(line: str) -> re.Match | None:
    """Match a ``Name: text`` line; ``None`` for ordinary text (URLs, clock times and long labels excluded)."""
    m = SPEAKER_RE.match(line)
    if not m:
        return None
    name = m.group("name").strip()
    if not name or len(name.split()) > 5 or name.lower() in ("http", "https", "note", "nb", "ps", "e.g", "i.e"):
        return None
    if name.isdigit():  # a clock time "10:30"
        return None
    return m


def parse_turns(body: str) -> list[Turn]:
    """Turns from ``Speaker: text`` lines; continuation lines belong to the current turn.

    A line holding only a name and a time stamp (``Jane Doe   0:03``, as in Teams .docx and Otter exports)
    starts a turn whose text is on the following lines.
    Offsets are into *body*. Text before the first label becomes a turn with an empty speaker; markdown
    headings (``# ...``) end the current turn and are not part of any turn.
    """
    turns: list[Turn] = []
    cur: list = []  # [speaker, start, end]
    lines = body.split("\n")
    labels: dict[str, int] = {}
    for line in lines:
        m = speaker_of(line)
        if m:
            key = m.group("name").strip().casefold()
            labels[key] = labels.get(key, 0) + 1

    def close():
        if cur and cur[1] is not None and cur[2] > cur[1]:
            turns.append(Turn(len(turns), cur[0], cur[1], cur[2], body[cur[1]:cur[2]]))

    pos = 0
    previous_blank = True
    for line in lines:
        line_start, line_end = pos, pos + len(line)
        pos = line_end + 1
        was_blank, previous_blank = previous_blank, not line.strip()
        if line.lstrip().startswith("#") and re.match(r"^\s*#{1,6}\s", line):
            close()
            cur = []
            continue
        h = HEADER_RE.match(line)
        if h and len(h.group("name").split()) <= 5:
            close()
            cur = [h.group("name").strip(), None, None]
            continue
        m = speaker_of(line)
        if m and not was_blank and cur and cur[1] is not None and _prose_label(m.group("name"), labels):
            m = None  # "The point is: we never ..." inside a hard-wrapped turn is text, not a new speaker
        if m:
            close()
            text_start = line_start + m.start("text")
            stripped = line[m.start("text"):].rstrip()
            if stripped:
                cur = [m.group("name").strip(), text_start, text_start + len(stripped)]
            else:  # label alone on its line: the turn's text starts on the next line
                cur = [m.group("name").strip(), None, None]
            continue
        if not line.strip():
            continue
        lead = len(line) - len(line.lstrip())
        if not cur:
            cur = ["", line_start + lead, line_start + len(line.rstrip())]
        elif cur[1] is None:
            cur[1], cur[2] = line_start + lead, line_start + len(line.rstrip())
        else:
            cur[2] = line_start + len(line.rstrip())
    close()
    return turns


def _prose_label(name: str, labels: dict) -> bool:
    """A one-off label with a lower-case word after the first ("He said", "The point is") reads as prose."""
    words = name.split()
    return labels.get(name.strip().casefold(), 0) == 1 and any(w[:1].islower() for w in words[1:])


def build_text(pairs: list[tuple[str, str]]) -> tuple[str, list[Turn]]:
    """Lay out (speaker, text) turns as ``Speaker: text`` paragraphs separated by a blank line."""
    parts: list[str] = []
    turns: list[Turn] = []
    pos = 0
    for speaker, text in pairs:
        label = f"{speaker}: " if speaker else ""
        if parts:
            parts.append("\n\n")
            pos += 2
        parts.append(label + text)
        start = pos + len(label)
        turns.append(Turn(len(turns), speaker, start, start + len(text), text))
        pos += len(label) + len(text)
    return "".join(parts), turns
