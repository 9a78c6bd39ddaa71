# Reference values for tests/test_cfa_fiml.py: FIML (missing = "ml"), MLR, modification indices, partial
# invariance, all with R 4.2.2, lavaan 0.6.14, semTools 0.5.6, jsonlite 1.8.4. Run from the repository root:
#   Rscript tests/data/cfa_fiml_lavaan.R
# It writes the data sets with generated gaps (hs1939_mcar.csv, hs1939_mar.csv) and cfa_fiml_lavaan.json.
#
# Gaps, by rule (no random numbers):
#   hs1939_mcar.csv  x_j (j = 2..9) missing in 1-based row i when (i + 2j) %% 8 == 0 (11.1% of x2..x9; the rule of
#                    /work/shared/reference/ordinal-fiml-notes.md section 10, missing completely at random).
#   hs1939_mar.csv   missing at random given the always observed x1: x_j (j = 4..9) missing when x1 is above its
#                    60% quantile and (i + j) %% 3 == 0; x2 missing when x1 is below its 25% quantile and i is even;
#                    rows 10 and 20 missing on all nine items (lavaan drops them with a warning).
# cfa_cdu_survey.csv is a copy of sample_data/survey/collective-data-use.csv (simulated answers to the shipped
# instrument, 9 = Don't know, blanks); cfa_cdu_instrument.yaml is a copy of instruments/collective-data-use.yaml.
suppressMessages({library(lavaan); library(semTools)}); library(jsonlite)

HS <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
hs <- read.csv("tests/data/hs1939.csv")
x <- paste0("x", 1:9)
i <- seq_len(nrow(hs))
mcar <- hs
for (j in 2:9) mcar[[x[j]]][(i + 2 * j) %% 8 == 0] <- NA
mar <- hs
hi <- hs$x1 > quantile(hs$x1, 0.6)
for (j in 4:9) mar[[x[j]]][hi & (i + j) %% 3 == 0] <- NA
mar$x2[hs$x1 < quantile(hs$x1, 0.25) & i %% 2 == 0] <- NA
mar[c(10, 20), x] <- NA
write.csv(mcar, "tests/data/hs1939_mcar.csv", row.names = FALSE, na = "")
write.csv(mar, "tests/data/hs1939_mar.csv", row.names = FALSE, na = "")

FM <- c("npar", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli", "rmsea", "rmsea.ci.lower",
        "rmsea.ci.upper", "rmsea.pvalue", "srmr", "logl", "unrestricted.logl", "aic", "bic", "ntotal",
        "chisq.scaled", "df.scaled", "pvalue.scaled", "chisq.scaling.factor", "baseline.chisq.scaled",
        "baseline.df.scaled", "baseline.chisq.scaling.factor", "cfi.scaled", "tli.scaled", "rmsea.scaled",
        "rmsea.ci.lower.scaled", "rmsea.ci.upper.scaled", "rmsea.pvalue.scaled", "cfi.robust", "tli.robust",
        "rmsea.robust", "rmsea.ci.lower.robust", "rmsea.ci.upper.robust", "rmsea.pvalue.robust")
fitm <- function(f) { m <- fitMeasures(f); as.list(m[intersect(FM, names(m))]) }
cols <- function(d, keep) d[, intersect(keep, names(d))]
one <- function(f, mi = TRUE) {
  out <- list(fit = fitm(f), coef = as.list(coef(f)),
              est = cols(parameterEstimates(f), c("lhs", "op", "rhs", "group", "est", "se")),
              std = cols(standardizedSolution(f), c("lhs", "op", "rhs", "group", "est.std")),
              nobs = lavInspect(f, "nobs"))
  if (mi) out$mi <- cols(modindices(f, sort. = TRUE, maximum.number = 10),
                         c("lhs", "op", "rhs", "group", "mi", "epc", "sepc.all"))
  out
}
steps <- list(configural = "", metric = "loadings", scalar = c("loadings", "intercepts"))
inv <- function(model, d, group, ...) {
  fits <- lapply(steps, function(ge) cfa(model, data = d, group = group, group.equal = ge, ...))
  t <- lavTestLRT(fits$configural, fits$metric, fits$scalar)
  list(groups = lavInspect(fits$configural, "group.label"), nobs = lavInspect(fits$configural, "nobs"),
       steps = lapply(fits, fitm),
       est = lapply(fits, function(f) cols(parameterEstimates(f), c("lhs", "op", "rhs", "group", "est"))), scalar_est = cols(parameterEstimates(fits$scalar),
                                                     c("lhs", "op", "rhs", "group", "est", "se")),
       lrt = data.frame(chisq = t$Chisq, df = t$Df, dchisq = t$`Chisq diff`, ddf = t$`Df diff`, p = t$`Pr(>Chisq)`))
}
calls <- list()
out <- list()

# Holzinger & Swineford, MCAR gaps
calls$hs_mcar <- "cfa(HS, data = mcar, missing = 'ml' [, estimator = 'MLR'])"
out$hs_mcar_ml <- one(cfa(HS, data = mcar, missing = "ml"))
out$hs_mcar_mlr <- one(cfa(HS, data = mcar, missing = "ml", estimator = "MLR"), mi = FALSE)
out$hs_mcar_htmt <- as.list(htmt(HS, data = mcar[, x], missing = "ml", htmt2 = FALSE)[lower.tri(diag(3))])

# MAR gaps incl. two empty rows; invariance by school under FIML (ML and MLR), partial scalar
calls$hs_mar <- "cfa(HS, data = mar, missing = 'ml' [, estimator = 'MLR'][, group = 'school', group.equal = ...])"
out$hs_mar_ml <- one(suppressWarnings(cfa(HS, data = mar, missing = "ml")))
out$hs_mar_mlr <- one(suppressWarnings(cfa(HS, data = mar, missing = "ml", estimator = "MLR")), mi = FALSE)
out$hs_mar_inv <- suppressWarnings(inv(HS, mar, "school", missing = "ml"))
out$hs_mar_inv_mlr <- suppressWarnings(inv(HS, mar, "school", missing = "ml", estimator = "MLR"))
calls$partial <- "cfa(HS, data, group = 'school', group.equal = c('loadings', 'intercepts'), group.partial = c('x3~1', 'x7~1') [, missing = 'ml'])"
out$hs_partial <- fitm(cfa(HS, data = hs, group = "school", group.equal = c("loadings", "intercepts"),
                           group.partial = c("x3~1", "x7~1")))
out$hs_mar_partial <- fitm(suppressWarnings(cfa(HS, data = mar, group = "school", missing = "ml",
                           group.equal = c("loadings", "intercepts"), group.partial = c("visual=~x3", "x3~1", "x7~1"))))

# complete data: MLR, modification indices (single and multi-group)
calls$hs_complete <- "cfa(HS, data = hs, estimator = 'MLR'); modindices(cfa(HS, hs [, group = 'school', group.equal = 'loadings']))"
out$hs_mlr <- one(cfa(HS, data = hs, estimator = "MLR"))
out$hs_mi_groups <- cols(modindices(cfa(paste(HS, "\nvisual ~~ 0*speed"), data = hs, group = "school",
                                        group.equal = "loadings"), sort. = TRUE, maximum.number = 10),
                         c("lhs", "op", "rhs", "group", "mi", "epc", "sepc.all"))
out$hs_mlr_inv <- inv(HS, hs, "school", estimator = "MLR")

# bfi: 25 items, five factors, the data's own gaps (2800 rows)
BFI <- paste("A =~ A1 + A2 + A3 + A4 + A5", "C =~ C1 + C2 + C3 + C4 + C5", "E =~ E1 + E2 + E3 + E4 + E5",
             "N =~ N1 + N2 + N3 + N4 + N5", "O =~ O1 + O2 + O3 + O4 + O5", sep = "\n")
bfi <- read.csv("tests/data/bfi.csv")
calls$bfi <- "cfa(BFI, data = bfi, missing = 'ml' [, estimator = 'MLR']); htmt(BFI, bfi, missing = 'ml', htmt2 = FALSE)"
out$bfi_ml <- one(cfa(BFI, data = bfi, missing = "ml"))
out$bfi_mlr <- one(cfa(BFI, data = bfi, missing = "ml", estimator = "MLR"), mi = FALSE)
hb <- htmt(BFI, data = bfi, missing = "ml", htmt2 = FALSE)
out$bfi_htmt <- as.list(hb[lower.tri(hb)])

# the shipped instrument on its sample survey: 9 -> NA, reverse-keyed items 6 - x, 37 items, 8 factors
cdu <- read.csv("tests/data/cfa_cdu_survey.csv")
items <- grep("^(CON|PWR|EXP|DL|SSM|DRT|DCB|CDU)[0-9]$", names(cdu), value = TRUE)
for (v in items) cdu[[v]][cdu[[v]] %in% 9] <- NA
for (v in c("CON4", "PWR4", "DL4", "SSM5", "DRT5", "DCB5", "CDU5")) cdu[[v]] <- 6 - cdu[[v]]
pre <- c(connectedness = "CON", power_imbalance = "PWR", expertise_configurations = "EXP",
         distributed_leadership = "DL", system_sensemaking = "SSM", deliberation_routines = "DRT",
         dissent_conflict_balancing = "DCB", collective_data_use = "CDU")
CDU <- paste(sapply(names(pre), function(f)
  paste(f, "=~", paste(grep(paste0("^", pre[[f]], "[0-9]$"), items, value = TRUE), collapse = " + "))),
  collapse = "\n")
calls$cdu <- "cfa(CDU, data = cdu, missing = 'ml' [, estimator = 'MLR']) after 9 -> NA and 6 - x on reverse-keyed items"
out$cdu_model <- CDU
out$cdu_ml <- one(cfa(CDU, data = cdu, missing = "ml"))
out$cdu_mlr <- one(cfa(CDU, data = cdu, missing = "ml", estimator = "MLR"), mi = FALSE)

# one construct by role under FIML (the spot-check extract of the same survey)
sc <- read.csv("tests/data/spotcheck_cdu_survey.csv")
for (v in paste0("CDU", 1:5)) sc[[v]][sc[[v]] %in% 9] <- NA
sc$CDU5 <- 6 - sc$CDU5
calls$cdu_role <- "cfa('collective_data_use =~ CDU1 + ... + CDU5', data = sc, group = 'role', missing = 'ml', group.equal = ...)"
out$cdu_role_inv <- inv("collective_data_use =~ CDU1 + CDU2 + CDU3 + CDU4 + CDU5", sc, "role", missing = "ml")

out$provenance <- list(r = R.version.string, lavaan = as.character(packageVersion("lavaan")),
                       semTools = as.character(packageVersion("semTools")),
                       jsonlite = as.character(packageVersion("jsonlite")),
                       script = "tests/data/cfa_fiml_lavaan.R", calls = calls)
write(toJSON(out, digits = NA, auto_unbox = TRUE, na = "null"), "tests/data/cfa_fiml_lavaan.json")
