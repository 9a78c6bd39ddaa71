"""Score tests for releasing equality constraints against lavaan 0.6.14 ``lavTestScore``.

Reference values: tests/data/scoretest_lavaan.json, made by tests/data/scoretest_lavaan.R (hs1939 by school:
ML metric, scalar, scalar with group.partial x3~1 and with x2~1 + x3~1 (then releasing x1~1 leaves the
latent mean unidentified: X2 = 0, the Moore-Penrose path), MLR scalar; by school x grade (4 groups): ML scalar; hs1939_mcar by school: FIML metric and
scalar, expected and observed information; bfi N1-N5 by gender: WLSMV thresholds+loadings).

Agreement (asserted): at lavaan's own estimates X2 to 1e-6 relative and EPCs to 1e-6 absolute (the formula);
from our own fits X2 to 1e-4 absolute / 3e-6 relative, p to 1e-5 and EPCs to 1e-5 (the estimates differ from
lavaan's at the 1e-6 level; with four groups of ~75, where lavaan stops at gradients of 3e-6, X2 to 5e-5
relative, p and EPCs to 1e-4). lavaan 0.6-14 gives WLSMV EPCs the sign opposite to the change a refit shows
(its score for DWLS is +dF/dtheta); ours have the sign of the change, checked here against a refit.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from toolkit.psychometrics.estimators import evaluate_at
from toolkit.psychometrics.invariance import invariance
from toolkit.psychometrics.scoretest import score_tests

DATA = Path(__file__).parent / "data"
HS = "visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9"
N5 = "N =~ N1 + N2 + N3 + N4 + N5"


@pytest.fixture(scope="module")
def ref():
    return json.loads((DATA / "scoretest_lavaan.json").read_text())


@pytest.fixture(scope="module")
def fits():
    hs = pd.read_csv(DATA / "hs1939.csv")
    mcar = pd.read_csv(DATA / "hs1939_mcar.csv")
    bfi = pd.read_csv(DATA / "bfi.csv")
    ml = invariance(hs, HS, "school")
    ordinal = invariance(bfi, N5, "gender", ordered=True)
    hs4 = hs[hs["grade"].notna()].assign(sg=lambda d: d["school"] + " " + d["grade"].astype(int).astype(str))
    fiml = invariance(mcar, HS, "school", missing="fiml")
    return {
        "ml_metric": (ml.models["metric"], "expected"),
        "ml_scalar": (ml.models["scalar"], "expected"),
        "ml_scalar_partial": (invariance(hs, HS, "school", free=["x3~1"]).models["scalar"], "expected"),
        "ml_scalar_partial_unidentified": (invariance(hs, HS, "school", free=["x2~1", "x3~1"]).models["scalar"],
                                           "expected"),
        "ml_scalar_4groups": (invariance(hs4, HS, "sg").models["scalar"], "expected"),
        "mlr_scalar": (invariance(hs, HS, "school", estimator="mlr").models["scalar"], "expected"),
        "fiml_metric": (fiml.models["metric"], "expected"),
        "fiml_scalar": (fiml.models["scalar"], "expected"),
        "fiml_scalar_observed": (fiml.models["scalar"], "observed"),
        "wlsmv_thresholds_loadings": (ordinal.models["thresholds_loadings"], "expected"),
        "ordinal_result": ordinal,
    }


def lavaan_table(case: dict) -> pd.DataFrame:
    """lavaan's univariate tests with the parameter in --free syntax and both copies' univariate EPCs."""
    pt = pd.DataFrame(case["partable"])
    lab = {r.plabel: r for r in pt.itertuples()}
    rows = []
    for i, u in pd.DataFrame(case["uni"]).iterrows():
        a, b = lab[u["lhs"]], lab[u["rhs"]]
        e = pd.DataFrame(case["epc_uni"][i])

        def epc(r):
            return e[(e.lhs == r.lhs) & (e.op == r.op) & (e.rhs == r.rhs) & (e.group == r.group)].epc.iloc[0]

        par = f"{b.lhs}~1" if b.op == "~1" else f"{b.lhs}{b.op}{b.rhs}"
        rows.append(dict(parameter=par, group=int(b.group), X2=u["X2"], pvalue=u["p.value"], epc_lhs=epc(a), epc_rhs=epc(b)))
    return pd.DataFrame(rows)


CASES = ["ml_metric", "ml_scalar", "ml_scalar_partial", "ml_scalar_partial_unidentified", "ml_scalar_4groups", "mlr_scalar", "fiml_metric", "fiml_scalar",
         "fiml_scalar_observed", "wlsmv_thresholds_loadings"]


def _sign(case: str) -> float:
    return -1.0 if case.startswith("wlsmv") else 1.0  # lavaan 0.6-14's DWLS score sign (module docstring)


@pytest.mark.parametrize("case", CASES)
def test_score_tests_equal_lavaan(ref, fits, case):
    fit, info = fits[case]
    ours = score_tests(fit, info, sort=False)
    lav = lavaan_table(ref[case])
    assert list(ours.parameter) == list(lav.parameter)
    labels = list(fit.stats.groups)
    assert [labels.index(g) + 1 for g in ours.group] == list(lav.group)
    assert (ours.df == 1).all()
    # four groups of ~75: lavaan's optimiser stops at gradients of 3e-6 (ours 2e-10, chi-square 5e-8 lower), so
    # X2 agrees to 3e-5 relative from the fits and to 1e-11 at lavaan's estimates (next test)
    rtol, atol = (5e-5, 1e-4) if case == "ml_scalar_4groups" else (3e-6, 1e-5)
    np.testing.assert_allclose(ours.X2, lav.X2, rtol=rtol, atol=1e-4)
    # a constraint whose release only unidentifies the model has X2 = 0 (lavaan 9e-9): p = 1 - O(sqrt(X2))
    ok = (lav.X2 > 1e-6).to_numpy()
    assert (ours.X2[~ok] < 1e-6).all()
    np.testing.assert_allclose(ours.pvalue[ok], lav.pvalue[ok], atol=atol)
    np.testing.assert_allclose(ours.epc_lhs[ok], _sign(case) * lav.epc_lhs[ok], atol=atol)
    np.testing.assert_allclose(ours.epc_rhs[ok], _sign(case) * lav.epc_rhs[ok], atol=atol)
    np.testing.assert_allclose(ours.epc, ours.epc_rhs - ours.epc_lhs)
    total = ref[case]["total"][0]
    assert ours.attrs["total"]["df"] == total["df"]
    np.testing.assert_allclose(ours.attrs["total"]["X2"], total["X2"], rtol=10 * rtol)
    sorted_ = score_tests(fit, info)
    assert list(sorted_.X2) == sorted(ours.X2, reverse=True)


@pytest.mark.parametrize("case", ["ml_scalar", "ml_scalar_4groups", "fiml_scalar", "fiml_scalar_observed",
                                  "wlsmv_thresholds_loadings"])
def test_formula_at_lavaans_estimates(ref, fits, case):
    """Evaluated at lavaan's estimates the statistics agree to rounding: the formula, not the optimiser."""
    fit, info = fits[case]
    pt = pd.DataFrame(ref[case]["partable"])
    est = {(r.lhs, r.op, r.rhs, int(r.group) - 1): r.est for r in pt.itertuples() if r.free > 0}
    theta = np.empty(fit.npar)
    for row in fit.structure.table:
        if row["free"] >= 0:
            theta[row["free"]] = est[(row["lhs"], row["op"], row["rhs"], row["group"])]
    at = evaluate_at(fit.structure, fit.stats, fit.estimator, theta)
    ours = score_tests(at, info, sort=False)
    lav = lavaan_table(ref[case])
    np.testing.assert_allclose(ours.X2, lav.X2, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(ours.epc_rhs, _sign(case) * lav.epc_rhs, atol=1e-6)


def test_wlsmv_epc_has_the_sign_of_the_refit(fits):
    """Releasing the largest constraint and refitting moves both copies the way our EPCs say (lavaan 0.6-14's
    lavTestScore gives the opposite signs for WLSMV)."""
    fit, _ = fits["wlsmv_thresholds_loadings"]
    top = score_tests(fit).iloc[0]
    assert top.parameter == "N5|t1"
    bfi = pd.read_csv(DATA / "bfi.csv")
    res = invariance(bfi, N5, "gender", ordered=True, free=[top.parameter])
    e = res.estimates["thresholds_loadings"]
    t = e[(e.lhs == "N5") & (e.op == "|") & (e.rhs == "t1")].set_index("group")["est"]
    old = fit.theta[[r["free"] for r in fit.structure.table if r["lhs"] == "N5" and r["op"] == "|"
                     and r["rhs"] == "t1"][0]]
    change = t.iloc[1] - t.iloc[0]
    assert np.sign(change) == np.sign(top.epc)
    assert abs(change - top.epc) < 0.25 * abs(change)
    assert np.sign(t.iloc[0] - old) == np.sign(top.epc_lhs)


def test_ml_epc_matches_the_released_refit():
    """For ML the EPC of x3~1 (the largest at the scalar step) is close to the group difference a refit with
    --free x3~1 estimates, and X2 to the chi-square difference of that refit (both are first-order
    approximations of it)."""
    hs = pd.read_csv(DATA / "hs1939.csv")
    res = invariance(hs, HS, "school")
    top = score_tests(res.models["scalar"]).iloc[0]
    assert top.parameter == "x3~1"
    part = invariance(hs, HS, "school", free=["x3~1"])
    e = part.estimates["scalar"]
    x3 = e[(e.lhs == "x3") & (e.op == "~1")]["est"].to_numpy()
    assert abs((x3[1] - x3[0]) - top.epc) < 0.02
    lr = res.fits["scalar"]["chisq"] - part.fits["scalar"]["chisq"]
    assert abs(lr - top.X2) < 0.05 * lr


def test_no_constraints_gives_an_empty_table(fits):
    hs = pd.read_csv(DATA / "hs1939.csv")
    res = invariance(hs, HS, "school")
    out = score_tests(res.models["configural"])
    assert out.empty and out.attrs["total"] is None


MODEL_ARGS = ["--model", "visual =~ x1 + x2 + x3", "--model", "textual =~ x4 + x5 + x6", "--model",
              "speed =~ x7 + x8 + x9"]


def test_cli_json_text_and_workbook(run_cli, ref, tmp_path):
    from openpyxl import load_workbook

    args = ["analyze", "cfa", str(DATA / "hs1939.csv"), *MODEL_ARGS, "--group", "school"]
    code, out, err = run_cli(*args, "--json")
    assert code == 0, err
    inv = json.loads(out)["invariance"]
    assert "score_tests" not in inv["configural"]
    for step in ("metric", "scalar"):
        rows = inv[step]["score_tests"]
        assert [sorted(r) for r in rows[:1]] == [["X2", "df", "epc", "group", "parameter", "pvalue"]]
        assert [r["X2"] for r in rows] == sorted((r["X2"] for r in rows), reverse=True)
        lav = lavaan_table(ref[f"ml_{step}"]).set_index("parameter")
        for r in rows:
            assert r["X2"] == pytest.approx(lav.loc[r["parameter"], "X2"], rel=3e-6, abs=1e-4)
        assert inv[step]["chisq"] > 0 and "verdict" in inv[step]  # existing keys unchanged
    assert inv["scalar"]["score_tests"][0]["parameter"] == "x3~1"
    xlsx = tmp_path / "cfa.xlsx"
    code, text, err = run_cli(*args, "-o", str(xlsx))
    assert code == 0, err
    # metric is supported with a non-significant difference: no advice; scalar is not: three lines and advice
    assert "metric: score tests" not in text
    assert "scalar: score tests (lavTestScore)" in text
    assert 'release first: --free "x3~1" (X2 = 19.2, p < .001)' in text
    assert "one at a time" in text and "theory" in text
    assert "x7~1: X2 = 15.02, p < .001, EPC (Grant-White minus Pasteur) -0.450" in text
    ws = load_workbook(xlsx)["Score tests"]
    assert ws["A2"].value == "Step" and ws["B2"].value == "Parameter (--free)"
    assert ws["A3"].value == "metric" and isinstance(ws["D3"].value, float)
    assert sum(1 for r in ws.iter_rows(min_row=3, values_only=True) if r[0] in ("metric", "scalar")) == 6 + 15


def test_ordinal_invariance_json_and_summary(ref, fits):
    res = fits["ordinal_result"]
    d = res.to_dict()["invariance"]
    assert "score_tests" not in d["configural"]
    rows = d["thresholds_loadings"]["score_tests"]
    lav = lavaan_table(ref["wlsmv_thresholds_loadings"]).set_index("parameter")
    assert len(rows) == len(lav) == 29 and rows[0]["parameter"] == "N5|t1"
    for r in rows:
        assert r["X2"] == pytest.approx(lav.loc[r["parameter"], "X2"], rel=3e-6, abs=1e-4)
    text = res.summary()
    assert "(not scaled: lavaan has no robust version)" in text
    assert 'release first: --free "N5|t1" (X2 = 57.8, p < .001)' in text
