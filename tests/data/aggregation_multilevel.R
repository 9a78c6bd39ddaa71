# Reference values for tests/test_aggregation.py, computed with R's multilevel package.
# Run from the repository root:  Rscript tests/data/aggregation_multilevel.R
# Writes tests/data/aggregation_multilevel.json. Reads the same CSV files the tests read.
suppressPackageStartupMessages({library(multilevel); library(jsonlite)})

bh <- read.csv("tests/data/bh1996.csv")
lq <- read.csv("tests/data/lq2002.csv")
edge <- read.csv("tests/data/aggregation_edge.csv")
lead_items <- paste0("LEAD", sprintf("%02d", 1:11))
calls <- list()
out <- list()

icc_pair <- function(y, g) { m <- aov(y ~ as.factor(g)); c(icc1 = ICC1(m), icc2 = ICC2(m)) }
grp_frame <- function(df, value) list(group = as.character(df$grpid), value = unname(df[[value]]),
                                       n = unname(if ("gsize" %in% names(df)) df$gsize else df$nraters))

# 1. ICC(1)/ICC(2) in bh1996 (99 groups) and lq2002 (49 companies)
calls$icc <- "ICC1(aov(y ~ as.factor(GRP), data = bh1996)); ICC2(same); likewise lq2002 with COMPID"
out$icc_bh1996 <- lapply(setNames(nm = c("HRS", "COHES", "LEAD", "WBEING")),
                         function(v) as.list(icc_pair(bh[[v]], bh$GRP)))
out$icc_lq2002 <- lapply(setNames(nm = c("LEAD", "TSIG", "HOSTILE")),
                         function(v) as.list(icc_pair(lq[[v]], lq$COMPID)))
# the toolkit scores a construct as the row mean of its items: ICCs of rowMeans(LEAD01..LEAD11)
calls$icc_lead_items <- "ICC1(aov(rowMeans(lq2002[, LEAD01:LEAD11]) ~ as.factor(COMPID)))"
out$icc_lq2002_lead_items <- as.list(icc_pair(rowMeans(lq[, lead_items]), lq$COMPID))

# 2. rwg(j) against the uniform null, A = 5 (ranvar 2)
calls$rwg_j <- "rwg.j(lq2002[, LEAD01:LEAD11], lq2002$COMPID, ranvar = 2)"
r <- rwg.j(lq[, lead_items], lq$COMPID, ranvar = 2)
out$rwg_j_lead <- c(grp_frame(r, "rwg.j"), mean = mean(r$rwg.j), median = median(r$rwg.j))
calls$rwg_lead <- "rwg(lq2002$LEAD, lq2002$COMPID, ranvar = 2)"
r <- rwg(lq$LEAD, lq$COMPID, ranvar = 2)
out$rwg_LEAD <- c(grp_frame(r, "rwg"), mean = mean(r$rwg), median = median(r$rwg))
calls$rwg_lead03 <- "rwg(lq2002$LEAD03, lq2002$COMPID, ranvar = 2)"
r <- rwg(lq$LEAD03, lq$COMPID, ranvar = 2)
out$rwg_LEAD03 <- c(grp_frame(r, "rwg"), mean = mean(r$rwg))

# 3. skewed nulls (LeBreton & Senter 2008: 5-point slight skew 1.34, moderate skew 0.90)
calls$rwg_j_slight <- "rwg.j(lq2002[, LEAD01:LEAD11], lq2002$COMPID, ranvar = 1.34)"
r <- rwg.j(lq[, lead_items], lq$COMPID, ranvar = 1.34)
out$rwg_j_lead_slight_skew <- grp_frame(r, "rwg.j")
calls$rwg_moderate <- "rwg(lq2002$LEAD03, lq2002$COMPID, ranvar = 0.90)"
r <- rwg(lq$LEAD03, lq$COMPID, ranvar = 0.90)
out$rwg_LEAD03_moderate_skew <- grp_frame(r, "rwg")

# 4. awg (Brown & Hauenstein 2005)
calls$awg_items <- "awg(lq2002[, LEAD01:LEAD11], lq2002$COMPID, range = c(1, 5))"
r <- awg(lq[, lead_items], lq$COMPID, range = c(1, 5))
out$awg_lead <- grp_frame(r, "a.wg")
calls$awg_item <- "awg(lq2002$LEAD03, lq2002$COMPID, range = c(1, 5))"
r <- awg(lq$LEAD03, lq$COMPID, range = c(1, 5))
out$awg_LEAD03 <- grp_frame(r, "a.wg")

# 5. missing data: NA injected by row number (1-based) i: LEAD01 if i %% 7 == 0, LEAD05 if i %% 11 == 0,
#    COMPID if i %% 13 == 0. multilevel 2.7's rwg.j deletes listwise; multilevel >= 2.8's default
#    (listwise = FALSE) averages per-item variances computed with na.rm = TRUE, written out here in plain R.
lqm <- lq
i <- seq_len(nrow(lqm))
lqm$LEAD01[i %% 7 == 0] <- NA
lqm$LEAD05[i %% 11 == 0] <- NA
lqm$COMPID[i %% 13 == 0] <- NA
calls$missing <- paste("NA injected: LEAD01 where row %% 7 == 0, LEAD05 where row %% 11 == 0, COMPID where row %% 13 == 0;",
                       "rwg.j(lqm[, LEAD01:LEAD11], lqm$COMPID) (2.7: listwise);",
                       "pairwise: S <- mean(apply(Q, 2, var, na.rm = TRUE)); min(S, 2); J(1-S/2)/(J(1-S/2)+S/2) per group;",
                       "rwg(lqm$LEAD01, lqm$COMPID); ICC1/ICC2(aov(rowMeans(lqm[, LEAD01:LEAD11], na.rm = TRUE) ~ as.factor(COMPID)))")
r <- rwg.j(lqm[, lead_items], lqm$COMPID, ranvar = 2)
out$missing_rwg_j_listwise <- grp_frame(r, "rwg.j")
keep <- !is.na(lqm$COMPID)
split_items <- split(lqm[keep, lead_items], lqm$COMPID[keep])
pw <- sapply(split_items, function(Q) {
  J <- ncol(Q); S <- min(mean(apply(Q, 2, var, na.rm = TRUE)), 2)
  (J * (1 - S / 2)) / (J * (1 - S / 2) + S / 2)
})
out$missing_rwg_j_pairwise <- list(group = names(pw), value = unname(pw),
                                   n = unname(sapply(split_items, nrow)))
r <- rwg(lqm$LEAD01, lqm$COMPID, ranvar = 2)
out$missing_rwg_LEAD01 <- grp_frame(r, "rwg")
out$missing_icc_lead_items <- as.list(icc_pair(rowMeans(lqm[, lead_items], na.rm = TRUE), lqm$COMPID))

# a group whose every score is missing: aov keeps the empty factor level, but it adds no degree of freedom
calls$empty_group_icc <- "bh <- bh1996; bh$WBEING[bh$GRP == 1] <- NA; ICC1/ICC2(aov(WBEING ~ as.factor(GRP), data = bh))"
bh_empty <- bh
bh_empty$WBEING[bh_empty$GRP == 1] <- NA
out$empty_group_icc_wbeing <- as.list(icc_pair(bh_empty$WBEING, bh_empty$GRP))

# 6. edge cases: a group of one (NA), a group giving constant answers (1), out-of-range variance (0)
calls$edge <- "rwg.j(edge[, c('X1','X2','X3')], edge$G, ranvar = 2); rwg(edge$X1, edge$G, ranvar = 2); awg(edge[, c('X1','X2','X3')], edge$G, range = c(1, 5)); ICC1/ICC2(aov(rowMeans(edge[, X1:X3]) ~ as.factor(G)))"
r <- rwg.j(edge[, c("X1", "X2", "X3")], edge$G, ranvar = 2)
out$edge_rwg_j <- grp_frame(r, "rwg.j")
r <- rwg(edge$X1, edge$G, ranvar = 2)
out$edge_rwg_X1 <- grp_frame(r, "rwg")
r <- awg(edge[, c("X1", "X2", "X3")], edge$G, range = c(1, 5))
out$edge_awg <- grp_frame(r, "a.wg")
out$edge_icc <- as.list(icc_pair(rowMeans(edge[, c("X1", "X2", "X3")]), edge$G))

doc <- list(
  provenance = list(
    r_version = R.version.string,
    multilevel_version = as.character(packageVersion("multilevel")),
    script = "tests/data/aggregation_multilevel.R",
    data = list(bh1996 = "tests/data/bh1996.csv (multilevel::bh1996, Bliese & Halverson 1996)",
                lq2002 = "tests/data/lq2002.csv (multilevel::lq2002, Bliese, Halverson & Schriesheim 2002)",
                edge = "tests/data/aggregation_edge.csv (written for these tests)"),
    calls = calls),
  values = out)
writeLines(toJSON(doc, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"),
           "tests/data/aggregation_multilevel.json")
