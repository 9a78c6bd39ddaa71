"""``hls analyze cfa``: confirmatory factor analysis and measurement invariance (a shell over toolkit.cfa)."""
from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("data", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--instrument", "-i", "instrument", metavar="NAME", help="Shipped instrument name or YAML path: one factor per construct; "
              "missing codes become missing, reverse-keyed items are recoded.")
@click.option("--model", "model_lines", multiple=True, metavar="'f =~ x1 + x2 + x3'",
              help="lavaan-style model line(s) (repeatable; one string may hold several lines separated by new "
                   "lines or ';'). 'x1 ~~ x2' adds a residual covariance.")
@click.option("--missing-code", "missing_codes", type=float, multiple=True, metavar="CODE",
              help="A value meaning 'missing', e.g. 9 for Don't know (repeatable; an instrument's declared codes "
                   "apply anyway).")
@click.option("--construct", "constructs", multiple=True, metavar="ID",
              help="With --instrument: use only this construct (repeatable).")
@click.option("--group", metavar="COLUMN", help="Also test configural, metric and scalar invariance across the "
              "groups in this column.")
@click.option("--estimator", type=click.Choice(["ml", "mlr", "wlsmv"], case_sensitive=False), default=None,
              help="ml (default): maximum likelihood; mlr: ML with robust (Huber-White) standard errors and the "
                   "Yuan-Bentler scaled chi-square with scaled and robust CFI/TLI/RMSEA (lavaan estimator = \"MLR\"); "
                   "wlsmv (default with --ordered): DWLS on polychoric correlations, robust SEs, mean-and-variance "
                   "adjusted chi-square (lavaan estimator = \"WLSMV\").")
@click.option("--ordered", is_flag=True, help="Treat every indicator as ordinal (Likert): thresholds in the model, "
              "polychoric correlations, WLSMV (lavaan ordered = TRUE); with --group the steps are configural and "
              "thresholds_loadings. Rows with a missing answer are left out (no FIML for ordered data).")
@click.option("--missing", type=click.Choice(["fiml", "listwise"], case_sensitive=False), default=None,
              help="fiml: full-information ML, every answer is used (lavaan missing = \"ml\"); listwise: complete "
                   "cases only. Default: fiml when any item has a missing answer.")
@click.option("--free", "free", multiple=True, metavar="'f=~x3' | 'x3~1' | 'x3|t2'",
              help="With --group: release this loading, intercept or (with --ordered) threshold from the equality "
                   "constraints (partial invariance, lavaan group.partial; repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write an .xlsx workbook (sheets Fit, Loadings, Thresholds (--ordered), Reliability, HTMT, "
                   "Invariance, Score tests (--group), Modification indices).")
def cfa(data, instrument, model_lines, missing_codes, constructs, group, estimator, ordered, missing, free, as_json,
        output):
    """Confirmatory factor analysis by maximum likelihood, as R lavaan::cfa.

    Marker-variable identification (first loading = 1). Missing answers are handled by full-information ML
    (FIML) unless --missing listwise. Reports chi-square, CFI, TLI, RMSEA with its 90% interval, SRMR,
    log-likelihood, AIC, BIC (with --estimator mlr also the scaled and robust versions), standardized
    loadings, factor correlations, composite reliability and AVE, HTMT, the ten largest modification
    indices with expected parameter changes, with Hu & Bentler (1999) cut-offs as guidance. With --group:
    the configural, metric and scalar models, chi-square difference tests and Chen (2007) verdicts.

    With --ordered (Likert items): WLSMV as lavaan::cfa(..., ordered = TRUE): thresholds with robust SEs, the
    scaled-shifted chi-square, scaled and robust CFI/TLI/RMSEA, categorical SRMR; with --group the
    configural and thresholds_loadings steps compared by lavTestLRT's scaled-shifted difference test.

    \b
    Example:
      hls analyze cfa answers.csv --instrument collective-data-use
      hls analyze cfa hs1939.csv --model "visual =~ x1 + x2 + x3" \\
          --model "textual =~ x4 + x5 + x6" --model "speed =~ x7 + x8 + x9"
      hls analyze cfa hs1939.csv --model "visual =~ x1+x2+x3; textual =~ x4+x5+x6; speed =~ x7+x8+x9" \\
          --group school --json
      hls analyze cfa answers.xlsx --instrument collective-data-use -o cfa.xlsx
      hls analyze cfa answers.csv --instrument collective-data-use --construct collective_data_use --group role
      hls analyze cfa answers.csv -i collective-data-use --estimator mlr --missing fiml --json
      hls analyze cfa hs1939.csv --model "visual =~ x1+x2+x3; textual =~ x4+x5+x6; speed =~ x7+x8+x9" \\
          --group school --free "x3~1" --free "x7~1"
      hls analyze cfa bfi.csv --model "N =~ N1 + N2 + N3 + N4 + N5" --ordered --json
      hls analyze cfa bfi.csv --model "N =~ N1 + N2 + N3 + N4 + N5" --ordered --group gender --free "N3|t2"
    """
    from toolkit.errors import ToolkitError
    from toolkit.io import dumps_json, refuse_overwriting
    from toolkit.psychometrics.cfa import cfa as run
    from toolkit.psychometrics.invariance import invariance
    from toolkit.survey.table import read_table

    if output is not None and output.suffix.lower() != ".xlsx":
        raise ToolkitError("the output file must end in .xlsx", field="--output")
    refuse_overwriting([data], {"--output": output})
    if bool(instrument) == bool(model_lines):
        raise ToolkitError("give either --instrument NAME or --model \"factor =~ item1 + item2 + ...\"",
                           field="--model")
    if constructs and not instrument:
        raise ToolkitError("--construct selects constructs of --instrument", field="--construct")
    if free and not group:
        raise ToolkitError("--free releases equality constraints across groups: give --group too", field="--free")
    df = read_table(data)
    model = "\n".join(model_lines) if model_lines else None
    constructs = list(constructs) or None
    how = {"estimator": estimator.lower() if estimator else None, "missing": (missing or "auto").lower(),
           "missing_codes": missing_codes, "ordered": True if ordered else None}
    result = run(df, model=model, instrument=instrument, constructs=constructs, **how)
    if group:
        result.invariance = invariance(df, model, group, instrument=instrument, constructs=constructs,
                                       free=list(free), **how)
    if output is not None:
        from toolkit.provenance import provenance

        result.to_excel(output, provenance=provenance(
            command="analyze cfa", inputs=[data], instrument=instrument,
            settings={"model": model, "estimator": result.estimator, "missing": result.missing, "group": group,
                      "free": ", ".join(free) or None}))
    if as_json:
        click.echo(dumps_json(result.to_dict()))
    else:
        click.echo(result.summary())
        if output is not None:
            click.echo(f"wrote {output}")
    warns = list(result.warnings) + (list(result.invariance.warnings) if result.invariance is not None else [])
    for w in dict.fromkeys(warns):  # listwise warnings of the CFA and the invariance steps are the same
        click.echo(f"warning: {w}", err=True)
