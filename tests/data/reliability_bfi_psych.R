# Reference values for tests/test_reliability.py, written to tests/data/reliability_bfi_psych.json.
# Run from the repository root:  Rscript tests/data/reliability_bfi_psych.R
# Reads bfi from tests/data/bfi.csv (not from the psych package) so R and Python see identical data.
suppressPackageStartupMessages({library(psych); library(jsonlite)})
bfi <- read.csv("tests/data/bfi.csv")
scales <- list(
  agree = c("-A1", "A2", "A3", "A4", "A5"),
  conscientious = c("C1", "C2", "C3", "-C4", "-C5"),
  extraversion = c("-E1", "-E2", "E3", "E4", "E5"),
  neuroticism = c("N1", "N2", "N3", "N4", "N5"),
  openness = c("O1", "-O2", "O3", "O4", "-O5"),
  pair = c("-A1", "A2")
)
one <- function(tokens, listwise) {
  items <- sub("^-", "", tokens)
  rev <- items[startsWith(tokens, "-")]
  x <- bfi[, items]
  if (listwise) x <- na.omit(x)
  a <- suppressWarnings(alpha(x, keys = rev))
  # the keyed data psych scores: (min + max) - x with min/max over all the scale's items
  xk <- x
  if (length(rev)) xk[, rev] <- (min(x, na.rm = TRUE) + max(x, na.rm = TRUE)) - x[, rev]
  om <- if (length(items) > 2) suppressMessages(suppressWarnings(omega(xk, nfactors = 1, plot = FALSE)))$omega.tot else NA
  tot <- a$total
  st <- a$item.stats
  dr <- a$alpha.drop
  rf <- a$response.freq
  list(
    items = tokens, n_rows = nrow(x),
    alpha = tot$raw_alpha, std_alpha = tot$std.alpha, g6 = tot[["G6(smc)"]], average_r = tot$average_r,
    sn = tot[["S/N"]], ase = tot$ase, mean = tot$mean, sd = tot$sd, median_r = tot$median_r,
    feldt = c(a$feldt$lower.ci[[1]], a$feldt$upper.ci[[1]]),
    duhachek = c(tot$raw_alpha - 1.96 * tot$ase, tot$raw_alpha + 1.96 * tot$ase),
    omega_total = om,
    item_stats = list(item = items, n = st$n, raw_r = st$raw.r, std_r = st$std.r, r_cor = st$r.cor,
                      r_drop = st$r.drop, mean = st$mean, sd = st$sd),
    alpha_drop = list(raw_alpha = dr$raw_alpha, std_alpha = dr$std.alpha, g6 = dr[["G6(smc)"]],
                      average_r = dr$average_r, sn = dr[["S/N"]], alpha_se = dr[["alpha se"]],
                      med_r = dr$med.r),
    response_freq = if (is.null(rf)) NULL else list(categories = colnames(rf), values = unname(split(unname(rf), seq_len(nrow(rf)))))
  )
}
out <- list(
  provenance = paste0(R.version.string, "; psych ", packageVersion("psych"),
    "; data tests/data/bfi.csv (psych bfi, 2800 x 28) read with read.csv; per scale: ",
    "psych::alpha(x, keys = <reversed item names>) with x = bfi[, items] (pairwise) or na.omit(bfi[, items]) (listwise), ",
    "and psych::omega(xk, nfactors = 1, plot = FALSE)$omega.tot on the keyed data xk = (min + max) - x for reversed items ",
    "(min/max over all the scale's items); ci 'duhachek' = raw_alpha -/+ 1.96 * ase as printed by psych; ",
    "script: tests/data/reliability_bfi_psych.R"),
  pairwise = lapply(scales, one, listwise = FALSE),
  listwise = lapply(scales, one, listwise = TRUE)
)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null"), "tests/data/reliability_bfi_psych.json")

# Instrument case: tests/data/reliability_mini.csv answers tests/data/mini-instrument.yaml (agree5: 1..5, 9 = Don't
# know). psych knows nothing of the instrument, so the R side does what `--instrument mini` must do: 9 -> NA,
# reverse SM3 and DR3 as 6 - x (the instrument's 1..5, although SM2's observed range is only 2..5), then alpha().
mini <- read.csv("tests/data/reliability_mini.csv")
mini_one <- function(items, rev) {
  x <- mini[, items]
  x[x == 9] <- NA
  x[, rev] <- 6 - x[, rev]
  a <- suppressWarnings(alpha(x))
  om <- suppressMessages(suppressWarnings(omega(x, nfactors = 1, plot = FALSE)))$omega.tot
  list(items = items, reversed = rev, alpha = a$total$raw_alpha, std_alpha = a$total$std.alpha,
       g6 = a$total[["G6(smc)"]], average_r = a$total$average_r, ase = a$total$ase,
       feldt = c(a$feldt$lower.ci[[1]], a$feldt$upper.ci[[1]]), omega_total = om,
       item_n = a$item.stats$n, item_mean = a$item.stats$mean, r_drop = a$item.stats$r.drop,
       alpha_if_deleted = a$alpha.drop$raw_alpha)
}
mini_out <- list(
  provenance = paste0(R.version.string, "; psych ", packageVersion("psych"),
    "; data tests/data/reliability_mini.csv (simulated for the tests, seed 2026) with 9 set to NA and reversed items ",
    "recoded 6 - x, then psych::alpha(x) and psych::omega(x, nfactors = 1)$omega.tot; script: tests/data/reliability_bfi_psych.R"),
  sensemaking = mini_one(c("SM1", "SM2", "SM3"), "SM3"),
  deliberation = mini_one(c("DR1", "DR2", "DR3"), "DR3"))
writeLines(toJSON(mini_out, digits = NA, auto_unbox = TRUE, pretty = TRUE, na = "null"), "tests/data/reliability_mini_psych.json")
