"""Demo step: the roster networks of the bundled sample partnerships, end to end through the public API."""
from __future__ import annotations

from pathlib import Path

PLOTTED = ("P07", "P04")  # a complete partnership and one below 80% response (hls analyze network --plot: all)


def step(outdir: Path, echo, sample: Path | None = None) -> list[Path]:
    """Build the roster forms for the sample members (XLSForm, entry workbook, two personalised
    questionnaires), compute the network measures of every partnership and relation, draw two partnerships,
    and add the measures to the partnership-level dataset; returns the files written."""
    import pandas as pd

    from ..instruments.forms import build_form, build_roster_questionnaires
    from ..psychometrics.aggregation import aggregate
    from ..resources import sample_data_dir
    from .analysis import network

    folder = Path(sample) if sample is not None else sample_data_dir() / "survey"
    members = folder / "collective-data-use-members.csv"
    edges = folder / "collective-data-use-network.csv"
    survey = folder / "collective-data-use.csv"
    inst = "collective-data-use"
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    written = [build_form(inst, "xlsform", outdir / "roster-xlsform.xlsx", members=members),
               build_form(inst, "entry", outdir / "roster-entry.xlsx", members=members)]
    written += build_roster_questionnaires(inst, members, outdir / "questionnaires", only=["P07:R0070", "P07:R0071"])
    result = network(edges, members=members, instrument=inst)
    for name in ("networks.xlsx", "networks.json", "networks.csv"):
        written.append(result.write(outdir / name))
    written += result.plot(outdir / "plots", groups=PLOTTED)
    agg = aggregate(pd.read_csv(survey, dtype={"respondent_id": str, "partnership_id": str}), instrument=inst,
                    network=result)
    groups = outdir / "partnerships-with-networks.csv"
    agg.write_groups(groups)
    written.append(groups)
    parts = result.partnerships
    echo(f"   {len(parts)} partnerships, {int(parts['members'].sum())} members, roster response "
         f"{parts['respondents'].sum() / parts['members'].sum():.0%}; {int(parts['low_response'].sum())} below 80%")
    for rel, sub in result.networks.groupby("relation", sort=False):
        echo(f"   {rel}: mean density {sub['density'].mean():.2f}, reciprocity {sub['reciprocity'].mean():.2f}, "
             f"in-degree centralization {sub['indegree_centralization'].mean():.2f} "
             f"({int(sub['indegree_centralization'].notna().sum())} complete networks)")
    g = agg.groups
    r = g["connectedness"].corr(g["exchange_density"])
    echo(f"   partnership level: r(connectedness score, exchange density) = {r:.2f} over {len(g)} partnerships")
    for w in result.warnings[:3]:
        echo(f"   warning: {w}")
    return written
