"""``hls demo`` and ``hls sample-data``: the whole toolkit on the bundled sample data (see :mod:`toolkit.demo`)."""
from __future__ import annotations

import time
from pathlib import Path

import click

from toolkit.demo import STEPS


@click.command()
@click.option("-o", "--out", "outdir", type=click.Path(file_okay=False, path_type=Path), default=Path("demo-output"),
              show_default=True, help="Folder for everything the demo writes (its inputs go to OUT/inputs).")
@click.option("--only", multiple=True, type=click.Choice([n for n, _ in STEPS]),
              help="Run only the named step(s); repeatable.")
def demo(outdir: Path, only: tuple[str, ...]):
    """Run the toolkit end to end on the bundled sample data and write every output to a folder.

    The sample inputs are copied to OUT/inputs first, so you can see what went in and rerun any
    command on them. The demo itself is a readable tutorial of the Python API: toolkit/demo.py.

    \b
    Example:
      hls demo -o demo-output
      hls demo -o demo-output --only cfa
    """
    from toolkit.demo import run_demo

    t0 = time.perf_counter()
    written = run_demo(outdir, only=only, echo=click.echo)
    click.echo(f"demo finished: {len(written)} file(s) under {outdir} in {time.perf_counter() - t0:.0f}s "
               f"(inputs in {outdir / 'inputs'})")


@click.command("sample-data")
@click.option("-o", "--out", "outdir", type=click.Path(file_okay=False, path_type=Path), default=Path("hls-sample"),
              show_default=True, help="Folder to copy the sample inputs into.")
@click.option("--force", is_flag=True, help="Replace files in OUT that differ from the samples.")
def sample_data(outdir: Path, force: bool):
    """Copy the bundled sample inputs (a 400-respondent survey, filled questionnaires, Kobo/ODK/Qualtrics
    exports, the partnerships' members file and roster answers, six interview transcripts and their gold
    coding) into a folder to try every command on.

    \b
    Example:
      hls sample-data -o hls-sample
      cd hls-sample
      hls analyze reliability survey/collective-data-use.csv -i collective-data-use
    """
    from toolkit.resources import copy_sample_data

    files = copy_sample_data(outdir, overwrite=force)
    click.echo(f"{len(files)} sample file(s) in {outdir}: survey/ (answers and exports), transcripts/ (interviews, "
               "gold coding)")
