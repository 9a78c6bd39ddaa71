"""``hls code``: qualitative coding of transcripts; each command lives in its own module."""
import click

from .lazy import LazyGroup

COMMANDS = {
    "run": ("toolkit.cli.code_run:run", "Auto-code transcripts against a theory codebook (spaCy, offline)."),
    "train": ("toolkit.cli.code_train:train", "Train a coder from human codings (gold, reviewed suggestions, .qdpx)."),
    "apply-review": ("toolkit.cli.code_run:apply_review", "Fold a reviewed workbook's decisions into final codings."),
    "agreement": ("toolkit.cli.code_agreement:agreement", "Inter-coder agreement: Krippendorff's alpha, Cohen's kappa."),
    "evaluate": ("toolkit.cli.code_agreement:evaluate", "Precision, recall and F1 of auto-coding against a gold coding."),
    "export": ("toolkit.cli.code_refi:export", "Export codebook (.qdc) or project (.qdpx) for NVivo, ATLAS.ti, MAXQDA."),
    "redact": ("toolkit.cli.code_redact:redact", "De-identify transcripts: stable pseudonyms, key in a separate file."),
}


@click.group(cls=LazyGroup, lazy=COMMANDS)
def code():
    """Code interview transcripts against theory, review, compare and exchange codings.

    \b
    Example:
      hls code redact interviews/ -o redacted/ --names names.txt --key secure/key.csv
      hls code run interviews/ --codebook hls-theory --skip-speaker Interviewer -o review.xlsx --csv codings.csv
      hls code apply-review review.xlsx -o final.csv
      hls code agreement gold.csv final.csv --transcripts interviews/ --skip-speaker Interviewer
    """
