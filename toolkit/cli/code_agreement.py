"""``hls code agreement`` and ``hls code evaluate``: compare coders, score the auto-coder against a gold coding."""
from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("codings", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--unit", type=click.Choice(["sentence", "turn"]), default="sentence", show_default=True,
              help="Units the codings are placed on; a coding counts for every unit it overlaps.")
@click.option("--transcripts", "transcripts", multiple=True, type=click.Path(path_type=Path),
              help="Transcript files or folder giving the units (not needed for .qdpx, nor for sentences when a "
                   "gold-format coding lists every sentence). Repeatable.")
@click.option("--skip-speaker", "skip", multiple=True, help="Leave this speaker's units out (repeatable).")
@click.option("--codebook", default=None, help="Codebook (name or YAML): code order and REFI GUID mapping.")
@click.option("--name", "names", multiple=True, help="Label for each single-coder input, in order (default: file "
              "stem; .qdpx users keep their names).")
@click.option("--min-positives", type=click.IntRange(min=0), default=5, show_default=True,
              help="Codes applied to fewer units than this get the rare-code caveat.")
@click.option("--json", "as_json", is_flag=True, help="Print {units, coders, codes, overall} as JSON.")
@click.option("-o", "--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Workbook (.xlsx): Summary, Pairs, Disagreements (units to discuss), Units.")
def agreement(codings, unit, transcripts, skip, codebook, names, min_positives, as_json, out):
    """Inter-coder agreement between CODINGS (two or more files; one .qdpx may hold several coders).

    Inputs: 'hls code run' CSV/XLSX, review workbooks (decisions applied), apply-review CSV, gold-format CSV
    (document, unit_index, speaker, sentence, codes) and REFI-QDA .qdpx projects (each user is a coder).
    Per code: Krippendorff's alpha (nominal), Cohen's kappa (two coders), % agreement and prevalence;
    alpha < .667 is flagged unreliable and .667-.800 tentative; rare codes get a caveat.

    \b
    Example:
      hls code agreement sample_data/transcripts/gold.csv codings.csv \\
          --transcripts sample_data/transcripts --skip-speaker Interviewer -o agreement.xlsx
      hls code agreement team-nvivo.qdpx --codebook hls-theory --json
    """
    from toolkit.coding.agreement import agreement as _agreement, format_report, write_agreement_xlsx
    from toolkit.errors import ToolkitError
    from toolkit.io import dumps_json, refuse_overwriting

    if out is not None and out.suffix.lower() != ".xlsx":
        raise ToolkitError("the output workbook must be an .xlsx file", field="-o")
    refuse_overwriting(codings, {"-o": out})
    res = _agreement(list(codings), unit=unit, transcripts=list(transcripts) or None, skip_speakers=skip,
                     codebook=codebook, min_positives=min_positives, names=list(names) or None)
    if out is not None:
        write_agreement_xlsx(res, out)
    if as_json:
        click.echo(dumps_json(res.to_dict()))
        for w in res.warnings:
            click.echo(f"warning: {w}", err=True)
    else:
        click.echo(format_report(res))
    if out is not None:
        click.echo(f"wrote {out}", err=True)


@click.command()
@click.option("--gold", "gold", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Gold coding: document, unit_index, speaker, sentence, codes (codes ';'-separated).")
@click.option("--pred", "pred", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Auto-coding to score: 'hls code run' CSV/XLSX, a review workbook, apply-review CSV or .qdpx.")
@click.option("--skip-speaker", "skip", multiple=True, help="Leave this speaker's units out (repeatable).")
@click.option("--transcripts", "transcripts", multiple=True, type=click.Path(path_type=Path),
              help="Transcripts (only needed when predictions carry offsets but no sentence index).")
@click.option("--coder", default=None, help="Which user of a multi-coder .qdpx --pred to score (default: first).")
@click.option("--json", "as_json", is_flag=True, help="Print per-code, micro, macro and error segments as JSON.")
@click.option("-o", "--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Workbook (.xlsx): Scores and the False positives / False negatives behind them.")
def evaluate(gold, pred, skip, transcripts, coder, as_json, out):
    """Precision, recall and F1 of an auto-coding (--pred) against a gold coding (--gold), per code.

    Units are the gold coding's sentences. Micro averages pool all codes; macro averages weigh codes equally.
    Every false positive and false negative is listed with its sentence, so the codebook rules can be fixed.

    \b
    Example:
      hls code evaluate --gold sample_data/transcripts/gold.csv --pred codings.csv \\
          --skip-speaker Interviewer -o evaluation.xlsx
    """
    from toolkit.coding.evaluation_report import evaluate_sources, format_evaluation, write_evaluation_xlsx
    from toolkit.errors import ToolkitError
    from toolkit.io import dumps_json, refuse_overwriting

    if out is not None and out.suffix.lower() != ".xlsx":
        raise ToolkitError("the output workbook must be an .xlsx file", field="-o")
    refuse_overwriting([gold, pred], {"-o": out})
    res, notes = evaluate_sources(gold, pred, skip_speakers=skip, transcripts=list(transcripts) or None,
                                   coder=coder)
    if out is not None:
        write_evaluation_xlsx(res, out, notes)
    if as_json:
        click.echo(dumps_json(res.to_dict()))
    else:
        click.echo(format_evaluation(res, notes))
    for n in notes if as_json else ():
        click.echo(f"note: {n}", err=True)
    if out is not None:
        click.echo(f"wrote {out}", err=True)
