"""One screening of item answers for every analysis: missing codes and out-of-range answers, reported in the same
words by reliability, EFA, polychoric correlations and aggregation; and a negative ICC(2) explained."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit.psychometrics.factor import select_items
from toolkit.psychometrics.screening import ItemRule, Screening, item_rules, screen


def _survey(seed=3, n=120):
    rng = np.random.default_rng(seed)
    base = rng.normal(size=n)
    df = pd.DataFrame({f"q{j}": np.clip(np.round(3 + base + rng.normal(size=n)), 1, 5) for j in range(1, 5)})
    df["team"] = np.repeat(np.arange(12), n // 12)
    df.loc[[0, 5, 9], "q1"] = 9       # Don't know
    df.loc[[3], "q2"] = 9
    df.loc[[7, 8], "q3"] = 6          # outside 1..5
    return df


def test_message_counts_and_shape():
    s = Screening()
    s.record("a", np.array([1.0, 9, 9, np.nan, 6]), ItemRule((9.0,), 1, 5, ((9.0, "Don't know"),)))
    s.record("b", np.array([2.0, 0, 3]), ItemRule((9.0,), 1, 5))
    assert s.answers == 7 and s.n_coded == 2 and s.n_out_of_range == 2
    assert s.message() == ("4 of 7 answers were set to missing before the analysis: 2 had a missing-value code "
                           "(9 = Don't know; a 2) and 2 were outside the declared response range (a 1 outside "
                           "1..5, e.g. 6; b 1 outside 1..5, e.g. 0)")
    assert s.to_dict()["by_item"] == {"a": {"missing_code": 2, "out_of_range": 1},
                                      "b": {"missing_code": 0, "out_of_range": 1}}
    assert Screening().message() is None


def test_inputs_are_not_modified_and_rules_combine():
    df = _survey()
    before = df.copy()
    out, s = screen(df, ["q1", "q3"], item_rules(["q1", "q3"], missing_codes=[9], lo=1, hi=5))
    pd.testing.assert_frame_equal(df, before)
    assert out["q1"].isna().sum() == 3 and out["q3"].isna().sum() == 2
    rules = item_rules(["SM1"], instrument=toolkit.load_instrument("tests/data/mini-instrument.yaml"),
                       missing_codes=[8])
    assert rules["SM1"].codes == (9.0, 8.0) and (rules["SM1"].lo, rules["SM1"].hi) == (1.0, 5.0)


def test_hint_names_a_likely_missing_code_only_when_far_from_the_answers():
    s = Screening()
    s.record("a", np.array([1.0, 2, 5, 9]), None)
    assert s.hint().startswith("9 looks like a missing-value code (it lies far from the other answers, 1..5, in a)")
    s = Screening()
    s.record("a", np.array([1.0, 2, 8, 9]), None)      # a 1..9 scale: 9 is an answer
    assert s.hint() is None


def test_every_analysis_reports_in_the_same_words(tmp_path):
    df = _survey()
    items = ["q1", "q2", "q3", "q4"]
    want = ("6 of 480 answers were set to missing before the analysis: 4 had a missing-value code (9; q1 3, q2 1) "
            "and 2 were outside the declared response range (q3 2 outside 1..5, e.g. 6)")
    rel = toolkit.reliability(df, "s=" + ",".join(items), missing_codes=[9], min=1, max=5)
    assert rel.warnings[0] == want
    # EFA and polychorics have no range option: the range comes from an instrument, codes from --missing-code
    inst = tmp_path / "inst.yaml"
    inst.write_text("""id: t
title: t
version: "1"
references:
  - {key: s, citation: "Test, A. (2026). A test scale."}
response_scales:
  agree5:
    labels: {1: a, 2: b, 3: c, 4: d, 5: e}
sections:
  - id: s
    title: s
    constructs:
      - id: s
        label: s
        definition: s
        source: s
        scale: agree5
        items:
          - {id: q1, text: one}
          - {id: q2, text: two}
          - {id: q3, text: three}
          - {id: q4, text: four}
""")
    efa = toolkit.efa(select_items(df, instrument=str(inst), missing_codes=[9]), n_factors=1)
    assert efa.warnings[0] == want and efa.to_dict()["screening"]["out_of_range"] == 2
    poly = toolkit.polychoric(df, instrument=str(inst), missing_codes=[9])
    assert poly.warnings[0] == want
    agg = toolkit.aggregate(df, group="team", instrument=str(inst), missing_codes=[9])
    assert agg.warnings[0] == want and agg.to_dict()["screening"]["missing_code"] == 4


def test_cli_efa_and_aggregate_missing_code(run_cli, data_dir):
    code, out, err = run_cli("analyze", "efa", str(data_dir / "reliability_mini.csv"), "--items",
                             "SM1,SM2,SM3,DR1,DR2,DR3", "--n-factors", "2", "--missing-code", "9", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["screening"]["missing_code"] == 20 and d["warnings"][0].startswith("20 of 342 answers were set")


def test_negative_icc2_is_explained():
    """Groups that differ less than chance: MSB < MSW gives a (very) negative ICC(2), read as 0."""
    rows = []
    for g in range(6):
        for v in ([1, 5, 1, 5, 3] if g % 2 else [5, 1, 5, 1, 3.2]):
            rows.append({"g": g, "x": v})
    df = pd.DataFrame(rows)
    icc = toolkit.icc2(df, "x", "g")
    assert icc < -10
    res = toolkit.aggregate(df, group="g", scales={"x": ["x"]}, options=5)
    v = res.constructs.loc[0, "verdict"]
    assert "not supported" in v and "ICC(2) is negative" in v and "read it as 0" in v
    assert any(w.startswith("x: ICC(2) is negative") for w in res.warnings)
