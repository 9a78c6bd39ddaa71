# Reference values for tests/test_scoretest.py, written to scoretest_lavaan.json.
# Run from tests/data:  Rscript scoretest_lavaan.R
# R 4.2.2, lavaan 0.6.14, jsonlite. lavTestScore(fit, epc = TRUE): univariate score tests for releasing each
# group.equal constraint of a multi-group CFA; for the univariate EPC of each constraint
# lavTestScore(fit, release = r, epc = TRUE)$epc (only constraint r released; the rows of its two copies).
# Cases: hs1939.csv by school, ML, metric and scalar (and scalar with group.partial = "x3~1"); by school x grade
# (4 groups), ML scalar;
# hs1939_mcar.csv by school, FIML (missing = "ml"), metric and scalar, also with information = "observed";
# bfi.csv N1-N5 by gender (listwise on N1..N5 + gender), WLSMV, group.equal = c("thresholds", "loadings").
suppressMessages({library(lavaan); library(jsonlite)})
hs <- read.csv("hs1939.csv")
mcar <- read.csv("hs1939_mcar.csv")
bfi <- read.csv("bfi.csv")
HS <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"

one <- function(fit, information = "expected") {
  warns <- character(0)
  st <- withCallingHandlers(lavTestScore(fit, epc = TRUE, information = information),
                            warning = function(w) {warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning")})
  pt <- parTable(fit)
  pt <- pt[, intersect(c("id", "lhs", "op", "rhs", "group", "free", "label", "plabel", "est"), names(pt))]
  uni <- as.data.frame(st$uni)
  epc_uni <- lapply(seq_len(nrow(uni)), function(r) {
    e <- suppressWarnings(lavTestScore(fit, release = r, epc = TRUE, information = information))$epc
    e <- as.data.frame(e)
    # keep the two copies the constraint ties: its lhs and rhs plabels
    two <- pt[pt$plabel %in% c(uni$lhs[r], uni$rhs[r]), ]
    keep <- paste(e$lhs, e$op, e$rhs, e$group) %in% paste(two$lhs, two$op, two$rhs, two$group)
    e[keep, c("lhs", "op", "rhs", "group", "epc")]
  })
  list(information = information, total = as.data.frame(st$test), uni = uni,
       epc_all = as.data.frame(st$epc)[, c("lhs", "op", "rhs", "group", "free", "est", "epc")],
       epc_uni = epc_uni, partable = pt, warnings = unique(warns),
       chisq = fitMeasures(fit, "chisq")[[1]], npar = fitMeasures(fit, "npar")[[1]],
       ntotal = lavInspect(fit, "ntotal"))
}

out <- list(provenance = list(R = R.version.string, lavaan = as.character(packageVersion("lavaan")),
                              script = "tests/data/scoretest_lavaan.R"))
m <- cfa(HS, data = hs, group = "school", group.equal = "loadings")
s <- cfa(HS, data = hs, group = "school", group.equal = c("loadings", "intercepts"))
sp <- cfa(HS, data = hs, group = "school", group.equal = c("loadings", "intercepts"), group.partial = "x3~1")
out$ml_metric <- one(m)
out$ml_scalar <- one(s)
out$ml_scalar_partial <- one(sp)
# only x1~1 left equal for visual: releasing it leaves visual's latent mean unidentified (the bordered matrix
# without that constraint is singular; lavaan's ginv still returns a number)
sp2 <- cfa(HS, data = hs, group = "school", group.equal = c("loadings", "intercepts"),
           group.partial = c("x2~1", "x3~1"))
out$ml_scalar_partial_unidentified <- one(sp2)
# four groups (school x grade; the row without a grade is left out): constraints tie groups 2-4 to group 1
hs4 <- hs[!is.na(hs$grade), ]
hs4$sg <- paste(hs4$school, hs4$grade)
m4 <- cfa(HS, data = hs4, group = "sg", group.equal = c("loadings", "intercepts"))
out$ml_scalar_4groups <- one(m4)
out$ml_scalar_4groups$group_labels <- lavInspect(m4, "group.label")
fm <- cfa(HS, data = mcar, group = "school", group.equal = "loadings", missing = "ml")
fs <- cfa(HS, data = mcar, group = "school", group.equal = c("loadings", "intercepts"), missing = "ml")
out$fiml_metric <- one(fm)
out$fiml_scalar <- one(fs)
out$fiml_scalar_observed <- one(fs, "observed")
ms <- cfa(HS, data = hs, group = "school", group.equal = c("loadings", "intercepts"), estimator = "MLR")
out$mlr_scalar <- one(ms)
N <- paste0("N", 1:5)
dG <- na.omit(bfi[, c(N, "gender")])
w <- cfa("N =~ N1 + N2 + N3 + N4 + N5", data = dG, ordered = TRUE, group = "gender",
         group.equal = c("thresholds", "loadings"))
out$wlsmv_thresholds_loadings <- one(w)
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = FALSE, na = "null"), "scoretest_lavaan.json")
