"""Demo step: aggregate the bundled collective-data-use sample survey to partnerships."""
from __future__ import annotations

from pathlib import Path

from .demo_data import sample_survey


def step(outdir: Path, echo, sample: Path | None = None) -> list[Path]:
    """Agreement, ICCs and the partnership-level dataset of the sample survey; returns the files written."""
    from ..io import write_json
    from .aggregation import aggregate

    inst, data = sample_survey(sample)
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    result = aggregate(data, group=inst.group_column, instrument=inst, awg=True)
    paths = [outdir / f"{inst.group_column}-level.csv", outdir / "aggregation.xlsx", outdir / "aggregation.json"]
    result.write_groups(paths[0])
    result.write(paths[1])
    write_json(result.to_dict(), paths[2])
    s = result.settings
    echo(f"   {s['n_respondents']} respondents in {s['n_groups']} groups by '{result.group_column}'")
    for row in result.constructs.to_dict("records"):
        label = "rwg(j)" if row["index"] == "rwg_j" else "rwg"
        echo(f"   {row['construct']}: ICC(1) {row['icc1']:.2f}, ICC(2) {row['icc2']:.2f}, "
             f"median {label} {row['agreement_median']:.2f}")
    for w in result.warnings:
        echo(f"   warning: {w}")
    return paths
