"""Hostile transcripts: giant turns, files that cannot be coded, control characters, nothing readable."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

import toolkit
from toolkit.coding.transcripts import read_transcript, sentences as sentences_mod
from toolkit.coding.transcripts.sentences import sentencizer_nlp, turn_pieces

CODED = "We sat down with the partners and went through the numbers together."
FILLER = "The weather was fine that morning, and the bus came late again. "


def test_pieces_cut_at_sentence_starts_and_give_the_whole_turns_sentences():
    from toolkit.coding.transcripts.model import Turn
    from toolkit.coding.transcripts.sentences import TextView, sentences_from_doc

    text = ("Dr. Smith said so. " + FILLER + "Really?  Yes!\n" + CODED + " ") * 40 + "x" * 700 + " tail end"
    turn = Turn(0, "Sam", 5, 5 + len(text), text)
    pieces = turn_pieces(text, limit=300)
    assert len(pieces) > 10
    assert pieces[0].start == 0 and pieces[-1].end == len(text)
    assert all(a.end == b.start for a, b in zip(pieces, pieces[1:]))  # contiguous, nothing lost
    nlp = sentencizer_nlp()
    whole = sentences_from_doc(nlp(TextView(text).text), turn, 0)
    got = []
    for p in pieces:
        got += sentences_from_doc(nlp(p.view.text), turn, len(got), piece=p)
    # every sentence is whole, except the 700-character word, longer than a piece, which has to be cut
    assert [s for s in got if "xx" not in s.text] == [s for s in whole if "xx" not in s.text]
    cut = [s for s in got if "xx" in s.text]
    assert len(cut) >= 3 and "".join(s.text for s in cut).replace(" ", "") == "x" * 700 + "tailend"
    assert all(text[s.start - 5:s.end - 5] == s.text for s in got)


@pytest.mark.parametrize("unit", ["sentence", "turn"])
def test_coding_in_small_pieces_gives_the_same_codings(data_dir, monkeypatch, unit):
    src = data_dir / "transcripts"
    files = sorted(p for p in src.iterdir() if p.suffix in (".txt", ".vtt", ".srt", ".docx", ".md"))
    whole = toolkit.code_documents(files, "hls-theory", unit=unit).codings
    monkeypatch.setattr(sentences_mod, "PIECE_CHARS", 120)
    monkeypatch.setattr(sentences_mod, "CONTEXT_CHARS", 60)
    pieces = toolkit.code_documents(files, "hls-theory", unit=unit).codings
    key = ["document", "unit_index", "code"]
    pd.testing.assert_frame_equal(whole.sort_values(key).reset_index(drop=True),
                                  pieces.sort_values(key).reset_index(drop=True))


def test_a_giant_turn_is_coded_in_pieces_and_the_other_files_too(tmp_path, run_cli):
    folder = tmp_path / "tx"
    folder.mkdir()
    body = (FILLER * 60 + CODED + " ") * 260  # one turn of ~1,020,000 characters (spaCy refuses > 1,000,000)
    assert len(body) > 1_000_000
    (folder / "giant.txt").write_text("Interviewer: Tell me.\nSam: " + body + "\n", encoding="utf-8")
    (folder / "small.txt").write_text("Ann: " + CODED + "\n", encoding="utf-8")
    code, _, err = run_cli("code", "run", str(folder), "--codebook", "hls-theory", "--csv", str(tmp_path / "c.csv"))
    assert code == 0, err
    df = pd.read_csv(tmp_path / "c.csv")
    giant = df[df["document"] == "giant"]
    assert set(df["document"]) == {"giant", "small"}
    assert giant["unit_index"].nunique() == 260  # every coded sentence found, none cut by a piece boundary
    text = read_transcript(folder / "giant.txt").text
    assert all(text[s:e] == t for s, e, t in zip(giant["start"], giant["end"], giant["text"]))


def test_a_file_that_cannot_be_coded_is_skipped_by_name(tmp_path, run_cli, monkeypatch):
    from toolkit.coding.pipeline import Coder

    folder = tmp_path / "tx"
    folder.mkdir()
    (folder / "bad.txt").write_text("Sam: BOOM. " + CODED + "\n", encoding="utf-8")
    (folder / "good.txt").write_text("Ann: " + CODED + "\n", encoding="utf-8")
    real = Coder.code_units

    def failing(self, doc, bounds):
        if "BOOM" in doc.text:
            raise ValueError("[E088] Text of length 1500000 exceeds maximum of 1000000")
        return real(self, doc, bounds)

    monkeypatch.setattr(Coder, "code_units", failing)
    out = tmp_path / "c.csv"
    code, _, err = run_cli("code", "run", str(folder), "--codebook", "hls-theory", "--csv", str(out))
    assert code == 2
    assert f"{folder / 'bad.txt'}: cannot be coded (ValueError: [E088]" in err
    assert set(pd.read_csv(out)["document"]) == {"good"}


def test_control_characters_reach_no_terminal_and_every_cell_holds(tmp_path, run_cli):
    from openpyxl import load_workbook

    folder = tmp_path / "tx"
    folder.mkdir()
    pad = "Ann: " + FILLER * 80 + "\n"  # NUL after the first 4 KB: the file still reads as text
    (folder / "ctl.txt").write_text(pad + "Sam\x1b[31m: " + CODED.replace("partners", "part\x00ners\x1b[2J") + "\n",
                                    encoding="utf-8")
    out, csv_out = tmp_path / "r.xlsx", tmp_path / "c.csv"
    code, stdout, err = run_cli("code", "run", str(folder), "--codebook", "hls-theory", "-o", str(out),
                                "--csv", str(csv_out), "--json", "--skip-speaker", "Bo\x1bb")
    assert code == 0, err
    assert not any(c in err + stdout for c in "\x00\x1b\x9b")
    # one warning, from the one table writer that writes the review workbook
    assert err.count("that a spreadsheet cell cannot hold (control characters)") == 1
    assert "warning: r.xlsx: " in err
    assert "--skip-speaker Bo?b" in err  # the unknown --skip-speaker is shown without its control character
    ws = load_workbook(out)["Codings"]
    texts = [c.value for c in ws["I"][1:]]
    assert any("part\ufffdners\ufffd[2J" in t for t in texts)
    assert ws["D2"].value == "Sam\ufffd[31m"
    # the CSV keeps the text as it is (offsets into the transcript stay exact)
    assert "part\x00ners\x1b[2J" in csv_out.read_text(encoding="utf-8")


def test_no_readable_transcript_writes_nothing(tmp_path, run_cli):
    folder = tmp_path / "tx"
    folder.mkdir()
    (folder / "bin.txt").write_bytes(b"\x00\x01\x02 not text")
    out, csv_out = tmp_path / "out" / "r.xlsx", tmp_path / "out" / "c.csv"
    code, _, err = run_cli("code", "run", str(folder), "--codebook", "hls-theory", "-o", str(out),
                           "--csv", str(csv_out))
    assert code == 2 and "nothing was written" in err and "bin.txt" in err
    assert not out.exists() and not csv_out.exists()
    assert not [p for p in (tmp_path / "out").iterdir()] if (tmp_path / "out").exists() else True


def test_a_failing_workbook_leaves_no_csv_behind(tmp_path, run_cli, monkeypatch):
    import toolkit.coding.outputs as outputs

    folder = tmp_path / "tx"
    folder.mkdir()
    (folder / "a.txt").write_text("Ann: " + CODED + "\n", encoding="utf-8")

    def broken(path, result):
        raise OSError("disk full")

    monkeypatch.setattr(outputs, "write_review_workbook", broken)
    code, _, err = run_cli("code", "run", str(folder), "--codebook", "hls-theory", "-o", str(tmp_path / "r.xlsx"),
                           "--csv", str(tmp_path / "c.csv"))
    assert code == 1 and "disk full" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tx"]


REGEX_CODEBOOK = """\
id: rx
title: Regex
codes:
  - id: rx.data
    name: Data words
    definition: words starting with data, except database
    example: The datasets and the data dashboards helped.
    rules:
      - pattern: [{LOWER: {REGEX: "^data", NOT_IN: [database]}}]
  - id: rx.evil
    name: Evil
    definition: a pattern that backtracks catastrophically in Python's re
    example: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    rules:
      - pattern: [{TEXT: {REGEX: "^(a+)+$"}}]
"""


def test_regex_runs_in_linear_time_and_check_rejects_what_needs_backtracking(tmp_path, run_cli):
    import time

    from toolkit.coding.codebook import check_codebook
    from toolkit.coding.pipeline import Coder, build_nlp

    cb = tmp_path / "rx.yaml"
    cb.write_text(REGEX_CODEBOOK)
    assert check_codebook(cb) == []
    coder = Coder(toolkit.load_codebook(cb), build_nlp())
    assert list(coder.codes_in("The datasets and the database.")) == ["rx.data"]
    assert "rx.data" not in coder.codes_in("Only the database here.")
    t0 = time.perf_counter()
    found = coder.codes_in("a" * 5000 + "b and " + "a" * 40 + "b")  # Python's re: hours; RE2: microseconds
    assert time.perf_counter() - t0 < 2 and "rx.evil" not in found
    assert "rx.evil" in coder.codes_in("a" * 200)

    bad = tmp_path / "bad.yaml"
    bad.write_text(REGEX_CODEBOOK.replace('"^(a+)+$"', '"^(a)\\\\1$"'))
    problems = [str(p) for p in check_codebook(bad)]
    assert any(p.startswith(f"{bad}:15: rx.evil.rules[0].pattern[0]: invalid token pattern: REGEX '^(a)\\\\1$' "
                            "cannot run in linear time") for p in problems), problems
    code, _, err = run_cli("code", "run", str(tmp_path), "--codebook", str(bad), "--csv", str(tmp_path / "c.csv"))
    assert code == 2 and "cannot run in linear time" in err and "re2.cc" not in err


SRT = """1
00:00:01,000 --> 00:00:02,000
Ann: First cue.

2
00:00:03,000 -> 00:00:04,000
Ann: Broken arrow cue.

3
00:00:05,000 --> 00:00:06,000
Sam: Third cue.
4
00:00:07,000 --> 00:00:08,000
Sam: Fourth cue, no blank line before.

5
00:00:9 --> 00:00:10
Sam: Short stamps cue.

Stray text with no cue at all.
"""

VTT = """WEBVTT

00:00:01.000 --> 00:00:02.000
<v Ann>First cue.</v>

00:00:03.000 --> 00:00:xx.000
<v Ann>Broken end stamp.</v>

00:00:05.000 --> 00:00:06.000
<v Sam>Last cue.</v>
"""


@pytest.mark.parametrize("name,content,kept,lines", [
    ("s.srt", SRT, ["First cue.", "Broken arrow cue.", "Third cue.", "Fourth cue, no blank line before.",
                    "Short stamps cue.", "Stray text with no cue at all."], [6, 17, 20]),
    ("v.vtt", VTT, ["First cue.", "Broken end stamp.", "Last cue."], [6]),
])
def test_malformed_cues_keep_their_text_with_a_located_warning(tmp_path, capsys, name, content, kept, lines):
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    doc = read_transcript(path)
    rec = capsys.readouterr().err.strip().split("\n")
    positions = [doc.text.find(k) for k in kept]
    assert -1 not in positions and positions == sorted(positions), doc.text
    assert "-->" not in doc.text and "00:00" not in doc.text
    assert [w.split(":")[2] for w in rec] == [str(n) for n in lines]
    assert all(w.startswith(f"warning: {path}:") for w in rec)


def test_a_qdpx_without_its_source_members_names_archive_and_member(tmp_path, data_dir, run_cli):
    import zipfile

    from toolkit.coding.refi import write_qdpx

    alpha = tmp_path / "alpha.txt"
    shutil.copy(data_dir / "transcripts" / "alpha.txt", alpha)
    codings = toolkit.code_documents([alpha], "hls-theory").codings
    good = write_qdpx(codings, "hls-theory", [alpha], tmp_path / "good.qdpx")
    broken = tmp_path / "broken.qdpx"
    with zipfile.ZipFile(good) as z, zipfile.ZipFile(broken, "w") as out:
        members = z.namelist()
        for name in members:
            if not name.startswith("sources/"):
                out.writestr(name, z.read(name))
    member = next(m for m in members if m.startswith("sources/"))
    codings.to_csv(tmp_path / "c.csv", index=False)
    for args in (["code", "agreement", str(broken), str(tmp_path / "c.csv")],
                 ["code", "export", str(broken), "--codebook", "hls-theory", "--format", "qdpx", "-o",
                  str(tmp_path / "x.qdpx")]):
        code, _, err = run_cli(*args)
        assert code == 2 and f"error: {broken}: {member}: the text of document 'alpha' is missing from the archive" \
            in err, err
    # given the transcripts, the same project is compared as usual
    code, out, err = run_cli("code", "agreement", str(broken), str(tmp_path / "c.csv"), "--transcripts", str(alpha))
    assert code == 0 and "Agreement of 2 coders" in out


def test_a_piece_spacy_fails_on_skips_its_file_and_the_stream_goes_on(tmp_path):
    from toolkit.coding.run import CodingRun

    folder = tmp_path / "tx"
    folder.mkdir()
    (folder / "a_good.txt").write_text("Ann: " + CODED + "\n", encoding="utf-8")
    (folder / "b_bad.txt").write_text("Sam: " + CODED + "\nSam: BOOM here.\nSam: " + CODED + "\n", encoding="utf-8")
    for name in ("c_good.txt", "d_good.txt"):
        (folder / name).write_text("Bo: " + CODED + "\n", encoding="utf-8")
    run = CodingRun([folder], "hls-theory", batch_size=2)
    real = run.nlp

    class Flaky:  # a pipeline that fails on one text, inside nlp.pipe's batches and alone
        def pipe(self, texts, **kw):
            for d in real.pipe(texts, **kw):
                if "BOOM" in d.text:
                    raise ValueError("[E088] too long")
                yield d

        def __call__(self, text):
            if "BOOM" in text:
                raise ValueError("[E088] too long")
            return real(text)

    run.nlp = Flaky()
    docs = {doc.id for doc, rows in run if rows}
    assert docs == {"a_good", "c_good", "d_good"}
    assert [d["document"] for d in run.stats.documents] == ["a_good", "c_good", "d_good"]
    assert [str(e) for e in run.errors] == [f"{folder / 'b_bad.txt'}: cannot be coded (ValueError: [E088] too long)"]
