"""CFA and measurement invariance against lavaan 0.6.14 (reference values made by tests/data/cfa_lavaan_reference.R)."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit.errors import ToolkitError
from toolkit.psychometrics.sem_model import parse_model

HS_MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
TOL = 1e-3
FIT_MAP = {"chisq": "chisq", "df": "df", "pvalue": "pvalue", "cfi": "cfi", "tli": "tli", "rmsea": "rmsea",
           "srmr": "srmr", "loglik": "logl", "aic": "aic", "bic": "bic", "npar": "npar",
           "baseline_chisq": "baseline.chisq", "baseline_df": "baseline.df", "rmsea_pvalue": "rmsea.pvalue"}


@pytest.fixture(scope="module")
def hs(request):
    from pathlib import Path

    return pd.read_csv(Path(__file__).parent / "data" / "hs1939.csv")


@pytest.fixture(scope="module")
def ref():
    from pathlib import Path

    d = Path(__file__).parent / "data"
    return {"hs": json.loads((d / "hs1939_cfa_lavaan.json").read_text()),
            "inv": json.loads((d / "cfa_hs1939_invariance_lavaan.json").read_text()),
            "mini": json.loads((d / "cfa_mini_lavaan.json").read_text())}


@pytest.fixture(scope="module")
def hs_fit(hs):
    return toolkit.cfa(hs, model=HS_MODEL)


def _check_fit(fit: dict, lav: dict, tol: float = TOL):
    for ours, theirs in FIT_MAP.items():
        if theirs in lav:
            assert fit[ours] == pytest.approx(lav[theirs], abs=tol), ours
    assert fit["rmsea_ci"][0] == pytest.approx(lav["rmsea.ci.lower"], abs=tol)
    assert fit["rmsea_ci"][1] == pytest.approx(lav["rmsea.ci.upper"], abs=tol)


def _std(rows, op="=~", group=None):
    out = {}
    for r in rows:
        if r["op"] == op and (group is None or r.get("group") == group):
            out[f"{r['lhs']}{op}{r['rhs']}"] = r["est.std"]
    return out


# ------------------------------------------------------------------------------------- single group, HS


def test_hs_fit_matches_lavaan_tutorial_values(hs_fit, ref):
    lav = ref["hs"]["fit"]
    fit = hs_fit.fit
    for k in ("chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr"):
        assert fit[k] == pytest.approx(lav[k], abs=TOL), k
    assert fit["rmsea_ci"] == pytest.approx([lav["rmsea.ci.lower"], lav["rmsea.ci.upper"]], abs=TOL)
    # the estimator converges far beyond the 1e-3 bar
    assert fit["chisq"] == pytest.approx(lav["chisq"], abs=1e-6)
    assert hs_fit.n == 301 and hs_fit.n_dropped == 0


def test_hs_loglik_aic_bic_and_all_indices(hs_fit, ref):
    _check_fit(hs_fit.fit, ref["inv"]["single"])
    assert hs_fit.fit["loglik"] == pytest.approx(-3737.7449266, abs=TOL)
    assert hs_fit.fit["npar"] == 21


def test_hs_standardized_loadings_and_factor_correlations(hs_fit, ref):
    d = hs_fit.to_dict()
    for k, v in ref["hs"]["std_loadings"].items():
        assert d["std_loadings"][k] == pytest.approx(v, abs=TOL), k
    lav = _std(ref["inv"]["single_std"], "~~")
    for k, v in d["factor_correlations"].items():
        assert v == pytest.approx(lav[k], abs=TOL), k


def test_hs_estimates_and_standard_errors(hs_fit, ref):
    est = hs_fit.estimates
    for r in ref["inv"]["single_est"]:
        row = est[(est.lhs == r["lhs"]) & (est.op == r["op"]) & (est.rhs == r["rhs"])]
        assert len(row) == 1, r
        assert row.est.iloc[0] == pytest.approx(r["est"], abs=TOL)
        if r["se"]:
            assert row.se.iloc[0] == pytest.approx(r["se"], abs=TOL)


def test_hs_reliability_and_htmt(hs_fit, ref):
    d = hs_fit.to_dict()
    for f, v in ref["inv"]["single_reliability"].items():
        assert d["reliability"][f]["cr"] == pytest.approx(v["cr"], abs=TOL)
        assert d["reliability"][f]["ave"] == pytest.approx(v["ave"], abs=TOL)
    for k, v in ref["inv"]["single_htmt"].items():
        assert d["htmt"][k] == pytest.approx(v, abs=TOL)


def test_hu_bentler_verdicts_are_guidance(hs_fit):
    v = hs_fit.verdicts
    assert "CFI .931 < .95: below the usual cut-off (Hu & Bentler 1999)" in v
    assert any(s.startswith("SRMR .065 <= .08: meets") for s in v)
    assert any(s.startswith("RMSEA .092 > .06: above") for s in v)


def test_cross_loading_correlated_residual_and_heywood(hs, ref):
    res = toolkit.cfa(hs, model=ref["inv"]["model_b"])
    lav = ref["inv"]["model_b_fit"]
    for k in ("chisq", "df", "cfi", "tli", "rmsea", "srmr", "aic", "bic", "npar"):
        assert res.fit[k] == pytest.approx(lav[FIT_MAP[k]], abs=TOL), k
    std = _std(ref["inv"]["model_b_std"])
    ours = res.to_dict()["std_loadings"]
    assert set(ours) == set(std)
    for k, v in std.items():
        assert ours[k] == pytest.approx(v, abs=TOL), k
    assert any("Heywood" in w and "x8" in w for w in res.warnings)


def test_syntax_variants_give_the_same_model(hs):
    a = toolkit.cfa(hs, model="visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9")
    b = toolkit.cfa(hs, model=["visual =~ x1 + x2", "visual =~ x3  # comment", "textual =~ x4+x5+x6",
                               "speed =~ x7 + x8 + x9"])
    assert a.fit["chisq"] == pytest.approx(b.fit["chisq"], abs=1e-8)
    # std.lv identification (free first loading, unit variance) is an equivalent model
    c = toolkit.cfa(hs, model="visual =~ NA*x1 + x2 + x3; textual =~ NA*x4 + x5 + x6; "
                              "speed =~ NA*x7 + x8 + x9; visual ~~ 1*visual; textual ~~ 1*textual; speed ~~ 1*speed")
    assert c.fit["chisq"] == pytest.approx(a.fit["chisq"], abs=1e-6)
    assert c.to_dict()["std_loadings"]["visual=~x1"] == pytest.approx(0.77188, abs=TOL)
    # orthogonal factors: one more df, worse fit
    d = toolkit.cfa(hs, model=HS_MODEL + "\nvisual ~~ 0*speed")
    assert d.fit["df"] == 25 and d.fit["chisq"] > a.fit["chisq"] + 10


def test_parser_errors():
    with pytest.raises(ToolkitError, match="only measurement models"):
        parse_model("f =~ x1 + x2 + x3\ny ~ f")
    with pytest.raises(ToolkitError, match="listed twice"):
        parse_model("f =~ x1 + x1 + x3")
    with pytest.raises(ToolkitError, match="labels are not supported"):
        parse_model("f =~ a*x1 + x2 + x3")
    with pytest.raises(ToolkitError, match="higher-order"):
        parse_model("f =~ x1 + x2 + x3\ng =~ f + x4 + x5")
    with pytest.raises(ToolkitError, match="no factor"):
        parse_model("# nothing here")


# ----------------------------------------------------------------------------------------- invariance


@pytest.fixture(scope="module")
def hs_inv(hs):
    return toolkit.invariance(hs, HS_MODEL, "school")


@pytest.mark.parametrize("step", ["configural", "metric", "scalar"])
def test_hs_invariance_steps_match_lavaan(hs_inv, ref, step):
    lav = ref["inv"][step]
    _check_fit(hs_inv.fits[step], lav)
    # the notes' table (lavaan groups tutorial)
    notes = {"configural": (115.851, 48, .9234, .0969), "metric": (124.044, 54, .9209, .0928),
             "scalar": (164.103, 60, .8825, .1074)}[step]
    f = hs_inv.fits[step]
    assert (round(f["chisq"], 3), f["df"], round(f["cfi"], 4), round(f["rmsea"], 4)) == notes


def test_hs_invariance_differences_and_chen_verdicts(hs_inv, ref):
    t = hs_inv.table.set_index("step")
    lrt = ref["inv"]["lrt"]
    assert t.loc["metric", "delta_chisq"] == pytest.approx(lrt[1]["dchisq"], abs=TOL)
    assert t.loc["metric", "delta_pvalue"] == pytest.approx(lrt[1]["p"], abs=TOL)
    assert t.loc["scalar", "delta_chisq"] == pytest.approx(lrt[2]["dchisq"], abs=TOL)
    assert t.loc["scalar", "delta_pvalue"] == pytest.approx(lrt[2]["p"], abs=1e-6)
    assert t.loc["metric", "delta_df"] == 6 and t.loc["scalar", "delta_df"] == 6
    assert t.loc["metric", "verdict"] == "supported"
    assert t.loc["scalar", "verdict"] == "not supported"  # dCFI -.038, dSRMR +.011
    assert hs_inv.groups == {"Pasteur": 156, "Grant-White": 145}
    d = hs_inv.to_dict()["invariance"]
    assert set(d) == {"configural", "metric", "scalar"}
    assert d["scalar"]["delta_cfi"] == pytest.approx(ref["inv"]["scalar"]["cfi"] - ref["inv"]["metric"]["cfi"],
                                                     abs=TOL)


# ----------------------------------------------------------------------------------- from an instrument


def test_instrument_model_with_missing_codes_and_reversed_items(data_dir, ref):
    lav = ref["mini"]
    d = pd.read_csv(data_dir / "cfa_mini_survey.csv")
    res = toolkit.cfa(d, instrument=str(data_dir / "mini-instrument.yaml"), missing="listwise")
    assert res.n == lav["n"] and res.n + res.n_dropped == len(d)
    assert any("listwise deletion dropped 88 of 400 respondents (22.0%)" in w for w in res.warnings)
    _check_fit(res.fit, lav["fit"])
    std = _std(lav["std"])
    for k, v in std.items():
        assert res.to_dict()["std_loadings"][k] == pytest.approx(v, abs=TOL), k
    for f, v in lav["reliability"].items():
        assert res.to_dict()["reliability"][f]["cr"] == pytest.approx(v["cr"], abs=TOL)
    for k, v in lav["htmt"].items():
        assert res.to_dict()["htmt"][k] == pytest.approx(v, abs=TOL)
    assert any("SM3" in n for n in res.notes)
    inv = toolkit.invariance(d, group="role", instrument=str(data_dir / "mini-instrument.yaml"), missing="listwise")
    assert list(inv.groups) == lav["groups"] and list(inv.groups.values()) == lav["nobs"]
    for step in ("configural", "metric", "scalar"):
        _check_fit(inv.fits[step], lav[step])


def test_instrument_model_on_simulated_data(data_dir):
    """A correctly specified model from the instrument recovers the simulated structure."""
    rng = np.random.default_rng(7)
    n = 600
    f = rng.multivariate_normal([0, 0], [[1, .3], [.3, 1]], n)
    cols = {}
    for item, fac, lam in [("SM1", 0, .8), ("SM2", 0, .7), ("SM3", 0, -.7), ("DR1", 1, .8), ("DR2", 1, .7),
                           ("DR3", 1, -.6)]:
        y = lam * f[:, fac] + np.sqrt(1 - lam ** 2) * rng.standard_normal(n)
        cols[item] = np.clip(np.round(3 + 1.2 * y), 1, 5)
    cols["SM1"][:10] = 9  # Don't know
    res = toolkit.cfa(pd.DataFrame(cols), instrument=str(data_dir / "mini-instrument.yaml"))
    assert res.n == n and res.n_incomplete == 10 and res.missing == "fiml"  # 'Don't know' answers are gaps
    assert res.fit["cfi"] > 0.95 and res.fit["df"] == 8
    assert (res.loadings["std_all"] > 0.4).all()  # reverse-keyed items were recoded
    assert res.factor_correlations.loc["sensemaking", "deliberation"] == pytest.approx(0.3, abs=0.12)


# ------------------------------------------------------------------------------------------------ CLI


def test_cli_json(run_cli, data_dir, ref):
    code, out, err = run_cli("analyze", "cfa", str(data_dir / "hs1939.csv"), "--model", "visual =~ x1 + x2 + x3",
                             "--model", "textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9", "--group", "school",
                             "--json")
    assert code == 0, err
    d = json.loads(out)
    assert {"n", "fit", "std_loadings", "reliability", "invariance", "htmt", "factor_correlations"} <= set(d)
    assert set(d["fit"]) >= {"chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci", "srmr", "loglik", "aic",
                             "bic"}
    assert d["fit"]["chisq"] == pytest.approx(85.3055218, abs=1e-5)
    assert d["invariance"]["metric"]["chisq"] == pytest.approx(ref["inv"]["metric"]["chisq"], abs=TOL)
    assert d["std_loadings"]["speed=~x9"] == pytest.approx(0.665009, abs=TOL)


def test_cli_text_and_xlsx(run_cli, data_dir, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "cfa.xlsx"
    code, text, err = run_cli("analyze", "cfa", str(data_dir / "cfa_mini_survey.csv"), "--instrument",
                              str(data_dir / "mini-instrument.yaml"), "--group", "role", "-o", str(out))
    assert code == 0, err
    assert "CFI" in text and "Measurement invariance" in text and "wrote" in text
    wb = load_workbook(out)
    assert wb.sheetnames == ["Fit", "Loadings", "Reliability", "HTMT", "Invariance", "Score tests",
                             "Modification indices"]
    assert wb["Fit"]["A1"].value.startswith("Model fit (ML, FIML")
    assert wb["Fit"]["A2"].value == "Index" and wb["Fit"]["A3"].value == "χ²"
    assert isinstance(wb["Fit"]["B3"].value, float)
    assert [c.value for c in wb["Invariance"]["A"][2:5]] == ["configural", "metric", "scalar"]
    from toolkit.provenance import read_from_workbook

    assert read_from_workbook(out)["missing"] == "fiml"


@pytest.mark.parametrize("args, message", [
    (["--model", "visual =~ x1 + x2 + zz"], "item column(s) not in the data: zz"),
    (["--model", "visual =~ x1 + x2"], "lone factor ('visual') needs at least 3 indicators"),
    (["--model", "visual =~ x1 + x2 + x3; textual =~ x4"], "only 1 indicator"),
    (["--model", "speed ~ x1"], "only measurement models"),
    (["--model", "visual =~ x1 + x2 + x3", "--group", "nope"], "group column 'nope' is not in the data"),
    (["--model", "visual =~ x1 + x2 + x3", "--instrument", "x"], "either --instrument"),
    ([], "either --instrument"),
    (["--model", "visual =~ x1 + x2 + x3", "-o", "out.csv"], "must end in .xlsx"),
    (["--model", "visual =~ x1 + x2 + x3", "--group", "sex"], None),
])
def test_cli_errors(run_cli, data_dir, args, message):
    code, out, err = run_cli("analyze", "cfa", str(data_dir / "hs1939.csv"), *args)
    if message is None:
        assert code == 0, err
        return
    assert code == 2
    assert message in err and err.startswith("error: ") and err.count("\n") == 1


def test_cli_data_errors(run_cli, tmp_path):
    rng = np.random.default_rng(1)
    few = pd.DataFrame(rng.normal(size=(3, 3)), columns=["a", "b", "c"])
    few.to_csv(tmp_path / "few.csv", index=False)
    code, _, err = run_cli("analyze", "cfa", str(tmp_path / "few.csv"), "--model", "f =~ a + b + c")
    assert code == 2 and "need more rows than indicators" in err
    x = rng.normal(size=(50, 2))
    dup = pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": x[:, 0] + x[:, 1], "d": x[:, 0]})
    dup.to_csv(tmp_path / "dup.csv", index=False)
    code, _, err = run_cli("analyze", "cfa", str(tmp_path / "dup.csv"), "--model", "f =~ a + b + c + d")
    assert code == 2 and "not positive definite" in err
    text = pd.DataFrame({"a": ["1", "2", "x"], "b": [1, 2, 3], "c": [3, 2, 1]})
    text.to_csv(tmp_path / "text.csv", index=False)
    code, _, err = run_cli("analyze", "cfa", str(tmp_path / "text.csv"), "--model", "f =~ a + b + c")
    assert code == 2 and "row 4: a: non-numeric value 'x'" in err


def test_demo_step_on_a_simulated_survey(tmp_path, demo_inputs):
    df = toolkit.simulate("collective-data-use", n=600, groups=12, seed=3, missing=0.0, dont_know=0.01)
    lines = []
    paths = toolkit.run_demo(tmp_path / "out", only=["cfa"], echo=lines.append, inputs=demo_inputs(df))
    assert [p.name for p in paths] == ["cfa.xlsx", "cfa.json", "cfa-ordinal.xlsx", "cfa-ordinal.json"]
    assert all(p.exists() for p in paths)
    d = json.loads(paths[1].read_text())
    assert len(d["reliability"]) == 8 and d["fit"]["cfi"] > 0.9
    assert set(d["invariance"]) == {"configural", "metric", "scalar"}
    assert any("invariance of 'collective_data_use'" in s for s in lines)
    o = json.loads(paths[3].read_text())  # the Likert items as ordinal: WLSMV
    assert o["estimator"] == "WLSMV" and o["fit"]["cfi_robust"] > 0.9 and "CON1|t1" in o["thresholds"]
    assert all(0 < r["omega_categorical"] < 1 for r in o["reliability"].values())
    assert any("as ordinal items (WLSMV" in s for s in lines)


def test_cli_construct_selection(run_cli, data_dir):
    code, out, err = run_cli("analyze", "cfa", str(data_dir / "cfa_mini_survey.csv"), "--instrument",
                             str(data_dir / "mini-instrument.yaml"), "--construct", "sensemaking",
                             "--construct", "deliberation", "--json")
    assert code == 0, err
    assert set(json.loads(out)["reliability"]) == {"sensemaking", "deliberation"}
    code, out, err = run_cli("analyze", "cfa", str(data_dir / "cfa_mini_survey.csv"), "--instrument",
                             str(data_dir / "mini-instrument.yaml"), "--construct", "sensemaking")
    assert code == 0 and "CFI" in out and "just identified" in err  # a lone 3-item factor has df 0
    code, _, err = run_cli("analyze", "cfa", str(data_dir / "cfa_mini_survey.csv"), "--instrument",
                           str(data_dir / "mini-instrument.yaml"), "--construct", "nope")
    assert code == 2 and "unknown construct(s) nope" in err


def test_hs_scalar_parameter_estimates_match_lavaan(hs_inv, ref):
    """Every scalar-model parameter (loadings, variances, intercepts, latent means) in both groups, with SEs."""
    est = hs_inv.estimates["scalar"]
    labels = list(hs_inv.groups)
    for r in ref["inv"]["scalar_est"]:
        row = est[(est.lhs == r["lhs"]) & (est.op == r["op"]) & (est.rhs == r["rhs"])
                  & (est.group == labels[r["group"] - 1])]
        assert len(row) == 1, r
        assert row.est.iloc[0] == pytest.approx(r["est"], abs=TOL), r
        if r["se"]:
            assert row.se.iloc[0] == pytest.approx(r["se"], abs=TOL), r


def test_unstructured_noise_warns_instead_of_failing(run_cli, tmp_path):
    """Items that do not correlate leave factors empirically unidentified: a warning, never a traceback."""
    rng = np.random.default_rng(5)
    x = rng.normal(size=(200, 6))
    q, _ = np.linalg.qr(x - x.mean(axis=0))  # exactly uncorrelated items: the factor variances go to 0
    pd.DataFrame(q * np.sqrt(200) + 3, columns=list("abcdeg")).to_csv(tmp_path / "noise.csv", index=False)
    code, out, err = run_cli("analyze", "cfa", str(tmp_path / "noise.csv"), "--model", "f =~ a + b + c",
                             "--model", "h =~ d + e + g", "--json")
    assert code == 0
    d = json.loads(out)
    # as lavaan: the fit is perfect (chi-square 0, CFI 1), but the information matrix is singular
    assert d["fit"]["chisq"] == pytest.approx(0, abs=1e-8) and d["fit"]["cfi"] == 1
    assert any("standard errors could not be computed" in w for w in d["warnings"])
    assert err.startswith("warning: standard errors could not be computed")


def test_fit_sheet_keeps_a_perfect_cfi_among_the_indices(tmp_path, data_dir):
    """A CFI of exactly 1 and an RMSEA of 0 are fit indices, not counts: they stay in the fit table with three
    decimals, and only df, parameters and rows go to the table of counts."""
    import openpyxl

    df = pd.read_csv(data_dir / "cfa_cdu_survey.csv")
    res = toolkit.cfa(df, instrument=str(data_dir / "cfa_cdu_instrument.yaml"))
    assert res.fit["cfi"] == 1.0 and res.fit["rmsea"] == 0.0
    res.to_excel(tmp_path / "cfa.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "cfa.xlsx")["Fit"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    split = next(i for i, r in enumerate(rows) if r[0] == "Degrees of freedom, parameters and rows")
    first = {r[0] for r in rows[:split]}
    counts = {r[0] for r in rows[split:]}
    assert {"CFI", "RMSEA"} <= first and not {"CFI", "RMSEA"} & counts
    assert {"df", "N"} <= counts
