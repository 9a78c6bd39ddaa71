"""``hls code run`` and ``hls code apply-review``: auto-code transcripts, fold review decisions back in."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import click


@click.command()
@click.argument("transcripts", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--codebook", "codebook", required=True, help="Shipped codebook name or a codebook YAML file.")
@click.option("--unit", type=click.Choice(["sentence", "turn"]), default="sentence", show_default=True,
              help="Coding unit.")
@click.option("--skip-speaker", "skip", multiple=True, help="Do not code this speaker's turns (repeatable).")
@click.option("--model", default=None, help="An installed spaCy pipeline (default: offline blank English with "
              "lookup lemmas; nothing is ever downloaded).")
@click.option("--trained", type=click.Path(path_type=Path), default=None,
              help="A model folder from 'hls code train': merge its suggestions with the rule matches "
                   "(columns source = rule/model/both and score).")
@click.option("--jobs", type=int, default=1, show_default=True, help="Processes for spaCy's nlp.pipe.")
@click.option("--scheduler", type=click.Choice(["process", "dask"]), default="process", show_default=True,
              help="process: this process; dask: a Dask distributed cluster (needs the dask extra).")
@click.option("--address", default=None, help="Dask scheduler address (tcp://HOST:PORT); default: start a "
              "LocalCluster.")
@click.option("--workers", type=int, default=None, help="Workers of the LocalCluster (default: cores, max 4).")
@click.option("-o", "--out", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Review workbook (.xlsx) with Codings, Frequencies, Co-occurrence and Codebook sheets.")
@click.option("--csv", "csv_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Codings as CSV, written while documents stream (memory stays flat).")
@click.option("--parquet", "parquet_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Codings as Parquet, written while documents stream (needs pyarrow).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON on stdout.")
@click.pass_context
def run(ctx, transcripts, codebook, unit, skip, model, trained, jobs, scheduler, address, workers, out, csv_out,
        parquet_out, as_json):
    """Auto-code TRANSCRIPTS (files or folders: .txt .md .docx .vtt .srt) against a codebook.

    One row per coded unit x code (document, case, group, speaker, unit, unit_index, start, end, text, code,
    rule, matched, source, score, memo). Unreadable files are reported by name and skipped; the exit status
    is then non-zero. With --trained the review workbook lists the least certain suggestions first.

    \b
    Example:
      hls code run sample_data/transcripts --codebook hls-theory \\
          --skip-speaker Interviewer -o review.xlsx --csv codings.csv
      hls code run new/ --codebook hls-theory --trained my-coder -o review.xlsx
      hls code run big-corpus/ --codebook hls-theory --csv codings.csv --scheduler dask --workers 4
    """
    import contextlib

    from toolkit.console import note, printable, warn
    from toolkit.errors import ToolkitError

    # cheap checks first: a wrong path fails before spaCy loads and leaves no output behind
    for p in transcripts:
        if not p.exists():
            raise ToolkitError("file not found", file=p)
    if trained is not None and not trained.exists():
        raise ToolkitError("file not found", file=trained, field="--trained")
    if out is None and csv_out is None and parquet_out is None and not as_json:
        raise ToolkitError("nothing to write: give -o FILE.xlsx, --csv FILE.csv, --parquet FILE and/or --json",
                           field="-o")
    if out is not None and out.suffix.lower() != ".xlsx":
        raise ToolkitError("the review workbook must be an .xlsx file", field="-o")
    if scheduler != "dask" and (address or workers):
        raise ToolkitError("--address and --workers go with --scheduler dask", field="--scheduler")
    from toolkit.io import dumps_json, refuse_overwriting

    refuse_overwriting(transcripts, {"-o": out, "--csv": csv_out, "--parquet": parquet_out})
    t0 = time.perf_counter()
    if scheduler == "dask":
        from toolkit.coding.scale import DaskRun, require_dask

        require_dask()
        if jobs != 1:
            raise ToolkitError("--jobs is for the single-process scheduler; use --workers", field="--jobs")
        runner = DaskRun(transcripts, codebook, unit=unit, skip_speakers=skip, model=model, trained=trained,
                         address=address, workers=workers)
    else:
        from toolkit.coding.run import CodingRun

        runner = CodingRun(transcripts, codebook, unit=unit, skip_speakers=skip, model=model, jobs=jobs,
                           trained=trained)
    from toolkit.coding.outputs import CsvCodingsWriter, ParquetCodingsWriter, write_review_workbook

    keep = out is not None or as_json
    rows: list[dict] = []
    n_rows = 0
    result = None
    # every output is committed only when all of them are written: a run that fails (or reads nothing) leaves
    # no CSV behind without its workbook
    with contextlib.ExitStack() as stack:
        writers = [stack.enter_context(CsvCodingsWriter(csv_out)) if csv_out else None,
                   stack.enter_context(ParquetCodingsWriter(parquet_out)) if parquet_out else None]
        writers = [w for w in writers if w is not None]
        from toolkit.coding.transcripts import transcript_paths
        from toolkit.console import progress

        total = len(transcript_paths([t for t in transcripts if Path(t).exists()]))
        for _, doc_rows in progress(runner, total=total or None, desc="coding", unit="transcript"):
            n_rows += len(doc_rows)
            for w in writers:
                w.write_rows(doc_rows)
            if keep:
                rows.extend(doc_rows)
        stats = runner.stats
        skipped = [printable(getattr(e, "transcript", None) or e.location.file or e) for e in runner.errors]
        for err, name in zip(runner.errors, skipped):
            # a broken sidecar or cases.csv is named in the error; say which transcript it cost
            click.echo(f"error: {err} (skipped{'' if name == printable(err.location.file) else ' ' + name})",
                       err=True)
        if not stats.documents:
            raise ToolkitError("no transcript could be used, so nothing was written; "
                               f"{len(runner.errors)} file(s) skipped: {', '.join(skipped)}")
        if keep:
            from toolkit.coding.run import coding_result

            result = coding_result(runner, rows)
        if out is not None:
            write_review_workbook(out, result)
    if as_json:
        click.echo(dumps_json(result.to_dict()))
    missing = runner.unmatched_skips()
    if missing:
        warn(f"--skip-speaker {', '.join(missing)}: no such speaker in the transcripts (typo?); their turns were "
             "not skipped")
    for w in runner.model_warnings:
        warn(w)
    info = runner.model_info()
    if info and info.get("left_to_rules"):
        note(f"note: {len(info['left_to_rules'])} code(s) had too few training units and are left to the rules: "
             f"{', '.join(info['left_to_rules'])}")
    if runner.vetoed:
        note(f"note: the trained coder vetoed {runner.vetoed} rule match(es) (score below the code's keep "
             "threshold)")
    secs = time.perf_counter() - t0
    rate = stats.words / secs if secs > 0 else float("nan")
    where = "" if scheduler != "dask" else f" on {len(runner.workers_used)} Dask worker(s)"
    click.echo(f"coded {len(stats.documents)} document(s){where}, {stats.units_coded} {unit}(s) with codes, "
               f"{n_rows} coding row(s); {stats.words} words in {secs:.1f}s ({rate:,.0f} words/s)"
               + "".join(f"; wrote {printable(p)}" for p in (out, csv_out, parquet_out) if p), err=True)
    if runner.errors:
        names = ", ".join(skipped)
        err = ToolkitError(f"{len(runner.errors)} file(s) could not be used and were skipped: {names}")
        err.keep_outputs = True  # the codings of the readable files are written on purpose
        raise err


@click.command("apply-review")
@click.argument("reviewed", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Final codings CSV.")
@click.option("--undecided", type=click.Choice(["keep", "drop"]), default="drop", show_default=True,
              help="Rows without a decision: drop them (the final codings are what people accepted or "
                   "recoded) or keep them as suggestions.")
@click.option("--json", "as_json", is_flag=True, help="Print the counts and final rows as JSON.")
def apply_review(reviewed, out, undecided, as_json):
    """Fold the decisions in a REVIEWED workbook (from 'hls code run -o') into final codings.

    accept keeps a row, reject drops it, recode replaces its code by recode_to (rule "review").
    The final codings are what people accepted or recoded: rows without a decision are dropped (and
    counted in a warning) unless --undecided keep. The reviewer's comment is kept.

    \b
    Example:
      hls code apply-review review.xlsx -o final-codings.csv
      hls code apply-review half-reviewed.xlsx -o interim.csv --undecided keep
    """
    from toolkit.coding.review import apply_review as _apply
    from toolkit.io import dumps_json, refuse_overwriting, write_csv

    refuse_overwriting([reviewed], {"-o": out})
    res = _apply(reviewed, undecided=undecided)
    write_csv(res.codings, out)
    if as_json:
        click.echo(dumps_json(res.to_dict()))
    msg = (f"{res.accepted} accepted, {res.recoded} recoded, {res.rejected} rejected, {res.undecided} undecided "
           f"({'kept' if undecided == 'keep' else 'dropped'}); {len(res.codings)} row(s) written to {out}")
    click.echo(msg, err=True)
    if res.undecided:
        click.echo(f"warning: {res.undecided} row(s) had no decision and were "
                   + ("kept (use --undecided drop to drop them)" if undecided == "keep" else
                      "dropped (use --undecided keep to keep them as suggestions)"), err=True)
    sys.stdout.flush()
