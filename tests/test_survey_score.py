"""Construct scoring (hls survey score, toolkit.score), checked against psych::scoreItems."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit.survey.table import read_table


@pytest.fixture
def mini(data_dir):
    return data_dir / "mini-instrument.yaml"


def test_score_matches_psych_scoreitems(data_dir, mini):
    """psych 2.2.9 scoreItems(min=1, max=5, impute="none") on data with 9 = Don't know set to NA (see the JSON's
    provenance); the raw file still holds the 9s, so this also checks that declared missing codes are dropped."""
    df = read_table(data_dir / "survey_mini_sim.csv")
    assert (df[["SM1", "SM2", "SM3", "DR1", "DR2", "DR3"]] == 9).to_numpy().sum() > 0
    ref = json.loads((data_dir / "survey_scores_psych.json").read_text())
    scored = toolkit.score(df, mini)
    for name in ("sensemaking", "deliberation"):
        expected = np.array([np.nan if v is None else v for v in ref[name]], dtype=float)
        got = scored[name].to_numpy(dtype=float)
        assert np.array_equal(np.isnan(expected), np.isnan(got))
        assert np.nanmax(np.abs(got - expected)) < 1e-12


def test_reverse_min_share_and_missing_codes_by_hand(mini):
    df = pd.DataFrame({"SM1": [5, 4, 9, 2], "SM2": [4, 9, 9, None], "SM3": [1, 2, 5, 4],
                       "DR1": ["Agree", 3, 1, 2], "DR2": [3, 9, 1, 2], "DR3": [3, 2, 5, None]})
    s = toolkit.score(df, mini)
    # SM3 reversed: 6 - x; row 0 (5 + 4 + 5) / 3; row 1 SM2 = 9 is missing -> (4 + 4) / 2; row 2 only SM3 left
    assert s["sensemaking"].iloc[0] == pytest.approx(14 / 3)
    assert s["sensemaking"].iloc[1] == pytest.approx(4.0)
    assert np.isnan(s["sensemaking"].iloc[2])
    assert s["sensemaking"].iloc[3] == pytest.approx((2 + 2) / 2)
    assert s["deliberation"].iloc[0] == pytest.approx((4 + 3 + 3) / 3)  # label "Agree" -> 4
    assert s["deliberation"].iloc[1] == pytest.approx((3 + 4) / 2)
    # min share 1: every item needed
    strict = toolkit.score(df, mini, min_share=1.0)
    assert strict["sensemaking"].notna().tolist() == [True, False, False, False]
    assert df.loc[1, "SM2"] == 9  # the input frame is not modified
    # 0.667, the default as --help shows it, means two thirds: 2 of 3 answered is still scored
    typed = toolkit.score(df, mini, min_share=0.667)
    assert typed["sensemaking"].notna().tolist() == s["sensemaking"].notna().tolist() == [True, True, False, True]
    assert toolkit.score(df, mini, min_share=0.7)["sensemaking"].notna().tolist() == [True, False, False, False]
    def unscorable_rows(share):
        issues = toolkit.validate_survey(df.assign(SM2=[4, None, 9, 3]), mini, min_share=share).issues
        return issues.loc[issues["check"] == "respondent_missing", "row"].tolist()
    assert unscorable_rows(0.667) == [4]  # only the row with SM2 and SM1 missing
    assert unscorable_rows(0.7) == [3, 4, 5]


def test_invalid_values_raise_located_error(tmp_path, mini, run_cli):
    p = tmp_path / "d.csv"
    pd.DataFrame({"SM1": [1, 2, 7], "SM2": [1, 2, 3], "SM3": [1, 2, 3], "DR1": [1, 2, 3], "DR2": [1, 2, 3],
                  "DR3": [1, 2, 3]}).to_csv(p, index=False)
    with pytest.raises(toolkit.ToolkitError) as exc:
        toolkit.score(read_table(p), mini)
    assert str(exc.value).startswith(f"{p}:row 4: SM1: ")
    code, _, stderr = run_cli("survey", "score", str(p), "-i", str(mini), "-o", str(tmp_path / "o.csv"))
    assert code == 2 and "row 4: SM1" in stderr and "Traceback" not in stderr
    assert not (tmp_path / "o.csv").exists()
    assert stderr.strip() == f"error: {p}:row 4: SM1: 7 is not on scale 'agree5' (1..5; missing 9)"
    pd.DataFrame({"SM1": [1]}).to_csv(p, index=False)
    code, _, stderr = run_cli("survey", "score", str(p), "-i", str(mini), "-o", str(tmp_path / "o.csv"))
    assert code == 2 and "SM2" in stderr
    # an imported file (with _source/_row) that was edited afterwards: the error points at the file being
    # scored, and says where the answer came from (it used to name only the original questionnaire)
    pd.DataFrame({"respondent_id": ["A", "B"], "SM1": [1, "lots"], "SM2": [1, 2], "SM3": [1, 2], "DR1": [1, 2],
                  "DR2": [1, 2], "DR3": [1, 2], "_source": ["kobo.csv", "kobo.csv"], "_row": [2, 3]}).to_csv(
        p, index=False)
    code, _, stderr = run_cli("survey", "score", str(p), "-i", str(mini), "-o", str(tmp_path / "o.csv"))
    assert stderr.strip() == (f"error: {p}:row 3: SM1: 'lots' is not a code or label of scale 'agree5'; "
                              "imported from kobo.csv row 3")


def test_cli_score_writes_construct_columns(tmp_path, data_dir, mini, run_cli):
    out = tmp_path / "scored.csv"
    code, stdout, _ = run_cli("survey", "score", str(data_dir / "survey_mini_sim.csv"), "-i", str(mini),
                              "-o", str(out), "--json")
    assert code == 0
    payload = json.loads(stdout)
    assert [c["construct"] for c in payload["constructs"]] == ["sensemaking", "deliberation"]
    scored = pd.read_csv(out)
    assert list(scored.columns[-2:]) == ["sensemaking", "deliberation"]
    ref = json.loads((data_dir / "survey_scores_psych.json").read_text())
    assert payload["constructs"][0]["n_scored"] == sum(v is not None for v in ref["sensemaking"])
    code, _, _ = run_cli("survey", "score", str(data_dir / "survey_mini_sim.csv"), "-i", str(mini),
                         "-o", str(tmp_path / "scored.sav"), "--min-share", "0.5")
    assert code == 0 and (tmp_path / "scored.sav").exists()
