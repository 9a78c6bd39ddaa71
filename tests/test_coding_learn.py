"""The trained coder (hls code train / --trained), the rules' coordination and hedging, fast start, the
review workbook's suggestion columns, case-attribute counts and memos in REFI-QDA."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import toolkit

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "transcripts"
FAST = dict(epochs=3, batch_size=32)


@pytest.fixture(scope="module")
def gold_two(tmp_path_factory):
    """Gold coding of INT01 and INT02 (the trainer's input) and the folder of their transcripts."""
    tmp = tmp_path_factory.mktemp("learn")
    gold = pd.read_csv(SAMPLE / "gold.csv", keep_default_na=False)
    part = gold[gold.document.str.startswith(("INT01", "INT02"))]
    path = tmp / "gold12.csv"
    part.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def model_dir(gold_two, tmp_path_factory):
    from toolkit.coding.learn.model import Hyper
    from toolkit.coding.learn.train import train_coder

    out = tmp_path_factory.mktemp("model") / "coder"
    meta = train_coder([gold_two], SAMPLE, "hls-theory", out, skip_speakers=["Interviewer"], seed=3,
                       hyper=Hyper(**FAST), features="bow", min_units=4)
    meta.pop("_component")
    return out, meta


def test_wordllama_vectors_load_offline_from_the_wheel(monkeypatch):
    from toolkit.coding.learn.embeddings import WordEmbeddings, packaged_files

    def no_network(*a, **k):
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    WordEmbeddings.packaged.cache_clear()
    emb = WordEmbeddings.packaged()
    weights, tok = packaged_files()
    assert weights.stat().st_size > 10_000_000 and tok.name.endswith(".json")
    v = emb.word_vectors(["partners", "collaborators", "banana", "Partners"])
    assert v.shape == (4, 256) and np.allclose(v[0], v[3])

    def cos(a, b):
        return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))

    assert cos(v[0], v[1]) > cos(v[0], v[2])  # near neighbours in meaning, not in spelling


def test_training_set_from_gold_review_and_rejections(gold_two, tmp_path):
    from toolkit.coding.learn.data import UNKNOWN, build_training_set

    ts = build_training_set([gold_two], SAMPLE, "hls-theory", skip_speakers=["Interviewer"])
    gold = pd.read_csv(gold_two, keep_default_na=False)
    answers = gold[gold.speaker != "Interviewer"]
    coded = ts.units[ts.units.source == "coded"]
    assert len(coded) == len(answers)  # every interviewee sentence, none of the interviewer's
    j = ts.codes.index("control.technical")
    expected = answers.codes.str.contains("control.technical").sum()
    assert int((ts.labels[: len(coded), j] == 1).sum()) == expected
    assert not (ts.labels[: len(coded)] == UNKNOWN).any()  # gold units are judged for every code
    ex = ts.units[ts.units.source == "codebook example"]
    assert len(ex) == len([c for c in toolkit.load_codebook("hls-theory").codes if c.codable and c.example])

    # a review workbook: accepted rows are positives, rejected suggestions negatives for their code only
    res = toolkit.code_documents([SAMPLE / "INT03_eastbrook.txt"], "hls-theory", skip_speakers=["Interviewer"])
    wb_path = tmp_path / "review.xlsx"
    res.write_review(wb_path)
    from openpyxl import load_workbook

    wb = load_workbook(wb_path)
    ws = wb["Codings"]
    head = [c.value for c in ws[1]]
    dcol = head.index("decision") + 1
    ws.cell(2, dcol).value = "accept"
    ws.cell(3, dcol).value = "reject"
    rej = (ws.cell(3, head.index("unit_index") + 1).value, ws.cell(3, head.index("code") + 1).value)
    acc = (ws.cell(2, head.index("unit_index") + 1).value, ws.cell(2, head.index("code") + 1).value)
    wb.save(wb_path)
    rs = build_training_set([wb_path], SAMPLE, "hls-theory", skip_speakers=["Interviewer"], closed_world=False,
                            examples=False)
    idx = {int(u): i for i, u in enumerate(rs.units.unit_index)}
    assert rs.labels[idx[rej[0]], rs.codes.index(rej[1])] == 0
    assert rs.units.rejected[idx[rej[0]]] == (rej[1],)
    if acc[0] != rej[0]:
        assert rs.labels[idx[acc[0]], rs.codes.index(acc[1])] == 1
    assert rs.counts()[rej[1]]["rejected"] == 1
    # open world: only those two units carry labels
    assert len(rs.units) == len({rej[0], acc[0]})


def test_train_writes_a_documented_deterministic_model(model_dir, gold_two, tmp_path):
    from toolkit.coding.learn.model import Hyper
    from toolkit.coding.learn.train import train_coder

    out, meta = model_dir
    disk = json.loads((out / "model.json").read_text(encoding="utf-8"))
    cb = toolkit.load_codebook("hls-theory")
    assert disk["codebook"] == {"id": cb.id, "version": cb.version, "hash": cb.content_hash()}
    assert disk["toolkit_version"] == toolkit.__version__ and disk["features"] == "bow"
    assert disk["cv_folds"] == [["INT01_riverside"], ["INT02_northgate"]]
    # the model ranks held-out units well and its own decision is usable (the format-1 trainer, squared error
    # with Adam on raw n-gram counts, memorised the training sentences: mean AP 0.08, model F1 0.11 here)
    assert disk["cv_model_map"] >= 0.5 and disk["cv_micro"]["model"]["f1"] >= 0.5
    for code in cb.code_ids:
        entry = disk["codes"][code]
        assert set(entry["training_units"]) == {"positive", "negative", "rejected"}
        if entry["learned"]:
            assert 0 < entry["threshold_add"] <= 1.01 and 0 <= entry["threshold_keep"] <= entry["threshold_add"]
            assert {"precision", "recall", "f1"} <= set(entry["cv_model"]) and "cv_merged" in entry
        else:
            assert code in disk["left_to_rules"] and "left to the rules" in entry["note"]
    # partnership.learning_partnership never occurs in INT01-02: too few units, left to the rules
    assert "partnership.learning_partnership" in disk["left_to_rules"]
    # same inputs and seed: the same model, byte for byte
    again = tmp_path / "again"
    train_coder([gold_two], SAMPLE, "hls-theory", again, skip_speakers=["Interviewer"], seed=3,
                hyper=Hyper(**FAST), features="bow", min_units=4)
    a = json.loads((again / "model.json").read_text(encoding="utf-8"))
    for d in (a, disk):
        d.pop("seconds")
    assert a == disk
    files = sorted(p.relative_to(out) for p in (out / "textcat").rglob("*") if p.is_file())
    assert files and all((out / f).read_bytes() == (again / f).read_bytes() for f in files)


def test_average_precision_equals_scikit_learn():
    from sklearn.metrics import average_precision_score

    from toolkit.coding.learn.train import average_precision

    rng = np.random.default_rng(5)
    for _ in range(20):
        y = rng.random(60) < 0.2
        y[0] = True
        s = np.round(rng.random(60), 1)  # many ties
        assert average_precision(y, s) == pytest.approx(average_precision_score(y, s), abs=1e-12)


def test_format_1_model_folder_loads_with_its_old_settings(gold_two, tmp_path):
    """A folder written before the log-loss trainer (format 1, fewer hyper keys) is rebuilt as it was."""
    from toolkit.coding.learn.model import LEGACY_HYPER, Hyper
    from toolkit.coding.learn.train import train_coder

    out = tmp_path / "old"
    train_coder([gold_two], SAMPLE, "hls-theory", out, skip_speakers=["Interviewer"], seed=1, features="bow",
                hyper=Hyper(**FAST, **LEGACY_HYPER), min_units=6)
    cb = toolkit.load_codebook("hls-theory")
    doc = SAMPLE / "INT03_eastbrook.txt"
    before = toolkit.code_documents([doc], cb, skip_speakers=["Interviewer"], trained=out).codings
    meta = json.loads((out / "model.json").read_text(encoding="utf-8"))
    meta["format"] = "hls-trained-coder/1"
    meta["hyper"] = {k: v for k, v in meta["hyper"].items() if k not in LEGACY_HYPER}
    (out / "model.json").write_text(json.dumps(meta), encoding="utf-8")
    after = toolkit.code_documents([doc], cb, skip_speakers=["Interviewer"], trained=out).codings
    pd.testing.assert_frame_equal(before, after)
    assert before.score.notna().any()


def test_run_with_trained_model_merges_and_sorts_for_review(model_dir, tmp_path, run_cli):
    out, meta = model_dir
    csv, xlsx = tmp_path / "c.csv", tmp_path / "r.xlsx"
    code, _, err = run_cli("code", "run", str(SAMPLE / "INT03_eastbrook.txt"), "--codebook", "hls-theory",
                           "--skip-speaker", "Interviewer", "--trained", str(out), "--csv", str(csv), "-o", str(xlsx))
    assert code == 0, err
    assert "left to the rules" in err
    df = pd.read_csv(csv, keep_default_na=False)
    assert set(df.source) <= {"rule", "model", "both"}
    learned = df.code.isin(meta["labels"])
    assert (df.loc[learned, "score"] != "").all() and (df.loc[~learned, "score"] == "").all()
    assert set(df.loc[df.source == "model", "rule"]) <= {""}
    # the same sentences as a rules-only run, apart from model additions and vetoes
    base = toolkit.code_documents([SAMPLE / "INT03_eastbrook.txt"], "hls-theory", skip_speakers=["Interviewer"])
    rule_pairs = set(zip(base.codings.unit_index, base.codings.code))
    ours = set(zip(df.unit_index, df.code))
    assert set(zip(df[df.source != "model"].unit_index, df[df.source != "model"].code)) <= rule_pairs
    assert ours - rule_pairs == set(zip(df[df.source == "model"].unit_index, df[df.source == "model"].code))
    # workbook: least certain first, then unscored rows; the review loop still works (memo kept)
    sheet = pd.read_excel(xlsx, sheet_name="Codings")
    scores = sheet.score.dropna().tolist()
    assert scores == sorted(scores) and sheet.score.notna().sum() == len(scores)
    assert sheet.score.isna().sum() == 0 or sheet.score.iloc[len(scores):].isna().all()
    from openpyxl import load_workbook

    wb = load_workbook(xlsx)
    ws = wb["Codings"]
    head = [c.value for c in ws[1]]
    ws.cell(2, head.index("decision") + 1).value = "accept"
    ws.cell(2, head.index("memo") + 1).value = "check with the team"
    wb.save(xlsx)
    fin = toolkit.apply_review(xlsx).codings
    assert len(fin) == 1 and fin.memo[0] == "check with the team" and fin.source[0] in ("rule", "both", "model")


def test_trained_model_for_another_codebook_is_refused(model_dir, tmp_path, run_cli):
    out, _ = model_dir
    other = tmp_path / "other.yaml"
    other.write_text((ROOT / "codebooks" / "hls-theory.yaml").read_text(encoding="utf-8").replace(
        "id: hls-theory", "id: other-book", 1), encoding="utf-8")
    code, _, err = run_cli("code", "run", str(SAMPLE / "INT03_eastbrook.txt"), "--codebook", str(other),
                           "--trained", str(out), "--csv", str(tmp_path / "x.csv"))
    assert code == 2 and "trained for codebook 'hls-theory'" in err and not (tmp_path / "x.csv").exists()
    code, _, err = run_cli("code", "train", str(tmp_path / "nope.csv"), "--codebook", "hls-theory", "-o",
                           str(tmp_path / "m"))
    assert code == 2 and "nope.csv: file not found" in err


def test_cli_train_with_vectors(gold_two, tmp_path, run_cli, monkeypatch):
    import toolkit.coding.learn.train as tr
    from toolkit.coding.learn.model import Hyper

    monkeypatch.setattr(tr, "Hyper", lambda: Hyper(**FAST))
    out = tmp_path / "m"
    code, stdout, err = run_cli("code", "train", str(gold_two), "--transcripts", str(SAMPLE), "--codebook",
                                "hls-theory", "--skip-speaker", "Interviewer", "--features", "vectors", "-o",
                                str(out), "--json", "--min-units", "6")
    assert code == 0, err
    meta = json.loads(stdout)
    assert meta["features"] == "vectors" and meta["hyper"]["embeddings"] is True
    assert "cross-validated micro P/R/F1" in err and "wrote" in err
    tm = toolkit.load_trained(out, "hls-theory")
    res = toolkit.code_documents([SAMPLE / "INT03_eastbrook.txt"], "hls-theory", skip_speakers=["Interviewer"],
                                 trained=tm)
    assert res.codings.score.notna().any() and res.model["features"] == "vectors"


# -- rules -----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def coder():
    from toolkit.coding.pipeline import Coder, build_nlp

    return Coder(toolkit.load_codebook("hls-theory"), build_nlp())


@pytest.mark.parametrize("text, codes", [
    ("We moved from targets to social and technical controls.", {"control.social", "control.technical"}),
    ("It is about dynamic, experiential and compositional complexity.",
     {"complexity.dynamic", "complexity.experiential", "complexity.compositional"}),
    ("Dynamic, experiential, and compositional complexity all matter.",
     {"complexity.dynamic", "complexity.experiential", "complexity.compositional"}),
    ("Both governance and dynamic complexity were discussed.", {"complexity.governance", "complexity.dynamic"}),
])
def test_coordinated_construct_names(coder, text, codes):
    assert codes <= set(coder.codes_in(text))


def test_coordination_needs_a_list(coder):
    # "technical" alone next to another noun is not "technical control"
    assert "control.technical" not in coder.codes_in("The technical team met the social worker.")


def test_hedging_as_the_codebook_says(tmp_path):
    from toolkit.coding.pipeline import Coder, build_nlp

    yaml = """id: hedge-test
title: t
version: "1"
hedges: [maybe, sort of]
codes:
  - id: trust
    name: Trust
    definition: d
    example: We trust the providers.
    hedging: true
    rules:
      - phrases: [trust the providers]
  - id: trust_any
    name: Trust (hedges kept)
    definition: d
    example: We trust the providers.
    rules:
      - phrases: [trust the providers]
"""
    p = tmp_path / "h.yaml"
    p.write_text(yaml, encoding="utf-8")
    c = Coder(toolkit.load_codebook(p), build_nlp())
    assert set(c.codes_in("We trust the providers.")) == {"trust", "trust_any"}
    assert set(c.codes_in("We maybe trust the providers.")) == {"trust_any"}
    assert set(c.codes_in("We sort of trust the providers.")) == {"trust_any"}
    assert toolkit.check_codebook(p) == [] if hasattr(toolkit, "check_codebook") else True


def test_compiled_codebook_cache_gives_the_same_matches(tmp_path, monkeypatch):
    from toolkit.coding import cache
    from toolkit.coding.pipeline import Coder, build_nlp

    monkeypatch.setenv("HLS_CACHE_DIR", str(tmp_path / "cache"))
    cb = toolkit.load_codebook("hls-theory")
    text = "Every month the partners get together and go through the dashboard, social and technical controls."
    first = Coder(cb, build_nlp()).codes_in(text)
    assert list((tmp_path / "cache").glob("codebook-*.pickle"))
    second = Coder(cb, build_nlp()).codes_in(text)
    assert first == second and first
    assert cache.load("nothing", "x") is None


def test_missing_input_fails_before_spacy_loads(tmp_path):
    out = tmp_path / "x.csv"
    code = ("import sys\nfrom toolkit.cli.main import main\n"
            f"rc = main(['code', 'run', {str(tmp_path / 'nope.txt')!r}, '--codebook', 'hls-theory', '--csv', "
            f"{str(out)!r}])\nprint(rc, 'spacy' in sys.modules)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert res.stdout.split() == ["2", "False"], res.stderr
    assert "nope.txt: file not found" in res.stderr and not out.exists()


# -- review workbook, NVivo expectations ---------------------------------------------------------------------
def test_old_review_workbook_without_suggestion_columns_still_applies(tmp_path):
    from openpyxl import Workbook

    from toolkit.coding.run import CODING_COLUMNS

    wb = Workbook()
    ws = wb.active
    ws.title = "Codings"
    ws.append(CODING_COLUMNS + ["decision", "recode_to", "comment"])
    ws.append(["d", "c", "g", "S", "sentence", 0, 0, 5, "Hello", "hls.human", "r", "m", "accept", None, "ok"])
    lists = wb.create_sheet("lists")
    lists.append(["hls.human"])
    wb.save(tmp_path / "old.xlsx")
    fin = toolkit.apply_review(tmp_path / "old.xlsx").codings
    assert fin.code.tolist() == ["hls.human"] and fin.memo[0] == "" and fin.source[0] == "rule"


def test_counts_by_case_attribute_match_a_pandas_groupby(tmp_path):
    res = toolkit.code_documents([SAMPLE], "hls-theory", skip_speakers=["Interviewer"])
    attr = res.attribute_frequencies
    meta = {d.id: d.metadata for d in toolkit.coding.transcripts.iter_documents([SAMPLE])}
    units = res.codings.drop_duplicates(["document", "unit_index", "code"])
    for key in ("role", "sector"):
        units[key] = units.document.map(lambda d: str(meta[d][key]))
        expected = units.groupby([key, "code"]).size()
        for (value, code), n in expected.items():
            assert attr.loc[code, (key, value)] == n
    assert ("partnership", "riverside-homelessness-alliance") in attr.columns
    xlsx = tmp_path / "r.xlsx"
    res.write_review(xlsx)
    from openpyxl import load_workbook

    wb = load_workbook(xlsx, read_only=True)
    texts = [c for row in wb["Frequencies"].iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any(t.startswith("Units coded per case attribute") for t in texts) and "role: commissioner" in texts


def test_memo_survives_refi_export_and_import(tmp_path, data_dir):
    from lxml import etree

    from toolkit.coding.refi.export import export_project

    res = toolkit.code_documents([SAMPLE / "INT01_riverside.txt"], "hls-theory", skip_speakers=["Interviewer"])
    df = res.codings.copy()
    df.loc[0, "memo"] = "Payment by results as the counterfactual; see field notes 12 March."
    csv = tmp_path / "final.csv"
    toolkit.write_csv(df, csv)
    out = tmp_path / "p.qdpx"
    export_project([csv], "hls-theory", out, transcripts=[SAMPLE])
    import zipfile

    with zipfile.ZipFile(out) as z:
        xml = z.read("project.qde")
    schema = etree.XMLSchema(etree.parse(str(data_dir / "refi" / "Project-mrt2019.xsd")))
    doc = etree.fromstring(xml)
    assert schema.validate(doc), schema.error_log
    ns = {"q": "urn:QDA-XML:project:1.0"}
    assert len(doc.findall(".//q:Coding/q:NoteRef", ns)) == 1 and len(doc.findall(".//q:Notes/q:Note", ns)) == 1
    proj = toolkit.read_qdpx(out, codebook="hls-theory")
    memos = proj.codings[proj.codings.memo != ""]
    assert memos.memo.tolist() == [df.loc[0, "memo"]] and memos.code.tolist() == [df.loc[0, "code"]]


# -- scale-out -----------------------------------------------------------------------------------------------
def test_parquet_equals_csv(tmp_path, run_cli):
    pq = pytest.importorskip("pyarrow.parquet")
    csv, par = tmp_path / "c.csv", tmp_path / "c.parquet"
    code, _, err = run_cli("code", "run", str(SAMPLE / "INT02_northgate.txt"), "--codebook", "hls-theory",
                           "--csv", str(csv), "--parquet", str(par))
    assert code == 0, err
    a = pd.read_csv(csv, keep_default_na=False)
    b = pq.read_table(par).to_pandas()
    assert a.code.tolist() == b.code.tolist() and a.start.tolist() == b.start.tolist()
    assert a.text.tolist() == b.text.tolist()


def test_dask_local_cluster_equals_single_process(tmp_path, run_cli):
    pytest.importorskip("distributed")
    one, two = tmp_path / "one.csv", tmp_path / "two.csv"
    args = [str(SAMPLE), "--codebook", "hls-theory", "--skip-speaker", "Interviewer"]
    assert run_cli("code", "run", *args, "--csv", str(one))[0] == 0
    code, _, err = run_cli("code", "run", *args, "--csv", str(two), "--scheduler", "dask", "--workers", "2")
    assert code == 0, err
    assert "on 2 Dask worker(s)" in err
    assert one.read_bytes() == two.read_bytes()


def test_dask_codes_long_turns_and_the_trained_coder_as_one_process(model_dir, tmp_path):
    """The workers run the same streaming run: a turn longer than a piece, a trained coder, one file per
    batch and a document id used twice give the rows, counts (case attributes too) and errors of one process."""
    pytest.importorskip("distributed")
    from toolkit.coding.run import CodingRun, coding_result
    from toolkit.coding.scale import DaskRun
    from toolkit.coding.transcripts.sentences import PIECE_CHARS

    corpus, dup = tmp_path / "corpus", tmp_path / "dup"
    corpus.mkdir()
    dup.mkdir()
    for p in sorted(SAMPLE.glob("INT0[3-5]*.txt")):
        (corpus / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    answers = [line.split(": ", 1)[1] for line in (SAMPLE / "INT01_riverside.txt").read_text(encoding="utf-8")
               .splitlines() if line.startswith("Sam: ")]
    body = " ".join(answers)
    turn = " ".join([body] * (PIECE_CHARS // len(body) + 2))
    assert len(turn) > PIECE_CHARS + 5000  # coded in two pieces or more
    (corpus / "INT07_long.txt").write_text("---\nrole: manager\n---\nInterviewer: Go on.\n\nSam: " + turn + "\n",
                                           encoding="utf-8")
    (dup / "INT03_eastbrook.txt").write_text("Sam: Social and technical controls.\n", encoding="utf-8")
    sources = [corpus, dup / "INT03_eastbrook.txt"]
    kw = dict(skip_speakers=["Interviewer"], trained=model_dir[0])

    one = CodingRun(sources, "hls-theory", **kw)
    rows1 = [r for _, batch in one for r in batch]
    two = DaskRun(sources, "hls-theory", workers=2, batch_files=1, **kw)
    rows2 = [r for _, batch in two for r in batch]
    assert rows1 == rows2
    assert any(r["score"] is not None for r in rows1) and any(r["document"] == "INT07_long" for r in rows1)
    assert len(two.workers_used) == 2 and one.vetoed == two.vetoed
    assert [str(e) for e in one.errors] == [str(e) for e in two.errors] and "already used" in str(one.errors[0])
    a, b = coding_result(one, rows1), coding_result(two, rows2)
    for name in ("frequencies", "speaker_frequencies", "attribute_frequencies", "cooccurrence", "documents"):
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name))
    assert a.attribute_frequencies[("role", "manager")].sum() > 0
    assert a.model == b.model


def test_dask_option_without_the_extra_says_how_to_install(tmp_path, run_cli, monkeypatch):
    import builtins

    real = builtins.__import__

    def fake(name, *a, **k):
        if name == "distributed" or name.startswith("distributed."):
            raise ImportError("no distributed")
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", fake)
    code, _, err = run_cli("code", "run", str(SAMPLE / "INT01_riverside.txt"), "--codebook", "hls-theory",
                           "--csv", str(tmp_path / "x.csv"), "--scheduler", "dask")
    assert code == 2 and 'pip install "hls-toolkit[dask]"' in err and not (tmp_path / "x.csv").exists()
