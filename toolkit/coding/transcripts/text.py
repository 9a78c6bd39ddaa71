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
    for enc in _encodings(data):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise DataError("cannot decode text (tried UTF-8 and Windows-1252)", file=path)


def _encodings(head: bytes) -> list[str]:
    if head.startswith(b"\xef\xbb\xbf"):
        return ["utf-8-sig"]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return ["utf-16"]
    return ["utf-8", "cp1252"]


def normalise(text: str) -> str:
    """Strip a BOM, normalise line ends to ``\\n`` and compose to NFC."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def _check_head(head: bytes, path) -> None:
    if b"\x00" in head[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError("not a text file (binary content)", file=path)


def _read_bytes(path: Path, n: int = -1) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(n)
    except FileNotFoundError:
        raise DataError("file not found", file=path) from None
    except OSError as exc:
        raise DataError(f"cannot read file ({exc.strerror or exc.__class__.__name__})", file=path) from None


def read_text_file(path: Path) -> str:
    data = _read_bytes(path)
    _check_head(data, path)
    return normalise(decode(data, path))


def sniff_encodings(path: Path) -> list[str]:
    """The encodings :func:`decode` would try for this file, in order, from its first bytes (binary files and
    unreadable paths raise a located :class:`DataError`)."""
    head = _read_bytes(path, 4096)
    _check_head(head, path)
    return _encodings(head)


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
    lines = body.split("\n")
    return list(iter_turns(lines, count_labels(lines)))


def count_labels(lines) -> dict[str, int]:
    """How often each speaker label occurs (casefolded): a one-off label inside a wrapped turn is prose."""
    labels: dict[str, int] = {}
    for line in lines:
        m = speaker_of(line)
        if m:
            key = m.group("name").strip().casefold()
            labels[key] = labels.get(key, 0) + 1
    return labels


def iter_turns(lines, labels: dict[str, int]):
    """Turns from an iterable of body lines (without their ``\\n``), as :func:`parse_turns` describes; only
    the current turn's lines are held, so a long transcript can be read line by line (*labels*: from
    :func:`count_labels` over the same lines)."""
    cur: list = []  # [speaker, start, end]
    seg: list[str] = []  # the current turn's lines, from the one its text starts on
    col = last = 0  # where the text starts in seg[0]; index in seg of the last line holding text
    index = 0
    pos = 0
    previous_blank = True

    def close():
        if not cur or cur[1] is None or cur[2] <= cur[1]:
            return None
        kept = seg[:last + 1]
        if len(kept) == 1:
            text = kept[0][col:len(kept[0].rstrip())]
        else:
            text = "\n".join([kept[0][col:], *kept[1:-1], kept[-1].rstrip()])
        return Turn(index, cur[0], cur[1], cur[2], text)

    for line in lines:
        line_start, line_end = pos, pos + len(line)
        pos = line_end + 1
        was_blank, previous_blank = previous_blank, not line.strip()
        opened = None  # (speaker, column where the text starts or None)
        if line.lstrip().startswith("#") and re.match(r"^\s*#{1,6}\s", line):
            opened = ()
        else:
            h = HEADER_RE.match(line)
            if h and len(h.group("name").split()) <= 5:
                opened = (h.group("name").strip(), None)
            else:
                m = speaker_of(line)
                if m and not was_blank and cur and cur[1] is not None and _prose_label(m.group("name"), labels):
                    m = None  # "The point is: we never ..." inside a hard-wrapped turn is text, not a new speaker
                if m:
                    text_col = m.start("text")
                    opened = (m.group("name").strip(), text_col if line[text_col:].strip() else None)
        if opened is not None:
            turn = close()
            if turn is not None:
                yield turn
                index += 1
            seg = []
            if not opened:  # a heading: not part of any turn
                cur = []
            elif opened[1] is None:  # label alone on its line: the turn's text starts on the next line
                cur = [opened[0], None, None]
            else:
                cur = [opened[0], line_start + opened[1], line_start + len(line.rstrip())]
                seg, col, last = [line], opened[1], 0
            continue
        if cur and cur[1] is not None:
            seg.append(line)
        if not line.strip():
            continue
        lead = len(line) - len(line.lstrip())
        if not cur or cur[1] is None:
            if not cur:
                cur = ["", None, None]
            cur[1], cur[2] = line_start + lead, line_start + len(line.rstrip())
            seg, col, last = [line], lead, 0
        else:
            cur[2] = line_start + len(line.rstrip())
            last = len(seg) - 1
    turn = close()
    if turn is not None:
        yield turn


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
