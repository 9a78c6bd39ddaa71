"""WLSMV CFA for ordered indicators against lavaan 0.6.14 (``cfa(..., ordered = TRUE)``).

Reference values: tests/data/cfa_wlsmv_lavaan.json, made by tests/data/cfa_wlsmv_lavaan.R (bfi N1-N5, a
three-factor bfi model, two groups by gender: configural, thresholds+loadings, partial invariance and
lavTestLRT; a singular polychoric matrix; a category empty in one group). The oracle values of
/work/shared/reference/ordinal-fiml-notes.md section 10 are repeated literally in the first test.

Agreement (asserted): chi-square statistics to 2e-7 relative (they are ~5e-6 absolute apart on bfi N because our
polychorics and Gamma agree with lavaan's to ~1e-8), fit indices and RMSEA intervals to 1e-7 absolute, estimates
and standardized estimates to 5e-6 (1e-7 for one group; the constrained two-group model, where lavaan's nlminb
stops earlier, to 5e-6), standard errors to 1e-7, modification indices to 2e-5 relative.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit.errors import ToolkitError
from toolkit.psychometrics.invariance import invariance

DATA = Path(__file__).parent / "data"
N5 = "N =~ N1 + N2 + N3 + N4 + N5"
FIT = ["chisq", "df", "pvalue", "cfi", "tli", "rmsea", "srmr", "npar", "baseline_chisq", "baseline_df",
       "chisq_scaled", "df_scaled", "pvalue_scaled", "chisq_scaling_factor", "baseline_chisq_scaled",
       "baseline_chisq_scaling_factor", "cfi_scaled", "tli_scaled", "rmsea_scaled", "cfi_robust", "tli_robust",
       "rmsea_robust", "rmsea_pvalue"]
CI = {"rmsea_ci": "", "rmsea_ci_scaled": ".scaled", "rmsea_ci_robust": ".robust"}


@pytest.fixture(scope="module")
def ref():
    return json.loads((DATA / "cfa_wlsmv_lavaan.json").read_text())


@pytest.fixture(scope="module")
def one(bfi):
    return toolkit.cfa(bfi, model=N5, ordered=True, modindices=None)


@pytest.fixture(scope="module")
def gender(bfi):
    return invariance(bfi, N5, "gender", ordered=True)


def _close(ours, theirs, rel=2e-8, abs_=1e-4):
    if isinstance(theirs, str):  # lavaan's NA
        assert ours is None or not np.isfinite(ours)
        return
    assert ours == pytest.approx(theirs, rel=rel, abs=abs_)


def _check_fit(fm: dict, rf: dict):
    for k in FIT:
        _close(fm[k], rf[k.replace("_", ".")], rel=2e-7 if "chisq" in k else 0, abs_=1e-8 if "chisq" in k else 1e-7)
    for k, suffix in CI.items():
        _close(fm[k][0], rf[f"rmsea.ci.lower{suffix}"], rel=0, abs_=1e-7)
        _close(fm[k][1], rf[f"rmsea.ci.upper{suffix}"], rel=0, abs_=1e-7)
    for k in ("loglik", "aic", "bic"):
        assert fm[k] is None


def _check_estimates(est: pd.DataFrame, pe: list, groups=None, tol=5e-6):
    pe = pd.DataFrame(pe)
    if groups is not None:
        est = est.assign(group=[groups.index(str(g)) + 1 for g in est["group"]])
        on = ["lhs", "op", "rhs", "group"]
    else:
        on = ["lhs", "op", "rhs"]
    m = est.merge(pe, on=on, suffixes=("", "_r"))
    assert len(m) == len(pe) == len(est)
    assert np.allclose(m["est"], m["est_r"], atol=tol, rtol=0)
    free = m["se_r"] > 0
    assert np.allclose(m.loc[free, "se"], m.loc[free, "se_r"], atol=1e-7, rtol=0)
    assert m.loc[~free, "se"].isna().all()
    assert np.allclose(m["std_all"], m["std.all"], atol=tol, rtol=0)


def test_bfi_neuroticism_oracle_values_of_the_notes(one):
    """ordinal-fiml-notes.md section 10, literally."""
    f = one.fit
    assert one.n == 2694
    assert f["chisq"] == pytest.approx(261.7253529, abs=1e-5) and f["df"] == 5
    assert f["chisq_scaled"] == pytest.approx(547.7680202, abs=5e-5)
    assert f["chisq_scaling_factor"] == pytest.approx(0.4782860169, abs=1e-8)
    assert f["chisq_shift_parameter"] == pytest.approx(0.552873401558, abs=1e-7)
    assert f["baseline_chisq"] == pytest.approx(20778.18994, abs=5e-4)
    assert f["baseline_chisq_scaled"] == pytest.approx(13686.61372, abs=5e-4)
    for k, v in {"cfi": 0.9876385302, "cfi_scaled": 0.9603141515, "tli_scaled": 0.920628303, "rmsea": 0.1380801343,
                 "rmsea_scaled": 0.2007723705, "cfi_robust": 0.9140351971, "tli_robust": 0.8280703942,
                 "rmsea_robust": 0.1920051677, "srmr": 0.05920924082}.items():
        assert f[k] == pytest.approx(v, abs=5e-9), k
    ld = one.loadings.set_index("item")
    assert ld.loc["N2", "est"] == pytest.approx(0.9728318246, abs=1e-8)
    assert ld.loc["N2", "se"] == pytest.approx(0.01438860106, abs=1e-9)
    th = one.to_dict()["thresholds"]
    assert [th[f"N1|t{c}"] for c in range(1, 6)] == pytest.approx(
        [-0.725005911454, -0.0707731238952, 0.318884099186, 0.872247270598, 1.46913349254], abs=1e-9)


def test_bfi_neuroticism_everything_against_lavaan(one, ref):
    r = ref["bfiN"]
    _check_fit(one.fit, r["fit"])
    _check_estimates(one.estimates, r["pe"])
    th = one.thresholds.set_index("label")
    pe = pd.DataFrame(r["pe"])
    pe = pe[pe["op"] == "|"]
    assert np.allclose(th.loc[pe["lhs"] + "|" + pe["rhs"], "se"], pe["se"], atol=1e-8)


def test_modification_indices_dwls(bfi, ref):
    """N1~~N2: MI 242.4357822, EPC 0.3520071659 (notes); all 135 rows of a three-factor model."""
    res = toolkit.cfa(bfi, model=N5, ordered=True)
    top = res.modification_indices.iloc[0]
    assert (top["lhs"], top["op"], top["rhs"]) == ("N1", "~~", "N2")
    assert top["mi"] == pytest.approx(242.4357822, rel=1e-7) and top["epc"] == pytest.approx(0.3520071659, rel=1e-7)
    assert len(res.to_dict()["modification_indices"]) == 10
    r = ref["bfi3"]
    res3 = toolkit.cfa(bfi, model=r["model"], ordered=True, modindices=1000)
    _check_fit(res3.fit, r["fit"])
    _check_estimates(res3.estimates, r["pe"], tol=2e-6)
    mi = pd.DataFrame(r["mi"])
    m = res3.modification_indices.merge(mi, on=["lhs", "op", "rhs"], suffixes=("", "_r"))
    assert len(m) == len(mi) == len(res3.modification_indices) == 135
    assert np.allclose(m["mi"], m["mi_r"], rtol=2e-5, atol=1e-4)
    assert np.allclose(m["epc"], m["epc_r"], rtol=2e-5, atol=1e-6)
    assert np.allclose(m["sepc_all"], m["sepc.all"], rtol=2e-5, atol=1e-6)


def test_two_groups_configural_thresholds_loadings_lrt(gender, ref):
    r = ref["gender"]
    groups = [str(g) for g in gender.groups]
    assert groups == [str(g) for g in r["groups"]]
    _check_fit(gender.fits["configural"], r["configural"]["fit"])
    _check_fit(gender.fits["thresholds_loadings"], r["thresholds_loadings"]["fit"])
    _check_estimates(gender.estimates["configural"], r["configural"]["pe"], groups)
    _check_estimates(gender.estimates["thresholds_loadings"], r["thresholds_loadings"]["pe"], groups)
    # notes, section 6: T1, T0, T_d, a, b
    assert gender.fits["configural"]["chisq"] == pytest.approx(301.207181183, abs=1e-5)
    assert gender.fits["thresholds_loadings"]["chisq"] == pytest.approx(560.70169657, abs=1e-5)
    inv = gender.to_dict()["invariance"]["thresholds_loadings"]
    assert inv["delta_chisq"] == pytest.approx(289.642820849, abs=1e-4) and inv["delta_df"] == 23
    assert inv["delta_pvalue"] == pytest.approx(r["lrt"]["delta_pvalue"], rel=1e-4)
    assert inv["delta_scale"] == pytest.approx(1.09658982665, abs=1e-6)
    assert inv["delta_shift"] == pytest.approx(5.08377520243, abs=1e-5)
    assert inv["df"] == 33 and gender.fits["configural"]["df"] == 10
    assert set(inv["thresholds"]) == set(groups) and len(inv["thresholds"][groups[0]]) == 25
    assert inv["cfi_robust"] is None or not np.isfinite(inv["cfi_robust"])  # lavaan 0.6-14: NA


def test_partial_invariance_ordinal(bfi, ref):
    r = ref["gender"]
    res = invariance(bfi, N5, "gender", ordered=True, free=["N=~N3", "N3|t2"])
    groups = [str(g) for g in res.groups]
    _check_fit(res.fits["thresholds_loadings"], r["partial"]["fit"])
    _check_estimates(res.estimates["thresholds_loadings"], r["partial"]["pe"], groups)
    inv = res.to_dict()["invariance"]["thresholds_loadings"]
    assert inv["released"] == ["N=~N3", "N3|t2"]
    assert inv["delta_chisq"] == pytest.approx(r["lrt_partial"]["delta_chisq"], abs=1e-4)
    assert inv["delta_df"] == r["lrt_partial"]["delta_df"] == 21
    with pytest.raises(ToolkitError, match="N3 has thresholds t1..t5"):
        invariance(bfi, N5, "gender", ordered=True, free=["N3|t9"])


def test_singular_polychoric_matrix_as_lavaan(ref):
    """B7 and B8 have a 2x2 table with two empty cells: rho = 1, the polychoric matrix is singular; lavaan
    fits the model and reports no robust indices."""
    r = ref["binary_nonpd"]
    res = toolkit.cfa(pd.read_csv(DATA / "ordinal_binary.csv"), model=r["model"], ordered=True)
    for k in ("chisq", "chisq_scaled", "srmr", "cfi", "rmsea_scaled"):
        _close(res.fit[k], r["fit"][k.replace("_", ".")], rel=1e-6, abs_=1e-6)
    assert not np.isfinite(res.fit["cfi_robust"]) and r["fit"]["cfi.robust"] == "NA"
    assert any("not positive definite" in w and "robust" in w for w in res.warnings)
    assert any("nearly) 1.0" in w for w in res.warnings)


def test_bad_input_one_clear_message(bfi, ref, run_cli):
    with pytest.raises(ToolkitError, match="WLSMV needs ordered"):
        toolkit.cfa(bfi, model=N5, estimator="wlsmv")
    with pytest.raises(ToolkitError, match="FIML is not available for ordered items"):
        toolkit.cfa(bfi, model=N5, ordered=True, missing="fiml")
    with pytest.raises(ToolkitError, match="not available for ordered items"):
        toolkit.cfa(bfi, model=N5, ordered=True, estimator="mlr")
    with pytest.raises(ToolkitError, match="mixing ordered and continuous"):
        toolkit.cfa(bfi, model=N5, ordered=["N1", "N2"])
    d = bfi.copy()
    d["N5"] = 3
    with pytest.raises(ToolkitError, match="only one observed category"):
        toolkit.cfa(d, model=N5, ordered=True)
    # lavaan: "some categories of variable `S4' are empty in group 1; frequencies are [11 30 78 104 0]": category 1
    # is used only in rows that listwise deletion drops (lavaan lists the empty count last)
    assert "`S4' are empty in group 1; frequencies are [11 30 78 104 0]" in ref["errors"]["empty_in_group"]
    sp = pd.read_csv(DATA / "ordinal_sparse.csv")
    with pytest.raises(ToolkitError, match=r"category 1 of item S4 is empty in group 'b'.*frequencies 0 11 30 78 104"):
        invariance(sp, "F =~ S1 + S4 + S6", "grp", ordered=True)
    code, out, err = run_cli("analyze", "cfa", str(DATA / "ordinal_sparse.csv"), "--model", "F =~ S1 + S4 + S6",
                             "--ordered", "--group", "grp")
    assert code != 0 and "S4" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    code, out, err = run_cli("analyze", "cfa", str(DATA / "bfi.csv"), "--model", N5, "--estimator", "wlsmv")
    assert code != 0 and "--ordered" in err and "Traceback" not in err


def test_model_that_does_not_converge(ref, run_cli):
    """Three items of pure noise: lavaan's optimizer fails ("a solution has NOT been found") with X3's loading
    running away; ours stops too, and says so in one warning (no traceback), with no standard errors."""
    r = ref["noise"]
    assert r["converged"] is False
    d = pd.read_csv(DATA / "ordinal_noise.csv")
    res = toolkit.cfa(d, model=r["model"], ordered=True, modindices=None)
    assert not res.model_fit.converged
    assert sum("did not converge" in w for w in res.warnings) == 1
    assert res.loadings["se"].isna().all()
    assert abs(res.loadings.set_index("item").loc["X3", "est"]) > 100  # as lavaan's 58849: no finite optimum
    code, out, err = run_cli("analyze", "cfa", str(DATA / "ordinal_noise.csv"), "--model", r["model"], "--ordered")
    assert code == 0 and "did not converge" in err and "Traceback" not in err


def test_cli_ordered_json_and_workbook(run_cli, tmp_path):
    out_xlsx = tmp_path / "cfa.xlsx"
    code, out, err = run_cli("analyze", "cfa", str(DATA / "bfi.csv"), "--model", N5, "--ordered", "--json",
                             "-o", str(out_xlsx))
    assert code == 0, err
    d = json.loads(out)
    assert d["estimator"] == "WLSMV" and d["missing"] == "listwise" and d["n"] == 2694 and d["n_dropped"] == 106
    assert {"chisq_scaled", "df_scaled", "pvalue_scaled", "chisq_scaling_factor", "cfi_scaled", "tli_scaled",
            "rmsea_scaled", "cfi_robust", "tli_robust", "rmsea_robust"} <= set(d["fit"])
    assert d["fit"]["loglik"] is None and d["fit"]["aic"] is None
    assert d["thresholds"]["N1|t1"] == pytest.approx(-0.725005911454, abs=1e-9)
    assert d["modification_indices"][0]["mi"] == pytest.approx(242.4357822, rel=1e-7)
    assert "std_loadings" in d and "reliability" in d
    assert "FIML is not available for ordered data" in err
    import openpyxl

    wb = openpyxl.load_workbook(out_xlsx)
    assert "Thresholds" in wb.sheetnames
    code, out, err = run_cli("analyze", "cfa", str(DATA / "bfi.csv"), "--model", N5, "--ordered")
    assert code == 0 and "scaled-shifted (WLSMV)" in out and "Thresholds" in out


# --- the WLSMV oracle of tests/data/wlsmv_lavaan.json (wlsmv_lavaan.R, lavaan 0.6.14 + semTools 0.5.6) ---------
ORACLE = {  # case -> (data file, model, columns the R script kept before listwise deletion)
    "bfi3": ("bfi.csv", "N =~ N1 + N2 + N3 + N4 + N5\nC =~ C1 + C2 + C3 + C4 + C5\nE =~ E1 + E2 + E3 + E4 + E5",
             None),
    "sparse2": ("ordinal_sparse.csv", "F1 =~ S1 + S2 + S3 + S5 + S11\nF2 =~ S6 + S7 + S8 + S9 + S10", None),
}


@pytest.fixture(scope="module")
def oracle():
    return json.loads((DATA / "wlsmv_lavaan.json").read_text())


@pytest.mark.parametrize("case", sorted(ORACLE))
def test_multi_factor_and_sparse_categories_against_the_oracle(case, oracle):
    """Three bfi factors with negatively keyed items; two factors on items with an unused middle category (S3),
    an unused lowest category (S5), four categories (S11) and rare top categories (S7), 299 complete rows:
    fit, estimates, the ten largest modification indices and semTools' categorical omega per factor."""
    file, model, _ = ORACLE[case]
    r = oracle[case]
    res = toolkit.cfa(pd.read_csv(DATA / file), model=model, ordered=True)
    assert res.n == r["nobs"][0] and res.model_fit.converged
    _check_fit(res.fit, r["fit"])
    est = pd.DataFrame(r["est"]).drop(columns="group")
    _check_estimates(res.estimates, est.to_dict(orient="records"), tol=2e-6)
    rel = res.to_dict()["reliability"]
    for f, v in r["omega"]["default"].items():
        assert rel[f]["omega_categorical"] == pytest.approx(v, abs=5e-7), f
    mi = pd.DataFrame(r["mi"]).sort_values("mi", ascending=False).head(10)
    ours = res.modification_indices
    assert list(zip(ours["lhs"], ours["op"], ours["rhs"])) == list(zip(mi["lhs"], mi["op"], mi["rhs"]))
    assert np.allclose(ours["mi"], mi["mi"], rtol=2e-5) and np.allclose(ours["epc"], mi["epc"], rtol=2e-5, atol=1e-7)


def test_bad_input_as_the_oracle_records_it(oracle, bfi, run_cli):
    """wlsmv_lavaan.json "errors": a category emptied in one group, a category used only by rows that listwise
    deletion drops; each is one message naming the item, the group and lavaan's frequencies."""
    err = oracle["errors"]
    want = err["group_missing_category_configural"]["error"]
    assert "`N5' are empty in group 1; frequencies are [303 242 109 124 111 0]" in want
    d = bfi.dropna(subset=[f"N{i}" for i in range(1, 6)] + ["gender"]).copy()
    d.loc[(d["gender"] == 1) & (d["N5"] == 6), "N5"] = 5
    for free in ([], ["N=~N3"]):
        with pytest.raises(ToolkitError, match=r"category 6 of item N5 is empty in group 1.*303 242 109 124 111 0"):
            invariance(d, N5, "gender", ordered=True, free=free)
    assert "frequencies are [14 43 109 127 0]" in err["empty_after_listwise"]["error"]
    sp = pd.read_csv(DATA / "ordinal_sparse.csv")
    with pytest.raises(ToolkitError, match=r"category 1 of item S4 is empty .*frequencies 0 14 43 109 127"):
        toolkit.cfa(sp, model="F1 =~ S1 + S2 + S3 + S4 + S5\nF2 =~ S6 + S7 + S8 + S9 + S10", ordered=True)
    assert err["one_category"]["error"] == "lavaan ERROR: ordered variable(s) has/have only 1 level"


def test_instrument_likert_items_are_the_ordered_ones(ref, run_cli):
    """--instrument --ordered: missing codes become missing, reverse-keyed items are recoded, complete cases;
    lavaan on the same recoded data (cfa_wlsmv_lavaan.R, "instrument")."""
    r = ref["instrument"]
    d = pd.read_csv(DATA / "cfa_mini_survey.csv")
    res = toolkit.cfa(d, instrument=str(DATA / "mini-instrument.yaml"), ordered=True)
    assert res.n == r["n"] and res.estimator == "WLSMV"
    _check_fit(res.fit, r["fit"])
    _check_estimates(res.estimates, r["pe"], tol=2e-6)
    code, out, err = run_cli("analyze", "cfa", str(DATA / "cfa_mini_survey.csv"), "-i",
                             str(DATA / "mini-instrument.yaml"), "--ordered", "--json")
    assert code == 0 and json.loads(out)["fit"]["chisq"] == pytest.approx(r["fit"]["chisq"], rel=2e-7)
