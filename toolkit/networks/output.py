"""The network result as a workbook, through the project's one table writer (:mod:`toolkit.report.tables`)."""
from __future__ import annotations

from pathlib import Path

NOTE = ("Density = ties / reported dyads. Reciprocity = share of ties among respondents that are returned "
        "(igraph reciprocity()). Centralizations: Freeman, normalised as igraph centr_degree(loops = FALSE, "
        "normalized = TRUE); degree on the union-symmetrised network, in/out on the directed one; only where "
        "every dyad was reported, or reconstructed (basis column). Expertise heterogeneity = Blau's 1 - Σp².")


def write_network_workbook(result, path: str | Path) -> Path:
    """Sheets networks (one row per partnership and relation), partnerships (response rates), nodes, notes."""
    import pandas as pd

    from ..report.tables import Column, Table, write_workbook
    from .measures import REFERENCES

    notes = [("setting", k, ", ".join(map(str, v)) if isinstance(v, list) else v)
             for k, v in result.settings.items()]
    notes += [("warning", "", w) for w in result.warnings]
    notes += [("reference", k, v) for k, v in REFERENCES.items()]
    share = {"response_rate": "pct"}
    prop = ("density", "reciprocity", "degree_centralization", "indegree_centralization",
            "outdegree_centralization", "expertise_heterogeneity")
    net_cols = [Column(c, kind=share.get(c) or ("prop" if c in prop else None)) for c in result.networks.columns]
    part_cols = [Column(c, kind=share.get(c) or ("prop" if c in prop else None)) for c in result.partnerships.columns]
    tables = [
        Table("networks", result.networks, title="Network measures per partnership and relation",
              columns=net_cols, note=NOTE),
        Table("partnerships", result.partnerships, title="Roster response per partnership", columns=part_cols),
        Table("nodes", result.nodes, title="Members per relation: ties sent and received"),
        Table("notes", pd.DataFrame(notes, columns=["kind", "name", "text"]), title="Settings, warnings, sources",
              columns=[Column("kind"), Column("name"), Column("text", wrap=True, width=90)]),
    ]
    return write_workbook(path, tables)
