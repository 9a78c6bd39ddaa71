"""FIML, MLR, modification indices and partial invariance against lavaan 0.6.14 / semTools 0.5.6.

Reference values: tests/data/cfa_fiml_lavaan.json, made by tests/data/cfa_fiml_lavaan.R (which also wrote the
data sets with generated gaps, hs1939_mcar.csv and hs1939_mar.csv). Oracle values quoted from
/work/shared/reference/ordinal-fiml-notes.md section 10 are repeated literally in the first test.

Our estimates are converged further than lavaan's (its nlminb stops with gradients of ~1e-7; our log-likelihood
is never lower), so at our own estimates the fit statistics agree to 2e-6 and estimates, SEs, standardized
loadings and modification indices (which amplify the difference) to 1e-4 (5e-5 at worst, on bfi). The formulas
themselves are checked at lavaan's estimates (``evaluate_at``), where everything agrees to ~1e-9; only the
statistics of the baseline model move by ~1e-7 there, because lavaan's nlminb does not reach the closed-form
optimum of the independence model.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit.errors import ToolkitError
from toolkit.psychometrics.fitindices import fit_measures

DATA = Path(__file__).parent / "data"
HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
BFI = "\n".join(f"{f} =~ " + " + ".join(f"{f}{i}" for i in range(1, 6)) for f in "ACENO")
# our fit keys -> lavaan's fitMeasures names (lists are [lower, upper] interval keys)
KEYS = {"chisq": "chisq", "df": "df", "pvalue": "pvalue", "cfi": "cfi", "tli": "tli", "rmsea": "rmsea",
        "rmsea_ci": ["rmsea.ci.lower", "rmsea.ci.upper"], "rmsea_pvalue": "rmsea.pvalue", "srmr": "srmr",
        "loglik": "logl", "loglik_unrestricted": "unrestricted.logl", "aic": "aic", "bic": "bic", "npar": "npar",
        "baseline_chisq": "baseline.chisq", "baseline_df": "baseline.df", "chisq_scaled": "chisq.scaled",
        "df_scaled": "df.scaled", "pvalue_scaled": "pvalue.scaled", "chisq_scaling_factor": "chisq.scaling.factor",
        "baseline_chisq_scaled": "baseline.chisq.scaled", "baseline_chisq_scaling_factor":
        "baseline.chisq.scaling.factor", "cfi_scaled": "cfi.scaled", "tli_scaled": "tli.scaled",
        "rmsea_scaled": "rmsea.scaled", "rmsea_ci_scaled": ["rmsea.ci.lower.scaled", "rmsea.ci.upper.scaled"],
        "rmsea_pvalue_scaled": "rmsea.pvalue.scaled", "cfi_robust": "cfi.robust", "tli_robust": "tli.robust",
        "rmsea_robust": "rmsea.robust", "rmsea_ci_robust": ["rmsea.ci.lower.robust", "rmsea.ci.upper.robust"],
        "rmsea_pvalue_robust": "rmsea.pvalue.robust"}


@pytest.fixture(scope="module")
def ref():
    return json.loads((DATA / "cfa_fiml_lavaan.json").read_text())


def _data(name: str) -> pd.DataFrame:
    return pd.read_csv(DATA / name)


CASES = {  # case -> (data file, model, cfa() keywords)
    "hs_mcar_ml": ("hs1939_mcar.csv", HS, {}),
    "hs_mcar_mlr": ("hs1939_mcar.csv", HS, {"estimator": "mlr"}),
    "hs_mar_ml": ("hs1939_mar.csv", HS, {}),
    "hs_mar_mlr": ("hs1939_mar.csv", HS, {"estimator": "mlr"}),
    "hs_mlr": ("hs1939.csv", HS, {"estimator": "mlr"}),
    "bfi_ml": ("bfi.csv", BFI, {}),
    "bfi_mlr": ("bfi.csv", BFI, {"estimator": "mlr"}),
}


@pytest.fixture(scope="module")
def fits():
    cache = {}

    def get(case):
        if case not in cache:
            if case.startswith("cdu"):
                cache[case] = toolkit.cfa(_data("cfa_cdu_survey.csv"), instrument=str(DATA / "cfa_cdu_instrument.yaml"),
                                          estimator="mlr" if case.endswith("mlr") else "ml")
            else:
                f, model, kw = CASES[case]
                cache[case] = toolkit.cfa(_data(f), model=model, **kw)
        return cache[case]
    return get


def _at_lavaan(model_fit, est: list[dict]):
    """The model evaluated at lavaan's estimates (parameterEstimates rows; no optimisation)."""
    from toolkit.psychometrics.estimators import evaluate_at

    value = {(r["lhs"], r["op"], r["rhs"], r.get("group", 1)): r["est"] for r in est}
    theta = np.full(model_fit.npar, np.nan)
    for r in model_fit.structure.table:
        if r["free"] >= 0 and np.isnan(theta[r["free"]]):
            theta[r["free"]] = value[(r["lhs"], r["op"], r["rhs"], r["group"] + 1)]
    return evaluate_at(model_fit.structure, model_fit.stats, model_fit.estimator, theta)


def _close(ours, theirs, rel, what):
    if theirs is None:
        assert ours is None or not np.isfinite(ours), what
        return
    absolute = rel * 1e-2 if "pvalue" not in what else rel * 1e-1  # p-values near 0: absolute tolerance
    assert ours == pytest.approx(theirs, rel=rel, abs=absolute), what


BASELINE = {"baseline_chisq_scaled", "baseline_chisq_scaling_factor", "cfi_scaled", "tli_scaled", "cfi_robust",
            "tli_robust"}


def check_fit(fit: dict, lav: dict, rel: float = 2e-6, rel_baseline: float | None = None):
    checked = 0
    for ours, theirs in KEYS.items():
        r = rel_baseline if rel_baseline is not None and ours in BASELINE else rel
        if isinstance(theirs, list):
            if theirs[0] in lav:
                for v, t in zip(fit[ours], theirs):
                    _close(v, lav[t], r, t)
                checked += 1
        elif theirs in lav and ours in fit:
            _close(fit[ours], lav[theirs], r, theirs)
            checked += 1
        elif theirs in lav:
            raise AssertionError(f"{ours} missing")
    return checked


def test_oracle_values_of_the_reference_notes(fits):
    """ordinal-fiml-notes.md section 10 (FIML on hs1939 with the (i + 2j) mod 8 gaps), literally."""
    ml, mlr = fits("hs_mcar_ml").fit, fits("hs_mcar_mlr").fit
    for k, v in {"chisq": 83.3952021, "loglik": -3357.802766, "loglik_unrestricted": -3316.105165,
                 "baseline_chisq": 788.995177, "cfi": 0.9211214043, "tli": 0.8816821065, "rmsea": 0.09067484326,
                 "srmr": 0.06179539794, "cfi_robust": 0.9167044118, "rmsea_robust": 0.1027061917}.items():
        assert ml[k] == pytest.approx(v, rel=2e-7), k
    assert ml["df"] == 24
    for k, v in {"chisq_scaled": 86.31094866, "chisq_scaling_factor": 0.9662181147,
                 "baseline_chisq_scaled": 765.4355065, "cfi_scaled": 0.9145764799, "tli_scaled": 0.8718647198,
                 "rmsea_scaled": 0.09287382087, "cfi_robust": 0.9174830117, "tli_robust": 0.8762245176,
                 "rmsea_robust": 0.1021808947}.items():
        assert mlr[k] == pytest.approx(v, rel=1e-6), k
    for res, se in ((fits("hs_mcar_ml"), 0.121046313500), (fits("hs_mcar_mlr"), 0.140749874436)):
        row = res.loadings.set_index("item").loc["x2"]
        assert row["est"] == pytest.approx(0.629020603843, rel=1e-6)
        assert row["se"] == pytest.approx(se, rel=1e-6)
    assert fits("hs_mcar_ml").missing == "fiml" and fits("hs_mcar_ml").n == 301


@pytest.mark.parametrize("case", list(CASES) + ["cdu_ml", "cdu_mlr"])
def test_fit_estimates_and_standardized_solution_match_lavaan(fits, ref, case):
    res, lav = fits(case), ref[case]
    assert check_fit(res.fit, lav["fit"]) >= (30 if case.endswith("mlr") else 16)
    assert res.n == lav["nobs"]
    assert res.fit["loglik"] >= lav["fit"]["logl"] - 1e-9  # at least as good an optimum as lavaan's
    est = res.estimates.set_index(["lhs", "op", "rhs"])
    n = 0
    for r in lav["est"]:
        key = (r["lhs"], r["op"], r["rhs"])
        assert est.loc[key, "est"] == pytest.approx(r["est"], rel=1e-4, abs=1e-6), key
        if r["se"]:
            assert est.loc[key, "se"] == pytest.approx(r["se"], rel=1e-4), key
            n += 1
    assert n == res.model_fit.npar
    for r in lav["std"]:
        key = (r["lhs"], r["op"], r["rhs"])
        assert est.loc[key, "std_all"] == pytest.approx(r["est.std"], rel=1e-4, abs=1e-6), key


@pytest.mark.parametrize("case", ["hs_mcar_ml", "hs_mcar_mlr", "hs_mar_mlr", "hs_mlr", "bfi_mlr", "cdu_ml"])
def test_formulas_exact_at_lavaans_estimates(fits, ref, case):
    """Every statistic recomputed at lavaan's own estimates agrees to ~1e-9 (the residual 1e-7 differences above
    are lavaan's optimizer stopping earlier than ours)."""
    from toolkit.psychometrics.estimators.information import vcov

    mf = fits(case).model_fit
    lav = ref[case]
    at = _at_lavaan(mf, lav["est"])
    check_fit(fit_measures(at), lav["fit"], rel=1e-8, rel_baseline=1e-6)
    se = np.sqrt(np.diag(vcov(at)))
    lse = {(r["lhs"], r["op"], r["rhs"]): r["se"] for r in lav["est"]}
    for r in mf.structure.table:
        if r["free"] >= 0:
            assert se[r["free"]] == pytest.approx(lse[(r["lhs"], r["op"], r["rhs"])], rel=1e-8)
    if "mi" in lav:
        from toolkit.psychometrics.modindices import modification_indices

        for o, t in zip(modification_indices(at, 10).itertuples(), lav["mi"]):
            assert (o.lhs, o.op, o.rhs) == (t["lhs"], t["op"], t["rhs"])
            assert (o.mi, o.epc, o.sepc_all) == pytest.approx((t["mi"], t["epc"], t["sepc.all"]), rel=1e-9)


@pytest.mark.parametrize("case", ["hs_mcar_ml", "hs_mar_ml", "hs_mlr", "bfi_ml", "cdu_ml"])
def test_modification_indices_match_lavaan(fits, ref, case):
    mi = fits(case).modification_indices
    lav = ref[case]["mi"]
    assert len(mi) == len(lav) == 10
    for ours, theirs in zip(mi.itertuples(), lav):
        assert (ours.lhs, ours.op, ours.rhs) == (theirs["lhs"], theirs["op"], theirs["rhs"])
        assert ours.mi == pytest.approx(theirs["mi"], rel=1e-4)
        assert ours.epc == pytest.approx(theirs["epc"], rel=1e-4)
        assert ours.sepc_all == pytest.approx(theirs["sepc.all"], rel=1e-4)


def test_modification_indices_of_the_notes_and_with_groups(ref, fits):
    mi = fits("hs_mlr").modification_indices.set_index(["lhs", "op", "rhs"])
    assert mi.loc[("visual", "=~", "x9"), "mi"] == pytest.approx(36.41103065, rel=1e-6)
    assert mi.loc[("visual", "=~", "x9"), "epc"] == pytest.approx(0.5770215378, rel=1e-6)
    assert mi.loc[("x7", "~~", "x8"), "mi"] == pytest.approx(34.14508936, rel=1e-6)
    from toolkit.psychometrics.estimators import fit_model
    from toolkit.psychometrics.modindices import modification_indices
    from toolkit.psychometrics.samplestats.moments import SampleStats
    from toolkit.psychometrics.sem_model import build_structure, parse_model

    spec = parse_model(HS + "\nvisual ~~ 0*speed")  # a fixed-to-zero covariance is tested, markers are not
    fit = fit_model(build_structure(spec, 2, equal=("loadings",)),
                    SampleStats.from_frame(_data("hs1939.csv"), spec.observed, "school"))
    ours = modification_indices(fit, 10)
    for o, t in zip(ours.itertuples(), ref["hs_mi_groups"]):
        assert (o.lhs, o.op, o.rhs, o.group) == (t["lhs"], t["op"], t["rhs"], ["Pasteur", "Grant-White"][t["group"] - 1])
        assert (o.mi, o.epc, o.sepc_all) == pytest.approx((t["mi"], t["epc"], t["sepc.all"]), rel=1e-4)


def test_htmt_under_fiml_is_semtools_with_missing_ml(fits, ref):
    for case, lav in (("hs_mcar_ml", ref["hs_mcar_htmt"]), ("bfi_ml", ref["bfi_htmt"])):
        ht = fits(case).htmt
        f = list(ht.index)
        ours = [ht.loc[f[i], f[j]] for j in range(len(f)) for i in range(j + 1, len(f))]  # R's lower.tri order
        assert ours == pytest.approx(lav, rel=1e-9)


def test_rows_without_any_answer_are_dropped_with_a_note(fits, ref):
    res = fits("hs_mar_ml")
    assert res.n == ref["hs_mar_ml"]["nobs"] == 299 and res.n_dropped == 2
    assert any("2 row(s) without any answer" in n for n in res.notes)
    assert res.n_incomplete == int(_data("hs1939_mar.csv")[[f"x{i}" for i in range(1, 10)]].isna().any(axis=1).sum()) - 2


@pytest.mark.parametrize("case, data, group, kw", [
    ("hs_mar_inv", "hs1939_mar.csv", "school", {}),
    ("hs_mar_inv_mlr", "hs1939_mar.csv", "school", {"estimator": "mlr"}),
    ("hs_mlr_inv", "hs1939.csv", "school", {"estimator": "mlr"}),
])
def test_invariance_under_fiml_and_mlr_matches_lavaan(ref, case, data, group, kw):
    lav = ref[case]
    inv = toolkit.invariance(_data(data), HS, group, **kw)
    assert list(inv.groups) == lav["groups"] and list(inv.groups.values()) == lav["nobs"]
    from toolkit.psychometrics.teststats import difference_test

    t = inv.table.set_index("step")
    at = {}
    for i, step in enumerate(("configural", "metric", "scalar")):
        check_fit(inv.fits[step], lav["steps"][step], rel=1e-5)  # lavaan stops at gradients ~1e-6 here
        at[step] = _at_lavaan(inv.models[step], lav["est"][step])
        check_fit(fit_measures(at[step]), lav["steps"][step], rel=1e-8, rel_baseline=1e-6)
        if i:
            lrt = lav["lrt"][i]
            # the scaled difference amplifies lavaan's stopping differences: 1e-4 here, 1e-8 at its estimates
            assert t.loc[step, "delta_chisq"] == pytest.approx(lrt["dchisq"], rel=1e-4)
            assert t.loc[step, "delta_df"] == lrt["ddf"]
            assert t.loc[step, "delta_pvalue"] == pytest.approx(lrt["p"], rel=1e-4)
            d = difference_test(at[step], at[("configural", "metric")[i - 1]])
            assert (d["delta_chisq"], d["delta_pvalue"]) == pytest.approx((lrt["dchisq"], lrt["p"]), rel=1e-8)
    est = inv.estimates["scalar"]
    labels = list(inv.groups)
    for r in lav["scalar_est"]:
        row = est[(est.lhs == r["lhs"]) & (est.op == r["op"]) & (est.rhs == r["rhs"])
                  & (est.group == labels[r["group"] - 1])]
        assert row.est.iloc[0] == pytest.approx(r["est"], rel=1e-4, abs=1e-6), r
        if r["se"]:
            assert row.se.iloc[0] == pytest.approx(r["se"], rel=1e-4), r


def test_invariance_of_one_construct_of_the_sample_survey_under_fiml(ref):
    lav = ref["cdu_role_inv"]
    inv = toolkit.invariance(_data("spotcheck_cdu_survey.csv"), None, "role",
                             instrument=str(DATA / "spotcheck_cdu.yaml"))
    assert inv.missing == "fiml" and list(inv.groups.values()) == lav["nobs"]
    for i, step in enumerate(("configural", "metric", "scalar")):
        check_fit(inv.fits[step], lav["steps"][step], rel=1e-5)
        check_fit(fit_measures(_at_lavaan(inv.models[step], lav["est"][step])), lav["steps"][step], rel=1e-8,
                  rel_baseline=1e-6)
        if i:
            assert inv.table.set_index("step").loc[step, "delta_chisq"] == pytest.approx(lav["lrt"][i]["dchisq"],
                                                                                      rel=1e-5)


def test_partial_invariance_releases_named_parameters(ref):
    inv = toolkit.invariance(_data("hs1939.csv"), HS, "school", free=["x3~1", " x7 ~ 1 "])
    check_fit(inv.fits["scalar"], ref["hs_partial"], rel=1e-5)
    assert inv.fits["scalar"]["df"] == 58  # chi-square 129.4225 (lavaan 0.6.14; the groups tutorial prints 129.423)
    assert inv.to_dict()["invariance"]["scalar"]["released"] == ["x3~1", "x7~1"]
    assert "released" not in inv.to_dict()["invariance"]["metric"]
    inv = toolkit.invariance(_data("hs1939_mar.csv"), HS, "school", free=["visual=~x3", "x3~1", "x7~1"])
    check_fit(inv.fits["scalar"], ref["hs_mar_partial"], rel=1e-5)
    assert inv.to_dict()["invariance"]["metric"]["released"] == ["visual=~x3"]
    with pytest.raises(ToolkitError, match="not a loading of the model"):
        toolkit.invariance(_data("hs1939.csv"), HS, "school", free=["visual=~x4"])
    with pytest.raises(ToolkitError, match="release a loading"):
        toolkit.invariance(_data("hs1939.csv"), HS, "school", free=["x3~~x4"])


def test_listwise_warns_with_the_share_dropped_and_matches_complete_case_lavaan(ref):
    res = toolkit.cfa(_data("hs1939_mcar.csv"), model=HS, missing="listwise")
    assert res.n == 151 and res.n_dropped == 150 and res.missing == "listwise"
    assert any("listwise deletion dropped 150 of 301 respondents (49.8%)" in w for w in res.warnings)
    assert "cfi_robust" not in res.fit and "chisq_scaled" not in res.fit


def test_fiml_on_complete_data_is_lavaans_missing_ml(fits):
    """missing="fiml" with no gaps: the ML estimates, a mean structure and observed-information SEs."""
    hs = _data("hs1939.csv")
    a = toolkit.cfa(hs, model=HS)
    b = toolkit.cfa(hs, model=HS, missing="fiml")
    assert a.missing == "listwise" and b.missing == "fiml" and b.n_incomplete == 0
    assert b.fit["chisq"] == pytest.approx(a.fit["chisq"], rel=1e-8) and b.fit["df"] == a.fit["df"]
    assert b.fit["npar"] == a.fit["npar"] + 9


def test_cli_fiml_default_mlr_json_and_errors(run_cli):
    path = str(DATA / "hs1939_mar.csv")
    code, out, err = run_cli("analyze", "cfa", path, "--model", HS, "--estimator", "mlr", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["missing"] == "fiml" and d["estimator"] == "MLR" and d["n"] == 299 and d["n_dropped"] == 2
    assert {"chisq_scaled", "df_scaled", "pvalue_scaled", "chisq_scaling_factor", "cfi_scaled", "tli_scaled",
            "rmsea_scaled", "cfi_robust", "tli_robust", "rmsea_robust", "baseline_chisq_scaled"} <= set(d["fit"])
    assert len(d["modification_indices"]) == 10 and {"lhs", "op", "rhs", "mi", "epc", "sepc_all"} <= set(
        d["modification_indices"][0])
    assert any("have at least one missing answer" in n for n in d["notes"])
    code, out, err = run_cli("analyze", "cfa", path, "--model", HS, "--missing", "listwise")
    assert code == 0 and "listwise deletion dropped" in err and "Modification indices" in out
    code, out, err = run_cli("analyze", "cfa", path, "--model", HS, "--free", "x3~1")
    assert code == 2 and "--free" in err and "--group" in err
    code, out, err = run_cli("analyze", "cfa", path, "--model", HS, "--group", "school", "--free", "x3~1", "--json")
    assert code == 0 and json.loads(out)["invariance"]["scalar"]["released"] == ["x3~1"]


def test_bad_input_one_clear_message(tmp_path, run_cli):
    hs = _data("hs1939.csv")
    d = hs.copy()
    d["x1"] = np.nan
    d.loc[0, "x1"] = 4.0
    with pytest.raises(ToolkitError, match="fewer than 2 answers"):
        toolkit.cfa(d, model="visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6")
    d = hs.copy()
    d.loc[d.index < 150, "x1"] = np.nan
    d.loc[d.index >= 150, "x2"] = np.nan
    with pytest.raises(ToolkitError, match="never answered together"):
        toolkit.cfa(d, model=HS)
    with pytest.raises(ToolkitError, match="unknown estimator"):
        toolkit.cfa(hs, model=HS, estimator="wls")
    with pytest.raises(ToolkitError, match="--missing must be one of"):
        toolkit.cfa(hs, model=HS, missing="pairwise")


def test_cfa_screens_answers_in_the_words_of_every_analysis():
    d = _data("cfa_mini_survey.csv")
    rows = d.index[d["SM1"].between(1, 5)][:5]
    d.loc[rows, "SM1"] = 6  # outside the 1..5 scale
    res = toolkit.cfa(d, instrument=str(DATA / "mini-instrument.yaml"))
    msg = [w for w in res.warnings if "answers were set to missing before the analysis" in w]
    assert len(msg) == 1 and "5 were outside the declared response range (SM1 5 outside 1..5, e.g. 6)" in msg[0]
    assert "had a missing-value code (9 = Don't know" in msg[0]
    assert res.to_dict()["screening"]["out_of_range"] == 5
    model = "sensemaking =~ SM1 + SM2 + SM3\ndeliberation =~ DR1 + DR2 + DR3"
    plain = toolkit.cfa(_data("cfa_mini_survey.csv"), model=model)  # 9 is analysed as an answer, with a hint
    assert any("9 looks like a missing-value code" in w for w in plain.warnings)
    coded = toolkit.cfa(_data("cfa_mini_survey.csv"), model=model, missing_codes=[9])
    assert coded.screening.n_coded == 54 and coded.n_incomplete == 88


@pytest.mark.parametrize("data, group, equal", [("hs1939_mcar.csv", None, ()),
                                                ("hs1939_mar.csv", "school", ("loadings", "intercepts"))])
def test_fiml_hessian_is_lavaans_five_point_hessian(data, group, equal):
    """The analytic observed Hessian (Delta' W Delta + the second-order term) equals lavaan's recipe, 5-point
    differences (h = 1e-6) of the analytic gradient."""
    from toolkit.psychometrics.estimators import fit_model
    from toolkit.psychometrics.samplestats.moments import SampleStats
    from toolkit.psychometrics.sem_model import build_structure, parse_model

    spec = parse_model(HS)
    d = _data(data).dropna(how="all", subset=spec.observed)
    fit = fit_model(build_structure(spec, 1 if group is None else 2, meanstructure=True, equal=equal),
                    SampleStats.from_frame(d, spec.observed, group, missing="fiml"))
    analytic = fit.disc.hessian(fit.theta)
    numeric = fit.disc.hessian(fit.theta, method="numeric")
    assert np.abs(analytic - numeric).max() <= 1e-8 * np.abs(numeric).max()
