"""``hls analyze aggregate``: justify aggregating member answers to groups, and write the group-level dataset."""
from __future__ import annotations

from pathlib import Path

import click

NULL_CHOICES = ("uniform", "slight-skew", "moderate-skew", "heavy-skew")


@click.command()
@click.argument("data", type=click.Path(path_type=Path))
@click.option("--group", "group", metavar="COLUMN",
              help="Column holding the group (partnership, team) id. Default: the instrument's group column.")
@click.option("--instrument", "-i", "instrument", metavar="NAME", help="Shipped instrument name or YAML path: its constructs are scored.")
@click.option("--scale", "scale_specs", multiple=True, metavar='"name=a,-b,c"',
              help="A scale as name=item1,item2,... (a leading - reverses an item). Repeatable.")
@click.option("--options", "options", type=int, metavar="A",
              help="Number of response options (default: the instrument's response scale; needed with --scale).")
@click.option("--null", "null", type=click.Choice(NULL_CHOICES), default="uniform", show_default=True,
              help="Null response distribution for rwg (skewed nulls: LeBreton & Senter 2008, 5 or 7 options).")
@click.option("--awg", "with_awg", is_flag=True, help="Also report Brown & Hauenstein's (2005) awg.")
@click.option("--min-size", type=int, default=3, show_default=True, help="Flag groups with fewer respondents.")
@click.option("--min-share", type=float, default=2 / 3,
              help="Share of a scale's items a respondent must answer to get a score [default: 2/3].")
@click.option("--missing-code", "missing_codes", type=float, multiple=True, metavar="CODE",
              help="A value meaning 'missing', e.g. 9 for Don't know (repeatable); added to the instrument's codes.")
@click.option("--listwise", is_flag=True,
              help="rwg(j): drop respondents with any missing item (multilevel 2.7) instead of pairwise (>= 2.8).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the result: .xlsx (constructs, groups, agreement, notes) or .csv (constructs).")
@click.option("--groups-out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the group-level dataset (one row per group) as .csv or .xlsx.")
@click.option("--network", "network_edges", type=click.Path(dir_okay=False, path_type=Path), metavar="EDGES.csv",
              help="Roster edge list (group, ego, alter, relation, weight): adds each partnership's network "
                   "measures (density, reciprocity, centralizations, ...) to the group-level dataset.")
@click.option("--members", type=click.Path(dir_okay=False, path_type=Path), metavar="MEMBERS.csv",
              help="Members file for --network (see 'hls analyze network').")
@click.option("--reconstruct", is_flag=True, help="With --network: reconstruct non-respondents' ties for the "
                                                   "centralizations.")
def aggregate(data, group, instrument, scale_specs, options, null, with_awg, min_size, min_share, missing_codes,
              listwise, as_json, out, groups_out, network_edges, members, reconstruct):
    """Within-group agreement (rwg, rwg(j), awg), ICC(1), ICC(2) and the group-level dataset.

    For each construct: ICC(1) and ICC(2) of the respondents' construct scores (one-way ANOVA, as R's
    multilevel), rwg(j) per group (rwg for single items) against the chosen null, and a verdict on whether
    aggregating to the group is justified (Bliese 2000; LeBreton & Senter 2008).

    \b
    Example:
      hls analyze aggregate answers.csv --instrument collective-data-use -o aggregation.xlsx \\
          --groups-out partnerships.csv
      hls analyze aggregate lq2002.csv --group COMPID --options 5 \\
          --scale "lead=LEAD01,LEAD02,LEAD03,LEAD04,LEAD05" --json
      hls analyze aggregate answers.csv -i collective-data-use --groups-out partnerships.csv \\
          --network edges.csv --members members.csv
    """
    from toolkit.errors import DataError
    from toolkit.io import dumps_json, refuse_overwriting
    from toolkit.psychometrics.aggregation import CAVEAT
    from toolkit.psychometrics.aggregation import aggregate as run
    from toolkit.psychometrics.scales import resolve_scales
    from toolkit.survey.table import read_table

    for target, flag in ((out, "-o"), (groups_out, "--groups-out")):
        if target is not None and target.suffix.lower() not in (".csv", ".xlsx"):
            raise DataError(f"cannot write '{target.suffix or target.name}' files (use .csv or .xlsx)",
                            file=str(target), field=flag)
    if (members is not None or reconstruct) and network_edges is None:
        raise DataError("--members and --reconstruct go with --network EDGES.csv", field="--members")
    refuse_overwriting([data] + [p for p in (network_edges, members) if p is not None],
                       {"-o": out, "--groups-out": groups_out})
    net = None
    if network_edges is not None:
        from toolkit.networks.analysis import network as run_network

        net = run_network(network_edges, members=members, reconstruct=reconstruct, instrument=instrument)
    df = read_table(data)
    scales = resolve_scales(instrument=instrument, scale_specs=scale_specs, columns=df.columns)
    result = run(df, group=group, scales=None if instrument else scales, instrument=instrument, options=options,
                 null=null, min_size=min_size, awg=with_awg, min_share=min_share, listwise=listwise,
                 missing_codes=missing_codes, network=net)
    if out is not None:
        result.write(out)
    if groups_out is not None:
        result.write_groups(groups_out)
    if as_json:
        click.echo(dumps_json(result.to_dict()))
        return
    click.echo(f"{result.settings['n_respondents']} respondents in {result.settings['n_groups']} groups "
               f"('{result.group_column}'); null: {null}")
    for row in result.constructs.to_dict("records"):
        label = "rwg(j)" if row["index"] == "rwg_j" else "rwg"
        click.echo(f"\n{row['construct']} ({row['items']} item(s), A = {row['options']}, "
                   f"null variance {row['null_variance']:g})")
        click.echo(f"  ICC(1) {row['icc1']:.3f}   ICC(2) {row['icc2']:.3f}   F({row['df1']}, {row['df2']}) = "
                   f"{row['F']:.2f}   mean group size {row['k']:.1f}")
        click.echo(f"  {label}: median {row['agreement_median']:.3f}, mean {row['agreement_mean']:.3f}, "
                   f"{row['agreement_share_ge_70']:.0%} of {row['agreement_groups']} groups >= .70"
                   + (f"; awg mean {row['awg_mean']:.3f}" if "awg_mean" in row else ""))
        click.echo(f"  verdict: {row['verdict']}")
    for w in result.warnings:
        click.echo(f"warning: {w}", err=True)
    click.echo(f"\nnote: {CAVEAT}")
    for target in (out, groups_out):
        if target is not None:
            click.echo(f"wrote {target}")
