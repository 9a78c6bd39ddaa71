"""``hls codebook``: theory codebooks; each command lives in its own module."""
import click

from .lazy import LazyGroup

COMMANDS = {
    "list": ("toolkit.cli.codebook_cmds:list_", "List shipped codebooks."),
    "show": ("toolkit.cli.codebook_cmds:show", "Print a codebook's codes, definitions and rules."),
    "check": ("toolkit.cli.codebook_cmds:check", "Validate a codebook: ids, patterns, own example quotes."),
    "import": ("toolkit.cli.code_refi:import_qdc", "Convert a REFI-QDA codebook (.qdc) to codebook YAML."),
}


@click.group(cls=LazyGroup, lazy=COMMANDS)
def codebook():
    """Theory codebooks (YAML) used by 'hls code run'.

    \b
    Example:
      hls codebook show hls-theory --code kroll
      hls codebook check my-codebook.yaml
    """
