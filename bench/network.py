"""Speed of toolkit.network against R igraph on the same edge list (same run), and their agreement.

2,000 partnerships of 4-20 members (all respond), two relations (a weighted 0-4 exchange and a binary
leadership roster), about 0.8 million reported dyads. ``toolkit.network`` reads and checks the edge list against
the members file and computes every measure per partnership and relation; the baseline is an R loop over the
same partnerships with igraph 1.3.5 (``graph_from_data_frame``, ``reciprocity``, three ``centr_degree`` calls,
density and mean weight), timed inside R from a data frame already in memory. Needs ``Rscript`` with igraph.

    python bench/network.py [N_PARTNERSHIPS]
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from timing import best_of  # bench/ is on sys.path when run as a script

R_CODE = r"""
suppressPackageStartupMessages({library(igraph); library(jsonlite)})
args <- commandArgs(TRUE)
e <- read.csv(args[1], stringsAsFactors = FALSE); m <- read.csv(args[2], stringsAsFactors = FALSE)
t0 <- proc.time()[["elapsed"]]
eg <- split(e, paste(e$group, e$relation)); mg <- split(m$member_id, m$group)
out <- lapply(names(eg), function(k) {
  d <- eg[[k]]; ids <- mg[[d$group[1]]]
  g <- graph_from_data_frame(d[d$weight > 0, c("ego", "alter")], directed = TRUE, vertices = data.frame(name = ids))
  list(group = d$group[1], relation = d$relation[1], density = sum(d$weight > 0) / nrow(d),
       reciprocity = reciprocity(g), mean_weight = mean(d$weight),
       degree = centr_degree(as.undirected(g, mode = "collapse"), loops = FALSE)$centralization,
       indegree = centr_degree(g, mode = "in", loops = FALSE)$centralization,
       outdegree = centr_degree(g, mode = "out", loops = FALSE)$centralization)
})
elapsed <- proc.time()[["elapsed"]] - t0
writeLines(toJSON(list(seconds = elapsed, networks = out), auto_unbox = TRUE, digits = NA, na = "null"), args[3])
"""


def simulate(n_groups: int, seed: int = 3):
    rng = np.random.default_rng(seed)
    members, edges = [], []
    for g in range(n_groups):
        n = int(rng.integers(4, 21))
        ids = [f"G{g}_{i}" for i in range(n)]
        members += [(f"G{g}", m, rng.choice(["manager", "academic", "consultant"])) for m in ids]
        p = rng.uniform(0.1, 0.7)
        for i, a in enumerate(ids):
            for j, b in enumerate(ids):
                if i != j:
                    edges.append((f"G{g}", a, b, "exchange", int(rng.random() < p) * int(rng.integers(1, 5))))
                    edges.append((f"G{g}", a, b, "leadership", int(rng.random() < p / 2)))
    return (pd.DataFrame(members, columns=["group", "member_id", "expertise"]),
            pd.DataFrame(edges, columns=["group", "ego", "alter", "relation", "weight"]))


def main(n_groups: int = 2000) -> None:
    import toolkit

    if shutil.which("Rscript") is None:
        sys.exit("Rscript not found: the baseline is R igraph")
    members, edges = simulate(n_groups)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        members.to_csv(tmp / "m.csv", index=False)
        edges.to_csv(tmp / "e.csv", index=False)
        (tmp / "bench.R").write_text(R_CODE)
        t0 = time.perf_counter()
        subprocess.run(["Rscript", str(tmp / "bench.R"), str(tmp / "e.csv"), str(tmp / "m.csv"),
                        str(tmp / "r.json")], check=True)
        r_total = time.perf_counter() - t0
        ref = json.loads((tmp / "r.json").read_text())
        ours, res = best_of(lambda: toolkit.network(tmp / "e.csv", members=tmp / "m.csv"), repeat=2)
    r_rows = {(x["group"], x["relation"]): x for x in ref["networks"]}
    worst = 0.0
    for row in res.networks.to_dict("records"):
        x = r_rows[(row["group"], row["relation"])]
        for a, b in (("density", "density"), ("reciprocity", "reciprocity"), ("mean_weight", "mean_weight"),
                     ("degree_centralization", "degree"), ("indegree_centralization", "indegree"),
                     ("outdegree_centralization", "outdegree")):
            if x[b] is not None:
                worst = max(worst, abs(row[a] - x[b]))
    print(f"{n_groups} partnerships, {len(members):,} members, {len(edges):,} reported dyads, 2 relations")
    print(f"toolkit.network (read + check CSV + all measures): {ours:.2f} s")
    print(f"R igraph loop over the same networks (in memory):  {ref['seconds']:.2f} s "
          f"(Rscript incl. start-up and read.csv: {r_total:.2f} s)")
    print(f"ratio toolkit / igraph loop: {ours / ref['seconds']:.2f}; largest difference in any measure: {worst:.1e}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000)
