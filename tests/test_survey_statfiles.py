"""SPSS .sav and Stata .dta output: labels, measurement levels, formats, shared value-label sets.

External references (tests/data/statfiles, made by make_statfiles.sh there): R 4.2.2 haven 2.5.1 and foreign 0.8.84
(read_back.R -> read_back_R.json) and GNU PSPP 1.6.2 (read_back.sps -> read_back_pspp.txt) reading the files our
writer produced. The tests write the same files again and check that they still carry what R and PSPP saw; when
R (with haven) or PSPP is installed the fresh files are also read back live.
"""
from __future__ import annotations

import json
import shutil
import struct
import subprocess
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

import toolkit
from toolkit.survey.output import write_survey

STAT = Path(__file__).parent / "data" / "statfiles"
ITEMS = ["SM1", "SM2", "SM3", "DR1", "DR2", "DR3", "ATT1"]


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """The four files of make_statfiles.sh, written now by the current code."""
    data_dir = Path(__file__).parent / "data"
    mini = data_dir / "mini-instrument.yaml"
    out = tmp_path_factory.mktemp("statfiles")
    answers, _ = toolkit.read_survey([data_dir / "qualtrics" / "choice-text.csv"], mini, keep_missing_codes=True)
    answers["_source"] = "tests/data/qualtrics/choice-text.csv"  # as make_statfiles.sh ran it
    for suffix in ("sav", "dta"):
        write_survey(answers, out / f"answers.{suffix}", mini)
    scored = toolkit.score(answers, mini)
    for suffix in ("sav", "dta"):
        write_survey(scored, out / f"scored.{suffix}", mini)
    return out


@pytest.fixture(scope="module")
def r_reading():
    return json.loads((STAT / "read_back_R.json").read_text(encoding="utf-8"))


def test_sav_metadata_as_r_haven_and_pspp_read_it(written, r_reading):
    df, meta = pyreadstat.read_sav(str(written / "answers.sav"), user_missing=True)
    haven = r_reading["haven"]["answers_sav"]
    for item in ITEMS:
        assert meta.original_variable_types[item] == haven[item]["format"] == "F1.0"  # not F8.2
        assert meta.variable_measure[item] == "ordinal"
        assert {v: float(k) for k, v in meta.variable_value_labels[item].items()} == \
            {k: float(v) for k, v in haven[item]["labels"].items()}
        assert meta.missing_ranges[item] == [{"lo": 9.0, "hi": 9.0}] and haven[item]["na_values"] == 9
        assert meta.column_names_to_labels[item] == haven[item]["label"]
    # choice question: labels on the text codes (SPSS and haven show "Manager", not "manager")
    assert meta.variable_value_labels["role"] == {"manager": "Manager", "frontline": "Frontline worker"}
    assert haven["role"]["labels"] == {"Manager": "manager", "Frontline worker": "frontline"}
    assert meta.variable_measure["role"] == meta.variable_measure["respondent_id"] == "nominal"
    assert list(df["role"]) == haven["role"]["values"]
    assert list(df["DR1"]) == [9, 4, 2, 3]  # kept as a user-missing code ...
    assert haven["DR1"]["values"] == [None, "4", "2", "3"]  # ... which R treats as NA (is.na() on user_na)
    pspp = (STAT / "read_back_pspp.txt").read_text(encoding="utf-8")
    assert "|SM1          |       4|In our      |Ordinal    |Input|    8|Right    |F1.0  |" in pspp
    assert "|role         |       3|What is your|Nominal    |Input|    8|Left     |A9    |" in pspp
    assert "|Valid Frontline worker|        2|" in pspp and "|Missing Don't know            |        1|" in pspp
    assert "|sensemaking |      13|System      |Scale      |Input|    8|Right    |F4.2  |" in pspp


def test_scores_are_scale_with_two_decimals(written, r_reading):
    _, meta = pyreadstat.read_sav(str(written / "scored.sav"))
    for c in ("sensemaking", "deliberation"):
        assert meta.variable_measure[c] == "scale"
        assert meta.original_variable_types[c] == r_reading["haven"]["scored_sav"][c]["format"] == "F4.2"
        assert meta.column_names_to_labels[c].endswith("(mean of 3 items)")
    _, dmeta = pyreadstat.read_dta(str(written / "scored.dta"))
    assert dmeta.original_variable_types["sensemaking"] == r_reading["haven"]["scored_dta"]["sensemaking"]["format"]


def _type3_records(data: bytes) -> list[list[int]]:
    """Independent reading of the system file's value-label records: the variable indexes of each record-3 set."""
    from toolkit.survey.statfiles import _sav_records

    _, records = _sav_records(data)
    return [records[k + 1][3] for k, r in enumerate(records) if r[0] == 3]


def test_one_value_label_set_per_response_scale(written):
    _, meta = pyreadstat.read_sav(str(written / "answers.sav"))
    sets = {meta.variable_to_label[i] for i in ITEMS}
    assert len(sets) == 1  # seven items, one set
    raw = (written / "answers.sav").read_bytes()
    records = _type3_records(raw)
    # SM1..ATT1 are dictionary slots 5-11 (role, nine bytes wide, takes slots 3 and 4; its labels sit in the
    # long-string record 7/21, which has no sharing)
    assert len(records) == 1 and records[0] == [5, 6, 7, 8, 9, 10, 11]
    _, dmeta = pyreadstat.read_dta(str(written / "answers.dta"))
    assert {dmeta.variable_to_label[i] for i in ITEMS} == {"agree5"}
    assert dmeta.variable_to_label["role"] == "role"
    assert sorted(dmeta.value_labels) == ["agree5", "role"]


def test_dta_choices_coded_and_missing_codes_extended(written, r_reading):
    df, meta = pyreadstat.read_dta(str(written / "answers.dta"), user_missing=True)
    haven = r_reading["haven"]["answers_dta"]
    assert meta.value_labels["role"] == {1: "Manager", 2: "Frontline worker"}
    assert haven["role"]["labels"] == {"Manager": "1", "Frontline worker": "2"}
    assert meta.value_labels["agree5"]["a"] == "Don't know" and haven["DR1"]["labels"]["Don't know"] == "NA(a)"
    assert list(df["DR1"]) == ["a", 4, 2, 3] and haven["DR1"]["values"] == ["NA(a)", "4", "2", "3"]
    assert meta.original_variable_types["SM1"] == haven["SM1"]["format"] == "%1.0f"
    assert meta.column_names_to_labels["SM1"] == haven["SM1"]["label"]
    assert open(written / "answers.dta", "rb").read(40).startswith(b"<stata_dta><header><release>118")


def test_foreign_reads_labels_and_missing(r_reading):
    f = r_reading["foreign"]
    assert f["value_labels"]["SM1"]["Don't know"] == "9" and f["missings"]["SM1"] == 9
    assert f["variable_labels"]["DR3"] == "=Data are rarely discussed when we meet."
    # foreign::read.spss ignores value labels of text longer than 8 bytes (it warns); haven and PSPP keep them
    assert f["value_labels"]["role"] is None and f["role"] == ["manager", "frontline", "manager", "frontline"]


def test_r_formats_say_why_not(tmp_path, run_cli, data_dir):
    code, _, err = run_cli("survey", "score", str(data_dir / "survey_mini_sim.csv"), "-i",
                           str(data_dir / "mini-instrument.yaml"), "-o", str(tmp_path / "x.rds"))
    assert code == 2 and "pyreadstat reads .rds/.RData but has no writer" in err and "haven::read_sav()" in err
    assert not (tmp_path / "x.rds").exists()


def test_stata_names_are_made_valid(tmp_path):
    df = pd.DataFrame({"_uuid": ["a"], "grp/q1": [1.0], "in": [2.0], "_source": ["f.csv"], "a" * 40: [3.0]})
    write_survey(df, tmp_path / "x.dta")
    out, _ = pyreadstat.read_dta(str(tmp_path / "x.dta"))
    assert list(out.columns) == ["_uuid", "grp_q1", "in_", "source_file", "a" * 32]


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="R is not installed")
def test_live_r_haven_reads_fresh_files(written, r_reading, tmp_path):
    probe = subprocess.run(["Rscript", "-e", "library(haven); library(foreign); library(jsonlite)"],
                           capture_output=True, timeout=60)
    if probe.returncode != 0:
        pytest.skip("R packages haven/foreign/jsonlite are not installed")
    for f in written.iterdir():
        shutil.copy(f, tmp_path / f.name)
    shutil.copy(STAT / "read_back.R", tmp_path / "read_back.R")
    res = subprocess.run(["Rscript", "read_back.R"], cwd=tmp_path, capture_output=True, timeout=120, text=True)
    assert res.returncode == 0, res.stderr
    live = json.loads(res.stdout)
    keys = ("class", "label", "format", "labels", "na_values", "values")
    for name, variables in r_reading["haven"].items():
        for var, desc in variables.items():
            assert {k: live["haven"][name][var][k] for k in keys} == {k: desc[k] for k in keys}, (name, var)
    assert live["foreign"] == r_reading["foreign"]


@pytest.mark.skipif(shutil.which("pspp") is None, reason="PSPP is not installed")
def test_live_pspp_reads_fresh_files(written, tmp_path):
    for f in written.iterdir():
        shutil.copy(f, tmp_path / f.name)
    shutil.copy(STAT / "read_back.sps", tmp_path / "read_back.sps")
    res = subprocess.run(["pspp", "read_back.sps", "-O", "format=txt", "-o", "out.txt"], cwd=tmp_path,
                         capture_output=True, timeout=120, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
    live = (tmp_path / "out.txt").read_text(encoding="utf-8")
    stored = (STAT / "read_back_pspp.txt").read_text(encoding="utf-8")
    for line in stored.splitlines():  # every dictionary, value-label and frequency row PSPP printed then
        if line.startswith("|") and any(k in line for k in ("F1.0", "F4.2", "A9", "Frontline", "Don't know")):
            assert line in live


def test_share_sav_label_sets_leaves_other_files_alone():
    from toolkit.survey.statfiles import share_dta_label_sets, share_sav_label_sets

    assert share_sav_label_sets(b"not a sav file") == b"not a sav file"
    assert share_dta_label_sets(b"<stata_dta><header><release>105", {}) == b"<stata_dta><header><release>105"
    assert struct.calcsize("<14Q") == 112
