"""Pictures of partnership networks: one PNG (and SVG) per partnership and relation.

Node colour = expertise category (one colour per category across all pictures, colour-blind-safe Okabe-Ito
palette), node size = in-degree (how many members named the person), edge width = weight (the answer), arrows
point from the one who answered to the one named; ties answered both ways are drawn as two arcs. Members who did
not answer the roster are hollow with a dashed outline. The layout is a spring layout of the partnership's
ties over all relations with a fixed seed, so a partnership's members sit in the same place in every picture
of it and the pictures are the same on every run. The title carries the relation (and the antecedent it
measures), the subtitle the response rate and the measures.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
OTHER = "#999999"
EDGE = "#4D4D4D"


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", str(text)).strip("_") or "x"


def _short(name: str, limit: int = 16) -> str:
    parts = str(name).split()
    if len(name) > limit and len(parts) > 1:
        name = f"{parts[0][0]}. {' '.join(parts[1:])}"
    return name if len(name) <= limit else name[:limit - 1] + "…"


def _fmt(x) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.2f}"


def _layout(nodes, ties, seed: int):
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(nodes)
    for a, b in zip(ties["ego"], ties["alter"]):
        w = g.get_edge_data(a, b, {"weight": 0})["weight"]
        g.add_edge(a, b, weight=w + 1)
    n = max(len(nodes), 1)
    pos = nx.spring_layout(g, seed=seed, k=2.2 / math.sqrt(n), iterations=300, weight="weight")
    if n == 1:
        pos = {nodes[0]: (0.0, 0.0)}
    return pos


def _draw(fig, result, group: str, relation: str, pos, colours: dict, max_weight: float, row: dict):
    import networkx as nx
    from matplotlib.lines import Line2D

    nodes = result.nodes[(result.nodes["group"] == group) & (result.nodes["relation"] == relation)]
    ties = result.ties[(result.ties["group"] == group) & (result.ties["relation"] == relation)]
    ax = fig.add_axes([0.03, 0.05, 0.70, 0.78])
    ax.set_axis_off()
    g = nx.DiGraph()
    g.add_nodes_from(nodes["member"])
    pairs = set(zip(ties["ego"], ties["alter"]))
    max_in = max(int(nodes["in_degree"].max()) if len(nodes) else 0, 1)
    sizes = {m: 220 + 900 * d / max_in for m, d in zip(nodes["member"], nodes["in_degree"])}

    def width(w):  # thin for a yes/no tie; from 0.8 (lowest answer) to 3.6 points on a frequency scale
        return 1.1 if max_weight <= 1 else 0.8 + 2.8 * (w - 1) / (max_weight - 1)

    n = len(nodes)
    alpha = 0.6 if n <= 10 else 0.45 if n <= 20 else 0.3
    for imputed in (False, True):
        for mutual in (False, True):
            sub = ties[(ties["imputed"] == imputed)]
            edges = [(a, b, w) for a, b, w in zip(sub["ego"], sub["alter"], sub["weight"])
                     if ((b, a) in pairs) == mutual]
            if not edges:
                continue
            nx.draw_networkx_edges(
                g, pos, ax=ax, edgelist=[(a, b) for a, b, _ in edges], width=[width(w) for *_, w in edges],
                edge_color=EDGE, alpha=alpha if not imputed else alpha * 0.7, arrows=True, arrowstyle="-|>",
                arrowsize=11 if n <= 15 else 8, node_size=[sizes[m] for m in g.nodes], style="dashed" if imputed else "solid",
                connectionstyle=f"arc3,rad={0.14 if mutual else 0.0}")
    for responded in (True, False):
        sub = nodes[nodes["respondent"] == responded]
        if not len(sub):
            continue
        cols = [colours.get(e, OTHER) for e in sub["expertise"]]
        nx.draw_networkx_nodes(
            g, pos, ax=ax, nodelist=list(sub["member"]), node_size=[sizes[m] for m in sub["member"]],
            node_color=cols if responded else "white", edgecolors="#222222" if responded else cols,
            linewidths=0.8 if responded else 2.0)
        if not responded:  # dashed outline for members who did not answer
            ax.collections[-1].set_linestyle((0, (2, 1.5)))
    ys = [p[1] for p in pos.values()] or [0]
    span = (max(ys) - min(ys)) or 1.0
    for m, name in zip(nodes["member"], nodes["name"]):
        x, y = pos[m]
        r = math.sqrt(sizes[m]) / 2
        ax.annotate(_short(name), (x, y), xytext=(0, -r - 3), textcoords="offset points", ha="center", va="top",
                    fontsize=7.5, color="#222222", zorder=5,
                    bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none", "alpha": 0.85})
    ax.margins(0.12)
    ax.set_ylim(min(ys) - 0.12 * span - 0.08, max(ys) + 0.08 * span + 0.05)

    # title and subtitle
    antecedent = row.get("antecedent") or ""
    title = f"Partnership {group}: {relation.replace('_', ' ')}"
    if antecedent:
        title += f"  ({antecedent.replace('_', ' ')})"
    fig.text(0.03, 0.955, title, fontsize=13, fontweight="bold", ha="left", va="top")
    sub = (f"{row['respondents']} of {row['members']} members answered ({row['response_rate']:.0%})  ·  "
           f"density {_fmt(row['density'])}  ·  reciprocity {_fmt(row['reciprocity'])}  ·  "
           f"in-degree centralization {_fmt(row['indegree_centralization'])}"
           + {"reconstructed": " (reconstructed)", "undefined": " (not everyone answered)"}.get(
               row["centralization_basis"], ""))
    fig.text(0.03, 0.905, sub, fontsize=8.5, color="#444444", ha="left", va="top")

    # legends: expertise colours, answered or not, size and width keys
    lax = fig.add_axes([0.74, 0.05, 0.25, 0.80])
    lax.set_axis_off()
    present = [c for c in colours if c in set(nodes["expertise"])] + \
        (["(not given)"] if (nodes["expertise"] == "").any() else [])
    handles = [Line2D([], [], marker="o", ls="", markersize=9, markerfacecolor=colours.get(c, OTHER),
                      markeredgecolor="#222222", label=c.replace("_", " ")) for c in present]
    leg1 = lax.legend(handles=handles, title="Expertise", loc="upper left", frameon=False, fontsize=8,
                      title_fontsize=9, alignment="left")
    lax.add_artist(leg1)
    keys = [Line2D([], [], marker="o", ls="", markersize=9, markerfacecolor="#BBBBBB", markeredgecolor="#222222",
                   label="answered"),
            Line2D([], [], marker="o", ls="", markersize=9, markerfacecolor="white", markeredgecolor="#666666",
                   markeredgewidth=1.8, label="did not answer")]
    for d in sorted({0, max_in}):  # the true marker sizes: scatter area s is a diameter of sqrt(s) points
        keys.append(Line2D([], [], marker="o", ls="", markersize=math.sqrt(220 + 900 * d / max_in),
                           markerfacecolor="#DDDDDD", markeredgecolor="#888888", label=f"named by {d}"))
    weights = sorted({1.0, max_weight}) if max_weight else [1.0]
    names = (result.settings.get("answer_labels") or {}).get(relation, {})
    keys += [Line2D([], [], color=EDGE, alpha=0.7, lw=width(w), label=names.get(str(int(w)) if float(w).is_integer()
                                                                               else str(w), f"answer {w:g}"))
             for w in weights]
    if ties["imputed"].any():
        keys.append(Line2D([], [], color=EDGE, alpha=0.5, lw=1.2, ls="--", label="reconstructed tie"))
    lax.legend(handles=keys, title="Nodes and ties", loc="lower left", frameon=False, fontsize=8, title_fontsize=9,
               labelspacing=1.7, borderpad=0.2, handlelength=3.2, handletextpad=1.5, alignment="left")
    fig.text(0.03, 0.015, "Arrows point from the member who answered to the member named; size = times named; "
             "width = answer.", fontsize=7, color="#666666", ha="left", va="bottom")


def plot_networks(result, outdir, formats=("png", "svg"), seed: int = 7, groups=None, relations=None) -> list[Path]:
    """Draw every partnership (or *groups*) per relation (or *relations*) into *outdir* as
    ``<group>_<relation>.png`` / ``.svg``; returns the files written (each atomically).

    >>> res = toolkit.network("edges.csv", members="members.csv")      # doctest: +SKIP
    >>> plot_networks(res, "plots", groups=["P01"])                      # doctest: +SKIP
    """
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from ..errors import DataError
    from ..io import atomic_path

    outdir = Path(outdir)
    if outdir.exists() and not outdir.is_dir():
        raise DataError("is a file; --plot needs a folder", file=outdir, field="--plot")
    for fmt in formats:
        if fmt not in ("png", "svg", "pdf"):
            raise DataError(f"unknown picture format '{fmt}' (png, svg or pdf)", field="formats")
    outdir.mkdir(parents=True, exist_ok=True)
    cats = sorted({c for c in result.nodes["expertise"] if c}) if len(result.nodes) else []
    colours = {c: OKABE_ITO[i % len(OKABE_ITO)] for i, c in enumerate(cats)}
    top = result.ties.groupby("relation")["weight"].max().to_dict() if len(result.ties) else {}
    rows = {(r["group"], r["relation"]): r for r in result.networks.to_dict("records")}
    written = []
    wanted_groups = list(result.partnerships["group"]) if groups is None else list(groups)
    wanted_rel = list(dict.fromkeys(result.networks["relation"])) if relations is None else list(relations)
    with rc_context({"svg.hashsalt": "hls-toolkit", "font.family": "DejaVu Sans", "path.simplify": True}):
        for group in wanted_groups:
            nodes = result.nodes.loc[result.nodes["group"] == group, "member"].drop_duplicates().tolist()
            if not nodes:
                continue
            pos = _layout(nodes, result.ties[result.ties["group"] == group], seed)
            for relation in wanted_rel:
                if (group, relation) not in rows:
                    continue
                fig = Figure(figsize=(8.6, 6.2))
                FigureCanvasAgg(fig)
                _draw(fig, result, group, relation, pos, colours, float(top.get(relation, 1.0)),
                      rows[(group, relation)])
                for fmt in formats:
                    target = outdir / f"{_safe(group)}_{_safe(relation)}.{fmt}"
                    with atomic_path(target) as tmp:
                        meta = {"Date": None} if fmt == "svg" else ({"Software": None} if fmt == "png" else {})
                        fig.savefig(tmp, format=fmt, dpi=150, metadata=meta, facecolor="white")
                    written.append(target)
    return written
