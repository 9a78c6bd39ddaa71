"""``hls code train``: learn a coder from human codings (gold, reviewed suggestions, a .qdpx)."""
from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("codings", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--transcripts", "transcripts", multiple=True, type=click.Path(path_type=Path),
              help="Transcript files or folder the codings were made on (repeatable; a .qdpx carries its own).")
@click.option("--codebook", "codebook", required=True, help="Codebook (shipped name or YAML file).")
@click.option("-o", "--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Model folder to write (model.json + weights).")
@click.option("--skip-speaker", "skip", multiple=True, help="Units of this speaker are not training units "
              "(repeatable, e.g. Interviewer).")
@click.option("--min-units", type=int, default=5, show_default=True,
              help="Codes with fewer positive training units are left to the rules.")
@click.option("--features", type=click.Choice(["auto", "bow", "vectors"]), default="auto", show_default=True,
              help="auto: add WordLlama word vectors to the bag of words only if they raise the "
                   "cross-validated F1.")
@click.option("--open-world", is_flag=True, help="Only explicit labels count (gold units, accepted and "
              "rejected suggestions); by default a unit nobody gave a code is a negative for it.")
@click.option("--no-examples", is_flag=True, help="Do not add the codebook's example quotes as training units.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed (same inputs = same model).")
@click.option("--json", "as_json", is_flag=True, help="Print the model metadata as JSON.")
def train(codings, transcripts, codebook, out, skip, min_units, features, open_world, no_examples, seed, as_json):
    """Train a coder from human CODINGS that suggests codes next to the codebook's rules.

    CODINGS: a gold coding (document, unit_index, speaker, sentence, codes), 'hls code apply-review'
    output, reviewed workbooks from 'hls code run -o' (rejected suggestions count as negatives for their
    code), or a .qdpx with human codings. The model (spaCy textcat_multilabel over lemma n-grams, rule
    matches and, where it helps, WordLlama word vectors shipped in the wordllama wheel) gets per-code
    thresholds by cross-validation over the training documents; nothing is downloaded.

    \b
    Example:
      hls code train final-codings.csv review.xlsx --transcripts interviews/ \\
          --codebook hls-theory --skip-speaker Interviewer -o my-coder
      hls code run new-interviews/ --codebook hls-theory --trained my-coder -o review.xlsx
    """
    from toolkit.coding.learn import train_coder
    from toolkit.errors import ToolkitError
    from toolkit.io import dumps_json

    for p in codings:
        if not p.exists():
            raise ToolkitError("file not found", file=p)
    for p in transcripts:
        if not p.exists():
            raise ToolkitError("file not found", file=p, field="--transcripts")
    if out.resolve() in {p.resolve() for p in (*codings, *transcripts)}:
        raise ToolkitError("the model folder would overwrite an input", file=out, field="-o")
    meta = train_coder(list(codings), list(transcripts) or None, codebook, out, skip_speakers=skip, seed=seed,
                       min_units=min_units, features=features, closed_world=not open_world,
                       examples=not no_examples, progress=lambda m: click.echo(m, err=True))
    if as_json:
        click.echo(dumps_json(meta))
    for w in meta.get("warnings", []):
        click.echo(f"warning: {w}", err=True)
    m = meta.get("cv_micro", {})
    if m:
        click.echo("cross-validated micro P/R/F1 (within the training documents): " + "; ".join(
            f"{k} {_f(v['precision'])}/{_f(v['recall'])}/{_f(v['f1'])}" for k, v in m.items())
            + (f"; model ranking: mean average precision {_f(meta['cv_model_map'])}"
               if meta.get("cv_model_map") is not None else ""), err=True)
    if meta["left_to_rules"]:
        click.echo(f"note: {len(meta['left_to_rules'])} code(s) have fewer than {min_units} positive training "
                   f"units and are left to the rules: {', '.join(meta['left_to_rules'])}", err=True)
    click.echo(f"wrote {out}: {len(meta['labels'])} code(s) learned from {meta['training_units']} unit(s), "
               f"features {meta['features']}, {meta['seconds']}s", err=True)


def _f(v) -> str:
    return "n/a" if v is None else f"{v:.2f}"
