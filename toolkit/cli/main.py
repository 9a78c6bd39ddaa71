"""The ``hls`` command: a thin shell over the Python API.

Command groups live in one module each under ``toolkit.cli`` and are imported only when called.
"""
from __future__ import annotations

import os
import sys

import click

from .lazy import LazyGroup

GROUPS = {
    "instrument": ("toolkit.cli.instrument:instrument", "Questionnaires: list, show, check, build forms, codebooks."),
    "survey": ("toolkit.cli.survey:survey", "Answers: import and validate, score, simulate."),
    "analyze": ("toolkit.cli.analyze:analyze", "Psychometrics: reliability, EFA, parallel analysis, CFA, aggregation."),
    "code": ("toolkit.cli.code:code", "Transcripts: auto-code, review, agreement, evaluation, REFI-QDA export."),
    "codebook": ("toolkit.cli.codebook:codebook", "Theory codebooks: list, show, check, import .qdc."),
    "report": ("toolkit.cli.report:report", "One results page (HTML), APA workbook and figures for a study."),
    "demo": ("toolkit.cli.demo:demo", "Run the whole toolkit on the bundled sample data."),
    "sample-data": ("toolkit.cli.demo:sample_data", "Copy the bundled sample inputs to a folder to try commands on."),
}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("hls-toolkit")
    except PackageNotFoundError:  # running from a source tree
        from toolkit import __version__

        return __version__


@click.group(cls=LazyGroup, lazy=GROUPS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=None, package_name="hls-toolkit", prog_name="hls", message="%(prog)s %(version)s")
@click.option("-q", "--quiet", is_flag=True, help="Only results, warnings and errors: no notes, no progress bars.")
@click.option("-v", "--verbose", is_flag=True, help="Also show details (steps, timings, settings).")
def cli(quiet: bool, verbose: bool):
    """hls-toolkit: design questionnaires, score and analyse answers, code transcripts against theory.

    Progress bars appear on long steps when the output is a terminal.

    \b
    Example:
      hls instrument list
      hls demo -o demo-output
      hls --quiet analyze reliability answers.csv -i collective-data-use --json
    """
    from toolkit.console import set_verbosity

    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose exclude each other")
    set_verbosity(quiet=quiet, verbose=verbose)


def main(argv=None) -> int:
    """Entry point: run the CLI, turning every user error into one line on stderr and a non-zero exit."""
    from toolkit.errors import ToolkitError

    try:
        rv = cli.main(args=argv, prog_name="hls", standalone_mode=False)
    except ToolkitError as exc:
        click.echo(f"error: {exc}", err=True)
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - last line of defence: no traceback reaches the user
        if os.environ.get("HLS_DEBUG"):
            raise
        from toolkit.console import printable

        click.echo(f"error: {type(exc).__name__}: {printable(exc)} (set HLS_DEBUG=1 for the traceback)", err=True)
        return 1
    # with standalone_mode=False click returns ctx.exit(n)'s code, or the command's return value
    return rv if isinstance(rv, int) and not isinstance(rv, bool) else 0


def run() -> None:  # pragma: no cover
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    run()
