"""Demo step ``efa``: parallel analysis and EFA of the bundled collective-data-use sample survey."""
from __future__ import annotations

from pathlib import Path

from .demo_data import sample_survey


def step(outdir: Path, echo, sample: Path | None = None) -> list[Path]:
    """Parallel analysis (seed 1) then minres + oblimin EFA with the suggested number of factors; writes
    ``efa.xlsx``, ``efa.json`` and ``scree.png`` under *outdir*."""
    from ..io import dumps_json, write_text
    from .factor import efa, select_items

    inst, data = sample_survey(sample)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    items = select_items(data, instrument=inst)
    res = efa(items, n_factors="auto", method="minres", rotation="oblimin", seed=1)
    echo(f"   parallel analysis: {res.parallel.n_factors} factor(s), {res.parallel.n_components} component(s); "
         f"KMO = {res.kmo.overall:.3f}; {res.n} respondents, {items.shape[1]} items")
    for w in res.warnings:
        echo(f"   warning: {w}")
    xlsx, js, png = outdir / "efa.xlsx", outdir / "efa.json", outdir / "scree.png"
    res.to_excel(xlsx)
    write_text(js, dumps_json(res.to_dict()) + "\n")
    res.parallel.plot(png, title=f"Parallel analysis: {inst.id}")
    return [xlsx, js, png]
