# Spot checks beyond the main reference files, for tests/test_psychometrics_spotcheck.py.
# Run from the repository root:  Rscript tests/data/psychometrics_spotcheck.R
# R 4.2.2, psych 2.2.9, GPArotation 2022.10.2, lavaan 0.6.14, multilevel 2.7, jsonlite 1.8.4.
# Writes tests/data/psychometrics_spotcheck.json; every call is listed in its "calls".
suppressMessages({library(psych); library(GPArotation); library(lavaan); library(multilevel); library(jsonlite)})
calls <- list(); out <- list()

# 1. EFA by ML with promax on a subset with missing answers (pairwise correlations, n = number of rows)
bfi <- read.csv("tests/data/bfi.csv")
x <- bfi[1:700, c(paste0("A", 1:5), paste0("C", 1:5), paste0("E", 1:5))]
calls$efa <- paste("x <- read.csv('tests/data/bfi.csv')[1:700, c(A1..A5, C1..C5, E1..E5)]  # 54 incomplete rows;",
                   "fa(x, nfactors=3, fm='ml', rotate='promax'); fa(x, 3, fm='ml', rotate='oblimin'); KMO(x); cortest.bartlett(x)")
fo <- function(f) list(items = rownames(unclass(f$loadings)), loadings = unname(unclass(f$loadings)),
                       Phi = unname(f$Phi), communality = unname(f$communality),
                       structure = unname(unclass(f$Structure)), Vaccounted = unname(f$Vaccounted))
out$efa_ml_promax <- fo(fa(x, nfactors = 3, fm = "ml", rotate = "promax"))
out$efa_ml_oblimin <- fo(fa(x, nfactors = 3, fm = "ml", rotate = "oblimin"))
# psych::principal with oblique rotations: stats::promax (no outer Kaiser step) and components ordered by
# the pattern's diag(P'P) rather than fa's diag(Phi P'P); on complete cases of the same subset
xc <- x[complete.cases(x), ]
calls$principal <- "principal(xc, 3, rotate='oblimin'); principal(xc, 3, rotate='promax')  # xc = complete rows of x"
out$principal_oblimin <- fo(principal(xc, 3, rotate = "oblimin"))
out$principal_promax <- fo(principal(xc, 3, rotate = "promax"))
k <- KMO(x); b <- suppressMessages(cortest.bartlett(x))
out$efa_kmo <- list(MSA = k$MSA, MSAi = unname(k$MSAi))
out$efa_bartlett <- list(chisq = b$chisq, df = b$df)

# 2. CFA written with the lavaan syntax the docs show: NA* frees a marker, 1* fixes a variance, a correlated
#    residual across factors (x1 ~~ x4) and an orthogonal factor pair (visual ~~ 0*speed)
hs <- read.csv("tests/data/hs1939.csv")
m2 <- "visual =~ x1 + x2 + x3\ntextual =~ NA*x4 + x5 + x6\nspeed =~ x7 + x8 + x9\ntextual ~~ 1*textual\nx1 ~~ x4\nvisual ~~ 0*speed"
calls$cfa_syntax <- "cfa(model_syntax, data = read.csv('tests/data/hs1939.csv'))"
fm <- c("npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "srmr",
        "logl", "aic", "bic")
f2 <- cfa(m2, data = hs)
s <- standardizedSolution(f2)
out$cfa_syntax <- list(model = m2, fit = as.list(fitMeasures(f2, fm)),
                       std = s[s$op %in% c("=~", "~~"), c("lhs", "op", "rhs", "est.std")])

# 3. Invariance by role for one construct of the sample survey (collective_data_use, CDU5 reverse-keyed,
#    9 = Don't know -> NA, complete cases on the five items; groups in order of first appearance)
d <- read.csv("tests/data/spotcheck_cdu_survey.csv")
items <- paste0("CDU", 1:5)
for (v in items) d[[v]][d[[v]] %in% 9] <- NA
d$CDU5 <- 6 - d$CDU5
m3 <- "collective_data_use =~ CDU1 + CDU2 + CDU3 + CDU4 + CDU5"
calls$invariance <- paste("d: 9 -> NA on CDU1..CDU5, CDU5 <- 6 - CDU5; cfa(m, data=d, group='role',",
                          "group.equal='' | 'loadings' | c('loadings','intercepts'))")
steps <- list(configural = "", metric = "loadings", scalar = c("loadings", "intercepts"))
out$invariance <- lapply(steps, function(ge) as.list(fitMeasures(cfa(m3, data = d, group = "role", group.equal = ge), fm)))
out$invariance_groups <- lavInspect(cfa(m3, data = d, group = "role"), "group.label")

# 4. Aggregation of the same construct: missing group ids (every 17th row), unequal groups,
#    slight-skew null for 5 options (ranvar 1.34), rwg.j listwise as multilevel 2.7 does;
#    the construct score needs 4 of 5 items answered (the toolkit's 2/3 rule)
g <- d$partnership_id; g[seq_len(nrow(d)) %% 17 == 0] <- NA
r <- rwg.j(d[, items], g, ranvar = 1.34)
sc <- ifelse(rowSums(!is.na(d[, items])) >= 4, rowMeans(d[, items], na.rm = TRUE), NA)
a <- aov(sc ~ as.factor(g))
calls$aggregate <- paste("g <- partnership_id with NA where row %% 17 == 0; rwg.j(d[, CDU1..CDU5], g, ranvar=1.34);",
                         "sc <- rowMeans(items) where >= 4 of 5 answered; ICC1(aov(sc ~ as.factor(g))); ICC2(same)")
out$aggregate <- list(group = as.character(r$grpid), rwg_j = unname(r$rwg.j), icc1 = ICC1(a), icc2 = ICC2(a),
                      F = summary(a)[[1]]$`F value`[1], df = summary(a)[[1]]$Df)

doc <- list(provenance = list(r_version = R.version.string,
                              packages = lapply(setNames(nm = c("psych", "GPArotation", "lavaan", "multilevel")),
                                                function(p) as.character(packageVersion(p))),
                              script = "tests/data/psychometrics_spotcheck.R",
                              data = list(bfi = "tests/data/bfi.csv", hs1939 = "tests/data/hs1939.csv",
                                          survey = "tests/data/spotcheck_cdu_survey.csv (columns of sample_data/survey/collective-data-use.csv, simulated respondents)"),
                              calls = calls),
            values = out)
writeLines(toJSON(doc, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"), "tests/data/psychometrics_spotcheck.json")
