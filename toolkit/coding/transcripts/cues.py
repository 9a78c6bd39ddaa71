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


def parse_cues(text: str, path: Path, vtt: bool) -> list[tuple[float, str, str]]:
    blocks = re.split(r"\n[ \t]*\n", text.strip("\n"))
    cues = []
    for n, block in enumerate(blocks):
        lines = block.split("\n")
        if n == 0 and vtt:
            if not lines[0].startswith("WEBVTT"):
                raise DataError("not a WebVTT file (first line must start with 'WEBVTT')", file=path, line=1)
            lines = lines[1:]
            if not any("-->" in ln for ln in lines):
                continue
        if vtt and lines and lines[0].split(" ", 1)[0] in ("NOTE", "STYLE", "REGION"):
            continue
        for i, line in enumerate(lines):
            m = TIMING_RE.match(line)
            if m:
                payload = "\n".join(lines[i + 1:])
                for speaker, piece in _cue_pairs(payload):
                    cues.append((_seconds(m.group(1)), speaker, piece))
                break
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
    meta, body, _ = split_front_matter(raw, path) if not vtt else ({}, raw, 1)
    cues = parse_cues(body, path, vtt)
    if not cues and body.strip() and not (vtt and body.strip() == "WEBVTT"):
        raise DataError(f"no subtitle cues found (expected '00:00:01{'.' if vtt else ','}000 --> ...' lines)",
                        file=path)
    text, turns = build_text(merge(cues))
    return Document(path.stem, path, text, turns, gather(path, meta))


def read_vtt(path: Path) -> Document:
    return _read(path, vtt=True)


def read_srt(path: Path) -> Document:
    return _read(path, vtt=False)
