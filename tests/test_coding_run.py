"""`hls code run` end to end, the review workbook, apply-review and the evaluation numbers."""
from __future__ import annotations

import json
import math
import shutil

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit.coding.run import OUTPUT_COLUMNS as CODING_COLUMNS

TX = "transcripts"


@pytest.fixture
def corpus(data_dir, tmp_path):
    folder = tmp_path / "tx"
    shutil.copytree(data_dir / TX, folder)
    return folder


def test_code_documents_api(corpus):
    res = toolkit.code_documents([corpus / "alpha.txt", corpus / "zoom.vtt"], "hls-theory",
                                 skip_speakers=["interviewer"])
    df = res.codings
    assert list(df.columns) == CODING_COLUMNS and not df.empty
    assert set(df["speaker"]) == {"Jo Smith", "Ana Diaz"}
    assert set(df["unit"]) == {"sentence"}
    alpha = toolkit.read_transcript(corpus / "alpha.txt")
    for row in df[df.document == "alpha"].itertuples():
        assert alpha.text[row.start:row.end] == row.text
        assert alpha.sentences[row.unit_index].text == row.text
        assert row.case == "T01" and row.group == "north"
    first = df[(df.document == "alpha") & (df.unit_index == 1)]
    assert {"kroll.deliberation_routines", "kroll.collective_data_use"} <= set(first.code)
    assert "kroll.distributed_leadership" in set(df[df.document == "zoom"].code)
    # frequencies and co-occurrence agree with the rows
    assert res.frequencies.loc["kroll.deliberation_routines", "alpha"] == \
        int(((df.document == "alpha") & (df.code == "kroll.deliberation_routines")).sum())
    units = df.groupby(["document", "unit_index"])["code"].apply(set)
    both = sum(1 for s in units if {"kroll.deliberation_routines", "kroll.collective_data_use"} <= s)
    assert res.cooccurrence.loc["kroll.deliberation_routines", "kroll.collective_data_use"] == both
    assert res.cooccurrence.loc["kroll.collective_data_use", "kroll.collective_data_use"] == \
        int((df.code == "kroll.collective_data_use").sum())


def test_jobs_give_the_same_codings(corpus):
    paths = [corpus / "alpha.txt", corpus / "teams.vtt", corpus / "gamma.srt"]
    one = toolkit.code_documents(paths, "hls-theory", jobs=1).codings
    two = toolkit.code_documents(paths, "hls-theory", jobs=2).codings
    pd.testing.assert_frame_equal(one, two)


def test_turn_units(corpus):
    res = toolkit.code_documents([corpus / "alpha.txt"], "hls-theory", unit="turn", skip_speakers=["Interviewer"])
    doc = toolkit.read_transcript(corpus / "alpha.txt")
    assert set(res.codings["unit"]) == {"turn"} and set(res.codings["unit_index"]) == {1}
    row = res.codings.iloc[0]
    assert doc.text[row.start:row.end] == doc.turns[1].text


def test_cli_run_with_unreadable_file_and_review_loop(corpus, tmp_path, run_cli):
    out, csv_out = tmp_path / "review.xlsx", tmp_path / "codings.csv"
    code, stdout, stderr = run_cli("code", "run", str(corpus), "--codebook", "hls-theory", "--skip-speaker",
                                   "Interviewer", "-o", str(out), "--csv", str(csv_out), "--json")
    assert code != 0
    assert "broken.docx" in stderr
    data = json.loads(stdout)
    docs = {d["document"] for d in data["documents"]}
    assert docs == {"alpha", "beta", "gamma", "teams", "zoom"}
    csv = pd.read_csv(csv_out)
    assert list(csv.columns) == CODING_COLUMNS and len(csv) == len(data["codings"]) > 5
    assert "Interviewer" not in set(csv["speaker"])
    assert "kroll.power_imbalance" in set(csv[csv.document == "beta"].code)

    from openpyxl import load_workbook

    wb = load_workbook(out)
    assert wb.sheetnames[:4] == ["Codings", "Frequencies", "Co-occurrence", "Codebook"]
    ws = wb["Codings"]
    header = [c.value for c in ws[1]]
    assert header == CODING_COLUMNS + ["decision", "recode_to", "comment"]
    dvs = ws.data_validations.dataValidation
    dec = [dv for dv in dvs if dv.formula1 == '"accept,reject,recode"']
    assert dec and "P2" in str(dec[0].sqref)
    assert any("lists" in (dv.formula1 or "") and "Q2" in str(dv.sqref) for dv in dvs)

    # reviewer: accept row 2, reject row 3, recode row 4, leave the rest undecided
    n = ws.max_row - 1
    ws.cell(2, 16).value = "accept"
    ws.cell(2, 18).value = "looks right"
    ws.cell(3, 16).value = "reject"
    ws.cell(4, 16).value = "recode"
    ws.cell(4, 17).value = "hls.learning"
    from toolkit.io import write_cell

    write_cell(ws, 4, 18, "=not a formula")  # text typed by the reviewer, kept as text
    rejected_key = (ws.cell(3, 1).value, ws.cell(3, 6).value, ws.cell(3, 10).value)
    wb.save(out)
    final = tmp_path / "final.csv"
    code, stdout, stderr = run_cli("code", "apply-review", str(out), "-o", str(final), "--undecided", "keep")
    assert code == 0, stderr
    assert f"{n - 3} undecided" in stderr and "warning" in stderr
    fin = pd.read_csv(final, keep_default_na=False)
    assert len(fin) == n - 1
    assert fin.loc[0, "decision"] == "accept" and fin.loc[0, "comment"] == "looks right"
    rec = fin[fin.decision == "recode"].iloc[0]
    assert rec["code"] == "hls.learning" and rec["rule"] == "review" and rec["comment"] == "'=not a formula"
    assert rejected_key not in set(zip(fin.document, fin.unit_index, fin.code)) or \
        (fin.document.eq(rejected_key[0]) & fin.unit_index.eq(rejected_key[1]) & fin.code.eq(rejected_key[2])
         & fin.decision.eq("reject")).sum() == 0
    # the default: the final codings are what people accepted or recoded, undecided rows dropped with a warning
    code, _, stderr = run_cli("code", "apply-review", str(out), "-o", str(final))
    fin = pd.read_csv(final, keep_default_na=False)
    assert code == 0 and len(fin) == 2 and set(fin.decision) == {"accept", "recode"}
    assert f"{n - 3} row(s) had no decision and were dropped" in stderr

    # a bad decision is reported with its row
    wb = load_workbook(out)
    wb["Codings"].cell(5, 16).value = "maybe"
    wb.save(out)
    code, _, stderr = run_cli("code", "apply-review", str(out), "-o", str(final))
    assert code == 2 and f"{out}:row 5: decision:" in stderr


def test_cli_errors_are_one_line(corpus, tmp_path, run_cli):
    code, _, err = run_cli("code", "run", str(corpus / "alpha.txt"), "--codebook", "nope", "--csv",
                           str(tmp_path / "x.csv"))
    assert code == 2 and "unknown codebook 'nope'" in err and "Traceback" not in err
    code, _, err = run_cli("code", "run", str(corpus / "alpha.txt"), "--codebook", "hls-theory", "--model",
                           "xx_no_such_pipeline", "--csv", str(tmp_path / "x.csv"))
    assert code == 2 and "not installed" in err
    assert not (tmp_path / "x.csv").exists()


def test_evaluate_on_hand_made_example():
    from toolkit.coding.evaluate import evaluate_coding

    gold = pd.DataFrame({
        "document": ["d"] * 5, "unit_index": [0, 1, 2, 3, 4], "speaker": ["I", "A", "A", "A", "A"],
        "sentence": ["Hi.", "One two.", "Three.", "Four five.", "Six."],
        "codes": ["", "a", "a;b", "b", ""]})
    # predictions: unit 1 right (a), unit 2 only a (misses b), unit 3 wrongly a, unit 9 has a shifted index but
    # the text of unit 4 ("Six."), predicted b -> false positive after text alignment
    pred = pd.DataFrame({
        "document": ["d", "d", "d", "d"], "unit_index": [1, 2, 3, 9], "text": ["One two.", "Three.", "Four  five.",
                                                                              "Six."],
        "code": ["a", "a", "a", "b"]})
    res = evaluate_coding(gold, pred)
    pc = res.per_code.set_index("code")
    # code a: TP = units 1, 2; FP = unit 3; FN = 0 -> P = 2/3, R = 1, F1 = 4/5
    assert (pc.loc["a", "tp"], pc.loc["a", "fp"], pc.loc["a", "fn"]) == (2, 1, 0)
    assert pc.loc["a", "precision"] == pytest.approx(2 / 3) and pc.loc["a", "f1"] == pytest.approx(0.8)
    # code b: TP = 0, FP = unit 4 (via text), FN = units 2, 3 -> P = 0, R = 0, F1 = 0
    assert (pc.loc["b", "tp"], pc.loc["b", "fp"], pc.loc["b", "fn"]) == (0, 1, 2)
    assert res.micro == pytest.approx({"tp": 2, "fp": 2, "fn": 2, "precision": 0.5, "recall": 0.5, "f1": 0.5})
    assert res.macro["f1"] == pytest.approx(0.4) and res.macro["recall"] == pytest.approx(0.5)
    assert res.alignment == {"gold_units": 5, "pred_units": 4, "aligned_by_index": 3, "aligned_by_text": 1,
                             "unaligned_pred_units": 0}
    fn = res.errors[res.errors.kind == "fn"]
    assert set(zip(fn.code, fn.unit_index)) == {("b", 2), ("b", 3)}
    empty = evaluate_coding(gold, pred.iloc[:0])
    assert math.isnan(empty.micro["precision"]) and empty.micro["recall"] == 0.0


def test_recode_onto_an_existing_code_keeps_one_row(corpus, tmp_path):
    from openpyxl import load_workbook

    from toolkit.coding.outputs import write_review_workbook
    from toolkit.coding.review import apply_review

    res = toolkit.code_documents([corpus / "alpha.txt"], "hls-theory", skip_speakers=["Interviewer"])
    out = write_review_workbook(tmp_path / "r.xlsx", res)
    wb = load_workbook(out)
    ws = wb["Codings"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    same_unit = [i for i, r in enumerate(rows, start=2) if r[5] == rows[0][5]]
    assert len(same_unit) >= 2
    a, b = same_unit[:2]
    ws.cell(a, 16).value, ws.cell(a, 17).value = "recode", ws.cell(b, 10).value
    ws.cell(b, 16).value = "accept"
    wb.save(out)
    fin = apply_review(out, undecided="drop").codings
    assert len(fin) == 1 and fin.loc[0, "code"] == rows[b - 2][9] and fin.loc[0, "decision"] == "recode"


TINY_CODEBOOK = """\
id: tiny
title: Tiny
version: "1"
codes:
  - id: data.together
    name: Data together
    definition: Partners go through the figures together.
    example: We went through the numbers with the partners.
    rules:
      - phrases: [go through the number]
      - near: [[partner], [number]]
        window: 6
"""


def test_hard_wrapped_lines_tabs_and_no_break_spaces_code_like_one_line(tmp_path):
    # spaCy makes a token of "\n", "\t", "\xa0" and double spaces, which used to break phrases and proximity
    # windows in hard-wrapped transcripts and started sentences with the line break
    cb = tmp_path / "tiny.yaml"
    cb.write_text(TINY_CODEBOOK)
    (tmp_path / "tx").mkdir()
    flat = "Zoë: It was fine at first. We went through the numbers with the partners. Then lunch 😀.\n"
    wrapped = "Zoë: It was fine at first.\nWe went through the\nnumbers with\tthe\u00a0partners.  Then lunch 😀.\n"
    (tmp_path / "tx" / "flat.txt").write_text(flat)
    (tmp_path / "tx" / "wrapped.txt").write_text(wrapped)
    for unit in ("sentence", "turn"):
        df = toolkit.code_documents([tmp_path / "tx"], cb, unit=unit).codings
        got = {d: sorted(zip(g.unit_index, g.code, g.rule)) for d, g in df.groupby("document")}
        assert got["flat"] == got["wrapped"] and got["flat"], unit
    doc = toolkit.read_transcript(tmp_path / "tx" / "wrapped.txt")
    assert [" ".join(s.text.split()) for s in doc.sentences] == [
        "It was fine at first.", "We went through the numbers with the partners.", "Then lunch 😀."]
    for s in doc.sentences:  # code-point offsets into the text; no sentence starts or ends with whitespace
        assert doc.text[s.start:s.end] == s.text and s.text == s.text.strip()
    assert doc.sentences[2].start == wrapped.index("Then")
    res = toolkit.code_documents([tmp_path / "tx" / "wrapped.txt"], cb)
    row = res.codings.iloc[0]
    assert (row.start, row.end) == (doc.sentences[1].start, doc.sentences[1].end)


def test_duplicate_document_ids_and_empty_folders_are_reported(tmp_path, run_cli):
    # codings point at documents by file stem: a second 'int' would silently merge with the first downstream
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "empty").mkdir()
    (tmp_path / "a" / "int.txt").write_text("Zoë: We went through the numbers with the partners.\n")
    (tmp_path / "b" / "int.md").write_text("Ann: We went through the numbers with the partners.\n")
    cb = tmp_path / "tiny.yaml"
    cb.write_text(TINY_CODEBOOK)
    out = tmp_path / "c.csv"
    code, _, err = run_cli("code", "run", str(tmp_path / "a"), str(tmp_path / "b"), str(tmp_path / "a" / "int.txt"),
                           "--codebook", str(cb), "--csv", str(out))
    assert code == 2 and "document id 'int' is already used by" in err and "int.md" in err
    assert err.count("already used") == 1  # the file named twice (folder + file) is read once, not reported
    df = pd.read_csv(out)
    assert set(df.speaker) == {"Zoë"} and len(df) == 1
    code, _, err = run_cli("code", "run", str(tmp_path / "empty"), "--codebook", str(cb), "--csv",
                           str(tmp_path / "e.csv"))
    assert code == 2 and "no transcripts in this folder" in err and not (tmp_path / "e.csv").exists()


def test_broken_cases_csv_names_the_transcripts_it_cost(tmp_path, run_cli):
    (tmp_path / "x.txt").write_text("Zoë: We went through the numbers with the partners.\n")
    (tmp_path / "cases.csv").write_text("name,role\nx,manager\n")
    cb = tmp_path / "tiny.yaml"
    cb.write_text(TINY_CODEBOOK)
    code, _, err = run_cli("code", "run", str(tmp_path / "x.txt"), "--codebook", str(cb), "--csv",
                           str(tmp_path / "c.csv"))
    assert code == 2 and "cases.csv:1: cases.csv needs a 'file' column" in err
    assert f"skipped {tmp_path / 'x.txt'})" in err and err.strip().endswith(f"skipped: {tmp_path / 'x.txt'}")


def test_accepted_row_with_a_code_outside_the_codebook_is_reported(corpus, tmp_path):
    from openpyxl import load_workbook

    from toolkit.coding.outputs import write_review_workbook
    from toolkit.coding.review import apply_review
    from toolkit.errors import DataError

    res = toolkit.code_documents([corpus / "alpha.txt"], "hls-theory", skip_speakers=["Interviewer"])
    out = write_review_workbook(tmp_path / "r.xlsx", res)
    wb = load_workbook(out)
    ws = wb["Codings"]
    n = ws.max_row + 1  # a reviewer adds a row for a code the auto-coder missed, with a typo in the code id
    for j, v in enumerate(["alpha", "T01", "north", "Jo Smith", "sentence", 1, 0, 5, "Every", "kroll.conectedness",
                           "", "", "", "", "", "accept"], start=1):
        ws.cell(n, j).value = v
    wb.save(out)
    with pytest.raises(DataError, match=rf"r.xlsx:row {n}: code: unknown code 'kroll.conectedness'"):
        apply_review(out)
    ws.cell(n, 10).value = "kroll.connectedness"
    wb.save(out)
    fin = toolkit.apply_review(out).codings  # the public API, default: undecided rows dropped
    assert toolkit.apply_review is apply_review and list(fin.code) == ["kroll.connectedness"]


def test_evaluation_matches_sklearn_on_random_multilabel_data():
    from sklearn.metrics import precision_recall_fscore_support

    from toolkit.coding.evaluate import evaluate_coding

    rng = np.random.default_rng(3)
    codes, n = ["a", "b", "c"], 200
    gold_m = rng.random((n, 3)) < [0.3, 0.2, 0.1]
    pred_m = gold_m ^ (rng.random((n, 3)) < 0.2)
    gold = pd.DataFrame({"document": "d", "unit_index": range(n), "speaker": "S",
                         "sentence": [f"s{i}" for i in range(n)],
                         "codes": [";".join(c for c, v in zip(codes, row) if v) for row in gold_m]})
    pred = pd.DataFrame([{"document": "d", "unit_index": i, "code": c, "text": f"s{i}"}
                         for i in range(n) for c, v in zip(codes, pred_m[i]) if v])
    ev = evaluate_coding(gold, pred)
    p, r, f, _ = precision_recall_fscore_support(gold_m, pred_m, average=None, zero_division=0)
    got = ev.per_code.set_index("code").loc[codes, ["precision", "recall", "f1"]].to_numpy()
    np.testing.assert_allclose(got, np.c_[p, r, f], atol=1e-12)
    for avg in ("micro", "macro"):
        ref = precision_recall_fscore_support(gold_m, pred_m, average=avg)[:3]
        res = getattr(ev, avg)
        assert (res["precision"], res["recall"], res["f1"]) == pytest.approx(ref, abs=1e-12)


def test_mistyped_skip_speaker_is_warned(tmp_path, run_cli):
    (tmp_path / "x.txt").write_text("Interviewer: Hi.\n\nZoë: We went through the numbers with the partners.\n")
    cb = tmp_path / "tiny.yaml"
    cb.write_text(TINY_CODEBOOK)
    code, _, err = run_cli("code", "run", str(tmp_path / "x.txt"), "--codebook", str(cb), "--csv",
                           str(tmp_path / "c.csv"), "--skip-speaker", "Interviwer", "--skip-speaker", "ZOË")
    assert code == 0 and "warning: --skip-speaker Interviwer: no such speaker" in err and "ZOË" not in err


SPAN_CODEBOOK = """\
id: span
title: Span test
codes:
  - id: t.together
    name: Together
    definition: going through something together
    example: we go through it together
    rules:
      - pattern: [{LOWER: go}, {OP: "*"}, {LOWER: together}]
"""


def test_token_pattern_never_spans_two_sentences(tmp_path):
    # a pattern with OP "*" could run from one sentence into the next and was counted on the first sentence
    cb = tmp_path / "span.yaml"
    cb.write_text(SPAN_CODEBOOK)
    t = tmp_path / "span.txt"
    t.write_text("Ann: We go home early on Fridays. Then we sit together. We go through it together.\n")
    df = toolkit.code_documents([t], cb).codings
    assert df["unit_index"].tolist() == [2]
