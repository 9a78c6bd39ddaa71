"""``hls analyze``: psychometric analyses; each command lives in its own module."""
import click

from .lazy import LazyGroup

COMMANDS = {
    "reliability": ("toolkit.cli.analyze_reliability:reliability",
                    "Alpha (Feldt/Duhachek CIs), G6, omega and item statistics, as psych::alpha."),
    "polychoric": ("toolkit.cli.analyze_polychoric:polychoric",
                   "Polychoric correlations and thresholds of ordinal items, as psych::polychoric."),
    "efa": ("toolkit.cli.analyze_factor:efa", "Exploratory factor analysis with KMO and Bartlett, as psych::fa."),
    "parallel": ("toolkit.cli.analyze_factor:parallel", "Horn's parallel analysis, as psych::fa.parallel."),
    "cfa": ("toolkit.cli.analyze_cfa:cfa", "Confirmatory factor analysis and measurement invariance, as lavaan."),
    "aggregate": ("toolkit.cli.analyze_aggregate:aggregate",
                  "Within-group agreement (rwg, rwg(j)), ICC(1), ICC(2) and the group-level dataset."),
    "network": ("toolkit.cli.analyze_network:network",
                "Roster networks per partnership: density, reciprocity, centralization (as igraph), plots."),
}


@click.group(cls=LazyGroup, lazy=COMMANDS)
def analyze():
    """Psychometric analyses of survey data (CSV, XLSX or SAV with one column per item)."""
