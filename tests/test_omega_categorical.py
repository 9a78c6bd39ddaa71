"""Categorical omega (Green & Yang 2009) against semTools 0.5.6 compRelSEM on lavaan 0.6.14 WLSMV fits.

The reference (tests/data/wlsmv_lavaan.json, made by wlsmv_lavaan.R) stores compRelSEM's values and lavaan's own
estimates (lambda, cov.lv, thresholds, scale factors, sample and implied polychoric matrices), so these tests
feed omega_categorical lavaan's numbers and do not depend on our WLSMV estimator.
"""
from __future__ import annotations

import doctest
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit.psychometrics import omega_categorical as module
from toolkit.psychometrics.omega_categorical import omega_categorical

REF = json.loads((Path(__file__).parent / "data" / "wlsmv_lavaan.json").read_text())
CASES = [(case, factor) for case in ("bfiN", "bfi3", "sparse2") for factor in REF[case]["omega"]["default"]]


def _frame(m):
    return pd.DataFrame(m["values"], index=m["names"], columns=m["columns"])


def _inputs(case, factor):
    fit = REF[case]
    lam = _frame(fit["lambda"][0])[factor]
    lam = lam[lam != 0]
    items = list(lam.index)
    tau = {item: [v for k, v in fit["tau"][0].items() if k.split("|")[0] == item] for item in items}
    phi = _frame(fit["cov_lv"][0]).loc[factor, factor]
    delta = [fit["delta"][0][item] for item in items]
    return lam, phi, tau, _frame(fit["sampstat_cov"][0]), _frame(fit["implied_cov"][0]), delta


@pytest.mark.parametrize("case,factor", CASES)
def test_equals_semtools_compRelSEM(case, factor):
    lam, phi, tau, sample, implied, delta = _inputs(case, factor)
    want = REF[case]["omega"]
    assert omega_categorical(lam, phi, tau, sample, delta) == pytest.approx(want["default"][factor], abs=1e-8)
    assert omega_categorical(lam, phi, tau, sample, delta, ord_scale=False) == pytest.approx(
        want["ord_scale_false"][factor], abs=1e-8)
    # obs.var = FALSE: the model-implied polychoric matrix in place of the sample one
    assert omega_categorical(lam, phi, tau, implied, delta) == pytest.approx(
        want["obs_var_false"][factor], abs=1e-8)


def test_plain_arrays_and_the_notes_value():
    """Plain numpy input in item order gives the same number (bfi N: 0.838785240626 in the shared notes, sec. 5)."""
    lam, phi, tau, sample, _, _ = _inputs("bfiN", "N")
    items = list(lam.index)
    got = omega_categorical(lam.to_numpy(), phi, [tau[i] for i in items], sample.loc[items, items].to_numpy())
    assert got == pytest.approx(0.838785240626, abs=1e-11)
    assert toolkit.omega_categorical is omega_categorical


def test_mixed_keying_is_not_reversed():
    """semTools does not flip negatively loading items: C (C4, C5 reversed) has an omega near 0."""
    assert 0 < REF["bfi3"]["omega"]["default"]["C"] < 0.01
    lam, phi, tau, sample, _, delta = _inputs("bfi3", "C")
    assert omega_categorical(lam, phi, tau, sample, delta) < 0.01


def test_bad_input_is_refused():
    lam = np.array([0.8, 0.7, 0.6])
    r = np.eye(3)
    tau = [[-1.0, 0.0], [-0.5, 0.5], [0.0, 1.0]]
    with pytest.raises(ValueError, match="increasing"):
        omega_categorical(lam, 1.0, [[-1.0, 0.0], [0.5, -0.5], [0.0, 1.0]], r)
    with pytest.raises(ValueError, match="3 x 3"):
        omega_categorical(lam, 1.0, tau, np.eye(2))
    with pytest.raises(ValueError, match="2 threshold arrays"):
        omega_categorical(lam, 1.0, tau[:2], r)
    with pytest.raises(ValueError, match="item names"):
        omega_categorical(lam, 1.0, {"a": tau[0]}, r)


def test_docstring_example_runs():
    result = doctest.testmod(module)
    assert result.failed == 0 and result.attempted > 0
