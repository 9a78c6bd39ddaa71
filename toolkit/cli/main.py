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
@click.option("--max-unzipped", metavar="SIZE", default=None,
              help="Largest uncompressed size of an .xlsx/.docx/.qdpx file read (default 2GB; or HLS_MAX_UNZIPPED).")
@click.option("--max-ratio", metavar="N", type=float, default=None,
              help="Highest compression ratio of a member of such a file (default 200; or HLS_MAX_RATIO).")
@click.option("--max-members", metavar="N", type=int, default=None,
              help="Most entries in such a file (default 20000; or HLS_MAX_MEMBERS).")
def cli(quiet: bool, verbose: bool, max_unzipped, max_ratio, max_members):
    """hls-toolkit: design questionnaires, score and analyse answers, code transcripts against theory.

    Progress bars appear on long steps when the output is a terminal. Zip-based inputs (.xlsx, .docx, .qdpx)
    are checked for zip bombs before they are read; raise the limits with the options below for honest giant
    files. Every command that writes files takes --force to replace human work (a review workbook holding
    decisions, a filled questionnaire, a YAML file you edited).

    \b
    Example:
      hls instrument list
      hls demo -o demo-output
      hls --quiet analyze reliability answers.csv -i collective-data-use --json
      hls --max-unzipped 8GB survey import huge.xlsx -i collective-data-use -o answers.csv
    """
    from toolkit.console import set_verbosity

    from ..archive import set_limits

    if quiet and verbose:
        raise click.UsageError("--quiet and --verbose exclude each other")
    set_verbosity(quiet=quiet, verbose=verbose)
    try:
        set_limits(max_total_size=max_unzipped, max_ratio=max_ratio, max_members=max_members)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--max-unzipped") from None


class Terminated(BaseException):
    """Raised in the main thread when the process receives SIGTERM, so cleanup runs as for Ctrl-C."""


def _on_sigterm(signum, frame):
    raise Terminated()


_SEEN: set = set()  # warnings already shown by this command


def _show_warning(message, category, filename, lineno, file=None, line=None):
    """Every warning as one line on stderr, each distinct one once; no source lines, no library paths."""
    from toolkit.console import printable
    from toolkit.errors import ToolkitWarning

    if isinstance(message, ToolkitWarning) or issubclass(category, ToolkitWarning):
        text = str(message)
    else:  # a library's warning that our code did not turn into its own: name its kind, once
        text = f"{category.__name__}: {str(message).splitlines()[0] if str(message) else ''}"
    if text in _SEEN:
        return
    _SEEN.add(text)
    click.echo(printable(f"warning: {text}"), err=True)


def main(argv=None) -> int:
    """Entry point: run the CLI, turning every user error into one line on stderr and a non-zero exit.

    Everything a command writes is all-or-nothing (:func:`toolkit.io.output_run`): when it fails or is
    interrupted (Ctrl-C exits 130, SIGTERM 143), every output is left as it was before the run.
    """
    import signal
    import warnings

    from toolkit.errors import ToolkitError
    from toolkit.io import output_run, replaced_outputs, reset_run_state
    from toolkit.provenance import set_run

    from toolkit.archive import reset_limits

    reset_run_state()
    reset_limits()
    set_run()
    _SEEN.clear()

    previous = None
    try:
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    except (ValueError, OSError):  # not the main thread (an embedding application): leave signals alone
        pass
    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
            with output_run(keep_on=(click.exceptions.Exit,)):
                rv = cli.main(args=argv, prog_name="hls", standalone_mode=False)
        replaced = replaced_outputs()
        if replaced:
            shown = ", ".join(str(p) for p in replaced[:3]) + (f" and {len(replaced) - 3} more"
                                                              if len(replaced) > 3 else "")
            from toolkit.console import note

            note(f"note: replaced {len(replaced)} earlier output(s) of hls: {shown}")
    except ToolkitError as exc:
        click.echo(f"error: {exc}", err=True)
        return exc.exit_code
    except click.exceptions.Abort as exc:
        if isinstance(exc.__context__, KeyboardInterrupt):  # click turns Ctrl-C into Abort
            click.echo("interrupted: no output was changed", err=True)
            return 130
        click.echo("aborted", err=True)
        return 1
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("interrupted: no output was changed", err=True)
        return 130
    except Terminated:
        click.echo("terminated: no output was changed", err=True)
        return 143
    except BrokenPipeError:
        return 0
    except Exception as exc:  # noqa: BLE001 - last line of defence: no traceback reaches the user
        if os.environ.get("HLS_DEBUG"):
            raise
        from toolkit.console import printable

        click.echo(f"error: {type(exc).__name__}: {printable(exc)} (set HLS_DEBUG=1 for the traceback)", err=True)
        return 1
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        reset_run_state()  # a Python process that runs several commands starts each afresh
        reset_limits()
        set_run()
    # with standalone_mode=False click returns ctx.exit(n)'s code, or the command's return value
    return rv if isinstance(rv, int) and not isinstance(rv, bool) else 0


def run() -> None:  # pragma: no cover
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    run()
