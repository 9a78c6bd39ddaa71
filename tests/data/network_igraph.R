# Reference values for tests/test_network.py, computed with R igraph (1.3.5).
# Run from the repository root:  Rscript tests/data/network_igraph.R
# Generates partnerships (set.seed below) and writes
#   tests/data/network_members.csv  group, member_id, name, organisation, expertise
#   tests/data/network_edges.csv    group, ego, alter, relation, weight   (one row per reported dyad)
#   tests/data/network_igraph.json  the measures per group and relation, as igraph computes them
# The tests read only these files.
suppressPackageStartupMessages({library(igraph); library(jsonlite)})
set.seed(20260513)
cats <- c("manager", "consultant", "academic", "commissioner")

members <- list(); edges <- list()
add_group <- function(g, n, respond, weights) {
  # weights: list(relation = n x n matrix of answers, NA = not answered); rows of non-respondents are ignored
  ids <- sprintf("%s_m%02d", g, seq_len(n))
  members[[g]] <<- data.frame(group = g, member_id = ids, name = paste("Member", seq_len(n), "of", g),
                              organisation = paste0("Org", sample(1:3, n, TRUE)),
                              expertise = sample(cats, n, TRUE), stringsAsFactors = FALSE)
  for (rel in names(weights)) {
    w <- weights[[rel]]
    for (i in seq_len(n)) {
      if (!respond[i]) next
      for (j in seq_len(n)) {
        if (i == j || is.na(w[i, j])) next
        edges[[length(edges) + 1]] <<- data.frame(group = g, ego = ids[i], alter = ids[j], relation = rel,
                                                 weight = w[i, j], stringsAsFactors = FALSE)
      }
    }
  }
}
full <- function(n, value) { m <- matrix(value, n, n); diag(m) <- NA; m }
rand <- function(n, p, levels = 1) {
  m <- matrix(rbinom(n * n, 1, p), n, n) * if (levels > 1) matrix(sample(1:levels, n * n, TRUE), n, n) else 1
  diag(m) <- NA; m
}

# empty and complete networks
add_group("empty", 5, rep(TRUE, 5), list(exchange = full(5, 0), leadership = full(5, 0)))
add_group("complete", 5, rep(TRUE, 5), list(exchange = full(5, 4), leadership = full(5, 1)))
# a star: everyone looks to member 1 for leadership (who names no one); member 1 exchanges with all (both ways)
s <- full(6, 0); s[2:6, 1] <- 1
x <- full(6, 0); x[1, 2:6] <- 3; x[2:6, 1] <- 2
add_group("star", 6, rep(TRUE, 6), list(exchange = x, leadership = s))
# a two-member partnership: one-way leadership, reciprocated exchange
add_group("pair", 2, c(TRUE, TRUE), list(exchange = matrix(c(NA, 2, 1, NA), 2), leadership = matrix(c(NA, 0, 1, NA), 2)))
# weighted random networks of several sizes and densities
for (k in 1:6) {
  n <- c(3, 4, 7, 9, 10, 12)[k]
  add_group(sprintf("rand%d", k), n, rep(TRUE, n),
            list(exchange = rand(n, c(.2, .5, .35, .6, .3, .45)[k], levels = 4),
                 leadership = rand(n, c(.3, .4, .2, .15, .25, .1)[k])))
}
# missing respondents: two of eight and one of six did not answer; one respondent skipped one member
add_group("missing2", 8, c(TRUE, FALSE, TRUE, TRUE, FALSE, TRUE, TRUE, TRUE),
          list(exchange = rand(8, .4, levels = 4), leadership = rand(8, .3)))
m6x <- rand(6, .5, levels = 4); m6x[3, 5] <- NA
add_group("missing1", 6, c(TRUE, TRUE, TRUE, TRUE, FALSE, TRUE), list(exchange = m6x, leadership = rand(6, .35)))
# a partnership where nobody answered
add_group("silent", 4, rep(FALSE, 4), list(exchange = full(4, 1), leadership = full(4, 1)))

members <- do.call(rbind, members); edges <- do.call(rbind, edges)
write.csv(members, "tests/data/network_members.csv", row.names = FALSE)
write.csv(edges, "tests/data/network_edges.csv", row.names = FALSE)

centr <- function(g) c(
  degree = centr_degree(as.undirected(g, mode = "collapse"), loops = FALSE, normalized = TRUE)$centralization,
  indegree = centr_degree(g, mode = "in", loops = FALSE, normalized = TRUE)$centralization,
  outdegree = centr_degree(g, mode = "out", loops = FALSE, normalized = TRUE)$centralization)
tie_graph <- function(d, ids) graph_from_data_frame(d[d$weight > 0, c("ego", "alter")], directed = TRUE,
                                                     vertices = data.frame(name = ids))
out <- list()
for (g in unique(members$group)) {
  ids <- members$member_id[members$group == g]
  n <- length(ids)
  ex <- members$expertise[members$group == g]
  blau <- 1 - sum(prop.table(table(ex))^2)
  for (rel in c("exchange", "leadership")) {
    d <- edges[edges$group == g & edges$relation == rel, ]
    resp <- unique(d$ego)
    dyads <- nrow(d); ties <- sum(d$weight > 0)
    gr <- tie_graph(d, ids)
    rec <- reciprocity(induced_subgraph(gr, resp))   # ties among respondents (mode "default", loops ignored)
    complete <- dyads == n * (n - 1)
    ce <- if (complete) centr(gr) else c(degree = NA, indegree = NA, outdegree = NA)
    # reconstruction: an unreported i -> j takes j's answer about i; a dyad neither answered is 0
    key <- paste(d$ego, d$alter)
    rows <- list(); imputed <- 0; unobserved <- 0
    for (i in ids) for (j in ids) {
      if (i == j) next
      k <- match(paste(i, j), key); r <- match(paste(j, i), key)
      w <- if (!is.na(k)) d$weight[k] else if (!is.na(r)) { imputed <- imputed + 1; d$weight[r] } else
        { unobserved <- unobserved + 1; 0 }
      rows[[length(rows) + 1]] <- data.frame(ego = i, alter = j, weight = w)
    }
    recon <- if (length(rows)) do.call(rbind, rows) else data.frame(ego = character(), alter = character(), weight = numeric())
    cr <- centr(tie_graph(recon, ids))
    out[[length(out) + 1]] <- list(
      group = g, relation = rel, members = n, respondents = length(resp), dyads = dyads, ties = ties,
      density = if (dyads) ties / dyads else NA, reciprocity = rec,
      degree_centralization = unname(ce["degree"]), indegree_centralization = unname(ce["indegree"]),
      outdegree_centralization = unname(ce["outdegree"]),
      mean_weight = if (dyads) mean(d$weight) else NA, expertise_heterogeneity = blau,
      reconstructed = list(degree_centralization = unname(cr["degree"]),
                           indegree_centralization = unname(cr["indegree"]),
                           outdegree_centralization = unname(cr["outdegree"]),
                           imputed_dyads = imputed, unobserved_dyads = unobserved))
  }
}
res <- list(provenance = list(
  r = R.version.string, igraph = as.character(packageVersion("igraph")),
  calls = c("density = ties / nrow(reported dyads)",
            "reciprocity(induced_subgraph(g, respondents)) with g = graph_from_data_frame(ties with weight > 0, vertices = members)",
            "centr_degree(as.undirected(g, mode = 'collapse'), loops = FALSE, normalized = TRUE)$centralization",
            "centr_degree(g, mode = 'in' / 'out', loops = FALSE, normalized = TRUE)$centralization (only when all n(n-1) dyads were reported)",
            "mean(weight) over reported dyads", "1 - sum(prop.table(table(expertise))^2)",
            "reconstructed: unreported i->j := reported j->i, else 0; then the same centr_degree calls")),
  networks = out)
writeLines(toJSON(res, auto_unbox = TRUE, digits = NA, na = "null", pretty = TRUE), "tests/data/network_igraph.json")
