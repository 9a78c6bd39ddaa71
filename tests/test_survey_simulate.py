"""Simulation from a stated factor model: shape, codes, reproducibility and recovery of the model."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import toolkit
import toolkit.survey
from toolkit.instruments import load_instrument


def icc1(scores: pd.Series, groups: pd.Series) -> float:
    """One-way ANOVA ICC(1) = (MSB - MSW) / (MSB + (k - 1) MSW), k = mean group size (Bliese 2000), computed
    here independently of the toolkit."""
    d = pd.DataFrame({"y": scores, "g": groups}).dropna()
    grand = d.y.mean()
    stats = d.groupby("g").y.agg(["mean", "count", "var"])
    n_groups, n = len(stats), len(d)
    msb = (stats["count"] * (stats["mean"] - grand) ** 2).sum() / (n_groups - 1)
    msw = ((stats["count"] - 1) * stats["var"]).sum() / (n - n_groups)
    k = n / n_groups
    return (msb - msw) / (msb + (k - 1) * msw)


def alpha(items: pd.DataFrame) -> float:
    """Cronbach's alpha, k / (k - 1) * (1 - sum of item variances / variance of the sum)."""
    k = items.shape[1]
    return k / (k - 1) * (1 - items.var().sum() / items.sum(axis=1).var())


def test_shape_codes_reproducible():
    inst = load_instrument("collective-data-use")
    df = toolkit.simulate("collective-data-use", n=400, groups=40, seed=1)
    ncontext = len(inst.context)
    assert df.shape == (400, ncontext + len(inst.item_ids) + len(inst.attention_checks))
    assert list(df.columns[:2]) == ["respondent_id", "partnership_id"]
    assert df["respondent_id"].is_unique
    sizes = df.groupby("partnership_id").size()
    assert len(sizes) == 40 and sizes.min() >= 2 and sizes.nunique() > 5  # unequal group sizes
    assert sorted(sizes.index)[:2] == ["P01", "P02"]
    items = df[inst.item_ids]
    values = set(pd.unique(items.stack().astype(int)))
    assert values <= {1, 2, 3, 4, 5, 9} and {1, 5, 9} <= values
    share_missing = items.isna().to_numpy().mean()
    assert 0.015 < share_missing < 0.05
    assert set(df["role"]) <= {c.value for c in inst.context_by_role("role").choices}
    again = toolkit.simulate("collective-data-use", n=400, groups=40, seed=1)
    pd.testing.assert_frame_equal(df, again)
    other = toolkit.simulate("collective-data-use", n=400, groups=40, seed=2)
    assert not df[inst.item_ids].equals(other[inst.item_ids])
    assert df.attrs["true_model"]["settings"]["seed"] == 1


def test_true_model_is_stated():
    m = toolkit.survey.true_model("collective-data-use")
    assert m.loadings.loading.between(0.6, 0.8).all()
    phi = m.factor_correlations.to_numpy()
    assert np.allclose(phi[~np.eye(len(phi), dtype=bool)], 0.3)
    assert (m.icc == 0.15).all()  # every construct of this instrument has referent: group
    assert m.thresholds["agree5"] == pytest.approx([-1.5, -0.5, 0.5, 1.5])
    json.dumps(m.to_dict())


def test_recovery_of_correlations_reverse_keying_and_icc(tmp_path, data_dir):
    # a copy of the mini instrument whose second construct is individual-referent
    text = (data_dir / "mini-instrument.yaml").read_text(encoding="utf-8")
    head, _, tail = text.partition("id: deliberation")
    tail = tail.replace("referent: group", "referent: individual", 1)
    path = tmp_path / "mini2.yaml"
    path.write_text(head + "id: deliberation" + tail, encoding="utf-8")
    inst = load_instrument(path)
    assert [c.referent for c in inst.constructs] == ["group", "individual"]

    df = toolkit.simulate(path, n=3000, groups=60, seed=11, missing=0.0, dont_know=0.0, factor_correlation=0.5,
                          icc_group=0.2, icc_individual=0.0)
    raw = df[inst.item_ids].astype(float)
    # reverse-keyed items were answered in reverse: negatively correlated with their construct's other items
    assert raw["SM3"].corr(raw["SM1"]) < -0.2 and raw["DR3"].corr(raw["DR1"]) < -0.2
    scored = toolkit.score(df, path)
    r = scored["sensemaking"].corr(scored["deliberation"])
    # the ICCs differ (.2 vs 0), so the total factor correlation is .5 * sqrt(.8) = .447 (stated by the model)
    model = toolkit.survey.true_model(path, factor_correlation=0.5, icc_group=0.2, icc_individual=0.0)
    target = model.total_correlations.loc["sensemaking", "deliberation"]
    assert target == pytest.approx(0.5 * np.sqrt(0.8))
    # observed score correlation = target * sqrt(alpha_1 * alpha_2) (Spearman's attenuation)
    keyed = raw.copy()
    keyed[["SM3", "DR3"]] = 6 - keyed[["SM3", "DR3"]]
    a1, a2 = alpha(keyed[["SM1", "SM2", "SM3"]]), alpha(keyed[["DR1", "DR2", "DR3"]])
    assert 0.6 < a1 < 0.8 and 0.6 < a2 < 0.8
    assert r / np.sqrt(a1 * a2) == pytest.approx(target, abs=0.06)
    icc_group = icc1(scored["sensemaking"], df["partnership"])
    icc_indiv = icc1(scored["deliberation"], df["partnership"])
    assert icc_group > 0.08  # clearly > 0 (factor ICC .2, attenuated by measurement error)
    assert icc_indiv < 0.03 and icc_group > icc_indiv + 0.06


def test_cli_simulate(tmp_path, run_cli):
    out, model = tmp_path / "sim.csv", tmp_path / "model.json"
    code, stdout, _ = run_cli("survey", "simulate", "collective-data-use", "-n", "60", "--groups", "6",
                              "--seed", "4", "-o", str(out), "--model", str(model))
    assert code == 0 and "60 respondent(s)" in stdout
    df = pd.read_csv(out)
    assert len(df) == 60 and df["partnership_id"].nunique() == 6
    assert json.loads(model.read_text())["settings"]["n"] == 60
    code, _, stderr = run_cli("survey", "simulate", "collective-data-use", "-n", "10", "--groups", "6", "-o",
                              str(out))
    assert code == 2 and "too small" in stderr
    code, _, stderr = run_cli("survey", "simulate", "collective-data-use", "--factor-correlation", "1.5", "-o",
                              str(out))
    assert code == 2 and stderr.startswith("error: --factor-correlation: factor correlation 1.5 does not give")
