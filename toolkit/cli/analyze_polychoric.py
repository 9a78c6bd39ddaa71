"""``hls analyze polychoric``: polychoric correlations and thresholds, as psych::polychoric (a thin shell)."""
from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("data", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--items", metavar="A1,A2,...", help="Comma-separated item columns [default: the instrument's items].")
@click.option("--instrument", "-i", "instrument", metavar="NAME",
              help="Shipped instrument name or YAML path: its missing codes (e.g. 9 = Don't know) become missing "
              "and answers outside its response scale are excluded.")
@click.option("--missing-code", "missing_codes", type=float, multiple=True, metavar="CODE",
              help="A value meaning 'missing' (e.g. 9 for Don't know); repeatable.")
@click.option("--correct", type=float, default=0.0, show_default=True,
              help="psych's correction for zero cells; it only acts when items differ in their highest category.")
@click.option("--json", "as_json", is_flag=True, help='Print {"items", "rho", "tau", ...} as JSON.')
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write .xlsx (correlations, thresholds, pairwise n, notes) or .csv (the correlation matrix).")
def polychoric(data, items, instrument, missing_codes, correct, as_json, output):
    """Polychoric correlations and thresholds of ordinal items, as R psych::polychoric(x, correct = 0).

    Thresholds come from each item's own answers, each correlation from the rows answering both items
    (pairwise); a matrix that is not positive definite is smoothed as psych does (and said so).

    \b
    Example:
      hls analyze polychoric bfi.csv --items N1,N2,N3,N4,N5
      hls analyze polychoric answers.csv --instrument collective-data-use -o polychoric.xlsx
      hls analyze polychoric bfi.csv --items A1,A2,A3,A4,A5 --json
    """
    from toolkit.errors import ToolkitError
    from toolkit.io import dumps_json, refuse_overwriting
    from toolkit.psychometrics.samplestats.polychoric import polychoric as run
    from toolkit.survey.table import read_table

    if output is not None and output.suffix.lower() not in (".xlsx", ".csv"):
        raise ToolkitError("the output file must end in .xlsx or .csv", field="-o")
    if not items and not instrument:
        raise ToolkitError("give --items A1,A2,... or --instrument NAME", field="--items")
    refuse_overwriting([data], {"-o": output})
    df = read_table(data)
    try:
        res = run(df, items=items or None, instrument=instrument, missing_codes=missing_codes, correct=correct)
    except ToolkitError as exc:
        if exc.location.file is None:
            exc.location.file = str(data)
        raise
    if output is not None:
        res.write(output)
    if as_json:
        click.echo(dumps_json(res.to_dict()))
        for w in res.warnings:
            click.echo(f"warning: {w}", err=True)
    else:
        click.echo(res.summary())
        if output is not None:
            click.echo(f"wrote {output}")
