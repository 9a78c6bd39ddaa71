"""``hls report``: one results page (HTML), an APA workbook and figures for a study (a shell over toolkit.report)."""
from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.option("--survey", type=click.Path(path_type=Path), metavar="DATA",
              help="Survey answers (CSV, XLSX, SAV, a Kobo/ODK/Qualtrics export, or a folder of questionnaires).")
@click.option("--instrument", "-i", metavar="NAME", help="The instrument the answers belong to (shipped name or YAML).")
@click.option("--group", metavar="COLUMN", help="Test measurement invariance across this column (e.g. role).")
@click.option("--ordered", is_flag=True, help="Fit the CFA (and invariance) on the Likert items as ordered categories: "
              "WLSMV on polychoric correlations, as lavaan's ordered = TRUE, on respondents who answered every item "
              "[default: ML, with FIML for missing answers].")
@click.option("--level", metavar="COLUMN", help="Column of the partnership/team for aggregation and the joint display "
              "[default: the instrument's group question].")
@click.option("--codings", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Coded interviews: hls code run / apply-review CSV, a review workbook, a unit-format coding or a "
                   ".qdpx project (with --transcripts for case attributes).")
@click.option("--transcripts", type=click.Path(path_type=Path), metavar="DIR",
              help="Interview transcripts: auto-coded with --codebook, or the texts behind --codings.")
@click.option("--codebook", metavar="NAME", help="Codebook to auto-code --transcripts with [default: the one the "
              "instrument links its constructs to].")
@click.option("--network", type=click.Path(dir_okay=False, path_type=Path), metavar="EDGES",
              help="Roster answers as an edge list (group, ego, alter, relation, weight): network measures per "
                   "partnership beside its survey scores, and network pictures.")
@click.option("--members", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="The members of each partnership (group, member_id, name, expertise), with --network.")
@click.option("--skip-speaker", "skip_speakers", multiple=True, metavar="NAME",
              help="Speaker whose talk is neither coded nor counted (repeatable) [default: Interviewer].")
@click.option("--seed", type=int, default=1, show_default=True, help="Seed of the parallel analysis.")
@click.option("--title", help="Title of the page [default: 'Results: <instrument title>'].")
@click.option("-o", "--out", "outdir", type=click.Path(file_okay=False, path_type=Path), default=Path("report"),
              show_default=True, help="Folder for report.html, report.xlsx and figures/.")
@click.option("--json", "as_json", is_flag=True, help="Print what was written and which sections are in, as JSON.")
def report(survey, instrument, group, ordered, level, codings, transcripts, codebook, network, members, skip_speakers, seed,
           title, outdir, as_json):
    """Write one results page for a study: report.html (self-contained: opens offline, prints well),
    report.xlsx (the same tables, APA style) and figures/*.png and .svg.

    Sections: sample; descriptives and correlations (Table 1); reliability; EFA; CFA (and invariance with
    --group); aggregation; partnership networks (with --network); qualitative coding; the joint display of
    survey and interviews; methods with references. A section whose input is absent is left out with one line saying what would fill it.

    \b
    Example:
      hls sample-data -o hls-sample
      hls report --survey hls-sample/survey/collective-data-use.csv -i collective-data-use --group role \\
          --transcripts hls-sample/transcripts --codebook hls-theory -o report \\
          --network hls-sample/survey/collective-data-use-network.csv \\
          --members hls-sample/survey/collective-data-use-members.csv
      hls report --survey answers.csv -i collective-data-use -o report          # survey only
      hls report --survey answers.csv -i collective-data-use --ordered -o report  # Likert items as ordinal (WLSMV)
      hls report --codings final.csv --transcripts interviews/ -o report        # interviews only
    """
    from toolkit.console import note
    from toolkit.io import dumps_json
    from toolkit.report.build import report as build

    res = build(survey=survey, instrument=instrument, group=group, codings=codings, transcripts=transcripts,
                codebook=codebook, out=outdir, level=level, network=network, members=members,
                skip_speakers=list(skip_speakers) or None, seed=seed,
                title=title, ordered=ordered)
    if as_json:
        click.echo(dumps_json(res.to_dict()))
        return
    for s in res.sections:
        mark = {"included": "included", "omitted": "left out", "failed": "failed"}[s["status"]]
        click.echo(f"  {mark:<9}{s['title']}" + (f": {s['note']}" if s["note"] else ""))
    click.echo(f"wrote {res.html}, {res.xlsx} and {len(res.figures)} figure file(s) in {res.html.parent / 'figures'} "
               f"({res.seconds:.0f}s)")
    note("open report.html in a browser; it needs no internet connection")
