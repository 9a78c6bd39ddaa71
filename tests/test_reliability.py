"""toolkit.reliability / hls analyze reliability against R psych 2.2.9 (alpha, omega) on bfi and a small
instrument-coded data set; reference values and the R script that made them are in tests/data/."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit.errors import ToolkitError

TOL = 1e-6

REQUIRED_SCALE_KEYS = {"name", "n", "alpha", "alpha_ci_feldt", "alpha_ci_duhachek", "std_alpha", "g6", "average_r",
                       "median_r", "omega_total", "items"}
REQUIRED_ITEM_KEYS = {"item", "reversed", "mean", "sd", "raw_r", "r_cor", "r_drop", "alpha_if_deleted"}


@pytest.fixture(scope="module")
def ref():
    from pathlib import Path

    return json.loads((Path(__file__).parent / "data" / "reliability_bfi_psych.json").read_text())


def _close(a, b, tol=TOL):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert a.shape == b.shape
    assert np.max(np.abs(a - b)) < tol, (a, b)


# ------------------------------------------------------------------------------------------ numbers vs psych


def test_agreeableness_matches_shared_psych_reference(bfi, data_dir):
    ref = json.loads((data_dir / "bfi_agreeableness_psych.json").read_text())["agree"]
    res = toolkit.reliability(bfi, "agree=" + ",".join(ref["items"]))
    s = res.to_dict()["scales"][0]
    for key in ("alpha", "std_alpha", "g6", "average_r"):
        assert abs(s[key] - ref[key]) < TOL, key
    assert abs(s["omega_total"] - ref["omega_total"]) < 1e-3
    items = {i["item"]: i for i in s["items"]}
    for key in ("r_drop", "r_cor", "alpha_if_deleted"):
        for item, value in ref[key].items():
            assert abs(items[item][key] - value) < TOL, (key, item)
    listwise = toolkit.reliability(bfi, "agree=" + ",".join(ref["items"]), missing="listwise").scales.iloc[0]
    assert abs(listwise["alpha"] - ref["alpha_complete"]) < TOL
    assert listwise["n"] == ref["n_complete"]


CASES = [(mode, name) for mode in ("pairwise", "listwise")
         for name in ("agree", "conscientious", "extraversion", "neuroticism", "openness", "pair")]


@pytest.mark.parametrize("mode,name", CASES)
def test_bfi_scales_match_psych(bfi, ref, mode, name):
    r = ref[mode][name]
    res = toolkit.reliability(bfi, {name: r["items"]}, missing=mode)
    s = res.to_dict()["scales"][0]
    assert s["n"] == r["n_rows"]
    for key, rkey in [("alpha", "alpha"), ("std_alpha", "std_alpha"), ("g6", "g6"), ("average_r", "average_r"),
                      ("median_r", "median_r"), ("sn", "sn"), ("ase", "ase"), ("mean", "mean"), ("sd", "sd"),
                      ("alpha_ci_feldt", "feldt"), ("alpha_ci_duhachek", "duhachek")]:
        _close(s[key], r[rkey])
    if r["omega_total"] is None:
        assert s["omega_total"] is None
    else:
        assert abs(s["omega_total"] - r["omega_total"]) < 1e-6  # psych's own optimiser tolerance is ~1e-7
    items, st, dr = s["items"], r["item_stats"], r["alpha_drop"]
    assert [i["item"] for i in items] == st["item"]
    assert [i["n"] for i in items] == st["n"]
    assert [i["reversed"] for i in items] == [t.startswith("-") for t in r["items"]]
    for key, rkey in [("raw_r", "raw_r"), ("std_r", "std_r"), ("r_cor", "r_cor"), ("r_drop", "r_drop"),
                      ("mean", "mean"), ("sd", "sd")]:
        _close([i[key] for i in items], st[rkey])
    for key, rkey in [("alpha_if_deleted", "raw_alpha"), ("std_alpha_if_deleted", "std_alpha"),
                      ("g6_if_deleted", "g6"), ("average_r_if_deleted", "average_r"),
                      ("median_r_if_deleted", "med_r")]:
        _close([i[key] for i in items], dr[rkey])
    cats = r["response_freq"]["categories"]
    _close([[i["response_freq"][c] for c in cats] for i in items], r["response_freq"]["values"])


def test_instrument_missing_codes_and_range_match_psych(data_dir):
    """9 = "Don't know" becomes missing and reversal uses the instrument's 1..5, not SM2's observed 2..5."""
    ref = json.loads((data_dir / "reliability_mini_psych.json").read_text())
    df = pd.read_csv(data_dir / "reliability_mini.csv")
    res = toolkit.reliability(df, instrument=str(data_dir / "mini-instrument.yaml"))
    got = {s["name"]: s for s in res.to_dict()["scales"]}
    for name in ("sensemaking", "deliberation"):
        r, s = ref[name], got[name]
        assert (s["min"], s["max"]) == (1, 5)
        for key in ("alpha", "std_alpha", "g6", "average_r", "ase"):
            assert abs(s[key] - r[key]) < TOL, (name, key)
        _close(s["alpha_ci_feldt"], r["feldt"])
        assert abs(s["omega_total"] - r["omega_total"]) < 1e-5
        assert [i["n"] for i in s["items"]] == r["item_n"]
        _close([i["mean"] for i in s["items"]], r["item_mean"])
        _close([i["r_drop"] for i in s["items"]], r["r_drop"])
        _close([i["alpha_if_deleted"] for i in s["items"]], r["alpha_if_deleted"])
        assert all("9" not in i["response_freq"] for i in s["items"])
    # without the instrument the 9s are data: the numbers change and the range warning is absent
    plain = toolkit.reliability(df, "sensemaking=SM1,SM2,-SM3").scales.iloc[0]
    assert abs(plain["alpha"] - ref["sensemaking"]["alpha"]) > 1e-3


def test_out_of_range_values_are_reported_then_excluded(data_dir):
    """A 9 on a declared 1..5 scale is warned about and counts in no statistic: the result equals psych on the
    data with 9 -> NA (issue 11: the 9s were reverse-keyed with max 9 before)."""
    ref = json.loads((data_dir / "reliability_mini_psych.json").read_text())["sensemaking"]
    df = pd.read_csv(data_dir / "reliability_mini.csv")
    before = df.copy()
    res = toolkit.reliability(df, "sensemaking=SM1,SM2,-SM3", min=1, max=5)
    pd.testing.assert_frame_equal(df, before)  # the input is never modified
    s = res.to_dict()["scales"][0]
    assert abs(s["alpha"] - ref["alpha"]) < TOL and [i["n"] for i in s["items"]] == ref["item_n"]
    assert (s["min"], s["max"]) == (1, 5)
    note = res.warnings[0]
    assert note.startswith("7 of 171 answers were set to missing before the analysis: 7 were outside the declared "
                           "response range (SM1 3 outside 1..5, e.g. 9;")
    assert res.to_dict()["screening"]["out_of_range"] == 7


def test_missing_code_option_treats_dont_know_as_missing(data_dir, run_cli):
    """--scale with --missing-code 9 equals the instrument run (psych on 9 -> NA); without it the 9s are data, the
    numbers are wrong, and a hint names the likely code."""
    ref = json.loads((data_dir / "reliability_mini_psych.json").read_text())
    df = pd.read_csv(data_dir / "reliability_mini.csv")
    res = toolkit.reliability(df, ["sensemaking=SM1,SM2,-SM3", "deliberation=DR1,DR2,-DR3"], missing_codes=[9])
    for s in res.to_dict()["scales"]:
        assert abs(s["alpha"] - ref[s["name"]]["alpha"]) < TOL
        assert (s["min"], s["max"]) == (1, 5)        # reverse keying uses 1..5, not 1..9
    assert res.warnings[0] == ("20 of 342 answers were set to missing before the analysis: 20 had a missing-value "
                               "code (9; SM1 3, SM2 3, SM3 1, DR1 3, DR2 6, DR3 4)")
    plain = toolkit.reliability(df, "sensemaking=SM1,SM2,-SM3")
    assert plain.scales.loc[0, "max"] == 9 and abs(plain.scales.loc[0, "alpha"] - ref["sensemaking"]["alpha"]) > 1e-3
    assert plain.warnings[0].startswith("9 looks like a missing-value code") and "--missing-code 9" in plain.warnings[0]
    code, out, err = run_cli("analyze", "reliability", str(data_dir / "reliability_mini.csv"), "--scale",
                             "sensemaking=SM1,SM2,-SM3", "--missing-code", "9", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert abs(d["scales"][0]["alpha"] - ref["sensemaking"]["alpha"]) < TOL
    assert d["screening"]["missing_code"] == 7 and d["screening"]["by_item"]["SM1"]["missing_code"] == 3
    assert "had a missing-value code" in err


# ------------------------------------------------------------------------------------------ behaviour


def test_scale_inputs_are_equivalent(bfi):
    from toolkit.psychometrics.scales import parse_scale

    a = toolkit.reliability(bfi, "agree=-A1,A2,A3,A4,A5").to_dict()
    b = toolkit.reliability(bfi, {"agree": ["-A1", "A2", "A3", "A4", "A5"]}).to_dict()
    c = toolkit.reliability(bfi, [parse_scale("agree=-A1,A2,A3,A4,A5")]).to_dict()
    assert a == b == c


def test_non_integer_data_take_the_uncompressed_path_and_agree(bfi):
    """Halving the items disables response-pattern compression; scale-free statistics must not move."""
    items = ["A1", "A2", "A3", "A4", "A5"]
    half = bfi[items] / 2 + 0.25
    a = toolkit.reliability(bfi, "agree=-A1,A2,A3,A4,A5").to_dict()["scales"][0]
    b = toolkit.reliability(half, "agree=-A1,A2,A3,A4,A5").to_dict()["scales"][0]
    for key in ("alpha", "std_alpha", "g6", "average_r", "ase", "omega_total"):
        assert abs(a[key] - b[key]) < 1e-12, key
    for ia, ib in zip(a["items"], b["items"]):
        for key in ("raw_r", "r_cor", "r_drop", "alpha_if_deleted"):
            assert abs(ia[key] - ib[key]) < 1e-12


def test_declared_range_changes_means_not_alpha(bfi):
    a = toolkit.reliability(bfi, "agree=-A1,A2,A3,A4,A5").to_dict()["scales"][0]
    b = toolkit.reliability(bfi, "agree=-A1,A2,A3,A4,A5", min=1, max=7).to_dict()["scales"][0]
    assert abs(a["alpha"] - b["alpha"]) < 1e-12
    assert abs(b["items"][0]["mean"] - a["items"][0]["mean"] - 1) < 1e-12  # 8 - x instead of 7 - x
    assert abs(b["items"][1]["mean"] - a["items"][1]["mean"]) < 1e-12


def test_miskeyed_item_is_flagged(bfi):
    res = toolkit.reliability(bfi, "agree=A1,A2,A3,A4,A5")
    assert bool(res.items.set_index("item").loc["A1", "miskeyed"])
    assert any("A1 correlates negatively" in w and "-A1" in w for w in res.warnings)


def test_zero_variance_item_is_dropped_with_warning(bfi):
    df = bfi[["A1", "A2", "A3", "A4", "A5"]].copy()
    df["K"] = 3
    res = toolkit.reliability(df, "agree=-A1,A2,A3,A4,A5,K")
    ref = toolkit.reliability(bfi, "agree=-A1,A2,A3,A4,A5")
    assert abs(res.scales.loc[0, "alpha"] - ref.scales.loc[0, "alpha"]) < 1e-12
    assert list(res.items["item"]) == ["A1", "A2", "A3", "A4", "A5"]
    assert res.scales.loc[0, "dropped"] == "K"
    assert any("K have no variance" in w for w in res.warnings)


def test_frames_and_dict_agree(bfi):
    res = toolkit.reliability(bfi, ["agree=-A1,A2,A3,A4,A5", "neuro=N1,N2,N3,N4,N5"])
    d = res.to_dict()
    assert list(res.scales["scale"]) == ["agree", "neuro"]
    assert len(res.items) == 10
    assert res.scales.loc[1, "alpha"] == d["scales"][1]["alpha"]
    assert set(res.frequencies.columns) == {"scale", "item", "category", "proportion"}
    assert not res.scales.drop(columns=["omega_total"]).isna().any().any()


@pytest.mark.parametrize("frame,spec,message", [
    (pd.DataFrame({"a": [1, 2, 3], "b": [2, 3, 1]}), "s=a,c", "not in the data: c"),
    (pd.DataFrame({"a": [1, 2, 3], "b": [np.nan] * 3, "c": [1, 3, 2]}), "s=a,b,c", "b have no numeric answers"),
    (pd.DataFrame({"a": [1, 2, 3], "b": [2, 2, 2]}), "s=a,b", "fewer than two usable items"),
    (pd.DataFrame({"a": [1, 2, 3]}), "s=a", "fewer than two items"),
])
def test_api_errors(frame, spec, message):
    with pytest.raises(ToolkitError, match=message):
        toolkit.reliability(frame, spec)


def test_api_rejects_bad_missing_mode(bfi):
    with pytest.raises(ToolkitError, match="missing must be one of"):
        toolkit.reliability(bfi, "agree=A2,A3", missing="mean")


# ------------------------------------------------------------------------------------------ CLI


def _one_line_error(code, out, err):
    assert code != 0
    assert "Traceback" not in out + err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


def test_cli_json_shape(run_cli, data_dir):
    code, out, err = run_cli("analyze", "reliability", str(data_dir / "bfi.csv"), "--scale", "agree=-A1,A2,A3,A4,A5",
                             "--scale", "consc=C1,C2,C3,-C4,-C5", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert list(d) == ["scales", "warnings", "screening"] and [s["name"] for s in d["scales"]] == ["agree", "consc"]
    assert d["warnings"] == [] and d["screening"]["missing_code"] == 0 and d["screening"]["out_of_range"] == 0
    for s in d["scales"]:
        assert REQUIRED_SCALE_KEYS <= set(s)
        assert len(s["alpha_ci_feldt"]) == 2 and len(s["alpha_ci_duhachek"]) == 2
        for it in s["items"]:
            assert REQUIRED_ITEM_KEYS <= set(it)
    assert d["scales"][0]["items"][0]["reversed"] is True
    assert abs(d["scales"][0]["alpha"] - 0.7030184460573) < 1e-9


def test_cli_console_and_excel(run_cli, data_dir, tmp_path):
    out_file = tmp_path / "rel.xlsx"
    code, out, err = run_cli("analyze", "reliability", str(data_dir / "bfi.csv"), "--scale", "agree=A1,A2,A3,A4,A5",
                             "-o", str(out_file))
    assert code == 0, err
    assert "alpha 0.431" in out and "Feldt" in out and "omega total" in out
    assert "  warning: item A1 correlates negatively" in out
    code, out, err = run_cli("analyze", "reliability", str(data_dir / "bfi.csv"), "--scale", "agree=A1,A2,A3,A4,A5",
                             "--json")
    assert code == 0 and "warning: agree: item A1 correlates negatively" in err
    assert any("A1 correlates negatively" in w for w in json.loads(out)["scales"][0]["warnings"])
    from openpyxl import load_workbook

    wb = load_workbook(out_file)
    assert wb.sheetnames[:3] == ["Scales", "Items", "Frequencies"]
    ws = wb["Scales"]
    header = [c.value for c in ws[2]]  # row 1 is the table title
    assert abs(ws.cell(3, header.index("α") + 1).value - 0.431456105) < 1e-8
    assert [c.value for c in wb["Frequencies"][2]][:9] == ["Scale", "Item", "1", "2", "3", "4", "5", "6",
                                                            "Unanswered"]


def test_cli_instrument_listwise(run_cli, data_dir):
    code, out, err = run_cli("analyze", "reliability", str(data_dir / "reliability_mini.csv"), "--instrument",
                             str(data_dir / "mini-instrument.yaml"), "--missing", "listwise", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert [s["name"] for s in d["scales"]] == ["sensemaking", "deliberation"]
    assert all(s["n"] == s["n_complete"] for s in d["scales"])


def test_cli_zero_variance_item_warns_and_continues(run_cli, tmp_path):
    rng = np.random.default_rng(3)
    f = rng.standard_normal(50)
    df = pd.DataFrame({f"x{i}": np.clip(np.round(3 + f + rng.standard_normal(50)), 1, 5) for i in range(3)})
    df["k"] = 4
    path = tmp_path / "d.csv"
    df.to_csv(path, index=False)
    code, out, err = run_cli("analyze", "reliability", str(path), "--scale", "s=x0,x1,x2,k")
    assert code == 0, err
    assert "warning: item(s) k have no variance (every answer 4) and were dropped" in out
    assert "3 items" in out


@pytest.mark.parametrize("columns,spec,message", [
    ({"a": [1, 2, 3, 4], "b": [3, 3, 3, 3]}, "s=a,b", "scale 's' has fewer than two usable items (a left after "
                                                          "dropping zero-variance item(s) b)"),
    ({"a": [1, 2, 3, 4], "b": [None] * 4, "c": [2, 1, 4, 3]}, "s=a,b,c", "item(s) b have no numeric answers"),
    ({"a": [1, 2, 3, 4], "b": [2, 1, 4, 3]}, "s=a,zz", "item column(s) not in the data: zz"),
    ({"a": [1, 2, 3, 4], "b": [2, "x", 4, 3]}, "s=a,b", "row 3: b: non-numeric value 'x'"),
    ({"a": [1, 2, 3, 4]}, "s=a", "fewer than two items"),
    ({"a": [], "b": []}, "s=a,b", "the data have no rows"),
    ({"a": [1], "b": [2]}, "s=a,b", "at least two respondents, the data have 1"),
    ({"a": [1, 2, None, None, 3], "b": [None, None, 1, 2, None], "c": [1, 2, 3, 1, 2]}, "s=a,b,c",
     "items a and b are answered together by fewer than two respondents"),
])
def test_cli_errors_are_one_line(run_cli, tmp_path, columns, spec, message):
    path = tmp_path / "d.csv"
    pd.DataFrame(columns).to_csv(path, index=False)
    line = _one_line_error(*run_cli("analyze", "reliability", str(path), "--scale", spec))
    assert message in line
    assert line.startswith(f"error: {path}:"), line  # every data error names the data file


def test_cli_needs_instrument_or_scale(run_cli, data_dir):
    line = _one_line_error(*run_cli("analyze", "reliability", str(data_dir / "bfi.csv")))
    assert "--instrument" in line


def test_cli_help_has_example(run_cli):
    code, out, _ = run_cli("analyze", "reliability", "--help")
    assert code == 0 and "Example:" in out and "--missing" in out


# ------------------------------------------------------------------------------------------ demo


def test_demo_step_on_simulated_sample(tmp_path, demo_inputs):
    import toolkit
    from toolkit.instruments import load_instrument

    inst = load_instrument("collective-data-use")
    rng = np.random.default_rng(5)
    cols = {}
    for c in inst.constructs:
        f = rng.standard_normal(120)
        for item in c.items:
            y = 0.8 * f + 0.6 * rng.standard_normal(120)
            x = np.clip(np.round(3 + (-y if item.reverse else y)), 1, 5)
            x[rng.random(120) < 0.05] = 9
            cols[item.id] = x
    messages = []
    paths = toolkit.run_demo(tmp_path / "out", only=["reliability"], echo=messages.append,
                             inputs=demo_inputs(pd.DataFrame(cols)))
    assert [p.name for p in paths] == ["reliability.xlsx", "reliability.json"]
    d = json.loads(paths[1].read_text())
    assert len(d["scales"]) == len(inst.constructs)
    assert all(0.6 < s["alpha"] < 1 for s in d["scales"])
    assert all("9" not in i["response_freq"] for s in d["scales"] for i in s["items"])
    assert len(messages) >= len(inst.constructs)


def test_non_integer_constant_item_is_detected_exactly():
    """A constant 0.1 column has a mean that rounds; the zero-variance test must still catch it."""
    rng = np.random.default_rng(1)
    f = rng.standard_normal(200)
    df = pd.DataFrame({f"x{i}": f + 0.7 * rng.standard_normal(200) for i in range(3)})
    df["k"] = 0.1
    with_k = toolkit.reliability(df, "s=x0,x1,x2,k")
    assert with_k.scales.loc[0, "dropped"] == "k"
    assert with_k.scales.loc[0, "alpha"] == toolkit.reliability(df, "s=x0,x1,x2").scales.loc[0, "alpha"]


def test_docstring_examples_run():
    import doctest

    from toolkit.psychometrics import correlation, omega, patterns, reliability

    for module in (correlation, omega, patterns, reliability):
        result = doctest.testmod(module)
        assert result.failed == 0 and result.attempted > 0, module.__name__
