"""``hls code redact``: de-identify transcripts with stable pseudonyms and a separate key."""
from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("transcripts", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-o", "--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the redacted transcripts (same formats and names, identifiers replaced).")
@click.option("--names", "names", type=click.Path(dir_okay=False, path_type=Path),
              help="Names to replace: one a line, optionally 'organisation: Riverside Trust' or 'place: Leeds' "
                   "(default kind: person), or a CSV with columns name, kind.")
@click.option("--key", "key", type=click.Path(dir_okay=False, path_type=Path),
              help="Key file (CSV kind, original, pseudonym): read first if it exists, so pseudonyms stay the "
                   "same across runs, and written back. Default: DIR-key.csv beside the output folder.")
@click.option("--keep-speakers", is_flag=True, help="Do not pseudonymise speaker names.")
@click.option("--ner", "ner", default=None, metavar="PIPELINE",
              help="Also replace people, organisations and places found by presidio-analyzer with this installed "
                   "trained spaCy pipeline (e.g. en_core_web_lg; nothing is downloaded).")
@click.option("--json", "as_json", is_flag=True, help="Print the files written and the counts as JSON.")
def redact(transcripts, out, names, key, keep_speakers, ner, as_json):
    """De-identify TRANSCRIPTS (files or folders) into the folder -o DIR.

    E-mail addresses, phone numbers (UK and international), URLs, UK postcodes, speaker names and the names in
    --names become stable pseudonyms ("Person 3", "Organisation 2", "Email 1"); roles such as Interviewer
    are kept. The key is written to its own file (never inside DIR): keep it apart from the redacted
    transcripts and give it again with --key to keep the pseudonyms of earlier runs. Redacted files keep
    their format and metadata, so code run, agreement and export work on them; code the redacted files
    (offsets refer to their text).

    \b
    Example:
      hls code redact interviews/ -o redacted/ --names names.txt --key secure/key.csv
      hls code run redacted/ --codebook hls-theory --skip-speaker Interviewer -o review.xlsx
    """
    from toolkit.coding.redact import redact_transcripts
    from toolkit.console import printable
    from toolkit.errors import ToolkitError
    from toolkit.io import dumps_json

    res = redact_transcripts(transcripts, out, names=names, key=key, speakers=not keep_speakers, ner=ner)
    for err in res.errors:
        click.echo(f"error: {err} (skipped)", err=True)
    if as_json:
        click.echo(dumps_json(res.to_dict()))
    counts = ", ".join(f"{n} {kind}" for kind, n in sorted(res.counts.items())) or "nothing found"
    click.echo(f"redacted {len(res.files)} file(s) into {printable(out)} ({counts}); key with {res.pseudonyms} "
               f"pseudonym(s): {printable(res.key_path)} (keep it apart from the transcripts)", err=True)
    if res.errors:
        raise ToolkitError(f"{len(res.errors)} file(s) could not be read and were skipped: "
                           + ", ".join(printable(e.transcript) for e in res.errors))
