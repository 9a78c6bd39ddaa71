"""Aggregation: rwg, rwg(j), awg, ICC(1), ICC(2) and the group-level dataset against R's multilevel.

Reference values: tests/data/aggregation_multilevel.json, made by tests/data/aggregation_multilevel.R
(R 4.2.2, multilevel 2.7) from the same CSV files the tests read.
"""
from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit.errors import AnalysisError, DataError
from toolkit.psychometrics import aggregation as agg

TOL = 1e-9  # far inside the 1e-6 bar; the implementation agrees with R to ~1e-14
LEAD = [f"LEAD{i:02d}" for i in range(1, 12)]


@pytest.fixture(scope="module")
def ref(request):
    from pathlib import Path

    doc = json.loads((Path(__file__).parent / "data" / "aggregation_multilevel.json").read_text())
    assert doc["provenance"]["multilevel_version"] == "2.7"
    return doc["values"]


@pytest.fixture(scope="module")
def lq():
    from pathlib import Path

    return pd.read_csv(Path(__file__).parent / "data" / "lq2002.csv")


@pytest.fixture(scope="module")
def bh():
    from pathlib import Path

    return pd.read_csv(Path(__file__).parent / "data" / "bh1996.csv")


@pytest.fixture(scope="module")
def lq_missing(lq):
    """The NA pattern of the R script: LEAD01 every 7th row, LEAD05 every 11th, COMPID every 13th (1-based)."""
    d = lq.copy()
    i = np.arange(1, len(d) + 1)
    d.loc[i % 7 == 0, "LEAD01"] = np.nan
    d.loc[i % 11 == 0, "LEAD05"] = np.nan
    d.loc[i % 13 == 0, "COMPID"] = np.nan
    return d


def check_groups(frame, col, expected, n=True):
    """Per-group values equal R's (same groups, same order, same NA pattern, same sizes)."""
    want = np.array([np.nan if v is None else v for v in expected["value"]], dtype=float)
    got = frame[col].to_numpy(dtype=float)
    assert [str(g) for g in frame["group"]] == expected["group"]
    assert np.array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_allclose(got[~np.isnan(want)], want[~np.isnan(want)], rtol=0, atol=TOL)
    if n:
        assert frame["n"].tolist() == expected["n"]


# ------------------------------------------------------------------------------------------------- ICC(1), ICC(2)
@pytest.mark.parametrize("var", ["HRS", "COHES", "LEAD", "WBEING"])
def test_icc_bh1996_matches_multilevel(bh, ref, var):
    assert toolkit.icc1(bh, var, "GRP") == pytest.approx(ref["icc_bh1996"][var]["icc1"], abs=TOL)
    assert toolkit.icc2(bh, var, "GRP") == pytest.approx(ref["icc_bh1996"][var]["icc2"], abs=TOL)


def test_icc_bh1996_wbeing_published_value(bh):
    assert toolkit.icc1(bh, "WBEING", "GRP") == pytest.approx(0.04336905, abs=1e-8)
    assert toolkit.icc2(bh, "WBEING", "GRP") == pytest.approx(0.77171288, abs=1e-8)


@pytest.mark.parametrize("var", ["LEAD", "TSIG", "HOSTILE"])
def test_icc_lq2002_matches_multilevel(lq, ref, var):
    assert toolkit.icc1(lq, var, "COMPID") == pytest.approx(ref["icc_lq2002"][var]["icc1"], abs=TOL)
    assert toolkit.icc2(lq, var, "COMPID") == pytest.approx(ref["icc_lq2002"][var]["icc2"], abs=TOL)


def test_group_with_no_scores_adds_no_degree_of_freedom(bh, ref):
    d = bh.copy()
    d.loc[d["GRP"] == 1, "WBEING"] = np.nan
    want = ref["empty_group_icc_wbeing"]
    assert toolkit.icc1(d, "WBEING", "GRP") == pytest.approx(want["icc1"], abs=TOL)
    res = toolkit.aggregate(d, group="GRP", scales={"wb": ["WBEING"]}, options=5)
    row = res.constructs.iloc[0]
    assert row["icc1"] == pytest.approx(want["icc1"], abs=TOL) and row["icc2"] == pytest.approx(want["icc2"], abs=TOL)
    assert row["n_groups"] == 98 and len(res.groups) == 99 and np.isnan(res.groups.loc[0, "wb"])


def test_anova_icc_reports_the_anova(lq):
    a = agg.anova_icc(lq, "LEAD", "COMPID")
    assert (a["N"], a["groups"], a["df1"], a["df2"]) == (2042, 49, 48, 1993)
    assert a["k"] == pytest.approx(2042 / 49)
    assert a["F"] == pytest.approx(a["MSB"] / a["MSW"]) and 0 <= a["p"] < 1e-10


# ------------------------------------------------------------------------------------------------ rwg, rwg(j), awg
def test_rwg_j_lq2002_matches_multilevel(lq, ref):
    out = toolkit.rwg_j(lq, LEAD, "COMPID", options=5)
    check_groups(out, "rwg_j", ref["rwg_j_lead"])
    assert out["rwg_j"].mean() == pytest.approx(0.8677849, abs=1e-7)
    assert out["rwg_j"].mean() == pytest.approx(ref["rwg_j_lead"]["mean"], abs=TOL)
    assert out["rwg_j"].median() == pytest.approx(ref["rwg_j_lead"]["median"], abs=TOL)


def test_rwg_on_scale_score_and_single_item(lq, ref):
    out = toolkit.rwg(lq, "LEAD", "COMPID", options=5)
    check_groups(out, "rwg", ref["rwg_LEAD"])
    assert out["rwg"].mean() == pytest.approx(0.7032335, abs=1e-7)
    item = toolkit.rwg(lq, "LEAD03", "COMPID", options=5)
    check_groups(item, "rwg", ref["rwg_LEAD03"])
    assert item["rwg"].mean() == pytest.approx(ref["rwg_LEAD03"]["mean"], abs=TOL)


def test_skewed_nulls_match_multilevel_with_that_ranvar(lq, ref):
    check_groups(toolkit.rwg_j(lq, LEAD, "COMPID", options=5, null="slight-skew"), "rwg_j",
                 ref["rwg_j_lead_slight_skew"])
    out = toolkit.rwg(lq, "LEAD03", "COMPID", options=5, null="moderate-skew")
    check_groups(out, "rwg", ref["rwg_LEAD03_moderate_skew"])
    truncated = out["var"] > 0.90  # observed variance above the null's: rwg truncated to 0, as in R
    assert truncated.sum() > 40 and (out.loc[truncated, "rwg"] == 0).all() and (out.loc[~truncated, "rwg"] > 0).all()


def test_awg_matches_multilevel(lq, ref):
    items = toolkit.awg(lq, LEAD, "COMPID", scale_range=(1, 5))
    check_groups(items, "awg", ref["awg_lead"])
    assert items["awg"].iloc[0] == pytest.approx(0.29257509, abs=1e-8)
    check_groups(agg.awg(lq, "LEAD03", "COMPID"), "awg", ref["awg_LEAD03"])


def test_missing_answers_listwise_as_multilevel_27_pairwise_as_28(lq_missing, ref):
    check_groups(toolkit.rwg_j(lq_missing, LEAD, "COMPID", options=5, listwise=True), "rwg_j",
                 ref["missing_rwg_j_listwise"])
    check_groups(toolkit.rwg_j(lq_missing, LEAD, "COMPID", options=5), "rwg_j", ref["missing_rwg_j_pairwise"])
    check_groups(toolkit.rwg(lq_missing, "LEAD01", "COMPID", options=5), "rwg", ref["missing_rwg_LEAD01"])


def test_edge_cases_group_of_one_constant_answers_truncation(data_dir, ref):
    edge = pd.read_csv(data_dir / "aggregation_edge.csv")
    rj = toolkit.rwg_j(edge, ["X1", "X2", "X3"], "G", options=5)
    check_groups(rj, "rwg_j", ref["edge_rwg_j"])
    assert np.isnan(rj["rwg_j"].iloc[2]) and rj["rwg_j"].iloc[1] == 1.0 and rj["rwg_j"].iloc[3] == 0.0
    check_groups(toolkit.rwg(edge, "X1", "G", options=5), "rwg", ref["edge_rwg_X1"])
    aw = agg.awg(edge, ["X1", "X2", "X3"], "G")
    check_groups(aw, "awg", ref["edge_awg"])
    assert aw["awg"].iloc[3] < 0  # awg, unlike rwg, is not truncated
    assert toolkit.icc1(edge.assign(y=edge[["X1", "X2", "X3"]].mean(axis=1)), "y", "G") == pytest.approx(
        ref["edge_icc"]["icc1"], abs=TOL)


def test_null_variances():
    assert agg.null_variance(5) == 2.0 and agg.null_variance(7) == 4.0
    assert agg.null_variance(11) == pytest.approx(10.0)
    assert [agg.null_variance(5, n) for n in ("slight-skew", "moderate-skew", "heavy-skew")] == [1.34, 0.90, 0.44]
    assert [agg.null_variance(7, n) for n in ("slight-skew", "moderate-skew", "heavy-skew")] == [2.90, 2.14, 1.39]
    # the 5-point skewed nulls are the variances of LeBreton & Senter's response proportions
    for props, var in (([.05, .15, .20, .35, .25], 1.34), ([0, .10, .15, .40, .35], 0.90),
                       ([0, 0, .10, .40, .50], 0.44)):
        x = np.arange(1, 6)
        assert np.dot(props, x ** 2) - np.dot(props, x) ** 2 == pytest.approx(var)
    with pytest.raises(AnalysisError, match="tabulated only for 5 and 7"):
        agg.null_variance(6, "heavy-skew")
    with pytest.raises(AnalysisError, match="unknown null"):
        agg.null_variance(5, "triangle")
    with pytest.raises(AnalysisError, match="options"):
        toolkit.rwg(pd.DataFrame({"g": [1, 1], "x": [1, 2]}), "x", "g")
    assert toolkit.rwg(pd.DataFrame({"g": [1, 1], "x": [1, 2]}), "x", "g", null_var=1.0)["rwg"][0] == 0.5


def test_bad_input_is_located():
    df = pd.DataFrame({"g": [1, 1, 2], "x": ["1", "two", "3"]})
    with pytest.raises(DataError) as e:
        toolkit.rwg(df, "x", "g", options=5)
    assert e.value.location.line == 3 and e.value.location.field == "x" and "two" in str(e.value)
    with pytest.raises(DataError, match="not in the data"):
        toolkit.icc1(df, "x", "team")


# ---------------------------------------------------------------------------------------------- aggregate()
def test_aggregate_lq2002(lq, ref):
    res = toolkit.aggregate(lq, group="COMPID", scales={"lead": LEAD, "lead03": ["LEAD03"]}, options=5,
                            awg=True)
    lead = res.constructs.set_index("construct").loc["lead"]
    assert lead["icc1"] == pytest.approx(ref["icc_lq2002_lead_items"]["icc1"], abs=TOL)
    assert lead["icc2"] == pytest.approx(ref["icc_lq2002_lead_items"]["icc2"], abs=TOL)
    assert lead["agreement_mean"] == pytest.approx(0.8677849, abs=1e-7)
    assert lead["agreement_median"] == pytest.approx(ref["rwg_j_lead"]["median"], abs=TOL)
    assert lead["agreement_share_ge_70"] == 1.0 and lead["index"] == "rwg_j"
    assert "aggregation is supported" in lead["verdict"] and "ICC(1) .09" in lead["verdict"]
    g = res.groups
    assert list(g.columns[:2]) == ["COMPID", "n"] and len(g) == 49 and g["n"].sum() == 2042
    np.testing.assert_allclose(g["lead_rwg_j"], ref["rwg_j_lead"]["value"], atol=TOL)
    np.testing.assert_allclose(g["lead03_rwg"], ref["rwg_LEAD03"]["value"], atol=TOL)
    np.testing.assert_allclose(g["lead_awg"], ref["awg_lead"]["value"], atol=TOL)
    np.testing.assert_allclose(g["lead"], lq.groupby("COMPID")[LEAD].mean().mean(axis=1), atol=1e-12)
    single = res.constructs.set_index("construct").loc["lead03"]
    assert single["index"] == "rwg" and "weak agreement" in single["verdict"]


def test_aggregate_with_missing_matches_r(lq_missing, ref):
    res = toolkit.aggregate(lq_missing, group="COMPID", scales=["lead=" + ",".join(LEAD)], options=5)
    row = res.constructs.iloc[0]
    assert row["icc1"] == pytest.approx(ref["missing_icc_lead_items"]["icc1"], abs=TOL)
    assert row["icc2"] == pytest.approx(ref["missing_icc_lead_items"]["icc2"], abs=TOL)
    np.testing.assert_allclose(res.groups["lead_rwg_j"], ref["missing_rwg_j_pairwise"]["value"], atol=TOL)
    listwise = toolkit.aggregate(lq_missing, group="COMPID", scales={"lead": LEAD}, options=5, listwise=True)
    np.testing.assert_allclose(listwise.groups["lead_rwg_j"], ref["missing_rwg_j_listwise"]["value"], atol=TOL)
    assert res.settings["dropped_rows_missing_group"] == 157
    assert any("157 row(s) without a group id" in w for w in res.warnings)


def test_to_dict_shape(lq):
    d = toolkit.aggregate(lq, group="COMPID", scales={"lead": LEAD, "l3": ["LEAD03"]}, options=5).to_dict()
    multi, single = d["constructs"]
    assert {"name", "icc1", "icc2", "rwg_j_median", "rwg_j_share_ge_70", "groups"} <= set(multi)
    assert set(multi["groups"][0]) >= {"group", "n", "mean", "sd", "rwg_j"}
    assert {"rwg_median", "rwg_share_ge_70"} <= set(single) and "rwg_j_median" not in single
    assert "rwg" in single["groups"][0] and "rwg_j" not in single["groups"][0]
    assert multi["groups"][0]["group"] == 2 and isinstance(multi["groups"][0]["n"], int)
    assert "disputed" in d["caveat"] or "convention" in d["caveat"]


def test_reverse_keyed_items_scored_but_agreement_unchanged(lq):
    fwd = toolkit.aggregate(lq, group="COMPID", scales=["t=TSIG01,TSIG02,TSIG03"], options=5)
    rev = toolkit.aggregate(lq, group="COMPID", scales=["t=-TSIG01,TSIG02,TSIG03"], options=5)
    np.testing.assert_allclose(fwd.groups["t_rwg_j"], rev.groups["t_rwg_j"], atol=1e-12)
    lo, hi = lq[["TSIG01", "TSIG02", "TSIG03"]].min().min(), lq[["TSIG01", "TSIG02", "TSIG03"]].max().max()
    keyed = lq.assign(TSIG01=lo + hi - lq["TSIG01"])
    expected = keyed.groupby("COMPID")[["TSIG01", "TSIG02", "TSIG03"]].mean().mean(axis=1)
    np.testing.assert_allclose(rev.groups["t"], expected, atol=1e-12)


def test_instrument_defaults_missing_codes_and_edge_groups(data_dir):
    rng = np.random.default_rng(1)
    items = ["SM1", "SM2", "SM3", "DR1", "DR2", "DR3"]
    rows = []
    for p, size in (("A", 6), ("B", 5), ("C", 1), ("D", 4), (None, 2)):
        base = rng.integers(2, 5)
        for _ in range(size):
            rows.append({"partnership": p, **{i: int(np.clip(base + rng.integers(-1, 2), 1, 5)) for i in items}})
    df = pd.DataFrame(rows)
    df.loc[0, "SM1"] = 9  # "Don't know"
    df.loc[df["partnership"] == "D", ["DR1", "DR2", "DR3"]] = 4  # constant answers
    res = toolkit.aggregate(df, instrument=str(data_dir / "mini-instrument.yaml"), min_size=3)
    assert res.group_column == "partnership" and list(res.groups["partnership"]) == ["A", "B", "C", "D"]
    assert (res.constructs["options"] == 5).all() and (res.constructs["null_variance"] == 2.0).all()
    clean = df.dropna(subset=["partnership"]).replace({"SM1": {9: np.nan}})
    expected = toolkit.rwg_j(clean, ["SM1", "SM2", "SM3"], "partnership", options=5)
    np.testing.assert_allclose(res.groups["sensemaking_rwg_j"], expected["rwg_j"], atol=1e-12)
    g = res.groups.set_index("partnership")
    assert np.isnan(g.loc["C", "sensemaking_rwg_j"]) and g.loc["D", "deliberation_rwg_j"] == 1.0
    assert list(res.groups["small_group"]) == [False, False, True, False]
    text = " ".join(res.warnings)
    assert "2 row(s) without a group id" in text and "single respondent" in text
    assert "1 of 96 answers were set to missing before the analysis: 1 had a missing-value code (9 = Don't know; SM1 1)" in text


def test_all_missing_items_and_bad_group_never_crash():
    df = pd.DataFrame({"g": [1, 1, 2, 2, 3], "a": [np.nan] * 5, "b": [np.nan] * 5, "c": [1, 2, 3, 3, 4]})
    res = toolkit.aggregate(df, group="g", scales={"ab": ["a", "b"], "c": ["c"]}, options=5)
    row = res.constructs.set_index("construct").loc["ab"]
    assert np.isnan(row["icc1"]) and np.isnan(row["agreement_median"]) and "cannot be computed" in row["verdict"]
    assert any("every answer" in w for w in res.warnings)
    with pytest.raises(DataError, match="group column 'team' is not in the data"):
        toolkit.aggregate(df, group="team", scales={"c": ["c"]}, options=5)
    with pytest.raises(DataError, match="no row has a group id"):
        toolkit.aggregate(df.assign(g=np.nan), group="g", scales={"c": ["c"]}, options=5)
    with pytest.raises(AnalysisError, match="--options"):
        toolkit.aggregate(df, group="g", scales={"c": ["c"]})


def test_verdict_rules():
    base = {"icc1": 0.09, "icc2": 0.80, "p": 1e-6, "F": 5.0, "df1": 48, "df2": 1993, "groups": 49, "N": 2042}
    assert agg.verdict(base, 0.87).endswith("aggregation is supported")
    assert "ICC(2) .41 < .70: group means are unreliable" in agg.verdict({**base, "icc2": 0.41}, 0.87)
    assert "not supported" in agg.verdict({**base, "p": 0.3}, 0.87)
    assert "questionable" in agg.verdict(base, 0.55) and "moderate agreement" in agg.verdict(base, 0.55)
    neg = agg.verdict({**base, "icc1": -0.2, "icc2": -32.7, "p": 0.99, "F": 0.03}, 0.9)
    assert "not supported" in neg and "ICC(2) is negative (-32.70)" in neg and "read it as 0" in neg
    assert agg.agreement_label(0.95) == "very strong agreement" and agg.agreement_label(0.2) == "lack of agreement"


# --------------------------------------------------------------------------------------------------------- CLI
def test_cli_json(run_cli, data_dir, ref):
    code, out, err = run_cli("analyze", "aggregate", str(data_dir / "lq2002.csv"), "--group", "COMPID",
                             "--options", "5", "--scale", "lead=" + ",".join(LEAD), "--scale", "l3=LEAD03",
                             "--json")
    assert code == 0, err
    d = json.loads(out)
    lead = d["constructs"][0]
    assert lead["name"] == "lead" and lead["icc1"] == pytest.approx(ref["icc_lq2002_lead_items"]["icc1"], abs=TOL)
    assert [g["rwg_j"] for g in lead["groups"]] == pytest.approx(ref["rwg_j_lead"]["value"], abs=TOL)
    assert "rwg_median" in d["constructs"][1]


def test_cli_writes_outputs(run_cli, data_dir, tmp_path):
    out, groups = tmp_path / "agg.xlsx", tmp_path / "groups.csv"
    code, stdout, err = run_cli("analyze", "aggregate", str(data_dir / "bh1996.csv"), "--group", "GRP",
                                "--options", "5", "--scale", "wb=WBEING", "--awg", "-o", str(out),
                                "--groups-out", str(groups))
    assert code == 0, err
    assert "ICC(1) 0.043" in stdout and "verdict:" in stdout
    g = pd.read_csv(groups)
    assert list(g.columns[:3]) == ["GRP", "n", "wb"] and len(g) == 99
    from openpyxl import load_workbook

    wb = load_workbook(out)
    assert wb.sheetnames == ["constructs", "groups", "agreement", "notes"]
    assert wb["constructs"]["A2"].value == "wb"
    code, _, _ = run_cli("analyze", "aggregate", str(data_dir / "bh1996.csv"), "--group", "GRP", "--options", "5",
                         "--scale", "wb=WBEING", "-o", str(tmp_path / "agg.csv"))
    assert code == 0 and pd.read_csv(tmp_path / "agg.csv")["construct"].tolist() == ["wb"]


def test_outputs_never_hold_formulas(tmp_path):
    df = pd.DataFrame({"team": ["=HYPERLINK(1)"] * 3 + ["ok"] * 3, "x": [1, 2, 3, 3, 4, 4]})
    res = toolkit.aggregate(df, group="team", scales={"s": ["x"]}, options=5)
    res.write_groups(tmp_path / "g.xlsx")
    res.write_groups(tmp_path / "g.csv")
    from openpyxl import load_workbook

    cell = load_workbook(tmp_path / "g.xlsx")["groups"]["A2"]
    assert cell.data_type == "s" and cell.value == "=HYPERLINK(1)" and cell.quotePrefix
    assert "'=HYPERLINK(1)" in (tmp_path / "g.csv").read_text()


@pytest.mark.parametrize("args, message", [
    (["--group", "NOPE", "--options", "5", "--scale", "l=LEAD03"], "group column 'NOPE' is not in the data"),
    (["--group", "COMPID", "--scale", "l=LEAD03"], "--options"),
    (["--group", "COMPID", "--options", "6", "--null", "heavy-skew", "--scale", "l=LEAD03"], "tabulated only"),
    (["--group", "COMPID", "--options", "5", "--scale", "l=NOPE1"], "NOPE1"),
    (["--group", "COMPID", "--options", "5", "--scale", "l=LEAD03", "-o", "x.pdf"], "cannot write"),
    (["--options", "5", "--scale", "l=LEAD03"], "--group"),
])
def test_cli_errors(run_cli, data_dir, args, message):
    code, out, err = run_cli("analyze", "aggregate", str(data_dir / "lq2002.csv"), *args)
    assert code == 2 and message in err and "Traceback" not in err
    assert err.startswith("error:") and len(err.strip().splitlines()) == 1


def test_cli_module_imports_nothing_heavy():
    code = ("import sys; import toolkit.cli.analyze_aggregate; "
            "print([m for m in ('pandas', 'numpy', 'scipy', 'openpyxl') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


# -------------------------------------------------------------------------------------------------------- demo
def simulate_collective_data_use(path, seed=7):
    """A small stand-in for the bundled sample survey: 12 partnerships with a real group effect."""
    inst = toolkit.load_instrument("collective-data-use")
    rng = np.random.default_rng(seed)
    rows = []
    for p in range(12):
        effect = rng.normal(0, 0.7)
        for r in range(int(rng.integers(3, 9))):
            row = {inst.respondent_column: f"R{p}-{r}", inst.group_column: f"P{p:02d}"}
            for c in inst.constructs:
                for it in c.items:
                    v = int(np.clip(np.rint(3.4 + effect + rng.normal(0, 0.8)), 1, 5))
                    row[it.id] = 6 - v if it.reverse else v
            rows.append(row)
    pd.DataFrame(rows).to_csv(path, index=False)


def test_demo_step(tmp_path, demo_inputs):
    inputs = demo_inputs()
    simulate_collective_data_use(inputs / "survey" / "collective-data-use.csv")
    lines = []
    paths = toolkit.run_demo(tmp_path / "out", only=["aggregate"], echo=lines.append, inputs=inputs)
    assert all(p.exists() for p in paths) and len(paths) == 3
    d = json.loads(paths[2].read_text())
    assert len(d["constructs"]) == 8 and d["group_column"] == "partnership_id"
    groups = pd.read_csv(paths[0])
    assert "collective_data_use_rwg_j" in groups.columns and groups["partnership_id"].is_unique
    assert any("ICC(1)" in line for line in lines)


def test_demo_registered():
    from toolkit.demo import STEPS

    assert "aggregate" in dict(STEPS)
