"""Spot checks of EFA, CFA, invariance and aggregation against R on inputs the main reference files do not
cover, plus regression tests for input errors found in the acceptance audit of issues 4 and 5.

Reference values: tests/data/psychometrics_spotcheck.json, made by tests/data/psychometrics_spotcheck.R
(R 4.2.2, psych 2.2.9, GPArotation 2022.10.2, lavaan 0.6.14, multilevel 2.7; calls in its provenance).
"""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit.errors import ToolkitError

DATA = Path(__file__).parent / "data"

@pytest.fixture(scope="module")
def ref():
    with open(DATA / "psychometrics_spotcheck.json", encoding="utf-8") as fh:
        return json.load(fh)["values"]


@pytest.fixture(scope="module")
def survey():
    return pd.read_csv(DATA / "spotcheck_cdu_survey.csv")


def _match_columns(ours: np.ndarray, theirs: np.ndarray):
    """Column permutation and signs that map our factors onto R's (by Tucker congruence)."""
    k = theirs.shape[1]
    cong = (ours.T @ theirs) / np.sqrt(np.outer((ours ** 2).sum(0), (theirs ** 2).sum(0)))
    order = [int(np.argmax(np.abs(cong[:, j]))) for j in range(k)]
    assert sorted(order) == list(range(k))
    signs = np.sign([cong[order[j], j] for j in range(k)])
    return order, signs


@pytest.mark.parametrize("key,rotation", [("efa_ml_promax", "promax"), ("efa_ml_oblimin", "oblimin")])
def test_efa_ml_oblique_with_missing_answers_matches_psych(data_dir, ref, key, rotation):
    x = pd.read_csv(data_dir / "bfi.csv").iloc[:700][[f"{c}{i}" for c in "ACE" for i in range(1, 6)]]
    assert x.isna().any(axis=1).sum() == 54                       # pairwise deletion really is exercised
    r = ref[key]
    res = toolkit.efa(x, n_factors=3, method="ml", rotation=rotation, missing="pairwise")
    assert list(res.loadings.index) == r["items"]
    L_r = np.array(r["loadings"])
    L = res.loadings.to_numpy()
    order, signs = _match_columns(L, L_r)
    np.testing.assert_allclose(L[:, order] * signs, L_r, atol=1e-4)
    phi = res.factor_correlations.to_numpy()[np.ix_(order, order)] * np.outer(signs, signs)
    np.testing.assert_allclose(phi, np.array(r["Phi"]), atol=1e-4)
    np.testing.assert_allclose(res.structure.to_numpy()[:, order] * signs, np.array(r["structure"]), atol=1e-4)
    np.testing.assert_allclose(res.communalities.to_numpy(), r["communality"], atol=1e-4)
    V = res.variance.to_numpy()[:, order]                      # rows as psych's Vaccounted
    np.testing.assert_allclose(V[:3], np.array(r["Vaccounted"])[:3], atol=1e-4)
    np.testing.assert_allclose(toolkit.kmo(x).overall, ref["efa_kmo"]["MSA"], atol=1e-9)
    np.testing.assert_allclose(toolkit.kmo(x).items.to_numpy(), ref["efa_kmo"]["MSAi"], atol=1e-9)
    b = toolkit.bartlett(x)
    assert b.df == ref["efa_bartlett"]["df"]
    assert b.chisq == pytest.approx(ref["efa_bartlett"]["chisq"], rel=1e-9)


@pytest.mark.parametrize("rotation,prefix", [("oblimin", "TC"), ("promax", "RC")])
def test_principal_components_with_oblique_rotation_match_psych_principal(data_dir, ref, rotation, prefix):
    """psych::principal rotates promax with stats::promax (no outer Kaiser step) and orders components by
    diag(P'P); the order is compared as is (no matching), and here differs from fa's diag(Phi P'P) order."""
    x = pd.read_csv(data_dir / "bfi.csv").iloc[:700][[f"{c}{i}" for c in "ACE" for i in range(1, 6)]].dropna()
    r = ref[f"principal_{rotation}"]
    res = toolkit.efa(x, n_factors=3, method="principal", rotation=rotation)
    assert list(res.loadings.columns) == [f"{prefix}{j}" for j in (1, 2, 3)]
    np.testing.assert_allclose(res.loadings.to_numpy(), np.array(r["loadings"]), atol=1e-8)
    np.testing.assert_allclose(res.factor_correlations.to_numpy(), np.array(r["Phi"]), atol=1e-8)
    np.testing.assert_allclose(res.variance.to_numpy()[:2], np.array(r["Vaccounted"])[:2], atol=1e-8)
    np.testing.assert_allclose(res.communalities.to_numpy(), r["communality"], atol=1e-8)


def test_cfa_docs_syntax_fixed_free_and_correlated_residual_matches_lavaan(data_dir, ref):
    r = ref["cfa_syntax"]
    res = toolkit.cfa(pd.read_csv(data_dir / "hs1939.csv"), model=r["model"])
    f = res.fit
    for ours, theirs in [("npar", "npar"), ("chisq", "chisq"), ("df", "df"), ("pvalue", "pvalue"), ("cfi", "cfi"),
                         ("tli", "tli"), ("rmsea", "rmsea"), ("srmr", "srmr"), ("loglik", "logl"), ("aic", "aic"),
                         ("bic", "bic")]:
        assert f[ours] == pytest.approx(r["fit"][theirs], abs=1e-6), ours
    np.testing.assert_allclose(f["rmsea_ci"], [r["fit"]["rmsea.ci.lower"], r["fit"]["rmsea.ci.upper"]], atol=1e-6)
    est = res.estimates.set_index(["lhs", "op", "rhs"])["std_all"]
    std = pd.DataFrame(r["std"])
    checked = 0
    for row in std.itertuples(index=False):
        key = (row.lhs, row.op, row.rhs)
        if key not in est.index:
            key = (row.rhs, row.op, row.lhs)
        assert est.loc[key] == pytest.approx(row[3], abs=1e-5), key
        checked += 1
    assert checked == len(std) >= 24
    assert est.loc[("x1", "~~", "x4")] == pytest.approx(0.167, abs=1e-3)   # the correlated residual is in the model


def test_invariance_one_construct_of_the_sample_survey_matches_lavaan(ref, survey, data_dir):
    inv = toolkit.invariance(survey, None, "role", instrument=str(data_dir / "spotcheck_cdu.yaml"), missing="listwise")
    assert list(inv.groups) == ref["invariance_groups"]
    table = inv.table.set_index("step")
    for step in ("configural", "metric", "scalar"):
        lav = ref["invariance"][step]
        row = table.loc[step]
        for ours, theirs in [("chisq", "chisq"), ("df", "df"), ("cfi", "cfi"), ("tli", "tli"), ("rmsea", "rmsea"),
                             ("srmr", "srmr"), ("aic", "aic"), ("bic", "bic"), ("npar", "npar")]:
            assert row[ours] == pytest.approx(lav[theirs], abs=1e-5), (step, ours)


def test_aggregate_missing_group_ids_unequal_groups_slight_skew_matches_multilevel(ref, survey, data_dir):
    r = ref["aggregate"]
    d = survey.copy()
    d.loc[(np.arange(len(d)) + 1) % 17 == 0, "partnership_id"] = None
    res = toolkit.aggregate(d, instrument=str(data_dir / "spotcheck_cdu.yaml"), null="slight-skew", listwise=True)
    assert any("without a group id" in w for w in res.warnings)
    c = res.constructs.set_index("construct").loc["collective_data_use"]
    assert c["null_variance"] == pytest.approx(1.34)
    assert c["icc1"] == pytest.approx(r["icc1"], abs=1e-9)
    assert c["icc2"] == pytest.approx(r["icc2"], abs=1e-9)
    assert c["F"] == pytest.approx(r["F"], abs=1e-9)
    assert [c["df1"], c["df2"]] == r["df"]
    g = res.groups.set_index("partnership_id")["collective_data_use_rwg_j"]
    assert list(g.index.astype(str)) == r["group"]
    np.testing.assert_allclose(g.to_numpy(), r["rwg_j"], atol=1e-9)
    assert g.nunique() > 10 and res.groups["n"].nunique() > 5      # unequal groups, varied agreement


# ------------------------------------------------------------------ regression tests for input errors
def _one_line_error(code, out, err):
    assert code == 2, (out, err)
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err and "Warning" not in err
    return lines[0]


def test_efa_all_empty_item_column_is_a_located_error(run_cli, data_dir, tmp_path):
    d = pd.read_csv(data_dir / "bfi.csv").iloc[:300]
    d["A3"] = np.nan
    path = tmp_path / "empty-col.csv"
    d.to_csv(path, index=False)
    for cmd in ("efa", "parallel"):
        line = _one_line_error(*run_cli("analyze", cmd, str(path), "--items", "A1,A2,A3,A4,A5"))
        assert "empty-col.csv" in line and "A3" in line and "no variance" not in line
    with pytest.raises(ToolkitError, match="empty column"):
        toolkit.efa(d.loc[:, "A1":"A5"], n_factors=1)


def test_cfa_all_empty_item_column_names_file_and_column(run_cli, data_dir, tmp_path):
    d = pd.read_csv(data_dir / "hs1939.csv")
    d["x3"] = np.nan
    path = tmp_path / "hs-empty.csv"
    d.to_csv(path, index=False)
    line = _one_line_error(*run_cli("analyze", "cfa", str(path), "--model", "v =~ x1 + x2 + x3"))
    assert "hs-empty.csv" in line and "x3" in line


@pytest.mark.parametrize("args,field", [
    (["parallel", "--seed", "-1"], "--seed"),
    (["efa", "--seed", "-1"], "--seed"),
    (["efa", "--n-factors", "1", "--cutoff", "-0.2"], "--cutoff"),
    (["parallel", "--quantile", "1.5"], "--quantile"),
])
def test_bad_option_values_are_one_line_errors(run_cli, data_dir, args, field):
    line = _one_line_error(*run_cli("analyze", args[0], str(data_dir / "bfi.csv"), "--items", "A1,A2,A3,A4",
                                    *args[1:]))
    assert field in line
