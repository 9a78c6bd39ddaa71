# Reference values for the WLSMV CFA (ordered indicators) and categorical omega tests, written to
# wlsmv_lavaan.json. Run from tests/data:  Rscript wlsmv_lavaan.R
# R 4.2.2, lavaan 0.6.14, semTools 0.5.6, jsonlite 1.8.4. Data: bfi.csv (psych's bfi) and ordinal_sparse.csv
# (simulated by ordinal_data.R). Every fit is lavaan's WLSMV default for ordered data: cfa(..., ordered = items)
# = DWLS estimates, delta parameterization, robust.sem SEs, scaled-shifted test, listwise deletion, marker
# identification (first loading 1).
#
# Cases
#   bfiN        bfi N1..N5, one factor, listwise on N1..N5 + gender (N = 2694; the sample of the shared
#               ordinal-fiml notes, section 10)
#   bfi3        bfi N1..N5, C1..C5, E1..E5 (C4, C5, E1, E2 as they are, i.e. negative loadings), three factors,
#               listwise on those 15 items
#   sparse2     ordinal_sparse.csv S1, S2, S3, S5, S11 / S6..S10, two factors, listwise (299 rows): an unused
#               middle category (S3), an unused lowest category (S5), an item with four categories (S11), rare top
#               categories (S7). S4 (category 1 answered twice) is left out: after listwise deletion that category
#               is empty and lavaan stops (stored under errors$empty_after_listwise).
#   gender_configural, gender_thresholds_loadings   bfi N1..N5 by gender (same rows as bfiN), configural and
#               group.equal = c("thresholds", "loadings"); lrt = lavTestLRT(configural, constrained)
#   gender_partial  the constrained model with group.partial = c("N=~N3", "N3|t2"), and lavTestLRT against the
#               configural model
#   errors      what lavaan does with bad input (message text of errors and warnings; the fit result if any)
# MLR on a continuous model (the robust keys) is already stored in cfa_fiml_lavaan.json (hs_mlr).
#
# Per fit: fitMeasures, the scaled-shifted test (lavInspect "test": scaling factor 1/a and shift b),
# parameterEstimates with std.all, modindices (ten largest), the scale factors (lavInspect "est"$delta per
# group) and, per group, the sample polychoric matrix ("sampstat") and the model-implied one ("implied"), the
# factor covariance matrix ("cov.lv"). One-group fits also get semTools::compRelSEM per factor with its
# defaults (categorical omega, Green & Yang 2009) and with ord.scale = FALSE and obs.var = FALSE.
suppressMessages({library(lavaan); library(semTools)}); library(jsonlite)

bfi <- read.csv("bfi.csv")
sp <- read.csv("ordinal_sparse.csv")
N <- paste0("N", 1:5); C <- paste0("C", 1:5); E <- paste0("E", 1:5)
MN <- "N =~ N1 + N2 + N3 + N4 + N5"
M3 <- paste(MN, "C =~ C1 + C2 + C3 + C4 + C5", "E =~ E1 + E2 + E3 + E4 + E5", sep = "\n")
MS <- "F1 =~ S1 + S2 + S3 + S5 + S11\nF2 =~ S6 + S7 + S8 + S9 + S10"
S <- c("S1", "S2", "S3", "S5", "S11", "S6", "S7", "S8", "S9", "S10")

FM <- c("npar", "fmin", "chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled",
        "chisq.scaling.factor", "baseline.chisq", "baseline.df", "baseline.pvalue", "baseline.chisq.scaled",
        "baseline.df.scaled", "baseline.pvalue.scaled", "baseline.chisq.scaling.factor", "cfi", "tli",
        "cfi.scaled", "tli.scaled", "cfi.robust", "tli.robust", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper",
        "rmsea.pvalue", "rmsea.scaled", "rmsea.ci.lower.scaled", "rmsea.ci.upper.scaled", "rmsea.pvalue.scaled",
        "rmsea.robust", "rmsea.ci.lower.robust", "rmsea.ci.upper.robust", "rmsea.pvalue.robust", "srmr",
        "srmr_bentler", "srmr_bentler_nomean", "wrmr", "ntotal")
fitm <- function(f) { m <- fitMeasures(f); as.list(unclass(m[intersect(FM, names(m))])) }
# per-group results as an unnamed list in group order (the labels are in `groups`), also for one group
per_group <- function(x) unname(if (is.list(x) && !is.matrix(x) && is.null(x$cov) && is.null(x$delta)) x else list(x))
mat <- function(m) { m <- unclass(m); list(names = I(rownames(m)), columns = I(colnames(m)), values = unname(m)) }

one <- function(f, omega = TRUE) {
  ts <- lavInspect(f, "test")
  ss <- per_group(lavInspect(f, "sampstat"))
  im <- per_group(lavInspect(f, "implied"))
  est <- per_group(lavInspect(f, "est"))
  clv <- per_group(lavInspect(f, "cov.lv"))
  pe <- parameterEstimates(f, standardized = TRUE)
  if (is.null(pe$group)) pe$group <- 1L
  mi <- modindices(f, sort. = TRUE, maximum.number = 10)
  if (is.null(mi$group)) mi$group <- 1L
  out <- list(
    nobs = I(lavInspect(f, "nobs")), groups = I(lavInspect(f, "group.label")),
    converged = lavInspect(f, "converged"), iterations = lavInspect(f, "iterations"),
    fit = fitm(f),
    test = lapply(ts, function(t) t[intersect(c("test", "stat", "stat.group", "df", "pvalue", "scaling.factor",
                                                "shift.parameter", "trace.UGamma", "trace.UGamma2"), names(t))]),
    est = pe[, intersect(c("lhs", "op", "rhs", "group", "label", "est", "se", "z", "pvalue", "std.all"), names(pe))],
    mi = mi[, c("lhs", "op", "rhs", "group", "mi", "epc", "sepc.all")],
    delta = lapply(est, function(e) as.list(e$delta[, "scales"])),  # item -> scale factor
    tau = lapply(est, function(e) as.list(e$tau[, "threshold"])),
    lambda = lapply(est, function(e) mat(e$lambda)),
    cov_lv = lapply(clv, mat),
    sampstat_cov = lapply(ss, function(s) mat(s$cov)),
    sampstat_th = lapply(ss, function(s) as.list(unclass(s$th))),
    implied_cov = lapply(im, function(s) mat(s$cov)))
  if (omega) out$omega <- list(
    default = as.list(compRelSEM(f)),
    ord_scale_false = as.list(compRelSEM(f, ord.scale = FALSE)),
    obs_var_false = as.list(compRelSEM(f, obs.var = FALSE)))
  out
}
lrt <- function(a, b) {
  t <- lavTestLRT(a, b)
  list(df = t$Df, chisq = t$Chisq, delta_chisq = t$`Chisq diff`[2], delta_df = t$`Df diff`[2],
       delta_pvalue = t$`Pr(>Chisq)`[2], method = attr(t, "heading"),
       scale = attr(t, "scale")[2], shift = attr(t, "shift")[2])
}
# text of the error, or of the warnings together with the result of `value(fit)`
catch <- function(expr, value = function(f) NULL) {
  warns <- character(0)
  r <- withCallingHandlers(tryCatch(expr, error = function(e) structure(conditionMessage(e), class = "err")),
                           warning = function(w) { warns <<- c(warns, conditionMessage(w)); invokeRestart("muffleWarning") })
  if (inherits(r, "err")) return(list(error = unclass(r), warnings = warns))
  list(error = NA, warnings = warns, result = value(r))
}

calls <- list(); out <- list()
dN <- na.omit(bfi[, c(N, "gender")])
calls$bfiN <- "cfa(MN, data = na.omit(bfi[, c(N1..N5, 'gender')]), ordered = N1..N5)"
out$bfiN <- one(cfa(MN, data = dN, ordered = N))

d3 <- na.omit(bfi[, c(N, C, E)])
calls$bfi3 <- "cfa(M3, data = na.omit(bfi[, c(N1..N5, C1..C5, E1..E5)]), ordered = all 15)"
out$bfi3 <- one(cfa(M3, data = d3, ordered = c(N, C, E)))

calls$sparse2 <- "cfa(MS, data = sparse[, c(S1, S2, S3, S5, S11, S6..S10)], ordered = all 10)  # listwise"
out$sparse2 <- one(cfa(MS, data = sp[, S], ordered = S))

calls$gender <- paste("cfa(MN, data = dN, ordered = N1..N5, group = 'gender'[, group.equal = c('thresholds', 'loadings')]",
                      "[, group.partial = c('N=~N3', 'N3|t2')]); lavTestLRT(configural, constrained)")
conf <- cfa(MN, data = dN, ordered = N, group = "gender")
cons <- cfa(MN, data = dN, ordered = N, group = "gender", group.equal = c("thresholds", "loadings"))
part <- cfa(MN, data = dN, ordered = N, group = "gender", group.equal = c("thresholds", "loadings"),
            group.partial = c("N=~N3", "N3|t2"))
out$gender_configural <- one(conf, omega = FALSE)
out$gender_thresholds_loadings <- one(cons, omega = FALSE)
out$gender_thresholds_loadings$lrt <- lrt(conf, cons)
out$gender_partial <- one(part, omega = FALSE)
out$gender_partial$lrt <- lrt(conf, part)
out$gender_partial$lrt_vs_constrained <- lrt(part, cons)

# bad input
err <- list()
calls$empty_after_listwise <- "cfa('F1 =~ S1 + S2 + S3 + S4 + S5\\nF2 =~ S6 + S7 + S8 + S9 + S10', data = sparse, ordered = S1..S10)"
err$empty_after_listwise <- catch(cfa("F1 =~ S1 + S2 + S3 + S4 + S5\nF2 =~ S6 + S7 + S8 + S9 + S10", data = sp,
                                      ordered = paste0("S", 1:10)), fitm)
k1 <- dN; k1$N5 <- 3
calls$one_category <- "cfa(MN, data = dN with N5 set to 3 everywhere, ordered = N1..N5)"
err$one_category <- catch(cfa(MN, data = k1, ordered = N), fitm)
k2 <- dN; k2$N5[k2$gender == 1 & k2$N5 == 6] <- 5
calls$group_missing_category <- paste("cfa(MN, data = dN with N5 6 -> 5 in gender 1, ordered = N1..N5, group = 'gender'",
                                      "[, group.equal = c('thresholds', 'loadings')])")
err$group_missing_category_configural <- catch(cfa(MN, data = k2, ordered = N, group = "gender"), fitm)
err$group_missing_category_constrained <- catch(cfa(MN, data = k2, ordered = N, group = "gender",
                                                    group.equal = c("thresholds", "loadings")), fitm)
calls$not_converged <- "cfa(M3, data = d3, ordered = all 15, control = list(iter.max = 5)); then fitMeasures()"
nc <- catch(cfa(M3, data = d3, ordered = c(N, C, E), control = list(iter.max = 5)),
            function(f) list(converged = lavInspect(f, "converged"), fit = catch(fitm(f), identity)))
err$not_converged <- nc
calls$nonpd_pairwise <- "cfa('P =~ P1 + P2 + P3', data = sparse, ordered = P1..P3, missing = 'pairwise')"
err$nonpd_pairwise <- catch(cfa("P =~ P1 + P2 + P3", data = sp, ordered = c("P1", "P2", "P3"), missing = "pairwise"),
                            function(f) list(converged = lavInspect(f, "converged"), fit = catch(fitm(f), identity)))
# lavaan 0.6-14 reports cfi/tli/rmsea.robust as NA for the models with threshold equality constraints: the catML
# refit (lav_object_catml, called inside try()) drops the thresholds but keeps the equality constraints on their
# labels and stops; the message is kept here.
calls$robust_na <- "lavaan:::lav_object_catml(constrained)  # inside lav_fit_catml_dwls, silently NA"
err$robust_na_constrained <- catch(lavaan:::lav_object_catml(cons))
out$errors <- err

out$provenance <- list(r = R.version.string, lavaan = as.character(packageVersion("lavaan")),
                       semTools = as.character(packageVersion("semTools")),
                       jsonlite = as.character(packageVersion("jsonlite")),
                       script = "tests/data/wlsmv_lavaan.R (run from tests/data)", calls = calls,
                       models = list(MN = MN, M3 = M3, MS = MS))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, na = "null", pretty = FALSE), "wlsmv_lavaan.json")
