"""``hls demo``: run every capability of the toolkit on the bundled sample data.

Each capability contributes one step, a function ``step(outdir: Path, echo) -> list[Path]`` that writes its
outputs under *outdir* and returns them. Add a line to ``STEPS`` when a capability lands.
"""
from __future__ import annotations

import importlib
import time
from pathlib import Path

import click

STEPS = [
    ("instruments", "toolkit.instruments.demo:step"),
    ("survey", "toolkit.survey.demo:step"),
    ("reliability", "toolkit.psychometrics.demo_reliability:step"),
    ("efa", "toolkit.psychometrics.demo_factor:step"),
    ("cfa", "toolkit.psychometrics.demo_cfa:step"),
    ("aggregate", "toolkit.psychometrics.demo_aggregate:step"),
    ("network", "toolkit.networks.demo:step"),
    ("coding", "toolkit.coding.demo:step"),
    ("refi", "toolkit.coding.demo_refi:step"),
]


@click.command()
@click.option("-o", "--out", "outdir", type=click.Path(file_okay=False, path_type=Path), default=Path("demo-output"),
              show_default=True, help="Folder for everything the demo writes.")
@click.option("--only", multiple=True, help="Run only the named step(s).")
def demo(outdir: Path, only: tuple[str, ...]):
    """Run the toolkit end to end on the bundled sample data and write every output to a folder.

    \b
    Example:
      hls demo -o demo-output
      hls demo -o demo-output --only instruments
    """
    outdir.mkdir(parents=True, exist_ok=True)
    names = [n for n, _ in STEPS]
    for name in only:
        if name not in names:
            raise click.BadParameter(f"unknown step '{name}' (steps: {', '.join(names)})", param_hint="--only")
    written: list[Path] = []
    for name, target in STEPS:
        if only and name not in only:
            continue
        module, attr = target.split(":")
        step = getattr(importlib.import_module(module), attr)
        t0 = time.perf_counter()
        click.echo(f"== {name}")
        paths = step(outdir / name, click.echo)
        written.extend(paths)
        click.echo(f"   {len(paths)} file(s) in {time.perf_counter() - t0:.1f}s")
    click.echo(f"demo finished: {len(written)} file(s) under {outdir}")
