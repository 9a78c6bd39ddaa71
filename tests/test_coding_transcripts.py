"""Transcript readers: txt (BOM, cp1252), md, docx, WebVTT (Teams, Zoom), SRT; metadata; offsets."""
from __future__ import annotations

import pytest

from toolkit.coding.transcripts import read_transcript
from toolkit.errors import DataError

TX = "transcripts"


def _offsets_ok(doc):
    for t in doc.turns:
        assert doc.text[t.start:t.end] == t.text
    assert doc.sentences, "no sentences"
    for i, s in enumerate(doc.sentences):
        assert s.index == i
        assert doc.text[s.start:s.end] == s.text
        turn = doc.turns[s.turn]
        assert turn.start <= s.start and s.end <= turn.end and s.speaker == turn.speaker


def test_txt_front_matter_turns_continuation_and_sentences(data_dir):
    doc = read_transcript(data_dir / TX / "alpha.txt")
    assert doc.id == "alpha" and doc.case == "T01" and doc.group == "north" and doc.metadata["role"] == "manager"
    assert [t.speaker for t in doc.turns] == ["Interviewer", "Jo Smith", "Interviewer"]
    assert doc.turns[1].text.endswith("Then we agree what to change.")  # continuation line joins the turn
    assert [s.text.strip() for s in doc.sentences if s.speaker == "Jo Smith"] == [
        "Every month we sit down with the partners and go through the numbers together.",
        "Nobody owns the outcome on their own.", "Then we agree what to change."]
    assert not doc.text.startswith("---")
    _offsets_ok(doc)


def test_sentence_never_spans_turns(tmp_path):
    p = tmp_path / "s.txt"
    p.write_text("A: no full stop here\nB: Second speaker. Two sentences")
    doc = read_transcript(p)
    assert [(s.speaker, s.text) for s in doc.sentences] == [
        ("A", "no full stop here"), ("B", "Second speaker."), ("B", "Two sentences")]
    _offsets_ok(doc)


def test_utf8_bom_crlf_and_nfc(tmp_path):
    p = tmp_path / "bom.txt"
    p.write_bytes("\ufeffInterviewer: Cafe\u0301?\r\nAnn: Yes.\r\n".encode("utf-8"))
    doc = read_transcript(p)
    assert doc.turns[0].text == "Caf\u00e9?" and "\r" not in doc.text and not doc.text.startswith("\ufeff")
    _offsets_ok(doc)


def test_cp1252_fallback(tmp_path):
    p = tmp_path / "win.txt"
    p.write_bytes("Interviewer: What\u2019s the cost \u2013 \u20ac5?\nAnn: Fine.\n".encode("cp1252"))
    doc = read_transcript(p)
    assert doc.turns[0].text == "What\u2019s the cost \u2013 \u20ac5?"
    _offsets_ok(doc)


def test_markdown_with_sidecar(data_dir):
    doc = read_transcript(data_dir / TX / "beta.md")
    assert [t.speaker for t in doc.turns] == ["Interviewer", "Ravi"]
    assert doc.case == "T02" and doc.metadata["role"] == "provider"
    assert "Interview beta" not in " ".join(t.text for t in doc.turns)
    _offsets_ok(doc)


def test_docx(tmp_path):
    import docx

    d = docx.Document()
    for line in ["---", "interview_id: D1", "---", "Interviewer: How are the partners?",
                 "Pat: We all know each other. We meet monthly.", "And it works."]:
        d.add_paragraph(line)
    p = tmp_path / "word.docx"
    d.save(p)
    doc = read_transcript(p)
    assert doc.case == "D1"
    assert [t.speaker for t in doc.turns] == ["Interviewer", "Pat"]
    assert [s.text.strip() for s in doc.sentences][1:] == ["We all know each other.", "We meet monthly.",
                                                            "And it works."]
    _offsets_ok(doc)


def test_vtt_teams_merges_cues_and_drops_notes(data_dir):
    doc = read_transcript(data_dir / TX / "teams.vtt")
    assert [t.speaker for t in doc.turns] == ["Interviewer", "Lee Park"]
    assert doc.turns[1].text == "We share what works at the network, and the providers learn from each other & adapt."
    assert "-->" not in doc.text and "NOTE" not in doc.text and "1111/12-0" not in doc.text
    _offsets_ok(doc)


def test_vtt_zoom(data_dir):
    doc = read_transcript(data_dir / TX / "zoom.vtt")
    assert [(t.speaker, t.text) for t in doc.turns] == [
        ("Interviewer", "Who leads the meeting?"),
        ("Ana Diaz", "We rotate the chair between partners. So each agency takes a turn.")]
    _offsets_ok(doc)


def test_srt_with_cases_csv(data_dir):
    doc = read_transcript(data_dir / TX / "gamma.srt")
    assert [t.speaker for t in doc.turns] == ["Interviewer", "Kim"]
    assert doc.case == "T05" and doc.group == "east" and doc.metadata["role"] == "analyst"
    _offsets_ok(doc)


def test_unreadable_and_unsupported_files_name_the_file(data_dir, tmp_path):
    with pytest.raises(DataError, match="broken.docx"):
        read_transcript(data_dir / TX / "broken.docx")
    p = tmp_path / "x.pdf"
    p.write_bytes(b"%PDF")
    with pytest.raises(DataError, match="unsupported transcript format"):
        read_transcript(p)
    v = tmp_path / "bad.vtt"
    v.write_text("hello\n")
    with pytest.raises(DataError, match=r"bad.vtt:1: not a WebVTT file"):
        read_transcript(v)
    f = tmp_path / "open.txt"
    f.write_text("---\nid: x\nA: text\n")
    with pytest.raises(DataError, match=r"open.txt:1: front matter"):
        read_transcript(f)


def test_labels_that_are_not_speakers(tmp_path):
    p = tmp_path / "t.txt"
    p.write_text("Interviewer: When?\nAnn: At 10:30 we met. See https://example.org for it.\n"
                 "The thing is, that really: it worked.\n")
    doc = read_transcript(p)
    assert [t.speaker for t in doc.turns] == ["Interviewer", "Ann"]


def test_teams_docx_header_layout(tmp_path):
    import docx

    d = docx.Document()
    for line in ["Interviewer   0:03", "How do you use the figures?", "Jane Doe   0:10",
                 "We look at them together.", "Every month."]:
        d.add_paragraph(line)
    p = tmp_path / "teams.docx"
    d.save(p)
    doc = read_transcript(p)
    assert [(t.speaker, t.text) for t in doc.turns] == [
        ("Interviewer", "How do you use the figures?"), ("Jane Doe", "We look at them together.\nEvery month.")]
    _offsets_ok(doc)


def test_vtt_cue_with_two_voices_and_srt_dialogue_dashes(tmp_path):
    # Teams leaves the first voice of a cue open when a second speaker follows in the same cue
    p = tmp_path / "t.vtt"
    p.write_text("WEBVTT\n\nab12/13-0\n00:00:09.500 --> 00:00:11.000 align:start\n<v Smith, John>OK <c.yellow>great"
                 "</c> &amp; fine.\n<v Dr. Zoë O'Brien>Yes.</v>\n")
    doc = read_transcript(p)
    assert [(t.speaker, t.text) for t in doc.turns] == [("Smith, John", "OK great & fine."),
                                                         ("Dr. Zoë O'Brien", "Yes.")]
    _offsets_ok(doc)
    s = tmp_path / "d.srt"
    s.write_text("1\n00:00:02,500 --> 00:00:04,000\n- Hi.\n- Hello, -2 degrees.\n")
    doc = read_transcript(s)
    assert [t.text for t in doc.turns] == ["Hi. Hello, -2 degrees."]
    assert [x.text for x in doc.sentences] == ["Hi.", "Hello, -2 degrees."]


def test_time_stamp_after_the_speaker_name_rev_style(tmp_path):
    # Rev / Descript write "Name (00:01:23):" with the text on the next line; the name used to be cut at the colon
    p = tmp_path / "rev.txt"
    p.write_text("Interviewer (00:00:02):\nHow do you use the data?\n\nJane Doe (00:00:10):\nWe went through the "
                 "numbers.\n\nSam [01:02]: Fine. At 10:30: we met.\n")
    doc = read_transcript(p)
    assert [(t.speaker, t.text) for t in doc.turns] == [
        ("Interviewer", "How do you use the data?"), ("Jane Doe", "We went through the numbers."),
        ("Sam", "Fine. At 10:30: we met.")]
    _offsets_ok(doc)


def test_partnership_metadata_key_is_the_group(tmp_path):
    p = tmp_path / "p.txt"
    p.write_text("---\ninterview_id: P7\npartnership: riverside\n---\nSam: Hello.\n")
    doc = read_transcript(p)
    assert (doc.case, doc.group) == ("P7", "riverside")


def test_docx_table_transcript(tmp_path):
    # transcription services deliver speaker | time | text tables; these were silently dropped (no turns)
    import docx

    d = docx.Document()
    d.add_paragraph("Interview with the Riverside team")
    table = d.add_table(rows=0, cols=3)
    for row in [("Interviewer", "00:00:02", "How do you use the data?"),
                ("Jane Doe", "(00:00:10)", "We went through the numbers. Then lunch."),
                ("00:01:00", "", "[inaudible]")]:
        for cell, value in zip(table.add_row().cells, row):
            cell.text = value
    d.add_paragraph("Interviewer: Thanks.")
    p = tmp_path / "table.docx"
    d.save(p)
    doc = read_transcript(p)
    assert [(t.speaker, " ".join(t.text.split())) for t in doc.turns] == [
        ("", "Interview with the Riverside team"), ("Interviewer", "How do you use the data?"),
        ("Jane Doe", "We went through the numbers. Then lunch. [inaudible]"), ("Interviewer", "Thanks.")]
    _offsets_ok(doc)


def test_speaker_names_with_an_abbreviated_title(tmp_path):
    # "Dr. Smith:" used to be read as text, so Dr. Smith's answers were credited to the interviewer
    p = tmp_path / "titles.txt"
    p.write_text("Interviewer: Hi.\nDr. Smith: We went through the numbers.\nCLLR. Patel: Fine.\n"
                 "Yes. Then: we met.\nDr. Jane Doe   0:03\nHello there.\n")
    doc = read_transcript(p)
    assert [(t.speaker, " ".join(t.text.split())) for t in doc.turns] == [
        ("Interviewer", "Hi."), ("Dr. Smith", "We went through the numbers."),
        ("CLLR. Patel", "Fine. Yes. Then: we met."), ("Dr. Jane Doe", "Hello there.")]
    _offsets_ok(doc)


def test_colon_in_a_hard_wrapped_line_is_not_a_new_speaker(tmp_path):
    # "point is: we never ..." at the start of a wrapped line used to open a turn of speaker "point is"
    p = tmp_path / "prose.txt"
    p.write_text("Interviewer: How do you use the data?\nJane Doe: We meet every month and the key\n"
                 "point is: we never blame anyone.\nThe point is: we learn.\n\nHead of Service: I agree.\n"
                 "Interviewer: Thanks.\n")
    doc = read_transcript(p)
    assert [(t.speaker, " ".join(t.text.split())) for t in doc.turns] == [
        ("Interviewer", "How do you use the data?"),
        ("Jane Doe", "We meet every month and the key point is: we never blame anyone. The point is: we learn."),
        ("Head of Service", "I agree."), ("Interviewer", "Thanks.")]
    _offsets_ok(doc)
