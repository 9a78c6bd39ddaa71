"""``hls analyze efa`` and ``hls analyze parallel``: thin shells over :mod:`toolkit.psychometrics.factor`
and :mod:`toolkit.psychometrics.parallel`. Heavy imports happen inside the commands."""
from __future__ import annotations

from pathlib import Path

import click


def _load_items(data: Path, items: str | None, instrument: str | None, missing_codes=()):
    """Read DATA and pick the item columns, screened: missing codes (the instrument's and --missing-code) and
    answers outside the instrument's response range become NaN."""
    from toolkit.psychometrics.factor import select_items
    from toolkit.survey.table import read_table

    if bool(items) == bool(instrument):
        from toolkit.errors import ToolkitError

        raise ToolkitError("give exactly one of --items A1,A2,... or --instrument NAME", field="--items")
    return select_items(read_table(data), items=items or None, instrument=instrument or None,
                        missing_codes=missing_codes)


def _items_options(f):
    f = click.option("--ordinal", is_flag=True, help="Use polychoric correlations of the ordinal answers "
                     "(psych's cor = \"poly\") instead of Pearson correlations.")(f)
    f = click.option("--missing-code", "missing_codes", type=float, multiple=True, metavar="CODE",
                     help="A value meaning 'missing', e.g. 9 for Don't know (repeatable).")(f)
    f = click.option("--instrument", "-i", "instrument", metavar="NAME", help="Use the item columns of a shipped or YAML instrument "
                     "(its missing codes, e.g. 9 = Don't know, become missing).")(f)
    f = click.option("--items", metavar="A1,A2,...", help="Comma-separated item columns.")(f)
    return f


@click.command()
@click.argument("data", type=click.Path(dir_okay=False, path_type=Path))
@_items_options
@click.option("--n-factors", "n_factors", default="auto", show_default=True, metavar="N|auto",
              help="Number of factors, or 'auto' for the parallel-analysis count.")
@click.option("--method", type=click.Choice(["minres", "ml", "pa", "principal"]), default="minres",
              show_default=True, help="Extraction: minimum residual, maximum likelihood, principal axis, "
              "principal components.")
@click.option("--rotation", type=click.Choice(["oblimin", "promax", "varimax", "none"]), default="oblimin",
              show_default=True)
@click.option("--missing", type=click.Choice(["pairwise", "listwise"]), default="pairwise", show_default=True)
@click.option("--cutoff", type=float, default=0.30, show_default=True,
              help="Blank loadings below this absolute value in the console and Excel tables.")
@click.option("--iterations", type=int, default=20, show_default=True, help="Parallel-analysis iterations.")
@click.option("--seed", type=int, default=None, help="Seed for the parallel analysis (reproducible runs).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path), help="Write an .xlsx workbook.")
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path),
              help="Write a scree plot with the parallel-analysis thresholds (.png).")
def efa(data, items, instrument, missing_codes, ordinal, n_factors, method, rotation, missing, cutoff, iterations,
        seed, as_json, out, plot):
    """Exploratory factor analysis with KMO and Bartlett's test, as psych::fa.

    Loadings (pattern), structure, factor correlations, communalities h2 = diag(P Phi P'), uniquenesses and
    variance explained; Heywood cases and non-positive-definite matrices are reported as warnings.

    \b
    Example:
      hls analyze efa answers.csv --instrument collective-data-use --n-factors auto --seed 1
      hls analyze efa bfi.csv --items A1,A2,A3,A4,A5,C1,C2,C3,C4,C5 --n-factors 2 --rotation promax -o efa.xlsx
      hls analyze efa bfi.csv --items A1,A2,A3,C1,C2,C3 --n-factors 2 --json
      hls analyze efa answers.csv --instrument collective-data-use --ordinal --n-factors 8
    """
    from toolkit.errors import ToolkitError
    from toolkit.io import dumps_json, refuse_overwriting
    from toolkit.psychometrics.factor import efa as run_efa

    if out is not None and out.suffix.lower() != ".xlsx":
        raise ToolkitError("the output file must end in .xlsx", field="-o")
    if plot is not None and plot.suffix.lower() != ".png":
        raise ToolkitError("the plot file must end in .png", field="--plot")
    refuse_overwriting([data], {"-o": out, "--plot": plot})
    if not 0 <= cutoff < 1:
        raise ToolkitError(f"must be between 0 and 1, not {cutoff:g}", field="--cutoff")
    df = _load_items(data, items, instrument, missing_codes)
    nf = n_factors.strip().lower()
    if nf != "auto":
        try:
            nf = int(nf)
        except ValueError:
            raise ToolkitError(f"--n-factors must be a whole number or 'auto', not '{n_factors}'",
                               field="--n-factors") from None
    res = run_efa(df, n_factors=nf, method=method, rotation=rotation, missing=missing, iterations=iterations,
                  seed=seed, ordinal=ordinal)
    if plot is not None:
        par = res.parallel
        if par is None:
            from toolkit.psychometrics.parallel import parallel_analysis

            par = parallel_analysis(df, iterations=iterations, seed=seed, missing=missing, ordinal=ordinal)
        par.plot(plot)
    if out is not None:
        res.to_excel(out, cutoff=cutoff)
    if as_json:
        click.echo(dumps_json(res.to_dict()))
    else:
        click.echo(res.summary(cutoff))
        for path in (out, plot):
            if path is not None:
                click.echo(f"wrote {path}")
    for w in res.warnings if as_json else ():
        click.echo(f"warning: {w}", err=True)


@click.command()
@click.argument("data", type=click.Path(dir_okay=False, path_type=Path))
@_items_options
@click.option("--iterations", type=int, default=20, show_default=True, help="Number of simulated data sets.")
@click.option("--seed", type=int, default=None, help="Seed (numpy Generator) for reproducible runs.")
@click.option("--quantile", type=float, default=0.95, show_default=True,
              help="Quantile of the simulated eigenvalues used as the threshold.")
@click.option("--missing", type=click.Choice(["pairwise", "listwise"]), default="pairwise", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--plot", type=click.Path(dir_okay=False, path_type=Path), help="Write a scree plot (.png).")
def parallel(data, items, instrument, missing_codes, ordinal, iterations, seed, quantile, missing, as_json, plot):
    """Horn's parallel analysis, as psych::fa.parallel (simulated normal data, minres factor eigenvalues).

    Counts the leading factors (components) whose observed eigenvalue exceeds the 95th percentile of the
    eigenvalues of the simulated data sets.

    \b
    Example:
      hls analyze parallel answers.csv --instrument collective-data-use --seed 1 --plot scree.png
      hls analyze parallel bfi.csv --items A1,A2,A3,A4,A5,C1,C2,C3,C4,C5 --iterations 50 --json
    """
    from toolkit.errors import ToolkitError
    from toolkit.io import dumps_json, refuse_overwriting
    from toolkit.psychometrics.parallel import parallel_analysis

    if plot is not None and plot.suffix.lower() != ".png":
        raise ToolkitError("the plot file must end in .png", field="--plot")
    refuse_overwriting([data], {"--plot": plot})
    df = _load_items(data, items, instrument, missing_codes)
    res = parallel_analysis(df, iterations=iterations, seed=seed, quantile=quantile, missing=missing,
                            ordinal=ordinal)
    if plot is not None:
        res.plot(plot)
    if as_json:
        click.echo(dumps_json(res.to_dict()))
    else:
        click.echo(res.summary())
        if plot is not None:
            click.echo(f"wrote {plot}")
