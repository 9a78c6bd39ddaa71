"""``hls survey``: import and validate answers from every channel, score constructs, simulate data."""
from __future__ import annotations

from pathlib import Path

import click

from ..survey.readers import READERS  # the registry: stdlib-only at import time


@click.group()
def survey():
    """Survey answers: import and validate them, score constructs, simulate data.

    \b
    Example:
      hls survey import returned/ -i collective-data-use -o answers.csv --report report.xlsx
      hls survey score answers.csv -i collective-data-use -o scored.csv
    """


def _check_suffix(path: Path, allowed: tuple, option: str) -> None:
    from ..errors import ToolkitError

    if path.suffix.lower() not in allowed:
        raise ToolkitError(f"'{path.name}' must end in {' or '.join(allowed)}", field=option)


def _instrument_option(f):
    return click.option("--instrument", "-i", "instrument", required=True,
                        help="Shipped instrument name (see 'hls instrument list') or a YAML path.")(f)


@survey.command("import", short_help="Import answers from every channel into one tidy table, with a validation report.")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@_instrument_option
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Tidy data file to write: .csv, .xlsx, .sav (SPSS) or .dta (Stata), the last two labelled.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Validation report: .csv (issues) or .xlsx (summary, issues, missingness, files).")
@click.option("--format", "fmt", default=None,
              type=click.Choice(list(READERS)),
              help="Force one reader for every file (default: sniffed per file).")
@click.option("--straightline-min", default=5, show_default=True, type=click.IntRange(min=0),
              help="Flag identical answers on all items when at least this many are answered (0 = off).")
@click.option("--keep-missing-codes", is_flag=True,
              help="Keep declared missing codes (e.g. 9 = Don't know) as codes instead of blanks "
                   "(.sav marks them user-missing).")
@click.option("--qsf", "qsf", type=click.Path(dir_okay=False, path_type=Path),
              help="The Qualtrics survey file (.qsf) of a numeric Qualtrics export: its recode values and choice "
                   "labels turn the exported numbers back into answers.")
@click.option("--json", "as_json", is_flag=True, help="Print the validation report as JSON.")
def import_(sources, instrument, output, report_path, fmt, straightline_min, keep_missing_codes, qsf, as_json):
    """Read answers from filled questionnaires (.xlsx, or saved by LibreOffice as .ods, or by old Excel as .xls),
    the entry workbook, KoboToolbox, ODK Central (.csv or .csv.zip), Qualtrics or plain tables (CSV, workbook,
    SAV, DTA) into ONE tidy table, validate them and write data and report.

    SOURCES are files or folders (every .xlsx/.ods/.xls/.csv/.tsv/.zip/.sav/.dta inside). Labels are recoded to
    the response scale's values in any language; declared missing codes become blank; invalid answers are
    reported with their file and row (or cell) and left blank. Inputs are never modified.

    A numeric Qualtrics export carries Qualtrics' own recode values: give the survey's .qsf with --qsf (or
    export with "Use choice text"); without it, numbers that do not fit the instrument stop the import.

    Exit status: 0 when every file was read (validation findings are in the report), 3 when some files were
    skipped (unreadable, wrong instrument or version, blank) - the data of the others are still written -
    and 2 when nothing could be read.

    \b
    Example:
      hls survey import sample_data/survey/questionnaires sample_data/survey/kobo-export.csv \\
          sample_data/survey/odk-export.csv -i collective-data-use -o answers.csv --report report.xlsx
    """
    from ..errors import DataError
    from ..io import dumps_json, refuse_overwriting
    from ..survey.importer import expand_sources, read_survey
    from ..survey.output import check_output_suffix, write_survey

    check_output_suffix(output)
    if report_path is not None:
        _check_suffix(report_path, (".csv", ".xlsx"), "--report")
    files = expand_sources(list(sources))
    refuse_overwriting(files + ([qsf] if qsf else []), {"--output": output, "--report": report_path})
    survey_file = None
    if qsf is not None:
        from ..survey.qsf import load_qsf

        survey_file = load_qsf(qsf)
    data, report = read_survey(files, instrument, format=fmt, straightline_min=straightline_min,
                               keep_missing_codes=keep_missing_codes, qsf=survey_file)
    if report_path is not None:
        report.write(report_path)
    if as_json:
        click.echo(dumps_json(report.to_dict()))
    else:
        click.echo(report.summary(), err=False)
    if len(data) == 0:
        raise DataError(f"no answers could be read from {len(report.files)} file(s); nothing written",
                        file=output)
    write_survey(data, output, instrument)
    if not as_json:
        click.echo(f"wrote {len(data)} respondent(s) to {output}" +
                   (f"; report in {report_path}" if report_path else ""))
    skipped = report.skipped_files
    if skipped:
        err = DataError(f"{len(skipped)} of {len(report.files)} file(s) skipped: {', '.join(skipped)} "
                        f"(the answers of the others were written to {output})")
        err.exit_code = 3
        err.keep_outputs = True  # the answers of the readable files are written on purpose
        raise err


@survey.command("validate", short_help="Validate a tidy data file against an instrument.")
@click.argument("data", type=click.Path(path_type=Path))
@_instrument_option
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the report: .csv (issues) or .xlsx (all tables).")
@click.option("--straightline-min", default=5, show_default=True, type=click.IntRange(min=0),
              help="Flag identical answers on all items when at least this many are answered (0 = off).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def validate(data, instrument, report_path, straightline_min, as_json):
    """Validate an already tidy data file (CSV/XLSX/SAV, one column per item id) against an instrument.

    \b
    Example:
      hls survey validate sample_data/survey/collective-data-use.csv -i collective-data-use --report checks.csv
    """
    from ..errors import DataError
    from ..io import dumps_json, refuse_overwriting
    from ..survey.table import read_table
    from ..survey.validate import validate_survey
    from ..survey.variables import as_instrument

    if report_path is not None:
        _check_suffix(report_path, (".csv", ".xlsx"), "--report")
    refuse_overwriting([data], {"--report": report_path})
    inst = as_instrument(instrument)
    df = read_table(data)
    if not set(inst.item_ids) & set(df.columns):  # not survey data for this instrument: say so, once
        shown = ", ".join(map(str, list(df.columns)[:6])) + (", ..." if len(df.columns) > 6 else "")
        raise DataError(f"no column is an item of '{inst.id}' (the file has: {shown})", file=data,
                        field="--instrument")
    report = validate_survey(df, inst, straightline_min=straightline_min)
    if report_path is not None:
        report.write(report_path)
    click.echo(dumps_json(report.to_dict()) if as_json else report.summary())


@survey.command("score", short_help="Add construct scores (reverse-keyed, min share answered).")
@click.argument("data", type=click.Path(path_type=Path))
@_instrument_option
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Scored data to write: .csv, .xlsx, .sav or .dta.")
@click.option("--min-share", default=2 / 3, show_default="0.667", type=click.FloatRange(0, 1, min_open=True),
              help="Share of a construct's items that must be answered for a score.")
@click.option("--json", "as_json", is_flag=True, help="Print per-construct summaries as JSON.")
def score(data, instrument, output, min_share, as_json):
    """Add one column per construct: the mean of its items after reverse-keying ((min + max) - x), when at
    least --min-share of them are answered, else blank. Declared missing codes (e.g. 9 = Don't know) and
    answer labels are handled as on import.

    \b
    Example:
      hls survey score sample_data/survey/collective-data-use.csv -i collective-data-use -o scored.csv
    """
    from ..io import dumps_json, refuse_overwriting
    from ..survey.output import check_output_suffix, write_survey
    from ..survey.score import score as score_df
    from ..survey.table import read_table
    from ..survey.variables import as_instrument

    check_output_suffix(output)
    refuse_overwriting([data], {"--output": output})
    inst = as_instrument(instrument)
    df = read_table(data)
    scored = score_df(df, inst, min_share=min_share)
    write_survey(scored, output, inst)
    rows = []
    for c in inst.constructs:
        s = scored[c.id]
        rows.append({"construct": c.id, "items": len(c.items), "n_scored": int(s.notna().sum()),
                     "mean": float(s.mean()) if s.notna().any() else None,
                     "sd": float(s.std()) if s.notna().sum() > 1 else None})
    if as_json:
        click.echo(dumps_json({"n": len(scored), "min_share": min_share, "output": str(output), "constructs": rows}))
    else:
        click.echo(f"scored {len(scored)} respondent(s) on {len(rows)} construct(s) -> {output}")
        for r in rows:
            mean = "-" if r["mean"] is None else f"{r['mean']:.2f}"
            sd = "-" if r["sd"] is None else f"{r['sd']:.2f}"
            click.echo(f"  {r['construct']:<30} n={r['n_scored']:<5} mean={mean:<5} sd={sd}")


@survey.command("simulate", short_help="Simulate answers from a stated multilevel factor model.")
@click.argument("instrument")
@click.option("-n", "n", default=400, show_default=True, type=click.IntRange(min=1), help="Respondents.")
@click.option("--groups", default=40, show_default=True, type=click.IntRange(min=1),
              help="Groups (partnerships), of unequal size.")
@click.option("--seed", default=1, show_default=True, type=int, help="Random seed (same seed, same data).")
@click.option("--missing", default=0.03, show_default=True, type=click.FloatRange(0, 1, max_open=True),
              help="Share of item answers left blank completely at random.")
@click.option("--dont-know", default=0.01, show_default=True, type=click.FloatRange(0, 1, max_open=True),
              help="Share of item answers given the scale's missing code (e.g. 9 = Don't know).")
@click.option("--factor-correlation", default=0.3, show_default=True, type=float,
              help="Correlation between every pair of construct factors.")
@click.option("--icc-group", default=0.15, show_default=True, type=click.FloatRange(0, 1, max_open=True),
              help="Factor ICC for constructs with referent: group.")
@click.option("--icc-individual", default=0.05, show_default=True, type=click.FloatRange(0, 1, max_open=True),
              help="Factor ICC for individual-referent constructs.")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Data file to write: .csv, .xlsx, .sav or .dta.")
@click.option("--model", "model_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the true model (loadings, factor correlations, ICCs, thresholds) as JSON.")
@click.option("--json", "as_json", is_flag=True, help="Print the true model as JSON.")
def simulate(instrument, n, groups, seed, missing, dont_know, factor_correlation, icc_group, icc_individual, output,
             model_path, as_json):
    """Simulate raw answers to INSTRUMENT from a stated factor model: one factor per construct, equal factor
    correlations, loadings 0.8 to 0.6, a group random effect (ICC), symmetric thresholds, reverse-keyed items
    answered in reverse, MCAR blanks and a few Don't know codes. Simulated people, not real ones.

    \b
    Example:
      hls survey simulate collective-data-use -n 400 --groups 40 --seed 1 -o simulated.csv
    """
    from ..io import dumps_json, refuse_overwriting, write_json
    from ..survey.output import check_output_suffix, write_survey
    from ..survey.simulate import simulate as sim

    check_output_suffix(output)
    refuse_overwriting([], {"--output": output, "--model": model_path})
    from ..survey.variables import as_instrument

    instrument = as_instrument(instrument)  # parsed once, not once per step
    df = sim(instrument, n=n, groups=groups, seed=seed, missing=missing, dont_know=dont_know,
             factor_correlation=factor_correlation, icc_group=icc_group, icc_individual=icc_individual)
    write_survey(df, output, instrument)
    model = df.attrs["true_model"]
    if model_path is not None:
        write_json(model, model_path)
    if as_json:
        click.echo(dumps_json(model))
    else:
        click.echo(f"simulated {len(df)} respondent(s) in {groups} group(s) (seed {seed}) -> {output}")


from .survey_roster import roster  # noqa: E402 - the roster command lives in its own module

survey.add_command(roster)
