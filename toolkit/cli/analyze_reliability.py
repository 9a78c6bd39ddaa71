"""``hls analyze reliability``: alpha, G6, omega and item statistics per scale (a shell over toolkit.reliability)."""
from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("data", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--instrument", "-i", "instrument", metavar="NAME", help="Shipped instrument name or YAML path: one scale per construct; "
              "its missing codes (e.g. 9 = Don't know) are treated as missing.")
@click.option("--scale", "scale_specs", multiple=True, metavar="'name=-A1,A2,A3'",
              help="A scale and its items (repeatable); a leading - marks a reverse-keyed item.")
@click.option("--min", "min_", type=float, help="Lowest response value for reverse keying "
              "[default: the instrument's scale, else the observed minimum over the scale's items].")
@click.option("--max", "max_", type=float, help="Highest response value for reverse keying "
              "[default: the instrument's scale, else the observed maximum over the scale's items].")
@click.option("--missing", type=click.Choice(["pairwise", "listwise"]), default="pairwise", show_default=True,
              help="pairwise: psych's pairwise-complete covariances; listwise: complete cases per scale.")
@click.option("--missing-code", "missing_codes", type=float, multiple=True, metavar="CODE",
              help="A value meaning 'missing', e.g. 9 for Don't know (repeatable); added to the instrument's codes.")
@click.option("--ordinal", is_flag=True,
              help="Also report ordinal alpha: alpha of the polychoric correlations (psych::alpha(polychoric(x)$rho)).")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write an .xlsx workbook (sheets Scales, Items, Frequencies).")
def reliability(data, instrument, scale_specs, min_, max_, missing, missing_codes, ordinal, as_json, output):
    """Internal consistency of scales, as R psych::alpha and omega.

    Per scale: alpha with Feldt and Duhachek 95% intervals, standardized alpha, G6(smc), average and median
    inter-item r, S/N, omega total (and ordinal alpha with --ordinal); per item: n, mean, sd, raw/std r, r.cor,
    r.drop, alpha if deleted and response frequencies. Items with a negative item-rest correlation are flagged
    as likely mis-keyed. Missing codes and answers outside the declared range (--min/--max or the instrument's
    scale) are set to missing first, and reported.

    \b
    Example:
      hls analyze reliability answers.csv --instrument collective-data-use
      hls analyze reliability bfi.csv --scale "agree=-A1,A2,A3,A4,A5" --scale "consc=C1,C2,C3,-C4,-C5"
      hls analyze reliability bfi.csv --scale "agree=-A1,A2,A3,A4,A5" --missing listwise --json
      hls analyze reliability survey.csv --scale "trust=T1,T2,-T3" --missing-code 9 --ordinal
      hls analyze reliability answers.xlsx --instrument collective-data-use -o reliability.xlsx
    """
    from toolkit.errors import ToolkitError
    from toolkit.io import dumps_json, refuse_overwriting
    from toolkit.psychometrics.reliability import reliability as run
    from toolkit.psychometrics.scales import resolve_scales
    from toolkit.survey.table import read_table

    if output is not None and output.suffix.lower() != ".xlsx":
        raise ToolkitError("the output file must end in .xlsx", field="--output")
    refuse_overwriting([data], {"--output": output})
    df = read_table(data)
    scales = resolve_scales(instrument=instrument, scale_specs=scale_specs, columns=None)
    absent = sorted({i for s in scales for i in s.items} - set(df.columns), key=str)
    if absent:
        raise ToolkitError(f"item column(s) not in the data: {', '.join(absent)}", file=data,
                           field="--scale" if scale_specs else "--instrument")
    try:
        result = run(df, scales, instrument=instrument, min=min_, max=max_, missing=missing,
                     missing_codes=missing_codes, ordinal=ordinal)
    except ToolkitError as exc:  # name the data file (and the option) in errors about these data
        if exc.location.file is None:
            exc.location.file = str(data)
            if exc.location.field is None:
                exc.location.field = "--scale" if scale_specs else "--instrument"
        raise
    if output is not None:
        result.to_excel(output)
    if as_json:  # warnings are in the JSON too; repeat them on stderr so a person running it sees them
        click.echo(dumps_json(result.to_dict()))
        for w in result.warnings:
            click.echo(f"warning: {w}", err=True)
    else:  # the report carries each scale's warnings under its table
        click.echo(result.to_text(), nl=False)
        if output is not None:
            click.echo(f"wrote {output}")
