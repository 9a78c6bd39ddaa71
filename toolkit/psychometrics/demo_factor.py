"""Demo step ``efa``: parallel analysis and EFA of the bundled collective-data-use sample survey."""
from __future__ import annotations

from pathlib import Path

from ..resources import sample_data_dir

SAMPLE = sample_data_dir() / "survey" / "collective-data-use.csv"
INSTRUMENT = "collective-data-use"


def step(outdir: Path, echo) -> list[Path]:
    """Parallel analysis (seed 1) then minres + oblimin EFA with the suggested number of factors; writes
    ``efa.xlsx``, ``efa.json`` and ``scree.png`` under *outdir*."""
    from ..errors import DataError
    from ..io import write_text, dumps_json
    from ..survey.table import read_table
    from .factor import efa, select_items

    if not Path(SAMPLE).exists():
        raise DataError("the sample survey is missing (generate it with the survey demo first)", file=SAMPLE)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    items = select_items(read_table(SAMPLE), instrument=INSTRUMENT)
    res = efa(items, n_factors="auto", method="minres", rotation="oblimin", seed=1)
    echo(f"   parallel analysis: {res.parallel.n_factors} factor(s), {res.parallel.n_components} component(s); "
         f"KMO = {res.kmo.overall:.3f}; {res.n} respondents, {items.shape[1]} items")
    for w in res.warnings:
        echo(f"   warning: {w}")
    xlsx, js, png = outdir / "efa.xlsx", outdir / "efa.json", outdir / "scree.png"
    res.to_excel(xlsx)
    write_text(js, dumps_json(res.to_dict()) + "\n")
    res.parallel.plot(png, title=f"Parallel analysis: {INSTRUMENT}")
    return [xlsx, js, png]
