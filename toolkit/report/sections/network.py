"""Section: partnership networks from the roster questions (``toolkit.network``, measures as R igraph), beside
each partnership's survey scores on the antecedent each roster question measures, with network pictures."""
from __future__ import annotations

from .base import Section, fmt, n_, register
from .sample import NEED_SURVEY

NEED_NETWORK = ("give --network EDGES (the roster answers as an edge list: group, ego, alter, relation, weight) and "
                "--members FILE to add the partnerships' networks")
MAX_PLOTS = 3


@register
class Network(Section):
    id, title, order = "network", "Partnership networks", 65

    def missing(self, study):
        if study.edges is None:
            return NEED_NETWORK
        return None

    def build(self, study, part):
        import pandas as pd

        from ...psychometrics.descriptives import correlations
        from ..tables import Column, Table

        net = study.network
        parts, nets = net.partnerships, net.networks
        members = int(parts["members"].sum())
        answered = int(parts["respondents"].sum())
        low = int(parts["low_response"].sum())
        text = (f"{n_(len(parts), 'partnership')} with {fmt(members, 'int')} members answered "
                f"{n_(nets['relation'].nunique(), 'roster question')} about each other: {fmt(answered, 'int')} members "
                f"({fmt(answered / members if members else 0, 'pct')}) answered the roster"
                + (f"; {n_(low, 'partnership')} fell below {net.settings.get('min_response', .8):.0%} and "
                   "their measures rest on part of the partnership." if low else "."))
        part.para(text)
        summary = []
        for rel, sub in nets.groupby("relation", sort=False):
            antecedent = str(sub["antecedent"].iloc[0] or "")
            summary.append({"relation": rel.replace("_", " "), "antecedent": study.label(antecedent) if antecedent
                            else "", "n": len(sub), "density": sub["density"].mean(),
                            "reciprocity": sub["reciprocity"].mean(),
                            "indegree_centralization": sub["indegree_centralization"].mean(),
                            "complete": int(sub["indegree_centralization"].notna().sum())})
        part.table(Table("Networks", pd.DataFrame(summary), title="Network measures per roster question, mean over "
                                                                 "partnerships",
                         columns=[Column("relation", "Roster question"), Column("antecedent", "Measures"),
                                  Column("n", "Partnerships", "int"), Column("density", "Density", "prop"),
                                  Column("reciprocity", "Reciprocity", "prop"),
                                  Column("indegree_centralization", "In-degree centralization", "prop"),
                                  Column("complete", "Networks complete", "int")],
                         note="Density over the dyads reported; reciprocity as igraph; Freeman in-degree "
                              "centralization only where every member answered about every other (the last column "
                              "counts those networks)."))
        # beside the partnership's scores: the construct each roster question measures
        level = study.level_column
        rows, pairs = [], []
        if study.has_survey and level is not None:
            agg = study.aggregation
            g = agg.groups.copy()
            g["_key"] = g[level].astype(str).str.strip()
            g = g.set_index("_key")
            wide = net.group_columns().assign(group=lambda d: d["group"].astype(str)).set_index("group")
            for rel, sub in nets.groupby("relation", sort=False):
                c = str(sub["antecedent"].iloc[0] or "")
                if c in g.columns:
                    pairs.append((rel, c))
            keys = [k for k in g.index if k in wide.index]
            for k in keys:
                row = {"group": k, "n": int(g.at[k, "n"]), "members": int(wide.at[k, "network_members"]),
                       "response_rate": float(wide.at[k, "network_response_rate"])}
                for rel, c in pairs:
                    row[f"{c}__mean"] = float(g.at[k, c])
                    row[f"{rel}__density"] = float(wide.at[k, f"{rel}_density"])
                rows.append(row)
        if rows:
            df = pd.DataFrame(rows)
            cols = [Column("group", "Partnership"), Column("n", "Survey respondents", "int"),
                    Column("members", "Members", "int"), Column("response_rate", "Roster answered", "pct")]
            for rel, c in pairs:
                cols += [Column(f"{c}__mean", f"{study.label(c)}: M", "num"),
                         Column(f"{rel}__density", f"{rel.replace('_', ' ').capitalize()}: density", "prop")]
            # across partnerships: does the survey score go with the network measure of the same antecedent?
            corr_rows = []
            for rel, c in pairs:
                r = correlations(df[[f"{c}__mean", f"{rel}__density"]])
                if len(r):
                    x = r.iloc[0]
                    corr_rows.append({"construct": study.label(c), "relation": rel.replace("_", " "), "n": x["n"],
                                      "r": x["r"], "ci_lower": x["ci_lower"], "ci_upper": x["ci_upper"], "p": x["p"]})
            if corr_rows:
                cr = pd.DataFrame(corr_rows)
                part.para("Across partnerships, the survey score of each antecedent against the density of the roster "
                          "question that measures it: " + "; ".join(
                              f"{r.construct} and {r.relation} r = {fmt(r.r, 'prop')} [{fmt(r.ci_lower, 'prop')}, "
                              f"{fmt(r.ci_upper, 'prop')}], n = {int(r.n)}" for r in cr.itertuples(index=False)) + ".")
                part.table(Table("Networks and scores", cr, title="Survey scores and network density across "
                                                                  "partnerships",
                                 columns=[Column("construct", "Survey construct"), Column("relation", "Roster question"),
                                          Column("n", "Partnerships", "int"), Column("r", "r", "prop"),
                                          Column("ci_lower", "95% CI lower", "prop"),
                                          Column("ci_upper", "95% CI upper", "prop"), Column("p", "p", "p")],
                                 note="Pearson r over partnerships of the partnership mean and the density of the "
                                      "roster question measuring the same antecedent (Fisher-z interval)."))
            part.table(Table("Networks by partnership", df, title="Network density beside each partnership's survey "
                                                                  "score on the same antecedent", columns=cols,
                             note="M: the partnership's mean construct score (survey); density: the share of "
                                  "reported dyads with a tie on the roster question that measures that construct."),
                       html=len(df) <= 45)
            if len(df) > 45:
                part.para(f"The {len(df)} partnerships' densities beside their scores are in sheet 'Networks by "
                          "partnership' of report.xlsx.")
        elif not study.has_survey:
            part.para(f"Survey scores beside the networks: {NEED_SURVEY}.")
        for fig in _plots(study, net):
            part.figure(fig)
        full = nets.copy()
        part.table(Table("Network measures", full, title="Network measures per partnership and roster question"),
                   html=False)
        for w in net.warnings:
            part.para(f"Note: {w}")


def _plots(study, net) -> list:
    """Up to three partnerships' networks on the first roster question: those with interviews first, else the
    least and the most dense."""
    import tempfile
    from pathlib import Path

    from ..figures import Figure

    nets = net.networks
    if not len(nets):
        return []
    relation = nets["relation"].iloc[0]
    sub = nets[nets["relation"] == relation].sort_values("density")
    chosen: list[str] = []
    if study.has_qualitative:
        try:
            from .joint import partnership_key

            key = partnership_key(study) if study.has_survey else None
            if key is not None:
                chosen = [g for g in study.qual.cases[key].astype(str) if g in set(sub["group"].astype(str))]
        except Exception:  # noqa: BLE001 - pictures are a bonus; never fail the section over them
            chosen = []
    if not chosen:
        chosen = [str(sub["group"].iloc[0]), str(sub["group"].iloc[-1])]
    chosen = list(dict.fromkeys(chosen))[:MAX_PLOTS]
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        files = net.plot(tmp, formats=("png", "svg"), groups=chosen, relations=[relation])
        by_stem = {}
        for f in files:
            by_stem.setdefault(Path(f).stem, {})[Path(f).suffix] = Path(f)
        for stem, pair in by_stem.items():
            if ".png" not in pair:
                continue
            group = stem.rsplit("_", 1)[0]
            row = sub[sub["group"].astype(str) == group]
            dens = fmt(row["density"].iloc[0], "prop") if len(row) else ""
            out.append(Figure(f"network-{stem}", f"Network of partnership {group}: {relation.replace('_', ' ')}",
                              pair[".png"].read_bytes(), pair[".svg"].read_text(encoding="utf-8")
                              if ".svg" in pair else "",
                              note=f"Density {dens}. Node colour: expertise; size: how many members named the person; "
                                   "arrows from the one who answered to the one named; hollow: did not answer the "
                                   "roster.", width_px=int(8.6 * 150 * 0.8)))
    return out
