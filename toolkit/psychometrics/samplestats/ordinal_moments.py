"""Ordinal sample statistics in the shape the estimators read (lavaan's ``lavsamplestats`` for ``ordered =``).

:class:`OrdinalMoments` wraps :class:`~.ordinal.OrdinalSampleStats` (thresholds, polychoric correlations,
Gamma per group) and exposes what :func:`~..estimators.fit_model` and the information code expect of sample
statistics: ``kind`` (``"ordinal"``, the estimator registry's key), ``n``, ``weights`` (N_g/N), ``groups``,
``ntotal``; per group the sample vector s_g = (tau, vech0 rho), the DWLS weights w_g = 1/diag(Gamma_g) and
Gamma_g; ``cov`` holds the polychoric matrices (for start values, HTMT) and ``mean`` zeros.
"""
from __future__ import annotations

import numpy as np

from .moments import GroupSizes
from .ordinal import OrdinalSampleStats


class OrdinalMoments(GroupSizes):
    kind = "ordinal"
    missing = False

    def __init__(self, stats: OrdinalSampleStats):
        self.stats = stats
        self.observed = list(stats[0].items)
        self.groups = [g.group for g in stats]
        self.n = [int(g.n) for g in stats]
        self.s = [g.sample_vector for g in stats]
        self.w = [np.asarray(g.wls_vd, float) for g in stats]
        self.gamma = [np.asarray(g.gamma, float) for g in stats]
        self.cov = [g.rho for g in stats]
        self.mean = [np.zeros(len(self.observed)) for _ in stats]
        self.h1_loglik: list[float] = []
        self.em_iterations = [0]

    @property
    def nthresholds(self) -> list[int]:
        return [len(t) for t in self.stats[0].tau]
