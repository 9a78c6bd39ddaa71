"""Partnership networks from roster answers: one row of measures per partnership and relation.

:func:`network` takes the tidy edge list (group, ego, alter, relation, weight; one row per reported dyad, a tie
is weight > 0) and, optionally, the members file, and returns a :class:`NetworkResult`. Measures
(:mod:`toolkit.networks.measures`, each checked against R igraph 1.3.5):

* ``members``: the partnership's members (members file; without one, everyone who answers or is named);
  ``respondents``: members who answered this roster question about anyone; ``response_rate`` = their share;
  ``dyads``: reported (ordered) dyads; ``ties``: dyads with weight > 0.
* ``density`` = ties / reported dyads, i.e. ties / (respondents × (members − 1)) when every respondent answered
  about every other member.
* ``reciprocity``: igraph's ``reciprocity()`` over the ties among respondents (a tie to a non-respondent cannot
  be seen returned); equal to igraph on the whole network when everyone responded.
* ``degree_centralization`` (union-symmetrised network), ``indegree_centralization``,
  ``outdegree_centralization``: Freeman, normalised as igraph's ``centr_degree(..., loops = FALSE, normalized =
  TRUE)``. They need every member's ties, so they are computed only where all n(n − 1) dyads were reported,
  else NaN with a warning, unless ``reconstruct=True``: a non-respondent's tie to j is then taken from j's
  answer about them (dyads neither answered count as no tie; ``imputed_dyads``/``unobserved_dyads`` say how
  many). ``centralization_basis`` says which: ``reported``, ``reconstructed`` or ``undefined``.
* ``mean_weight``: mean answer over reported dyads (0 included).
* ``expertise_heterogeneity``: Blau's index 1 − Σp² over the members' expertise categories (members file).

Example::

    >>> import toolkit
    >>> res = toolkit.network("sample_data/survey/collective-data-use-network.csv",
    ...                       members="sample_data/survey/collective-data-use-members.csv")   # doctest: +SKIP
    >>> res.networks[["group", "relation", "density", "indegree_centralization"]].head()    # doctest: +SKIP
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import AnalysisError, DataError
from .edges import as_edges
from .members import Members, read_members

MEASURES = ("density", "reciprocity", "degree_centralization", "indegree_centralization",
            "outdegree_centralization", "mean_weight")
NETWORK_COLUMNS = ("group", "relation", "antecedent", "members", "respondents", "response_rate", "dyads", "ties",
                   *MEASURES, "expertise_heterogeneity", "centralization_basis", "imputed_dyads", "unobserved_dyads")
MIN_RESPONSE = 0.8


@dataclass
class NetworkResult:
    """What :func:`network` found.

    ``networks``: one row per partnership and relation (the measures above). ``partnerships``: one row per
    partnership (members, respondents to any roster question, response rate, ``low_response`` below the
    threshold, expertise heterogeneity). ``nodes``: one row per member and relation (respondent or not, ties
    sent and received, weight received), which the plots draw. ``ties``: the tie list drawn (reported ties,
    plus ``imputed`` ones with reconstruction).
    """

    networks: "pd.DataFrame"  # noqa: F821
    partnerships: "pd.DataFrame"  # noqa: F821
    nodes: "pd.DataFrame"  # noqa: F821
    ties: "pd.DataFrame"  # noqa: F821
    settings: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    members: Members | None = None

    def to_dict(self) -> dict:
        """The ``--json`` shape: ``{"networks": [...], "partnerships": [...], "settings", "warnings"}``."""
        return {"networks": _records(self.networks), "partnerships": _records(self.partnerships),
                "settings": dict(self.settings), "warnings": list(self.warnings)}

    def group_columns(self):
        """The partnership-level measures wide, one row per partnership: ``members``, ``respondents``,
        ``response_rate``, ``expertise_heterogeneity`` and ``<relation>_<measure>`` for every measure (for
        :func:`toolkit.aggregate`'s group dataset)."""
        import pandas as pd

        base = self.partnerships[["group", "members", "respondents", "response_rate",
                                  "expertise_heterogeneity"]].copy()
        base.columns = ["group"] + [f"network_{c}" for c in base.columns[1:]]
        for relation, sub in self.networks.groupby("relation", sort=False):
            wide = sub[["group", *MEASURES]].rename(columns={m: f"{relation}_{m}" for m in MEASURES})
            base = base.merge(wide, on="group", how="left")
        return pd.DataFrame(base)

    def __repr__(self) -> str:
        cols = ["group", "relation", "members", "respondents", "density", "reciprocity", "indegree_centralization"]
        return (f"NetworkResult({len(self.partnerships)} partnerships, "
                f"{self.networks['relation'].nunique() if len(self.networks) else 0} relations)\n"
                + self.networks[cols].to_string(index=False))

    def write(self, path) -> Path:
        """``.csv`` (the networks table), ``.json`` (as ``--json``) or ``.xlsx`` (networks, partnerships,
        nodes, notes), atomically."""
        from ..io import write_csv, write_json

        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".csv":
            write_csv(self.networks, path)
        elif suffix == ".json":
            write_json(_clean(self.to_dict()), path)
        elif suffix == ".xlsx":
            from .output import write_network_workbook

            write_network_workbook(self, path)
        else:
            raise DataError(f"cannot write '{suffix or path.name}' files (use .csv, .json or .xlsx)", file=path,
                            field="-o")
        return path

    def plot(self, outdir, formats=("png", "svg"), seed: int = 7, groups=None, relations=None) -> list[Path]:
        """Draw every partnership's (or *groups*') network per relation into *outdir*
        (:func:`toolkit.networks.plot.plot_networks`)."""
        from .plot import plot_networks

        return plot_networks(self, outdir, formats=formats, seed=seed, groups=groups, relations=relations)


def _clean(obj):
    import json

    from ..io import dumps_json

    return json.loads(dumps_json(obj))


def _records(df) -> list[dict]:
    out = []
    for rec in df.to_dict("records"):
        clean = {}
        for k, v in rec.items():
            if hasattr(v, "item"):
                v = v.item()
            if isinstance(v, float) and math.isnan(v):
                v = None
            clean[k] = v
        out.append(clean)
    return out


def _roster_info(instrument):
    """``({relation: antecedent}, {relation: {code: answer label}}, {relation: scale})`` from the instrument's
    roster questions (``None`` scales without an instrument)."""
    if instrument is None:
        return {}, {}, None
    from ..instruments.loader import load_instrument

    inst = load_instrument(instrument)
    if not inst.roster_questions:
        raise AnalysisError(f"instrument '{inst.id}' has no roster questions", field="--instrument")
    labels = {q.id: {str(p.code): inst.text(p.label) for p in inst.scales[q.scale].points}
              for q in inst.roster_questions}
    scales = {q.id: inst.scales[q.scale] for q in inst.roster_questions}
    return {q.id: q.antecedent for q in inst.roster_questions}, labels, scales


def network(edges, members=None, reconstruct: bool = False, min_response: float = MIN_RESPONSE,
            instrument=None) -> NetworkResult:
    """Network measures per partnership and roster question from a tidy edge list.

    *edges*: a CSV/XLSX path or a DataFrame with columns group, ego, alter, relation, weight. *members*: a
    members file path or :class:`~toolkit.networks.members.Members` (recommended: without it, members nobody
    names and who did not answer are invisible, and every ego and alter counts as a member). *reconstruct*
    fills non-respondents' ties from others' answers for the centralizations. Partnerships whose response rate
    is below *min_response* are flagged and warned about. *instrument* (name or YAML) labels each relation with
    the antecedent its roster question measures and checks each weight against the question's scale (a missing
    code such as 9 = "Can't say" is a dyad not answered).

    >>> import itertools, pandas as pd, toolkit
    >>> rows = [("T1", i, j, "leadership", int(j == "a")) for i, j in itertools.permutations("abcd", 2)]
    >>> res = toolkit.network(pd.DataFrame(rows, columns=["group", "ego", "alter", "relation", "weight"]))
    >>> res.networks[["density", "indegree_centralization", "outdegree_centralization"]].round(3).iloc[0].to_dict()
    {'density': 0.25, 'indegree_centralization': 1.0, 'outdegree_centralization': 0.111}
    """
    import pandas as pd

    from . import measures as M

    if not 0 <= float(min_response) <= 1:
        raise AnalysisError(f"the response-rate threshold must be between 0 and 1, got {min_response}",
                            field="--min-response")
    mem = read_members(members) if members is not None else None
    antecedent, answer_labels, scales = _roster_info(instrument)
    e = as_edges(edges, mem, scales)
    relations = list(dict.fromkeys(list(antecedent) + e["relation"].tolist()))
    if not relations:
        raise DataError("the edge list has no answered dyad", file=e.attrs.get("source"))
    groups = mem.groups if mem is not None else list(dict.fromkeys(e["group"]))
    by_group = {g: sub for g, sub in e.groupby("group", sort=False)}
    by_net = {k: sub for k, sub in e.groupby(["group", "relation"], sort=False)}
    warnings: list[str] = []
    net_rows, part_rows, node_rows, tie_rows = [], [], [], []
    undefined = []
    for g in groups:
        sub = by_group.get(g, e.iloc[0:0])
        if mem is not None:
            nodes = mem.of(g)
            cats = [mem.row(g, m)["expertise"] for m in nodes]
        else:
            nodes = list(dict.fromkeys(sub["ego"].tolist() + sub["alter"].tolist()))
            cats = []
        n = len(nodes)
        blau = M.blau_index(cats) if mem is not None and mem.has_expertise() else math.nan
        any_resp = set(sub["ego"])
        rate = len(any_resp) / n if n else math.nan
        low = bool(n and rate < min_response)
        part_rows.append({"group": g, "members": n, "respondents": len(any_resp), "response_rate": rate,
                          "low_response": low, "expertise_heterogeneity": blau})
        if low:
            warnings.append(f"{g}: {len(any_resp)} of {n} members answered the roster ({rate:.0%}, below "
                            f"{min_response:.0%}); network measures rest on part of the partnership")
        for rel in relations:
            rs = by_net.get((g, rel), e.iloc[0:0])
            reported = {(a, b): float(w) for a, b, w in zip(rs["ego"], rs["alter"], rs["weight"])}
            resp = list(dict.fromkeys(rs["ego"]))
            dyads = len(reported)
            ties = sum(w > 0 for w in reported.values())
            graph = M.tie_graph(nodes, reported)
            among = graph.subgraph(resp)  # a view: nothing is copied
            row = {"group": g, "relation": rel, "antecedent": antecedent.get(rel, ""), "members": n,
                   "respondents": len(resp), "response_rate": len(resp) / n if n else math.nan, "dyads": dyads,
                   "ties": ties, "density": M.density(ties, dyads), "reciprocity": M.reciprocity(among),
                   "mean_weight": float(sum(reported.values()) / dyads) if dyads else math.nan,
                   "expertise_heterogeneity": blau, "imputed_dyads": 0, "unobserved_dyads": 0}
            complete = dyads == n * (n - 1) and n > 0
            if complete or (reconstruct and n > 0):
                basis = "reported"
                full = graph
                if not complete:
                    weights, row["imputed_dyads"], row["unobserved_dyads"] = M.reconstruct(nodes, reported)
                    full = M.tie_graph(nodes, weights)
                    basis = "reconstructed"
                    tie_rows += [{"group": g, "relation": rel, "ego": a, "alter": b, "weight": w, "imputed": True}
                                 for (a, b), w in weights.items() if w > 0 and (a, b) not in reported]
                row.update(degree_centralization=M.degree_centralization(full),
                           indegree_centralization=M.indegree_centralization(full),
                           outdegree_centralization=M.outdegree_centralization(full), centralization_basis=basis)
            else:
                row.update(degree_centralization=math.nan, indegree_centralization=math.nan,
                           outdegree_centralization=math.nan, centralization_basis="undefined")
                if n:
                    undefined.append(f"{g}/{rel}")
            net_rows.append(row)
            tie_rows += [{"group": g, "relation": rel, "ego": a, "alter": b, "weight": w, "imputed": False}
                         for (a, b), w in reported.items() if w > 0]
            indeg, outdeg, answered = dict(graph.in_degree()), dict(graph.out_degree()), set(resp)
            strength = dict(graph.in_degree(weight="weight"))
            for m in nodes:
                info = mem.row(g, m) if mem is not None else {"name": "", "organisation": "", "expertise": ""}
                node_rows.append({"group": g, "relation": rel, "member": m, "name": info["name"] or m,
                                  "organisation": info["organisation"], "expertise": info["expertise"],
                                  "respondent": m in answered, "in_degree": indeg.get(m, 0),
                                  "out_degree": outdeg.get(m, 0), "in_weight": float(strength.get(m, 0.0))})
    if undefined:
        shown = ", ".join(undefined[:6]) + (", ..." if len(undefined) > 6 else "")
        warnings.append(f"centralization left undefined (NaN) for {len(undefined)} network(s) where not every "
                        f"member answered about every other ({shown}); use reconstruct=True (--reconstruct) to "
                        "fill non-respondents' ties from what others report about them")
    if mem is None:
        warnings.append("no members file: members are everyone who answered or was named, so members who did "
                        "neither are missing and the response rates are upper bounds (give --members)")
    if e.attrs.get("unanswered"):
        warnings.append(f"{e.attrs['unanswered']} row(s) without a weight were left out (dyads not answered)")
    networks = pd.DataFrame(net_rows, columns=list(NETWORK_COLUMNS))
    settings = {"edges": e.attrs.get("source"), "members": mem.path if mem is not None else None,
                "reconstruct": bool(reconstruct), "min_response": float(min_response),
                "partnerships": len(groups), "relations": relations}
    if answer_labels:
        settings["answer_labels"] = answer_labels
    return NetworkResult(networks=networks, partnerships=pd.DataFrame(part_rows),
                         nodes=pd.DataFrame(node_rows),
                         ties=pd.DataFrame(tie_rows, columns=["group", "relation", "ego", "alter", "weight",
                                                              "imputed"]),
                         settings=settings, warnings=warnings, members=mem)


def join_network(groups, group_column: str, network, notes: list[str] | None = None):
    """*groups* (one row per group) with the network measures of :meth:`NetworkResult.group_columns` added,
    matched on the group id as text; partnerships missing on either side are named in *notes*."""
    import pandas as pd

    result = network if isinstance(network, NetworkResult) else globals()["network"](network)
    wide = result.group_columns()
    key = groups[group_column].astype(str)
    wide = wide.assign(group=wide["group"].astype(str)).set_index("group")
    clash = [c for c in wide.columns if c in groups.columns]
    if clash:
        raise AnalysisError(f"network column(s) {', '.join(clash)} clash with the group dataset's columns",
                            field="--network")
    joined = pd.concat([groups.reset_index(drop=True),
                        wide.reindex(key.to_numpy()).reset_index(drop=True)], axis=1)
    if notes is not None:
        no_net = sorted(set(key) - set(wide.index))
        no_survey = sorted(set(wide.index) - set(key))
        if no_net:
            notes.append(f"{len(no_net)} group(s) have no roster network ({', '.join(no_net[:6])}"
                         f"{', ...' if len(no_net) > 6 else ''}); their network columns are empty")
        if no_survey:
            notes.append(f"{len(no_survey)} partnership(s) of the network have no survey answers and are not in the "
                         f"group dataset ({', '.join(no_survey[:6])}{', ...' if len(no_survey) > 6 else ''})")
        notes += [f"network: {w}" for w in result.warnings]
    return joined
