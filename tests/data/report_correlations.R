# Reference for the report's correlation table ("Table 1"): construct scores of the sample survey, their
# psych::describe statistics and R's cor.test for every pair.
# Run from the repository root:  Rscript tests/data/report_correlations.R
# R 4.2.2, psych 2.2.9, jsonlite 1.8.4. Writes tests/data/report_correlations_R.json.
suppressMessages({library(psych); library(jsonlite)})
x <- read.csv("tests/data/report_sample_survey.csv")
constructs <- list(
  connectedness = c("CON1", "CON2", "CON3", "-CON4"), power_imbalance = c("PWR1", "PWR2", "PWR3", "-PWR4"),
  expertise_configurations = c("EXP1", "EXP2", "EXP3", "EXP4", "EXP5"),
  distributed_leadership = c("DL1", "DL2", "DL3", "-DL4"),
  system_sensemaking = c("SSM1", "SSM2", "SSM3", "SSM4", "-SSM5"),
  deliberation_routines = c("DRT1", "DRT2", "DRT3", "DRT4", "-DRT5"),
  dissent_conflict_balancing = c("DCB1", "DCB2", "DCB3", "DCB4", "-DCB5"),
  collective_data_use = c("CDU1", "CDU2", "CDU3", "CDU4", "-CDU5"))
# 9 = Don't know -> NA; reverse-keyed items 6 - x; score = mean of the answered items when at least two thirds
# of the construct's items are answered (the toolkit's rule), else NA
scores <- sapply(constructs, function(keys) {
  items <- sub("^-", "", keys)
  m <- as.matrix(x[, items]); m[m == 9] <- NA
  rev <- startsWith(keys, "-"); m[, rev] <- 6 - m[, rev]
  answered <- rowSums(!is.na(m))
  s <- rowMeans(m, na.rm = TRUE); s[answered < 2 / 3 * length(items) - 5e-4 * length(items)] <- NA
  s
})
d <- describe(scores)
pairs <- list()
names <- colnames(scores)
for (i in 1:(length(names) - 1)) for (j in (i + 1):length(names)) {
  t <- cor.test(scores[, i], scores[, j])   # pairwise-complete (cor.test drops incomplete pairs)
  pairs[[length(pairs) + 1]] <- list(x = names[i], y = names[j], n = unname(t$parameter) + 2, r = unname(t$estimate),
                                     ci_lower = t$conf.int[1], ci_upper = t$conf.int[2], p = t$p.value)
}
out <- list(provenance = list(R = R.version.string, psych = as.character(packageVersion("psych")),
                              calls = c("scores: see the script (9 -> NA, 6 - x for '-' items, mean if >= 2/3 answered)",
                                        "psych::describe(scores)", "cor.test(scores[, i], scores[, j]) for i < j")),
            describe = list(variable = names, n = d$n, mean = d$mean, sd = d$sd, median = d$median, min = d$min,
                            max = d$max, skew = d$skew, kurtosis = d$kurtosis, se = d$se),
            correlations = pairs)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), "tests/data/report_correlations_R.json")
