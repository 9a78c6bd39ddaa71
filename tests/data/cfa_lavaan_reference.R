# Reference values for tests/test_cfa.py, made with R 4.2.2 and lavaan 0.6.14 (cfa_mini_survey.csv was
# simulated once with numpy default_rng(20261122): 400 rows, two factors r = .4, loadings .8 .7 -.6 / .75 .7 -.65,
# 5-point items round(3 + 1.1 y) clipped to 1..5, 2% code 9 and 2% blanks per item, managers +.3 on SM1 and DR2):
#   cd tests/data && Rscript cfa_lavaan_reference.R
# writes cfa_hs1939_invariance_lavaan.json and cfa_mini_lavaan.json.
# CR, AVE and HTMT are computed here in base R from lavaan's standardizedSolution() and cor() with the
# published formulas (Fornell & Larcker 1981; Henseler et al. 2015, absolute correlations as semTools::htmt).
library(lavaan); library(jsonlite)
fm <- c("npar", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli", "rmsea",
        "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue", "srmr", "logl", "unrestricted.logl", "aic", "bic",
        "ntotal")
fitm <- function(f) as.list(fitMeasures(f, fm))
stdsol <- function(f) { s <- standardizedSolution(f); s[, intersect(c("lhs", "op", "rhs", "group", "est.std"), names(s))] }
est <- function(f) { s <- parameterEstimates(f); s[, intersect(c("lhs", "op", "rhs", "group", "est", "se"), names(s))] }
crave <- function(f, factors) {
  s <- standardizedSolution(f)
  out <- list()
  for (fa in factors) {
    l <- s$est.std[s$op == "=~" & s$lhs == fa]
    items <- s$rhs[s$op == "=~" & s$lhs == fa]
    th <- s$est.std[s$op == "~~" & s$lhs %in% items & s$lhs == s$rhs]
    out[[fa]] <- list(cr = sum(l)^2 / (sum(l)^2 + sum(th)), ave = sum(l^2) / (sum(l^2) + sum(th)))
  }
  out
}
htmt <- function(data, ind) {
  r <- abs(cor(data))
  f <- names(ind); out <- list()
  mono <- sapply(f, function(a) { s <- r[ind[[a]], ind[[a]]]; mean(s[lower.tri(s)]) })
  for (i in seq_along(f)) for (j in seq_along(f)) if (i < j)
    out[[paste0(f[i], "~~", f[j])]] <- mean(r[ind[[f[i]]], ind[[f[j]]]]) / sqrt(mono[i] * mono[j])
  out
}
lrt <- function(a, b, c) { t <- lavTestLRT(a, b, c)
  data.frame(chisq = t$Chisq, df = t$Df, dchisq = t$`Chisq diff`, ddf = t$`Df diff`, p = t$`Pr(>Chisq)`) }
ver <- paste0(R.version.string, ", lavaan ", packageVersion("lavaan"))

# Holzinger & Swineford (1939), lavaan's copy (hs1939.csv)
hs <- read.csv("hs1939.csv")
m <- "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
mB <- "visual =~ x1 + x2 + x3 + x9\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9\nx7 ~~ x8"
one <- cfa(m, data = hs); two <- cfa(mB, data = hs)
cfg <- cfa(m, data = hs, group = "school")
met <- cfa(m, data = hs, group = "school", group.equal = "loadings")
sca <- cfa(m, data = hs, group = "school", group.equal = c("loadings", "intercepts"))
ind <- list(visual = c("x1", "x2", "x3"), textual = c("x4", "x5", "x6"), speed = c("x7", "x8", "x9"))
out <- list(
  source = paste0(ver, ": cfa(model, data=read.csv('hs1939.csv')[, group='school', group.equal=...]), ML; ",
                  "script tests/data/cfa_lavaan_reference.R"),
  model = m, model_b = mB,
  single = fitm(one), single_est = est(one), single_std = stdsol(one),
  single_reliability = crave(one, names(ind)), single_htmt = htmt(hs[, unlist(ind)], ind),
  model_b_fit = fitm(two), model_b_std = stdsol(two),
  groups = lavInspect(cfg, "group.label"), nobs = lavInspect(cfg, "nobs"),
  configural = fitm(cfg), metric = fitm(met), scalar = fitm(sca), lrt = lrt(cfg, met, sca),
  scalar_est = est(sca))
write(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), "cfa_hs1939_invariance_lavaan.json")

# simulated answers to mini-instrument.yaml: 9 = Don't know -> NA, SM3 and DR3 reverse-keyed (6 - x), listwise
d <- read.csv("cfa_mini_survey.csv")
items <- c("SM1", "SM2", "SM3", "DR1", "DR2", "DR3")
for (v in items) d[[v]][d[[v]] %in% 9] <- NA
d$SM3 <- 6 - d$SM3; d$DR3 <- 6 - d$DR3
d <- d[complete.cases(d[, items]), ]
mm <- "sensemaking =~ SM1 + SM2 + SM3\ndeliberation =~ DR1 + DR2 + DR3"
mi <- cfa(mm, data = d)
indm <- list(sensemaking = c("SM1", "SM2", "SM3"), deliberation = c("DR1", "DR2", "DR3"))
mcfg <- cfa(mm, data = d, group = "role")
mmet <- cfa(mm, data = d, group = "role", group.equal = "loadings")
msca <- cfa(mm, data = d, group = "role", group.equal = c("loadings", "intercepts"))
out <- list(
  source = paste0(ver, ": cfa(model, data=d[, group='role', group.equal=...]) on cfa_mini_survey.csv after ",
                  "9 -> NA, SM3/DR3 -> 6 - x, complete cases; script tests/data/cfa_lavaan_reference.R"),
  model = mm, n = nrow(d), fit = fitm(mi), std = stdsol(mi), reliability = crave(mi, names(indm)),
  htmt = htmt(d[, items], indm), groups = lavInspect(mcfg, "group.label"), nobs = lavInspect(mcfg, "nobs"),
  configural = fitm(mcfg), metric = fitm(mmet), scalar = fitm(msca), lrt = lrt(mcfg, mmet, msca))
write(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), "cfa_mini_lavaan.json")
