"""Demo step ``reliability``: alpha, omega and item statistics of every construct of the bundled sample survey."""
from __future__ import annotations

from pathlib import Path

from .demo_data import sample_survey


def step(outdir: Path, echo, sample: Path | None = None) -> list[Path]:
    """Run ``hls analyze reliability SAMPLE --instrument collective-data-use``; writes ``reliability.xlsx``
    and ``reliability.json`` under *outdir*."""
    from ..io import dumps_json, write_text
    from .reliability import reliability

    inst, data = sample_survey(sample)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    res = reliability(data, instrument=inst)
    for row in res.scales.itertuples(index=False):
        omega = "-" if row.omega_total != row.omega_total else f"{row.omega_total:.3f}"
        echo(f"   {row.scale}: alpha {row.alpha:.3f} [{row.alpha_ci_feldt_lower:.3f}, {row.alpha_ci_feldt_upper:.3f}],"
             f" omega {omega}, {row.n_items} items, N = {row.n}")
    for w in res.warnings:
        echo(f"   warning: {w}")
    xlsx, js = outdir / "reliability.xlsx", outdir / "reliability.json"
    res.to_excel(xlsx)
    write_text(js, dumps_json(res.to_dict()) + "\n")
    return [xlsx, js]
