"""WebVTT and SubRip subtitles: timestamps, cue ids and NOTE blocks dropped; consecutive cues of the same
speaker merged into one turn. Teams writes ``<v Name>text</v>``; Zoom writes ``Name: text``."""
from __future__ import annotations

import html
import re
from pathlib import Path

from ...errors import DataError
from .model import Document
from .text import build_text, read_text_file, speaker_of, split_front_matter

TIMING_RE = re.compile(r"^\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})")
# a voice runs to its </v>, to the next <v ...> (Teams leaves a cue's first voice open when a second follows) or
# to the end of the cue
VOICE_RE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^>]*)>(.*?)(?:</v>|(?=<v[\s.])|$)", re.S)
DASH_RE = re.compile(r"^[ \t]*-[ \t]+", re.M)  # subtitle dialogue dashes: "- Hi.\n- Hello."
TAG_RE = re.compile(r"</?[^>]+>")
# a timing line TIMING_RE cannot read: an arrow, or a line that starts like a time stamp
BROKEN_TIMING_RE = re.compile(r"-->|^\s*\d{1,2}:\d{2}[:.,]\d")


def _seconds(stamp: str) -> float:
    parts = stamp.replace(",", ".").split(":")
    return sum(float(p) * 60 ** i for i, p in enumerate(reversed(parts)))


def _cue_pairs(payload: str) -> list[tuple[str, str]]:
    """(speaker, text) pieces of one cue's payload."""
    voices = VOICE_RE.findall(payload)
    if voices:
        out = []
        for name, text in voices:
            text = " ".join(html.unescape(TAG_RE.sub("", text)).split())
            if text:
                out.append((name.strip(), text))
        return out
    text = " ".join(html.unescape(TAG_RE.sub("", DASH_RE.sub("", payload))).split())
    if not text:
        return []
    m = speaker_of(text)
    if m:
        return [(m.group("name").strip(), m.group("text").strip())]
    return [("", text)]


def _blocks(text: str, first_line: int) -> list[tuple[int, list[str]]]:
    """Blocks of non-blank lines, each with the line number of its first line."""
    blocks: list[tuple[int, list[str]]] = []
    cur: list[str] = []
    start = first_line
    for n, line in enumerate(text.split("\n"), start=first_line):
        if not line.strip():
            if cur:
                blocks.append((start, cur))
                cur = []
            continue
        if not cur:
            start = n
        cur.append(line)
    if cur:
        blocks.append((start, cur))
    return blocks


def parse_cues(text: str, path: Path, vtt: bool, first_line: int = 1) -> list[tuple[float, str, str]]:
    """``(time, speaker, text)`` of every cue. A cue whose timing line is broken, or text outside any cue, is
    kept (placed after the previous cue) with a located warning: subtitle text is never dropped silently."""
    cues: list[tuple[float, str, str]] = []

    def add(t: float, payload: list[str]) -> None:
        for speaker, piece in _cue_pairs("\n".join(payload)):
            cues.append((t, speaker, piece))

    def orphan(line_no: int, payload: list[str], why: str) -> None:
        if not _cue_pairs("\n".join(payload)):
            return
        from ...console import warn

        warn(str(DataError(f"{why}; its text is kept, after the previous cue", file=path, line=line_no)))
        add(cues[-1][0] if cues else 0.0, payload)

    for n, (line_no, lines) in enumerate(_blocks(text, first_line)):
        if n == 0 and vtt:
            if not lines[0].startswith("WEBVTT"):
                raise DataError("not a WebVTT file (first line must start with 'WEBVTT')", file=path, line=line_no)
            lines, line_no = lines[1:], line_no + 1
            if not any("-->" in ln for ln in lines):
                continue
        if vtt and lines and lines[0].split(" ", 1)[0] in ("NOTE", "STYLE", "REGION"):
            continue
        timings = [i for i, line in enumerate(lines) if TIMING_RE.match(line)]
        if not timings:
            broken = next((i for i, line in enumerate(lines) if BROKEN_TIMING_RE.search(line)), None)
            if broken is not None:
                orphan(line_no + broken, lines[broken + 1:],
                       f"malformed cue timing line '{lines[broken].strip()[:60]}'")
            else:
                body = lines[1:] if len(lines) > 1 and lines[0].strip().isdigit() else lines
                orphan(line_no, body, "text without a cue timing line")
            continue
        if timings[0] > 1:  # text before the cue id and timing line (a missing blank line)
            orphan(line_no, lines[:timings[0] - 1], "text before a cue's timing line")
        for k, i in enumerate(timings):
            payload = lines[i + 1:timings[k + 1] if k + 1 < len(timings) else len(lines)]
            if k + 1 < len(timings) and payload and payload[-1].strip().isdigit():
                payload = payload[:-1]  # the next cue's number (a missing blank line between cues)
            add(_seconds(TIMING_RE.match(lines[i]).group(1)), payload)
    return cues


def merge(cues: list[tuple[float, str, str]]) -> list[tuple[str, str]]:
    pairs: list[list[str]] = []
    for _, speaker, text in sorted(cues, key=lambda c: c[0]):  # Teams cues can be out of order
        if pairs and pairs[-1][0] == speaker:
            pairs[-1][1] += " " + text
        else:
            pairs.append([speaker, text])
    return [(s, t) for s, t in pairs]


def _read(path: Path, vtt: bool) -> Document:
    from .metadata import gather

    raw = read_text_file(path)
    meta, body, first_line = split_front_matter(raw, path) if not vtt else ({}, raw, 1)
    cues = parse_cues(body, path, vtt, first_line)
    if not cues and body.strip() and not (vtt and body.strip() == "WEBVTT"):
        raise DataError(f"no subtitle cues found (expected '00:00:01{'.' if vtt else ','}000 --> ...' lines)",
                        file=path)
    text, turns = build_text(merge(cues))
    return Document(path.stem, path, text, turns, gather(path, meta))


def read_vtt(path: Path) -> Document:
    return _read(path, vtt=True)


def read_srt(path: Path) -> Document:
    return _read(path, vtt=False)
