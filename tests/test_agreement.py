"""Inter-coder agreement and the auto-coder evaluation CLI.

External references: Krippendorff (2011) "Computing Krippendorff's Alpha-Reliability", nominal example
(4 coders x 12 units, alpha = 0.743); hand-worked coincidence-matrix values (fractions written out below);
scikit-learn's ``cohen_kappa_score`` for Cohen's kappa.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from toolkit.coding.agreement import (agreement, cohen_kappa, flag, krippendorff_alpha, percent_agreement,
                                      prevalence)
from toolkit.errors import ToolkitError

nan = np.nan

TRANSCRIPT_A = """---
interview_id: A1
group: alpha
role: manager
---
Interviewer: Welcome. Tell me about the data.

Kim: We look at the numbers together. Then we talk about what they mean. Nobody is blamed.

Interviewer: And the targets?

Kim: The targets came from the ministry. We hated them.
"""
TRANSCRIPT_B = """Interviewer: Hello again.

Lee: Our dashboard is red and green. It tells us nothing. We learn in the huddle instead.
"""


@pytest.fixture
def transcripts(tmp_path) -> Path:
    d = tmp_path / "t"
    d.mkdir()
    (d / "A.txt").write_text(TRANSCRIPT_A, encoding="utf-8")
    (d / "B.txt").write_text(TRANSCRIPT_B, encoding="utf-8")
    return d


def _docs(folder):
    from toolkit.coding.transcripts import read_transcript

    return {p.stem: read_transcript(p) for p in sorted(folder.glob("*.txt"))}


def _row(doc, sentence_index, code, unit="sentence"):
    s = doc.sentences[sentence_index]
    return {"document": doc.id, "unit": unit, "unit_index": s.index, "start": s.start, "end": s.end,
            "text": s.text, "code": code, "speaker": s.speaker}


# -- the statistics against published / hand-worked / sklearn values ---------------------------------------------
def test_alpha_krippendorff_2011_published_example():
    data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
            [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
    assert krippendorff_alpha(data) == pytest.approx(0.743, abs=5e-4)


def test_alpha_krippendorff_package_docs_example():
    # the krippendorff package's documented nominal example (3 coders x 15 units): 0.691358
    data = [[nan, nan, nan, nan, nan, 3, 4, 1, 2, 1, 1, 3, 3, nan, 3],
            [1, nan, 2, 1, 3, 3, 4, 3, nan, nan, nan, nan, nan, nan, nan],
            [nan, nan, 2, 1, 3, 4, 4, nan, 2, 1, 1, 3, 3, nan, 4]]
    assert round(krippendorff_alpha(data), 6) == 0.691358


def test_alpha_binary_hand_worked():
    # coincidences: o00 = 4, o01 = o10 = 1, o11 = 2; n0 = 5, n1 = 3, n = 8
    # alpha = 1 - (n - 1) * (o01 + o10) / (2 * n0 * n1) = 1 - 7 * 2 / 30 = 8/15
    assert krippendorff_alpha([[1, 1, 0, 0], [1, 0, 0, 0]]) == pytest.approx(8 / 15, abs=1e-12)
    # the prevalence problem: 75% agreement, alpha exactly 0
    assert krippendorff_alpha([[0, 0, 0, 0], [0, 0, 0, 1]]) == pytest.approx(0.0, abs=1e-12)
    assert percent_agreement([[0, 0, 0, 0], [0, 0, 0, 1]]) == pytest.approx(0.75)
    # a unit judged by one coder only is not pairable and is ignored
    assert krippendorff_alpha([[1, 1, 0, 0, 1], [1, 0, 0, 0, nan]]) == pytest.approx(8 / 15, abs=1e-12)
    # no variation at all: undefined, not an exception
    assert math.isnan(krippendorff_alpha([[0, 0, 0], [0, 0, 0]]))
    assert flag(float("nan")) == "undefined"


def test_percent_agreement_and_prevalence_three_coders_hand_worked():
    m = [[1, 0, 1, nan], [1, 0, 0, 1], [1, 1, 0, 1]]
    # unit shares of agreeing pairs: 3/3, 1/3, 1/3, 1/1 (two coders) -> mean 2/3
    assert percent_agreement(m) == pytest.approx(2 / 3)
    # pairable judgements: 11, of which 7 are 1
    assert prevalence(m) == pytest.approx(7 / 11)


def test_kappa_matches_sklearn():
    from sklearn.metrics import cohen_kappa_score

    rng = np.random.default_rng(7)
    for _ in range(20):
        a = (rng.random(60) < 0.3).astype(float)
        b = np.where(rng.random(60) < 0.8, a, 1 - a)
        assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)
    a = rng.integers(0, 3, 40).astype(float)
    b = rng.integers(0, 3, 40).astype(float)
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)
    a[:5] = nan  # missing units are dropped pairwise
    assert cohen_kappa(a, b) == pytest.approx(cohen_kappa_score(a[5:], b[5:]), abs=1e-12)
    assert math.isnan(cohen_kappa([0, 0, 0], [0, 0, 0]))


# -- alignment on units --------------------------------------------------------------------------------------
def test_agreement_on_sentences_and_turns(transcripts):
    docs = _docs(transcripts)
    A, B = docs["A"], docs["B"]
    # sentences of A: 0 Welcome. 1 Tell me... 2 We look... 3 Then we talk... 4 Nobody... 5 And the targets?
    #                 6 The targets came... 7 We hated them.
    assert [s.text for s in A.sentences][2] == "We look at the numbers together."
    c1 = pd.DataFrame([_row(A, 2, "learn"), _row(A, 3, "learn"), _row(A, 6, "control"), _row(B, 1, "control")])
    # coder 2 codes one span covering sentences 2-3 (overlap -> both units) and misses B's control
    span = {"document": "A", "unit": "sentence", "unit_index": None, "start": A.sentences[2].start,
            "end": A.sentences[3].end, "text": "", "code": "learn", "speaker": "Kim"}
    c2 = pd.DataFrame([span, _row(A, 6, "control"), _row(B, 2, "learn")])
    res = agreement([c1, c2], transcripts=[transcripts], skip_speakers=["Interviewer"])
    n_units = sum(1 for d in (A, B) for s in d.sentences if s.speaker != "Interviewer")
    assert res.units == n_units == 8
    by = res.codes.set_index("code")
    # learn: coder1 {A2, A3}, coder2 {A2, A3, B2}; control: coder1 {A6, B1}, coder2 {A6}
    learn1 = np.zeros(8)
    learn2 = np.zeros(8)
    units = list(zip(res.unit_table.units["document"], res.unit_table.units["unit_index"]))
    for key in (("A", 2), ("A", 3)):
        learn1[units.index(key)] = learn2[units.index(key)] = 1
    learn2[units.index(("B", 2))] = 1
    assert by.loc["learn", "alpha"] == pytest.approx(krippendorff_alpha([learn1, learn2]))
    from sklearn.metrics import cohen_kappa_score

    assert by.loc["learn", "kappa"] == pytest.approx(cohen_kappa_score(learn1, learn2))
    assert by.loc["learn", "agreement"] == pytest.approx(7 / 8)
    assert by.loc["control", "positives"] == 2
    assert by.loc["learn", "n_coder2"] == 3
    assert set(res.disagreements["code"]) == {"learn", "control"}
    d = res.to_dict()
    assert list(d) == ["units", "coders", "codes", "overall"]
    assert all(list(c) == ["code", "alpha", "kappa", "agreement", "prevalence"] for c in d["codes"])
    assert d["coders"] == ["coder1", "coder2"]
    # turns: A's Kim turn 1 holds both learn sentences, turn 3 the control sentence; B's Lee turn
    res_t = agreement([c1, c2], unit="turn", transcripts=[transcripts], skip_speakers=["Interviewer"])
    assert res_t.units == 3
    bt = res_t.codes.set_index("code")
    assert bt.loc["learn", "agreement"] == pytest.approx(2 / 3)  # B's turn: coder2 only
    assert bt.loc["control", "agreement"] == pytest.approx(2 / 3)


def test_gold_format_without_transcripts_and_partial_coverage(transcripts, tmp_path):
    docs = _docs(transcripts)
    A = docs["A"]
    gold = pd.DataFrame({"document": "A", "unit_index": [s.index for s in A.sentences],
                         "speaker": [s.speaker for s in A.sentences], "sentence": [s.text for s in A.sentences],
                         "codes": ["", "", "learn", "learn;talk", "", "", "control", ""]})
    gold_path = tmp_path / "gold.csv"
    gold.to_csv(gold_path, index=False)
    auto = pd.DataFrame([_row(A, 2, "learn"), _row(A, 7, "control"), _row(docs["B"], 1, "control")])
    auto_path = tmp_path / "auto.csv"
    auto.to_csv(auto_path, index=False)
    # B is not covered by gold: with transcripts its units are unpairable, so only A's 8 units count
    res = agreement([gold_path, auto_path], transcripts=[transcripts])
    assert res.units == 8
    assert res.coders == ["gold", "auto"]
    # without transcripts, gold lists A's sentences; B cannot be placed -> located error
    with pytest.raises(ToolkitError, match="cannot tell which sentences document 'B'"):
        agreement([gold_path, auto_path])
    res2 = agreement([gold_path, auto_path], documents=["A"])
    pd.testing.assert_frame_equal(res.codes, res2.codes)
    control = res.codes.set_index("code").loc["control"]
    assert control["alpha"] == pytest.approx(krippendorff_alpha([[0] * 6 + [1, 0], [0] * 7 + [1]]))
    assert "talk" in set(res.codes["code"])


def test_three_coders_pairs_and_errors(transcripts):
    from sklearn.metrics import cohen_kappa_score

    A = _docs(transcripts)["A"]
    c = [pd.DataFrame([_row(A, i, "x") for i in idx]) for idx in ([2, 3, 6], [2, 6], [2, 3, 4, 6])]
    res = agreement(c, transcripts=[transcripts], documents=["A"], names=["ann", "bob", "cy"])
    assert res.coders == ["ann", "bob", "cy"]
    assert math.isnan(res.codes["kappa"].iloc[0])  # Cohen's kappa is for two coders
    vec = {n: np.isin(np.arange(8), idx).astype(float) for n, idx in
           zip(res.coders, ([2, 3, 6], [2, 6], [2, 3, 4, 6]))}
    pair = res.pairs.set_index(["coder_a", "coder_b"]).loc[("ann", "cy")]
    assert pair["kappa"] == pytest.approx(cohen_kappa_score(vec["ann"], vec["cy"]))
    assert res.codes["alpha"].iloc[0] == pytest.approx(krippendorff_alpha(np.vstack(list(vec.values()))))
    assert res.codes["caveat"].iloc[0].startswith("rare code (4 unit(s) coded")  # 4 < min_positives=5
    res3 = agreement(c, transcripts=[transcripts], documents=["A"], names=["ann", "bob", "cy"], min_positives=3)
    assert res3.codes["caveat"].iloc[0] == ""  # prevalence 9/24 is not rare either
    with pytest.raises(ToolkitError, match="at least two coders"):
        agreement([c[0]])


def test_rare_code_caveat(transcripts):
    A = _docs(transcripts)["A"]
    c1 = pd.DataFrame([_row(A, 2, "x")])
    c2 = pd.DataFrame([_row(A, 2, "x"), _row(A, 3, "x")])
    res = agreement([c1, c2], transcripts=[transcripts], documents=["A"])
    r = res.codes.iloc[0]
    assert "rare code" in r["caveat"] and res.overall["rare"] == ["x"]
    assert r["flag"] == flag(r["alpha"])


# -- CLI -----------------------------------------------------------------------------------------------------------
def _write_pair(transcripts, tmp_path):
    docs = _docs(transcripts)
    A = docs["A"]
    gold = pd.DataFrame({"document": "A", "unit_index": [s.index for s in A.sentences],
                         "speaker": [s.speaker for s in A.sentences], "sentence": [s.text for s in A.sentences],
                         "codes": ["", "", "learn", "learn", "learn", "", "control", "control"]})
    gold.to_csv(tmp_path / "gold.csv", index=False)
    auto = pd.DataFrame([_row(A, 2, "learn"), _row(A, 3, "learn"), _row(A, 6, "control"), _row(A, 1, "learn")])
    auto["rule"] = "r"
    auto["matched"] = "m"
    auto.to_csv(tmp_path / "auto.csv", index=False)
    return tmp_path / "gold.csv", tmp_path / "auto.csv"


def test_cli_agreement_json_and_xlsx(run_cli, transcripts, tmp_path):
    from openpyxl import load_workbook

    gold, auto = _write_pair(transcripts, tmp_path)
    out = tmp_path / "agr.xlsx"
    code, stdout, stderr = run_cli("code", "agreement", str(gold), str(auto), "--json", "-o", str(out))
    assert code == 0, stderr
    data = json.loads(stdout)
    assert data["units"] == 8 and data["coders"] == ["gold", "auto"]
    learn = next(c for c in data["codes"] if c["code"] == "learn")
    from sklearn.metrics import cohen_kappa_score

    g = [0, 0, 1, 1, 1, 0, 0, 0]
    a = [0, 1, 1, 1, 0, 0, 0, 0]
    assert learn["kappa"] == pytest.approx(cohen_kappa_score(g, a))
    assert learn["agreement"] == pytest.approx(6 / 8)
    wb = load_workbook(out)
    assert wb.sheetnames == ["Summary", "Pairs", "Disagreements", "Units"]
    ws = wb["Summary"]  # the one table writer: title, labelled header, APA number formats
    assert ws["A1"].value == "Agreement per code"
    header = [c.value for c in ws[2]]
    assert header[:5] == ["Code", "Krippendorff's α", "Cohen's κ", "Agreement", "Prevalence"]
    row = next(r for r in ws.iter_rows(min_row=3) if r[0].value == "learn")
    assert row[2].value == pytest.approx(learn["kappa"]) and row[2].number_format == "#.00;-#.00;.00"
    assert not any("_" in str(h) for h in header if h)
    code, stdout, _ = run_cli("code", "agreement", str(gold), str(auto), "--skip-speaker", "Interviewer")
    assert code == 0 and "overall (pooled)" in stdout
    assert "Agreement of 2 coders (gold, auto) on 5 sentence(s)" in stdout


def test_cli_agreement_errors(run_cli, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("document,foo\nA,1\n", encoding="utf-8")
    code, _, stderr = run_cli("code", "agreement", str(bad), str(bad))
    assert code == 2 and "bad.csv" in stderr and "code" in stderr and "Traceback" not in stderr
    code, _, stderr = run_cli("code", "agreement", str(tmp_path / "missing.csv"), str(bad))
    assert code == 2 and "file not found" in stderr


def test_cli_evaluate_matches_api_and_lists_errors(run_cli, transcripts, tmp_path):
    from openpyxl import load_workbook

    from toolkit.coding.evaluate import evaluate_coding

    gold, auto = _write_pair(transcripts, tmp_path)
    out = tmp_path / "ev.xlsx"
    code, stdout, stderr = run_cli("code", "evaluate", "--gold", str(gold), "--pred", str(auto), "--json",
                                   "-o", str(out))
    assert code == 0, stderr
    data = json.loads(stdout)
    ref = evaluate_coding(pd.read_csv(gold), pd.read_csv(auto))
    assert data["micro"] == pytest.approx(ref.micro)
    # learn: gold {2,3,4}, pred {1,2,3} -> tp 2, fp 1 (sentence 1), fn 1 (sentence 4)
    learn = next(r for r in data["per_code"] if r["code"] == "learn")
    assert (learn["tp"], learn["fp"], learn["fn"]) == (2, 1, 1)
    fp = [e for e in data["errors"] if e["kind"] == "fp"]
    assert fp[0]["unit_index"] == 1 and fp[0]["text"].startswith("Tell me")
    wb = load_workbook(out)
    assert wb.sheetnames == ["Scores", "False positives", "False negatives"]
    ws = wb["Scores"]
    assert [c.value for c in ws[2]][:4] == ["Code", "Gold units", "Predicted units", "True positives"]
    micro = next(r for r in ws.iter_rows(min_row=3) if r[0].value == "Micro average")
    assert micro[8].value == pytest.approx(ref.micro["f1"]) and micro[8].number_format == "#.00;-#.00;.00"
    # skipping the interviewer removes the false positive on the interviewer's sentence
    code, stdout, _ = run_cli("code", "evaluate", "--gold", str(gold), "--pred", str(auto), "--skip-speaker",
                              "Interviewer", "--json")
    learn = next(r for r in json.loads(stdout)["per_code"] if r["code"] == "learn")
    assert learn["fp"] == 0


def test_review_workbook_as_a_coder(tmp_path):
    """A reviewed workbook from 'hls code run -o' is read with its decisions applied."""
    from openpyxl import load_workbook

    from toolkit.coding.codings_io import read_codings
    from toolkit.coding.outputs import write_review_workbook
    from toolkit.coding.run import code_documents

    t = tmp_path / "P1.txt"
    t.write_text("Interviewer: How do you use data?\n\nAna: We sit down together and go through the figures every "
                 "month, and we learn from what is not working. The contract had penalties for missed targets and "
                 "a red, amber, green dashboard.\n", encoding="utf-8")
    res = code_documents([t], "hls-theory", skip_speakers=["Interviewer"])
    assert len(res.codings) >= 3
    res.codings.to_csv(tmp_path / "auto.csv", index=False)
    review = tmp_path / "review.xlsx"
    write_review_workbook(review, res)
    wb = load_workbook(review)
    ws = wb["Codings"]
    header = [c.value for c in ws[1]]
    dcol, rcol = header.index("decision") + 1, header.index("recode_to") + 1
    ws.cell(row=2, column=dcol, value="reject")
    ws.cell(row=3, column=dcol, value="recode")
    ws.cell(row=3, column=rcol, value="hls.human")
    wb.save(review)
    (cs,) = read_codings(review)
    assert cs.kind == "review" and len(cs.codings) == len(res.codings) - 1
    assert "hls.human" in set(cs.codings["code"])
    out = agreement([tmp_path / "auto.csv", review], transcripts=[t], skip_speakers=["Interviewer"])
    assert out.coders == ["auto", "review"]
    assert len(out.disagreements) >= 2  # the rejected and the recoded rows
    assert (out.disagreements["auto"] == 1).any() and (out.disagreements["review"] == 1).any()
    # exported alone, the reviewed workbook becomes two REFI users: kept suggestions and the reviewer's recodes
    from toolkit.coding.refi import read_qdpx
    from toolkit.coding.refi.export import export_project

    summary = export_project([review], "hls-theory", tmp_path / "p.qdpx", transcripts=[t])
    assert summary["users"] == ["hls auto-coder", "reviewer"]
    project = read_qdpx(tmp_path / "p.qdpx")
    assert project.for_coder("reviewer")["code"].tolist() == ["hls.human"]
    assert len(project.for_coder("hls auto-coder")) == len(res.codings) - 2


def test_unreadable_transcript_in_folder_is_a_warning(transcripts):
    (transcripts / "broken.docx").write_bytes(b"not a zip")
    A = _docs(transcripts)["A"]
    c1 = pd.DataFrame([_row(A, 2, "x"), _row(A, 3, "x")])
    c2 = pd.DataFrame([_row(A, 2, "x")])
    res = agreement([c1, c2], transcripts=[transcripts])
    assert any("broken.docx" in w for w in res.warnings)
    assert res.units == 8


def test_pooled_closed_form_alpha_equals_package():
    from toolkit.coding.agreement import _binary_alpha

    rng = np.random.default_rng(3)
    for m in (2, 3, 5):
        x = (rng.random((m, 300)) < 0.2).astype(float)
        x[rng.random((m, 300)) < 0.15] = nan
        assert _binary_alpha(x) == pytest.approx(krippendorff_alpha(x), abs=1e-12)
    assert _binary_alpha(np.array([[1, 1, 0, 0], [1, 0, 0, 0]], dtype=float)) == pytest.approx(8 / 15)
    assert math.isnan(_binary_alpha(np.zeros((2, 5))))


def test_cli_random_codings_match_krippendorff_and_sklearn(run_cli, tmp_path):
    # three coders, three codes, coder 3 skips 40% of the units (missing): the whole path from unit-format CSV
    # files to the --json numbers against the krippendorff package and scikit-learn on matrices built here
    import krippendorff
    from sklearn.metrics import cohen_kappa_score

    rng = np.random.default_rng(7)
    codes = ["a.x", "a.y", "b.z"]
    units = [(d, i) for d, n in (("D1", 40), ("D2", 35)) for i in range(n)]
    seen = np.ones((3, len(units)), bool)
    seen[2, rng.random(len(units)) < 0.4] = False
    base = {k: rng.random(len(units)) < p for k, p in zip(codes, (0.3, 0.15, 0.5))}
    vals = {k: np.full((3, len(units)), np.nan) for k in codes}
    for c in range(3):
        rows = []
        for u, (d, i) in enumerate(units):
            if not seen[c, u]:
                continue
            got = []
            for k in codes:
                v = bool(base[k][u] ^ (rng.random() < 0.15))
                vals[k][c, u] = float(v)
                got += [k] if v else []
            rows.append({"document": d, "unit_index": i, "speaker": "S", "sentence": f"s {d} {i}",
                         "codes": ";".join(got)})
        pd.DataFrame(rows).to_csv(tmp_path / f"c{c}.csv", index=False)
    files = [str(tmp_path / f"c{c}.csv") for c in range(3)]
    code, out, err = run_cli("code", "agreement", *files, "--json")
    assert code == 0, err
    res = json.loads(out)
    assert res["units"] == len(units) and res["coders"] == ["c0", "c1", "c2"]
    for rec in res["codes"]:
        ref = krippendorff.alpha(reliability_data=vals[rec["code"]], level_of_measurement="nominal")
        assert rec["alpha"] == pytest.approx(ref, abs=1e-12)
    pooled = np.concatenate([vals[k] for k in codes], axis=1)
    assert res["overall"]["alpha"] == pytest.approx(
        krippendorff.alpha(reliability_data=pooled, level_of_measurement="nominal"), abs=1e-12)
    code, out, err = run_cli("code", "agreement", *files[:2], "--json")
    res = json.loads(out)
    for rec in res["codes"]:
        a, b = vals[rec["code"]][:2]
        assert rec["kappa"] == pytest.approx(cohen_kappa_score(a, b), abs=1e-12)
        assert rec["agreement"] == pytest.approx(float(np.mean(a == b)), abs=1e-12)
        assert rec["prevalence"] == pytest.approx(float(np.mean([a, b])), abs=1e-12)


def test_formula_like_document_and_speaker_round_trip_through_our_csv(run_cli, tmp_path):
    # our CSVs put a ' before formula-like text ("=doc", "+Sam"); reading them back must undo it everywhere,
    # else the codings no longer meet their transcript
    tx = tmp_path / "tx"
    tx.mkdir()
    (tx / "=doc.txt").write_text("Interviewer: Hi there.\n\n+Sam: We went through the numbers with the partners.\n")
    from toolkit.coding.codings_io import read_codings
    from toolkit.io import write_csv

    write_csv(pd.DataFrame({"document": ["=doc"], "case": ["=doc"], "speaker": ["+Sam"], "unit": ["sentence"],
                            "unit_index": [1], "start": [24], "end": [70], "code": ["kroll.collective_data_use"],
                            "text": ["We went through the numbers with the partners."]}), tmp_path / "c.csv")
    assert "'=doc" in (tmp_path / "c.csv").read_text()

    cs = read_codings(tmp_path / "c.csv")[0]
    assert cs.codings.loc[0, "document"] == "=doc" and cs.codings.loc[0, "speaker"] == "+Sam"
    code, _, err = run_cli("code", "export", str(tmp_path / "c.csv"), "--codebook", "hls-theory", "--format", "qdpx",
                           "--transcripts", str(tx), "-o", str(tmp_path / "p.qdpx"))
    assert code == 0, err


def test_turn_codings_without_transcripts_ask_for_them(run_cli, transcripts, tmp_path):
    # the message used to claim turn codings "carry no offsets" although they do: the transcripts are missing
    turn = _docs(transcripts)["A"].turns[1]
    pd.DataFrame([{"document": "A", "unit": "turn", "unit_index": 1, "start": turn.start, "end": turn.end,
                   "text": turn.text, "code": "x", "speaker": turn.speaker}]).to_csv(tmp_path / "turns.csv",
                                                                                       index=False)
    pd.DataFrame({"document": ["A"] * 3, "unit_index": [2, 3, 4], "codes": ["x", "", ""]}).to_csv(
        tmp_path / "gold.csv", index=False)
    args = ["code", "evaluate", "--gold", str(tmp_path / "gold.csv"), "--pred", str(tmp_path / "turns.csv"), "--json"]
    code, _, err = run_cli(*args)
    assert code == 2 and "pass the transcripts (--transcripts DIR)" in err
    code, out, err = run_cli(*args, "--transcripts", str(transcripts))
    assert code == 0, err
    assert json.loads(out)["micro"]["tp"] == 1 and json.loads(out)["micro"]["fp"] == 2  # the turn's 3 sentences


def test_more_names_than_inputs_is_an_error(run_cli, tmp_path):
    # a third --name (or --coder) used to be ignored silently, so labels could end up on the wrong files
    for c in ("a", "b"):
        pd.DataFrame({"document": ["d"] * 2, "unit_index": [0, 1], "codes": ["x", ""]}).to_csv(
            tmp_path / f"{c}.csv", index=False)
    files = [str(tmp_path / "a.csv"), str(tmp_path / "b.csv")]
    code, _, err = run_cli("code", "agreement", *files, "--name", "A", "--name", "B", "--name", "C")
    assert code == 2 and "3 names for 2 coding source(s)" in err
    code, _, err = run_cli("code", "agreement", *files, "--min-positives", "-1")
    assert code == 2 and "--min-positives" in err
    code, _, err = run_cli("code", "export", files[0], "--coder", "A", "--coder", "B", "--codebook", "hls-theory",
                           "--format", "qdpx", "-o", str(tmp_path / "p.qdpx"))
    assert code == 2 and "2 coder names for 1 CODED file(s)" in err and not (tmp_path / "p.qdpx").exists()
