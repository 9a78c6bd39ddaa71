"""Property-based tests: arbitrary bytes and text given to every transcript parser and codings reader give a
result or one clear ToolkitError, never a traceback or a hang (modest example counts keep the suite fast)."""
from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from toolkit.coding.codings_io import read_codings
from toolkit.coding.transcripts import open_stream, read_transcript
from toolkit.errors import ToolkitError

SETTINGS = settings(max_examples=40, deadline=5000, suppress_health_check=[HealthCheck.too_slow],
                    derandomize=True)

LINES = st.sampled_from(["Sam: We sat down and went through the numbers.", "Interviewer: And then?", "", "  ",
                         "---", "interview_id: X1", "# Heading", "Dr. Jo: yes.", "Jane Doe   0:03", "plain text",
                         "**Ann:** bold", "[00:01:02] Bo: hi", "WEBVTT", "00:00:01.000 --> 00:00:02.000",
                         "00:00:01,000 --> 00:00:02,000", "1", "<v Ann>hello</v>", "NOTE x", "00:00:0x -> 1",
                         "\x00", "\x1b[2J", "\ufeff", "\r", "é\u0301", "a\u2028b", "file,interview_id",
                         "x.txt,\"unclosed"])
TEXT = st.one_of(st.text(max_size=400), st.lists(LINES, max_size=25).map("\n".join))


def _mutations(data: bytes):
    """Valid archive bytes, truncated or with bytes overwritten."""
    return st.one_of(
        st.integers(0, len(data)).map(lambda n: data[:n]),
        st.lists(st.tuples(st.integers(0, len(data) - 1), st.integers(0, 255)), min_size=1, max_size=8).map(
            lambda edits: bytes(_apply(bytearray(data), edits))))


def _apply(buf: bytearray, edits):
    for i, b in edits:
        buf[i] = b
    return buf


def _docx_bytes() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph("Interviewer: Hello?")
    d.add_paragraph("Sam: We sat down with the partners and went through the numbers.")
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _check(fn, *args):
    try:
        return fn(*args)
    except ToolkitError as exc:
        assert str(exc) and "\n" not in str(exc).strip() and "Traceback" not in str(exc)
        return None


def _write(folder: Path, name: str, data: bytes | str) -> Path:
    p = folder / name
    if isinstance(data, str):
        p.write_text(data, encoding="utf-8", errors="surrogatepass")
    else:
        p.write_bytes(data)
    return p


@pytest.mark.parametrize("suffix", [".txt", ".md", ".vtt", ".srt"])
@SETTINGS
@given(data=st.one_of(st.binary(max_size=400), TEXT.map(lambda t: t.encode("utf-8", "surrogatepass"))))
@example(data=b"---\nid: x\n")
@example(data=b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n")
def test_text_transcripts_read_or_fail_cleanly(suffix, data):
    with tempfile.TemporaryDirectory() as tmp:
        path = _write(Path(tmp), "t" + suffix, data)
        doc = _check(read_transcript, path)
        if doc is not None:
            assert all(doc.text[t.start:t.end] == t.text for t in doc.turns)
            assert all(doc.text[s.start:s.end] == s.text for s in doc.sentences)
        if suffix in (".txt", ".md"):  # the streaming reader gives the same turns, or the same error
            stream = _check(open_stream, path)
            assert (stream is None) == (doc is None)
            if stream is not None:
                assert list(stream.turns()) == doc.turns and stream.metadata == doc.metadata


@SETTINGS
@given(data=st.one_of(st.binary(max_size=300), _mutations(_docx_bytes())))
def test_docx_transcripts_read_or_fail_cleanly(data):
    with tempfile.TemporaryDirectory() as tmp:
        _check(read_transcript, _write(Path(tmp), "t.docx", data))


@SETTINGS
@given(cases=st.one_of(TEXT, st.binary(max_size=200).map(lambda b: b.decode("latin-1"))),
       sidecar=st.one_of(TEXT, st.sampled_from(["a: [1, 2", "- x\n- y", "key: value", "!!python/object:os.system x",
                                               "&a [*a, *a]"])))
def test_case_metadata_read_or_fail_cleanly(cases, sidecar):
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _write(folder, "cases.csv", cases)
        _write(folder, "t.meta.yaml", sidecar)
        path = _write(folder, "t.txt", "Sam: hello there.\n")
        doc = _check(read_transcript, path)
        assert doc is None or doc.turns[0].text == "hello there."


CODINGS_LINES = st.sampled_from(["document,start,end,code", "document,unit_index,speaker,sentence,codes",
                                 "alpha,0,10,hls.learning", "alpha,x,,", "alpha,5,2,hls.learning",
                                 "alpha,0,sentence,hi,a;b", ",,,", "=cmd|' /C calc'!A0", "\"unclosed,1",
                                 "document,code", "alpha,1e309,2,c"])


@SETTINGS
@given(text=st.one_of(TEXT, st.lists(CODINGS_LINES, max_size=8).map("\n".join)))
def test_codings_csv_read_or_fail_cleanly(text):
    with tempfile.TemporaryDirectory() as tmp:
        _check(read_codings, _write(Path(tmp), "c.csv", text))


def _qdpx_bytes() -> bytes:
    buf = io.BytesIO()
    qde = ('<?xml version="1.0" encoding="UTF-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="p">'
           '<Users><User guid="11111111-1111-1111-1111-111111111111" name="ann"/></Users>'
           '<CodeBook><Codes><Code guid="22222222-2222-2222-2222-222222222222" name="c" isCodable="true"/></Codes>'
           '</CodeBook><Sources><TextSource guid="33333333-3333-3333-3333-333333333333" name="doc" '
           'plainTextPath="internal://33333333-3333-3333-3333-333333333333.txt"><PlainTextSelection '
           'guid="44444444-4444-4444-4444-444444444444" startPosition="0" endPosition="5" '
           'creatingUser="11111111-1111-1111-1111-111111111111"><Coding guid="55555555-5555-5555-5555-555555555555">'
           '<CodeRef targetGUID="22222222-2222-2222-2222-222222222222"/></Coding></PlainTextSelection>'
           '</TextSource></Sources></Project>')
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", qde)
        z.writestr("sources/33333333-3333-3333-3333-333333333333.txt", "Hello world, this is a source.")
    return buf.getvalue()


def _xlsx_bytes() -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Codings"
    ws.append(["document", "start", "end", "code", "decision"])
    ws.append(["alpha", 0, 10, "hls.learning", "accept"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("suffix,valid", [(".qdpx", _qdpx_bytes()), (".xlsx", _xlsx_bytes())], ids=["qdpx", "xlsx"])
@SETTINGS
@given(data=st.data())
def test_codings_archives_read_or_fail_cleanly(suffix, valid, data):
    blob = data.draw(st.one_of(st.binary(max_size=200), _mutations(valid)))
    with tempfile.TemporaryDirectory() as tmp:
        _check(read_codings, _write(Path(tmp), "c" + suffix, blob))
