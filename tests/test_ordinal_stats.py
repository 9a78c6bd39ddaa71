"""lavaan's two-step ordinal sample statistics (thresholds, polychorics, Gamma, DWLS weights) against lavaan 0.6.14.

References: tests/data/ordinal_lavaan.json, made by tests/data/ordinal_lavaan.R (lavInspect "sampstat", "gamma"
and "wls.v" of cfa()/lavCor() fits with ordered items) from bfi.csv, ordinal_sparse.csv and ordinal_binary.csv.
lavaan estimates each polychoric correlation with nlminb to ~1e-8; we solve the same score equation to full
precision, so correlations agree to ~5e-8 and Gamma (evaluated at them) to ~1e-7 relative.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit.errors import AnalysisError

DATA = Path(__file__).parent / "data"
RHO_TOL = 1e-7
GAMMA_REL = 1e-6


@pytest.fixture(scope="module")
def ref():
    return json.loads((DATA / "ordinal_lavaan.json").read_text())


@pytest.fixture(scope="module")
def binary():
    return pd.read_csv(DATA / "ordinal_binary.csv")


def _check(st, r):
    """One group's statistics against lavaan's."""
    assert st.n == r["n"] and st.items == r["items"]
    assert st.labels == r["gamma_names"]                     # lavaan's order: thresholds, then vech0(rho)
    np.testing.assert_allclose(np.concatenate(st.tau), r["th"], rtol=0, atol=1e-13)
    assert [lab for lab in st.labels if "|t" in lab] == r["th_names"]
    np.testing.assert_allclose(st.rho, r["rho"], rtol=0, atol=RHO_TOL)
    G = st.gamma
    np.testing.assert_allclose(np.diag(G), r["gamma_diag"], rtol=GAMMA_REL)
    np.testing.assert_allclose(st.wls_vd, r["wls_vd"], rtol=GAMMA_REL)
    scale = np.abs(np.diag(G)).max()
    np.testing.assert_allclose(G.sum(axis=1), r["gamma_rowsums"], rtol=0, atol=GAMMA_REL * scale * len(G))
    at = np.array(r["gamma_at"])
    np.testing.assert_allclose(G[at[:, 0].astype(int) - 1, at[:, 1].astype(int) - 1], at[:, 2], rtol=0,
                               atol=GAMMA_REL * scale)
    if "gamma" in r:
        np.testing.assert_allclose(G, r["gamma"], rtol=0, atol=GAMMA_REL * scale)
    np.testing.assert_allclose(st.sample_vector[st.n_thresholds:], np.array(r["rho"])[np.triu_indices(len(st.items), 1)[::-1]],
                               atol=RHO_TOL)


def test_bfi_neuroticism_matches_lavaan_and_the_notes_oracle(ref, bfi):
    stats = toolkit.ordinal_sample_stats(bfi, ["N1", "N2", "N3", "N4", "N5"])
    assert len(stats) == 1 and stats.n_dropped == 2800 - 2694
    st = stats[0]
    _check(st, ref["bfiN"][0])
    # ordinal-fiml-notes.md section 10 (lavaan 0.6.14): thresholds, correlations and Gamma entries
    np.testing.assert_allclose(st.tau[0], [-0.725005911454, -0.0707731238952, 0.318884099186, 0.872247270598,
                                           1.46913349254], atol=1e-11)
    assert abs(st.rho[1, 0] - 0.763511815885) < 1e-9 and abs(st.rho[4, 3] - 0.439848875536) < 1e-8
    assert abs(st.gamma[0, 0] - 1.90630783336) < 1e-7 and abs(st.gamma[25, 25] - 0.16511627005) < 1e-8
    assert abs(st.gamma[25, 0] - 0.179373216951) < 1e-8
    assert st.labels[25] == "N1~~N2" and st.rho_position("N2", "N1") == 25 == st.rho_position(0, 1)
    assert st.threshold_slice("N2") == slice(5, 10)
    np.testing.assert_allclose(st.acov, st.gamma / 2694)


def test_two_groups_of_25_items(ref, bfi):
    items = [c + str(i) for c in "ACENO" for i in range(1, 6)]
    stats = toolkit.ordinal_sample_stats(bfi, items, group="gender")
    r = ref["bfi25_gender"]
    assert [str(g.group) for g in stats] == r["groups"]           # order of first appearance, as lavaan
    for label, rr in zip(r["groups"], r["stats"]):
        _check(stats.by_group(int(label)), rr)


def test_sparse_items_empty_categories_and_missing_values(ref, sparse):
    items = ["S1", "S2", "S3", "S5", "S6", "S7", "S8", "S10", "S11"]
    stats = toolkit.ordinal_sample_stats(sparse, items)
    st = stats[0]
    _check(st, ref["sparse"][0])
    cats = dict(zip(st.items, st.categories))
    assert cats["S3"] == (1, 2, 4, 5) and cats["S5"] == (2, 3, 4, 5) and cats["S11"] == (1, 2, 3, 4)
    assert len(st.tau[items.index("S3")]) == 3                     # categories as observed, as lavaan
    assert ("S1", "S7") in st.zero_cell_pairs
    assert stats.warnings[0].startswith("listwise deletion: 147 of 500 rows (29.4%)")


def test_sparse_items_by_group(ref, sparse):
    items = ["S1", "S2", "S3", "S5", "S6", "S8"]
    stats = toolkit.ordinal_sample_stats(sparse, items, group="grp")
    assert [g.group for g in stats] == ref["sparse_grp"]["groups"] == ["b", "a"]
    for st, r in zip(stats, ref["sparse_grp"]["stats"]):
        _check(st, r)
    d = stats.to_dict()
    assert [g["group"] for g in d["groups"]] == ["b", "a"] and "S1|t1" in d["groups"][0]["thresholds"]
    assert stats.by_group("a") is stats[1]


def test_two_by_two_zero_cell_rules(ref, binary):
    """B1 x B2: one empty cell (0.5 added, margins kept); B3 x B4: ad = bc -> 0; B5 x B6: thresholds 0 ->
    -cos(2 pi p11); B7 x B8: two empty cells -> 1, and Gamma as lavaan computes it."""
    st = toolkit.ordinal_sample_stats(binary, [f"B{i}" for i in range(1, 7)])[0]
    _check(st, ref["binary"][0])
    assert st.rho[3, 2] == 0.0 and abs(st.rho[5, 4] - (-np.cos(2 * np.pi * 0.3))) < 1e-15
    st = toolkit.ordinal_sample_stats(binary, ["B7", "B8"])[0]
    assert st.rho[1, 0] == 1.0 == ref["binary_B7B8"][1][0]
    assert any("two empty cells" in w for w in st.warnings)
    assert np.isfinite(st.gamma).all()


def test_errors_are_lavaans(ref, sparse):
    with pytest.raises(AnalysisError, match="only one observed category") as e:
        toolkit.ordinal_sample_stats(pd.DataFrame({"a": [1, 2, 3, 1, 2], "b": [2, 2, 2, 2, 2]}), ["a", "b"])
    assert e.value.location.field == "b" and "only 1 level" in ref["errors"]["one_level"]
    with pytest.raises(AnalysisError) as e:
        toolkit.ordinal_sample_stats(sparse, ["S1", "S4"], group="grp")
    assert "frequencies are [12 33 81 109 0]" in ref["errors"]["empty_in_group"]
    assert str(e.value).startswith("S4: category 1 of item S4 is empty in group 'b' after listwise deletion "
                                   "(frequencies 0 12 33 81 109)")
    with pytest.raises(AnalysisError, match="no answers"):
        toolkit.ordinal_sample_stats(sparse.assign(E=np.nan), ["S1", "E"])


def test_without_gamma_and_missing_codes(sparse):
    df = sparse.assign(S1=sparse["S1"].replace(5, 9))
    st = toolkit.ordinal_sample_stats(df, ["S1", "S2"], missing_codes=[9], gamma=False)
    assert st[0].gamma is None and st[0].categories[0] == (1, 2, 3, 4)
    assert "had a missing-value code (9;" in st.warnings[0]
    assert repr(st).startswith("OrdinalSampleStats(1 group(s)")
