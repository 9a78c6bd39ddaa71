"""Sample statistics: what an estimator needs from the data (polychoric correlations, thresholds, Gamma)."""
