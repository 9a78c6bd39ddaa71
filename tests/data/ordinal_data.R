# Generates the ordinal test data sets (simulated, not real people). Run from tests/data:  Rscript ordinal_data.R
# R 4.2.2.  Writes ordinal_sparse.csv and ordinal_binary.csv (see tests/data/README.md).
#
# ordinal_sparse.csv, 500 rows: two correlated factors (r = .4) cut into five-point items S1..S10 with
# sparse and empty categories, S11 (never 5, so items differ in their highest category), MCAR and MAR
# missing values, a two-group column grp, and P1..P3: three 3-category items answered in pairs only
# (rows 1-30 P1+P2, 31-60 P2+P3, 61-90 P1+P3) whose pairwise correlations contradict each other, so their
# polychoric matrix is not positive definite.
set.seed(20261103)
n <- 500
f1 <- rnorm(n); f2 <- 0.4 * f1 + sqrt(1 - 0.16) * rnorm(n)
lat <- function(f, l) l * f + sqrt(1 - l^2) * rnorm(n)
cut5 <- function(z, t) findInterval(z, t) + 1
S1 <- cut5(lat(f1, .7), c(-1.5, -.5, .4, 1.3))
S2 <- cut5(lat(f1, .6), c(-1, -.2, .6, 1.6))
S3 <- cut5(lat(f1, .65), c(-1.2, -.3, .5, 1.2)); S3[S3 == 3] <- 4        # category 3 never used
S4 <- cut5(lat(f1, .5), c(-2.4, -1.7, -1, 0))                             # category 1 has two answers
S5 <- cut5(lat(f1, .55), c(-.8, -.1, .7, 1.5)); S5[S5 == 1] <- 2         # category 1 never used
S6 <- cut5(lat(f2, .7), c(-1.4, -.4, .5, 1.4))
S7 <- cut5(lat(f2, .6), c(0.5, 1.4, 2.0, 2.4))                            # rare top categories
S8 <- cut5(lat(f2, .65), c(-1.3, -.4, .3, 1.1))
S9 <- cut5(lat(f2, .5), c(-1.1, -.3, .4, 1.2))
S10 <- cut5(lat(f2, .6), c(-1.6, -.6, .2, 1.0))
S11 <- cut5(lat(f1, .6), c(-1.2, -.2, .8, Inf))                           # never 5
d <- data.frame(id = 1:n, grp = sample(c("a", "b"), n, replace = TRUE), S1, S2, S3, S4, S5, S6, S7, S8, S9, S10, S11)
items <- paste0("S", 1:11)
for (v in items) d[[v]][runif(n) < 0.04] <- NA                            # MCAR
d$S9[d$S1 >= 4 & !is.na(d$S1) & runif(n) < 0.3] <- NA                    # MAR: S9 missing more often when S1 high
z <- rnorm(90); e <- function() 0.3 * rnorm(90)
cut3 <- function(v) findInterval(v, c(-0.5, 0.6)) + 1
P1 <- P2 <- P3 <- rep(NA_integer_, n)
P1[1:30] <- cut3(z[1:30] + e()[1:30]);  P2[1:30] <- cut3(z[1:30] + e()[1:30])
P2[31:60] <- cut3(z[31:60] + e()[31:60]); P3[31:60] <- cut3(z[31:60] + e()[31:60])
P1[61:90] <- cut3(z[61:90] + e()[61:90]); P3[61:90] <- cut3(-z[61:90] + e()[61:90])
d$P1 <- P1; d$P2 <- P2; d$P3 <- P3
stopifnot(max(d$S7, na.rm = TRUE) == 5, max(d$S11, na.rm = TRUE) == 4, !any(d$S3 == 3, na.rm = TRUE))
write.csv(d, "ordinal_sparse.csv", row.names = FALSE, na = "")

# ordinal_binary.csv, 100 rows: pairs of binary items whose 2x2 tables hit lavaan's zero-cell rules
#   B1 x B2: one empty cell  [[30, 0], [20, 50]]  (0.5 added, margins kept)
#   B3 x B4: ad = bc         [[4, 16], [16, 64]] (rho = 0)
#   B5 x B6: both thresholds 0 [[30, 20], [20, 30]] (rho = -cos(2 pi p11))
#   B7 x B8: two empty cells [[40, 0], [0, 60]]   (rho = 1)
pair <- function(t) {  # rows of a 2x2 table t (row = first item), shuffled
  r <- rep(c(1, 2, 1, 2), times = c(t[1, 1], t[2, 1], t[1, 2], t[2, 2]))
  c <- rep(c(1, 1, 2, 2), times = c(t[1, 1], t[2, 1], t[1, 2], t[2, 2]))
  o <- sample(length(r)); cbind(r[o], c[o])
}
b <- cbind(pair(matrix(c(30, 20, 0, 50), 2)), pair(matrix(c(4, 16, 16, 64), 2)),
           pair(matrix(c(30, 20, 20, 30), 2)), pair(matrix(c(40, 0, 0, 60), 2)))
colnames(b) <- paste0("B", 1:8)
write.csv(as.data.frame(b), "ordinal_binary.csv", row.names = FALSE)
