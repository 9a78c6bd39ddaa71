"""EFA, KMO, Bartlett and parallel analysis against psych 2.2.9 (tests/data/efa_bfi_psych.json, made by
tests/data/efa_bfi_psych.R from tests/data/bfi.csv)."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit.psychometrics.parallel import parallel_analysis


@pytest.fixture(scope="module")
def ref(request):
    from pathlib import Path

    return json.loads((Path(__file__).parent / "data" / "efa_bfi_psych.json").read_text())


@pytest.fixture(scope="module")
def bfi(ref):
    from pathlib import Path

    return pd.read_csv(Path(__file__).parent / "data" / "bfi.csv")[ref["items"]]


def _match(ours: np.ndarray, theirs: np.ndarray):
    """Pair each reference factor with our factor of highest |Tucker congruence|; return the reordered,
    re-signed loadings of ours, the congruences and the permutation."""
    num = theirs.T @ ours
    den = np.sqrt(np.outer((theirs ** 2).sum(0), (ours ** 2).sum(0)))
    cong = num / den
    perm = [int(np.argmax(np.abs(cong[j]))) for j in range(theirs.shape[1])]
    assert len(set(perm)) == len(perm), "two reference factors matched the same factor"
    signs = np.array([np.sign(cong[j, perm[j]]) for j in range(len(perm))])
    return ours[:, perm] * signs, np.abs([cong[j, perm[j]] for j in range(len(perm))]), perm, signs


# ---------------------------------------------------------------------------------------------- KMO/Bartlett
def test_kmo_pairwise_matches_psych(bfi, ref):
    k = toolkit.kmo(bfi)
    assert k.overall == pytest.approx(0.84589749, abs=1e-8)
    assert k.overall == pytest.approx(ref["kmo_pairwise"]["MSA"], abs=1e-10)
    np.testing.assert_allclose(k.items.to_numpy(), ref["kmo_pairwise"]["MSAi"], atol=1e-6)
    assert list(k.items.index) == ref["items"]


def test_kmo_listwise_and_from_correlation_matrix(bfi, ref):
    k = toolkit.kmo(bfi, missing="listwise")
    assert k.overall == pytest.approx(ref["kmo_listwise"]["MSA"], abs=1e-10)
    np.testing.assert_allclose(k.items.to_numpy(), ref["kmo_listwise"]["MSAi"], atol=1e-6)
    k2 = toolkit.kmo(bfi.dropna().corr())
    assert k2.overall == pytest.approx(ref["kmo_listwise"]["MSA"], abs=1e-10)


def test_bartlett_matches_psych(bfi, ref):
    b = toolkit.bartlett(bfi)
    assert b.n == 2800 and b.df == 300
    assert b.chisq == pytest.approx(ref["bartlett_pairwise"]["chisq"], abs=1e-4)
    assert round(b.chisq, 2) == 20163.79
    bl = toolkit.bartlett(bfi, missing="listwise")
    assert bl.n == 2436
    assert bl.chisq == pytest.approx(18146.0656, abs=1e-4)
    assert bl.p == pytest.approx(0.0, abs=1e-300)
    # a correlation matrix needs n, as a chi-square without n is meaningless
    with pytest.raises(toolkit.ToolkitError):
        toolkit.bartlett(bfi.dropna().corr())
    assert toolkit.bartlett(bfi.dropna().corr(), n=2436).chisq == pytest.approx(bl.chisq, rel=1e-10)


def test_bartlett_p_value_small_example():
    # 3 variables, r = .3 everywhere, n = 50: chi2 = -ln|R| (n - 1 - 11/6), df 3 (formula by hand)
    R = pd.DataFrame(np.full((3, 3), 0.3) + 0.7 * np.eye(3), index=list("abc"), columns=list("abc"))
    b = toolkit.bartlett(R, n=50)
    det = 1 - 3 * 0.09 + 2 * 0.027
    assert b.chisq == pytest.approx(-np.log(det) * (49 - 11 / 6), rel=1e-12)
    from scipy.stats import chi2

    assert b.p == pytest.approx(chi2.sf(b.chisq, 3), rel=1e-12)


# ---------------------------------------------------------------------------------------------- EFA vs psych
CASES = [("minres_oblimin", "minres", "oblimin", 1e-4),
         ("ml_varimax", "ml", "varimax", 1e-4),
         ("minres_promax", "minres", "promax", 1e-4),
         ("pa_oblimin", "pa", "oblimin", 1e-4),
         ("principal_varimax", "principal", "varimax", 1e-6)]


@pytest.mark.parametrize("key,method,rot,tol", CASES)
def test_efa_complete_cases_matches_psych(bfi, ref, key, method, rot, tol):
    r = ref[key]
    res = toolkit.efa(bfi, n_factors=5, method=method, rotation=rot, missing="listwise")
    assert res.n == 2436
    theirs = np.array(r["loadings"])
    ours, cong, perm, signs = _match(res.loadings.to_numpy(), theirs)
    assert cong.min() >= 0.999
    assert np.abs(ours - theirs).max() <= 0.01
    assert np.abs(ours - theirs).max() <= tol          # in fact much closer than the 0.01 bar
    assert perm == list(range(5)) and (signs > 0).all(), "factor order/sign differs from psych's"
    np.testing.assert_allclose(res.communalities.to_numpy(), r["communality"], atol=tol)
    np.testing.assert_allclose(res.uniquenesses.to_numpy(), r["uniquenesses"], atol=tol)
    np.testing.assert_allclose(res.structure.to_numpy(), np.array(r["structure"]), atol=tol)
    vac = np.array(r["Vaccounted"])
    np.testing.assert_allclose(res.variance.to_numpy(), vac, atol=tol)
    if "Phi" in r:
        np.testing.assert_allclose(res.factor_correlations.to_numpy(), np.array(r["Phi"]), atol=tol)
    else:
        np.testing.assert_allclose(res.factor_correlations.to_numpy(), np.eye(5))
    if method != "principal":
        np.testing.assert_allclose(res.eigenvalues["reduced"].to_numpy(), r["values"], atol=10 * tol)


def test_oblique_communalities_are_not_pattern_row_sums(bfi, ref):
    """factor_analyzer's fault: h2 = row sums of squared pattern loadings. Ours is diag(P Phi P')."""
    res = toolkit.efa(bfi, n_factors=5, missing="listwise")
    P, phi = res.loadings.to_numpy(), res.factor_correlations.to_numpy()
    np.testing.assert_allclose(res.communalities.to_numpy(), np.diag(P @ phi @ P.T), atol=1e-10)
    assert np.abs((P ** 2).sum(1) - res.communalities.to_numpy()).max() > 0.02
    assert res.communalities["A1"] == pytest.approx(ref["minres_oblimin"]["communality"][0], abs=1e-4)


def test_efa_pairwise_matches_psych_default(bfi, ref):
    r = ref["minres_oblimin_pairwise"]
    res = toolkit.efa(bfi, n_factors=5)          # psych's default use="pairwise"
    assert res.n == 2800 and res.min_pairwise_n < 2800
    ours, cong, _, _ = _match(res.loadings.to_numpy(), np.array(r["loadings"]))
    assert cong.min() >= 0.999 and np.abs(ours - np.array(r["loadings"])).max() < 1e-4
    np.testing.assert_allclose(res.communalities.to_numpy(), r["communality"], atol=1e-4)
    np.testing.assert_allclose(res.factor_correlations.to_numpy(), np.array(r["Phi"]), atol=1e-4)
    assert res.kmo.overall == pytest.approx(0.84589749, abs=1e-8)
    assert res.bartlett.chisq == pytest.approx(20163.7886, abs=1e-3)
    d = res.to_dict()
    for key in ("n", "kmo", "kmo_items", "bartlett", "n_factors", "loadings", "communalities",
                "factor_correlations", "variance_explained"):
        assert key in d
    assert set(d["bartlett"]) >= {"chisq", "df", "p"}
    assert len(d["loadings"]["A1"]) == 5 and len(d["factor_correlations"]) == 5
    assert d["variance_explained"][0]["ss_loadings"] == pytest.approx(r["Vaccounted"][0][0], abs=1e-4)


def test_sorted_loadings_blank_below_cutoff(bfi):
    res = toolkit.efa(bfi, n_factors=5, missing="listwise")
    t = res.sorted_loadings(0.30)
    assert list(t.index[:4]) == ["N1", "N2", "N3", "N5"]      # N items first on MR1, largest first
    vals = t[res.loadings.columns].to_numpy()
    assert np.all(np.isnan(vals) | (np.abs(vals) >= 0.30))
    assert np.isnan(vals).sum() > 80


# ---------------------------------------------------------------------------------------------- parallel
def test_parallel_observed_eigenvalues_match_psych(bfi, ref):
    pa = parallel_analysis(bfi, iterations=5, seed=1)
    np.testing.assert_allclose(pa.table["fa_observed"], ref["parallel"]["fa_values"], atol=1e-4)
    np.testing.assert_allclose(pa.table["pc_observed"], ref["parallel"]["pc_values"], atol=1e-4)
    # notes section 1.3: first values
    assert pa.table["fa_observed"].iloc[0] == pytest.approx(4.2606, abs=1e-4)
    assert pa.table["pc_observed"].iloc[0] == pytest.approx(5.0369, abs=1e-4)


def test_parallel_decision_on_bfi_like_psych(bfi, ref):
    pa = parallel_analysis(bfi, iterations=20, seed=42)
    assert pa.n_factors == ref["parallel"]["nfact"] == 6
    assert pa.n_components == ref["parallel"]["ncomp"] == 6
    # simulated means near psych's (different random numbers; close because n is large)
    np.testing.assert_allclose(pa.table["pc_sim_mean"], ref["parallel"]["pc_sim_mean"], atol=0.02)
    np.testing.assert_allclose(pa.table["fa_sim_mean"], ref["parallel"]["fa_sim_mean"], atol=0.02)


def _simulate(seed=20240601, n=1000, k=3, per=5, loading=0.6, phi=0.3):
    rng = np.random.default_rng(seed)
    p = k * per
    L = np.zeros((p, k))
    for f in range(k):
        L[f * per:(f + 1) * per, f] = loading
    Phi = np.full((k, k), phi) + (1 - phi) * np.eye(k)
    F = rng.multivariate_normal(np.zeros(k), Phi, size=n)
    E = rng.standard_normal((n, p)) * np.sqrt(1 - loading ** 2)
    X = F @ L.T + E
    return pd.DataFrame(X, columns=[f"X{i + 1}" for i in range(p)]), L


def test_parallel_recovers_known_structure_and_is_reproducible():
    df, L = _simulate()
    pa = parallel_analysis(df, iterations=20, seed=7)
    assert pa.n_factors == 3
    assert pa.n_components == 3
    again = parallel_analysis(df, iterations=20, seed=7)
    pd.testing.assert_frame_equal(pa.table, again.table)
    other = parallel_analysis(df, iterations=20, seed=8)
    assert not np.allclose(pa.table["fa_sim_mean"], other.table["fa_sim_mean"])
    res = toolkit.efa(df, n_factors="auto", seed=7)
    assert res.n_factors == 3 and res.parallel is not None
    ours, cong, _, _ = _match(res.loadings.to_numpy(), L)
    assert cong.min() > 0.95
    assert not res.warnings


# ---------------------------------------------------------------------------------------------- problems
def test_heywood_case_is_a_warning_not_a_crash(ref):
    R = np.array(ref["heywood_R"])          # one factor: lambda_1^2 = .64/.5 > 1
    Rdf = pd.DataFrame(R, index=["a", "b", "c"], columns=["a", "b", "c"])
    res = toolkit.efa(Rdf, n_factors=1, n_obs=200)
    assert any("Heywood" in w and "item a" in w and "above 1" in w for w in res.warnings)
    # improper solution: psych's own optimiser stops at a slightly different point, agree to .01
    np.testing.assert_allclose(res.communalities, ref["heywood_minres"]["communality"], atol=0.01)
    assert res.uniquenesses["a"] < 0
    res_ml = toolkit.efa(Rdf, n_factors=1, method="ml", n_obs=200)
    assert any("Heywood" in w and "item a" in w for w in res_ml.warnings)
    np.testing.assert_allclose(res_ml.communalities, ref["heywood_ml"]["communality"], atol=1e-5)


def test_non_positive_definite_matrix_is_reported():
    df, _ = _simulate(seed=5, n=300)
    df["X16"] = df["X1"] + df["X2"]                 # exact linear combination: singular R
    res = toolkit.efa(df, n_factors=3, seed=1)
    assert any("not positive definite" in w for w in res.warnings)
    assert np.isfinite(res.loadings.to_numpy()).all()
    assert 0 < res.kmo.overall <= 1
    R = np.array([[1, .9, .9], [.9, 1, .6], [.9, .6, 1.0]])             # indefinite (det < 0)
    Rdf = pd.DataFrame(R, index=list("abc"), columns=list("abc"))
    bb = toolkit.bartlett(Rdf, n=100)
    assert np.isnan(bb.chisq) and "not positive definite" in bb.warnings[0]
    res2 = toolkit.efa(Rdf, n_factors=1, n_obs=100)
    assert any("not positive definite" in w for w in res2.warnings)


def test_bad_inputs_are_located_errors(bfi):
    df = bfi.head(50).astype(object).copy()
    df.loc[7, "A3"] = "four"
    with pytest.raises(toolkit.ToolkitError) as e:
        toolkit.efa(df, n_factors=2)
    assert "A3" in str(e.value) and "four" in str(e.value)
    const = bfi.dropna().head(100).copy()
    const["A1"] = 3
    with pytest.raises(toolkit.ToolkitError, match="no variance"):
        toolkit.kmo(const)
    with pytest.raises(toolkit.ToolkitError):
        toolkit.efa(bfi, n_factors=25)
    with pytest.raises(toolkit.ToolkitError):
        toolkit.efa(bfi, n_factors=2, rotation="quartimax-ish")


# ---------------------------------------------------------------------------------------------- CLI
def test_cli_efa_json_xlsx_plot(run_cli, data_dir, tmp_path):
    items = "A1,A2,A3,A4,A5,C1,C2,C3,C4,C5"
    out, png = tmp_path / "efa.xlsx", tmp_path / "scree.png"
    code, stdout, stderr = run_cli("analyze", "efa", str(data_dir / "bfi.csv"), "--items", items,
                                   "--n-factors", "2", "--json", "-o", str(out), "--plot", str(png),
                                   "--seed", "1")
    assert code == 0, stderr
    d = json.loads(stdout)
    assert d["n"] == 2800 and d["n_factors"] == 2 and set(d["loadings"]) == set(items.split(","))
    assert d["bartlett"]["df"] == 45
    assert png.stat().st_size > 1000 and png.read_bytes()[:4] == b"\x89PNG"
    from openpyxl import load_workbook

    wb = load_workbook(out)
    assert {"Summary", "Loadings", "Structure", "Factor correlations", "Variance", "KMO"} <= set(wb.sheetnames)
    ws = wb["Loadings"]
    header = [c.value for c in ws[2]]  # row 1 is the table title
    assert header[:3] == ["Item", "MR1", "MR2"]
    blanks = sum(1 for row in ws.iter_rows(min_row=3, max_row=12, max_col=3) for c in row[1:] if c.value is None)
    assert blanks >= 8                              # cross-loadings below .30 are blank


def test_cli_efa_console_and_parallel(run_cli, data_dir):
    code, stdout, _ = run_cli("analyze", "efa", str(data_dir / "bfi.csv"), "--items",
                              "A1,A2,A3,A4,A5,C1,C2,C3,C4,C5", "--n-factors", "2", "--rotation", "varimax",
                              "--method", "ml")
    assert code == 0
    assert "KMO" in stdout and "Bartlett" in stdout and "ML1" in stdout
    code, stdout, _ = run_cli("analyze", "parallel", str(data_dir / "bfi.csv"), "--items",
                              ",".join(f"{t}{i}" for t in "ACENO" for i in range(1, 6)), "--seed", "42",
                              "--json")
    assert code == 0
    d = json.loads(stdout)
    assert d["n_factors"] == 6 and d["fa_values"][0] == pytest.approx(4.2606, abs=1e-4)


def test_cli_errors(run_cli, data_dir, tmp_path):
    code, _, stderr = run_cli("analyze", "efa", str(data_dir / "bfi.csv"), "--items", "A1,A2,NOPE")
    assert code == 2 and "NOPE" in stderr and "Traceback" not in stderr
    code, _, stderr = run_cli("analyze", "efa", str(data_dir / "bfi.csv"))
    assert code == 2 and "--items" in stderr
    code, _, stderr = run_cli("analyze", "efa", str(data_dir / "bfi.csv"), "--items", "A1,A2,A3",
                              "--n-factors", "two")
    assert code == 2 and "n-factors" in stderr


def test_cli_instrument_missing_codes(run_cli, data_dir, tmp_path):
    """--instrument picks its items and turns declared missing codes (9 = Don't know) into NaN."""
    df, _ = _simulate(seed=11, n=400, k=2, per=3)
    names = ["SM1", "SM2", "SM3", "DR1", "DR2", "DR3"]
    likert = np.clip(np.round(3 + 1.2 * df.to_numpy()), 1, 5).astype(int)
    data = pd.DataFrame(likert, columns=names)
    data.loc[::25, "SM1"] = 9
    path = tmp_path / "answers.csv"
    data.to_csv(path, index=False)
    code, stdout, stderr = run_cli("analyze", "efa", str(path), "--instrument",
                                   str(data_dir / "mini-instrument.yaml"), "--n-factors", "2", "--json")
    assert code == 0, stderr
    d = json.loads(stdout)
    assert set(d["loadings"]) == set(names)
    assert d["min_pairwise_n"] == 400 - 16           # 16 "Don't know" answers dropped pairwise
    clean = data.replace({"SM1": {9: np.nan}})
    assert d["kmo"] == pytest.approx(toolkit.kmo(clean).overall, abs=1e-12)


def test_demo_step_on_simulated_survey(tmp_path, demo_inputs):
    inst = toolkit.load_instrument("collective-data-use")
    rng = np.random.default_rng(5)
    n = 300
    cols = {}
    for c in inst.constructs:
        f = rng.standard_normal(n)
        for it in c.items:
            cols[it.id] = np.clip(np.round(3 + f + rng.standard_normal(n) * 0.8), 1, 5)
    lines = []
    written = toolkit.run_demo(tmp_path / "out", only=["efa"], echo=lines.append, inputs=demo_inputs(pd.DataFrame(cols)))
    assert {p.suffix for p in written} == {".xlsx", ".json", ".png"}
    assert all(p.exists() for p in written)
    assert any("factor" in s for s in lines)
