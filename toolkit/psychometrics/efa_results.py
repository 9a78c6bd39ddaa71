"""The result of an exploratory factor analysis (:func:`~toolkit.psychometrics.factor.efa`): tables, text
report, JSON and workbook."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from . import rotation as _rot
from ..report.tables import p_clause
from .adequacy import BartlettResult, KMOResult, kmo_label

@dataclass
class EFAResult:
    """Result of :func:`efa`. DataFrames are indexed by item (or factor)."""

    n: int | None
    n_factors: int
    method: str
    rotation: str
    missing: str
    loadings: pd.DataFrame           # pattern matrix
    structure: pd.DataFrame          # pattern %*% Phi
    factor_correlations: pd.DataFrame
    communalities: pd.Series         # diag(P Phi P')
    uniquenesses: pd.Series          # diag(R) - h2
    complexity: pd.Series            # Hoffman: (sum l^2)^2 / sum l^4
    variance: pd.DataFrame           # SS loadings, Proportion Var, Cumulative Var, Proportion/Cumulative Explained
    eigenvalues: pd.DataFrame        # of R and of R with communalities on the diagonal
    kmo: KMOResult | None
    bartlett: BartlettResult | None
    correlation: pd.DataFrame
    min_pairwise_n: int | None = None
    converged: bool = True
    warnings: list = field(default_factory=list)
    parallel: object = None
    correlation_type: str = "pearson"   # or "polychoric" (ordinal=True)
    screening: object = None

    def sorted_loadings(self, cutoff: float | None = None) -> pd.DataFrame:
        """Items grouped by their main factor (largest absolute loading) and sorted by it within a factor, as
        psych::fa.sort; loadings below *cutoff* in absolute value become NaN (blank)."""
        L = self.loadings
        main = L.abs().to_numpy().argmax(axis=1)
        order = sorted(range(len(L)), key=lambda i: (main[i], -abs(L.iloc[i, main[i]])))
        out = L.iloc[order].copy()
        if cutoff:
            out = out.mask(out.abs() < cutoff)
        out["h2"] = self.communalities.iloc[order]
        out["u2"] = self.uniquenesses.iloc[order]
        out["com"] = self.complexity.iloc[order]
        return out

    def to_dict(self) -> dict:
        d = {
            "n": self.n,
            "kmo": None if self.kmo is None else self.kmo.overall,
            "kmo_items": None if self.kmo is None else {k: float(v) for k, v in self.kmo.items.items()},
            "bartlett": None if self.bartlett is None else self.bartlett.to_dict(),
            "n_factors": self.n_factors,
            "method": self.method,
            "rotation": self.rotation,
            "missing": self.missing,
            "factors": list(self.loadings.columns),
            "loadings": {i: [float(x) for x in row] for i, row in zip(self.loadings.index,
                                                                     self.loadings.to_numpy())},
            "structure": {i: [float(x) for x in row] for i, row in zip(self.structure.index,
                                                                      self.structure.to_numpy())},
            "communalities": {k: float(v) for k, v in self.communalities.items()},
            "uniquenesses": {k: float(v) for k, v in self.uniquenesses.items()},
            "complexity": {k: float(v) for k, v in self.complexity.items()},
            "factor_correlations": self.factor_correlations.to_numpy().tolist(),
            "variance_explained": [
                {"factor": f, "ss_loadings": float(self.variance.loc["SS loadings", f]),
                 "proportion": float(self.variance.loc["Proportion Var", f]),
                 "cumulative": float(self.variance.loc["Cumulative Var", f])}
                for f in self.variance.columns],
            "eigenvalues": self.eigenvalues["R"].tolist(),
            "min_pairwise_n": self.min_pairwise_n,
            "converged": self.converged,
            "correlation_type": self.correlation_type,
            "warnings": list(self.warnings),
        }
        if self.screening is not None:
            d["screening"] = self.screening.to_dict()
        if self.parallel is not None:
            d["parallel"] = self.parallel.to_dict()
        return d

    def summary(self, cutoff: float = 0.30) -> str:
        """Plain-text report: KMO, Bartlett, sorted loadings (blank below *cutoff*), variance, Phi, warnings."""
        lines = [f"Exploratory factor analysis: {self.n_factors} factor(s), {self.method} extraction, "
                 f"{self.rotation} rotation, {self.missing} deletion, n = {self.n}"]
        if self.correlation_type == "polychoric":
            lines[0] = lines[0].replace("factor analysis:", "factor analysis of polychoric correlations:")
        if self.min_pairwise_n is not None and self.missing == "pairwise" and self.min_pairwise_n != self.n:
            lines[0] += f" (smallest pairwise n = {self.min_pairwise_n})"
        if self.kmo is not None:
            lines.append(f"KMO (overall MSA) = {self.kmo.overall:.3f} ({kmo_label(self.kmo.overall)}); "
                         f"lowest item MSA: {self.kmo.items.idxmin()} = {self.kmo.items.min():.3f}")
        if self.bartlett is not None:
            b = self.bartlett
            lines.append(f"Bartlett's test of sphericity: chi-square = {b.chisq:.2f}, df = {b.df}, "
                         f"{p_clause(b.p)}")
        if self.parallel is not None:
            lines.append(f"Parallel analysis ({self.parallel.iterations} simulated data sets): "
                         f"{self.parallel.n_factors} factor(s), {self.parallel.n_components} component(s)")
        lines.append("")
        lines.append(f"Loadings (pattern matrix; |loading| < {cutoff:.2f} blank):")
        t = self.sorted_loadings(cutoff)
        w = max(4, max(len(i) for i in t.index))
        lines.append(" " * w + "".join(f"{c:>8}" for c in t.columns))
        for item, row in t.iterrows():
            cells = "".join("        " if pd.isna(v) else f"{v:8.2f}" for v in row.to_numpy())
            lines.append(f"{item:<{w}}{cells}")
        lines.append("")
        v = self.variance.loc[["SS loadings", "Proportion Var", "Cumulative Var"]]
        lines.append(" " * 16 + "".join(f"{c:>8}" for c in v.columns))
        for name, row in v.iterrows():
            lines.append(f"{name:<16}" + "".join(f"{x:8.2f}" for x in row.to_numpy()))
        if self.rotation in _rot.OBLIQUE and self.n_factors > 1:
            lines.append("")
            lines.append("Factor correlations:")
            phi = self.factor_correlations
            lines.append(" " * 6 + "".join(f"{c:>8}" for c in phi.columns))
            for name, row in phi.iterrows():
                lines.append(f"{name:<6}" + "".join(f"{x:8.2f}" for x in row.to_numpy()))
        if self.warnings:
            lines.append("")
            lines.extend(f"warning: {w}" for w in self.warnings)
        return "\n".join(lines)

    def to_excel(self, path, cutoff: float = 0.30, provenance: dict | None = None) -> None:
        """Write an .xlsx workbook through the toolkit's one table writer: Summary, Loadings (sorted, blank below
        *cutoff*), Structure, Factor correlations, Variance, KMO, Eigenvalues, Correlations, and Parallel when
        parallel analysis ran."""
        from ..report.tables import Column, Table, write_workbook

        rows = [("Method", self.method), ("Rotation", self.rotation), ("Missing data", self.missing),
                ("n", self.n), ("Smallest pairwise n", self.min_pairwise_n), ("Factors", self.n_factors)]
        if self.kmo is not None:
            rows.append(("KMO (overall MSA)", round(self.kmo.overall, 6)))
        if self.bartlett is not None:
            rows += [("Bartlett chi-square", self.bartlett.chisq), ("Bartlett df", self.bartlett.df),
                     ("Bartlett p", self.bartlett.p)]
        if self.parallel is not None:
            rows += [("Parallel analysis: factors", self.parallel.n_factors),
                     ("Parallel analysis: components", self.parallel.n_components)]
        rows.append(("Loading cut-off", cutoff))
        summary = pd.DataFrame({"what": [k for k, _ in rows],
                                "value": [_summary_value(v) for _, v in rows]})

        def matrix(name, df, index_name, kind, title, note=None):
            df = df.rename_axis(index_name)
            df.index = df.index.map(str)
            return Table(name, df, index=True, title=title, note=note,
                         columns=[index_name] + [Column(str(c), str(c), kind) for c in df.columns])

        tables = [
            Table("Summary", summary, title=f"Exploratory factor analysis ({self.method}, {self.rotation})",
                  columns=[Column("what", "Setting"), Column("value", "Value")]),
            Table("Summary", pd.DataFrame({"warning": list(self.warnings) or ["none"]}), title="Warnings"),
            matrix("Loadings", self.sorted_loadings(cutoff), "item", "num", "Pattern loadings (sorted)",
                   f"Loadings below {cutoff:g} in absolute value are left blank."),
            matrix("Structure", self.structure.loc[self.sorted_loadings().index], "item", "num",
                   "Structure coefficients"),
            matrix("Factor correlations", self.factor_correlations, "factor", "num", "Factor correlations"),
            matrix("Variance", self.variance, "", "num3", "Variance accounted for"),
        ]
        if self.kmo is not None:
            tables.append(matrix("KMO", self.kmo.items.to_frame("MSA"), "item", "num3",
                                 "Measure of sampling adequacy per item (KMO)"))
        tables.append(matrix("Eigenvalues", self.eigenvalues, "position", "num3", "Eigenvalues"))
        tables.append(matrix("Correlations", self.correlation, "item", "num3", "Correlations"))
        if self.parallel is not None:
            tables.append(matrix("Parallel", self.parallel.table, "position", "num3", "Parallel analysis"))
        write_workbook(path, tables, provenance=provenance)

    def __repr__(self):
        return (f"EFAResult(n={self.n}, n_factors={self.n_factors}, method={self.method!r}, "
                f"rotation={self.rotation!r}, warnings={len(self.warnings)})")


def _summary_value(v):
    """A Summary-sheet value as text (the column mixes words and numbers)."""
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return ""
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.6g}"
    return str(v)
