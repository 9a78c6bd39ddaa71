"""Network measures of one partnership and relation, one function per statistic.

Each takes a :class:`networkx.DiGraph` whose nodes are the partnership's members and whose edges are its ties
(answers with weight > 0, ``weight`` attribute = the answer), or plain numbers, and reproduces R igraph 1.3.5
(checked in ``tests/test_network.py`` against ``tests/data/network_igraph.json``):

* :func:`density`: ties / reported dyads.
* :func:`reciprocity`: share of ties that are reciprocated, igraph's ``reciprocity(g)`` (mode "default",
  loops ignored): |{(i, j) in E : (j, i) in E}| / |E|.
* :func:`freeman_centralization`: Freeman's (1979) degree centralization Σ(max d − d_i) / T with igraph's
  theoretical maximum for ``centr_degree(g, mode, loops = FALSE, normalized = TRUE)``: T = (n − 1)(n − 2) on
  the undirected network, (n − 1)² for in- or out-degree of a directed one.
* :func:`blau_index`: Blau's (1977) heterogeneity 1 − Σ p_k² over the members' categories.
* :func:`reconstruct`: the usual reconstruction of a non-respondent's ties from what others report about them
  (Stork & Richards 1992; Huisman 2009).

Example::

    >>> import networkx as nx
    >>> star = nx.DiGraph([(1, 0), (2, 0), (3, 0)])
    >>> round(indegree_centralization(star), 3), reciprocity(star)
    (1.0, 0.0)
"""
from __future__ import annotations

import math
from collections import Counter

import networkx as nx

REFERENCES = {
    "freeman1979": "Freeman, L. C. (1979). Centrality in social networks: Conceptual clarification. Social "
                   "Networks, 1(3), 215-239.",
    "blau1977": "Blau, P. M. (1977). Inequality and heterogeneity. Free Press.",
    "huisman2009": "Huisman, M. (2009). Imputation of missing network data: Some simple procedures. Journal of "
                   "Social Structure, 10(1), 1-29.",
    "carson2007": "Carson, J. B., Tesluk, P. E., & Marrone, J. A. (2007). Shared leadership in teams: An "
                  "investigation of antecedent conditions and performance. Academy of Management Journal, 50(5), "
                  "1217-1234.",
    "csardi2006": "Csardi, G., & Nepusz, T. (2006). The igraph software package for complex network research. "
                  "InterJournal, Complex Systems, 1695.",
}


def density(ties: int, dyads: int) -> float:
    """Ties over reported dyads (NaN when nothing was reported).

    >>> density(6, 12)
    0.5
    """
    return ties / dyads if dyads else math.nan


def reciprocity(graph: nx.DiGraph) -> float:
    """Share of ties whose reverse is also a tie, as igraph's ``reciprocity()`` (NaN without ties).

    >>> reciprocity(nx.DiGraph([(1, 2), (2, 1), (1, 3)]))
    0.6666666666666666
    """
    edges = [(a, b) for a, b in graph.edges() if a != b]  # loops ignored, as igraph
    if not edges:
        return math.nan
    present = set(edges)
    return sum((b, a) in present for a, b in edges) / len(edges)


def freeman_centralization(degrees, directed: bool) -> float:
    """Σ(max d − d_i) over the theoretical maximum of igraph's ``centr_degree(..., loops = FALSE)``.

    *degrees* lists every member's degree; *directed* picks T = (n − 1)² (in- or out-degree) instead of
    T = (n − 1)(n − 2) (undirected). NaN where T = 0 (a network of one member, or two undirected).

    >>> freeman_centralization([3, 1, 1, 1], directed=False)
    1.0
    """
    d = [float(x) for x in degrees]
    n = len(d)
    if n == 0:
        return math.nan
    tmax = (n - 1) ** 2 if directed else (n - 1) * (n - 2)
    total = sum(max(d) - x for x in d)
    if tmax == 0:
        return math.nan
    return total / tmax


def indegree_centralization(graph: nx.DiGraph) -> float:
    """Freeman in-degree centralization of a directed network (``centr_degree(g, "in", loops = FALSE)``)."""
    return freeman_centralization([d for _, d in graph.in_degree()], directed=True)


def outdegree_centralization(graph: nx.DiGraph) -> float:
    """Freeman out-degree centralization of a directed network (``centr_degree(g, "out", loops = FALSE)``)."""
    return freeman_centralization([d for _, d in graph.out_degree()], directed=True)


def degree_centralization(graph: nx.DiGraph) -> float:
    """Freeman degree centralization of the union-symmetrised network: i and j are tied when either names the
    other (igraph: ``centr_degree(as.undirected(g, "collapse"), loops = FALSE)``)."""
    degrees = [len((set(graph.successors(v)) | set(graph.predecessors(v))) - {v}) for v in graph.nodes]
    return freeman_centralization(degrees, directed=False)


def blau_index(categories) -> float:
    """Blau's heterogeneity index 1 − Σ p_k² over the given categories (blanks ignored; NaN if none).

    >>> blau_index(["manager", "manager", "academic", "consultant"])
    0.625
    """
    values = [c for c in categories if c is not None and str(c).strip() != ""]
    if not values:
        return math.nan
    n = len(values)
    return 1.0 - sum((k / n) ** 2 for k in Counter(values).values())


def reconstruct(members, reported: dict) -> tuple[dict, int, int]:
    """Fill every unreported ordered dyad (i, j) with the answer j gave about i; a dyad neither answered is 0.

    *reported* maps ``(ego, alter)`` to weight. Returns ``(weights of all n(n − 1) dyads, imputed dyads,
    dyads still unobserved and set to 0)``.

    >>> w, imputed, unobserved = reconstruct(["a", "b", "c"], {("a", "b"): 1.0, ("b", "a"): 0.0, ("a", "c"): 2.0})
    >>> w[("c", "a")], imputed, unobserved
    (2.0, 1, 2)
    """
    full, imputed, unobserved = {}, 0, 0
    for i in members:
        for j in members:
            if i == j:
                continue
            if (i, j) in reported:
                full[(i, j)] = reported[(i, j)]
            elif (j, i) in reported:
                full[(i, j)] = reported[(j, i)]
                imputed += 1
            else:
                full[(i, j)] = 0.0
                unobserved += 1
    return full, imputed, unobserved


def tie_graph(members, weights: dict) -> nx.DiGraph:
    """A directed graph of *members* with an edge for every dyad of weight > 0 (``weight`` attribute)."""
    g = nx.DiGraph()
    g.add_nodes_from(members)
    g.add_weighted_edges_from((i, j, w) for (i, j), w in weights.items() if w > 0)
    return g
