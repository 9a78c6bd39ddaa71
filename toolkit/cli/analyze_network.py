"""``hls analyze network``: network measures per partnership and roster question, and their plots."""
from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("edges", type=click.Path(path_type=Path))
@click.option("--members", "members", type=click.Path(path_type=Path), metavar="MEMBERS.csv",
              help="Members file (group, member_id, name, organisation, expertise): gives every member, also "
                   "those nobody named, and the expertise categories.")
@click.option("--instrument", "-i", "instrument", metavar="NAME",
              help="Instrument whose roster questions these are: labels each relation with its antecedent and "
                   "checks each answer against the question's scale (9 = Can't say: not answered).")
@click.option("--reconstruct", is_flag=True,
              help="Fill non-respondents' ties from what others report about them, so centralization is "
                   "computed where members are missing (otherwise it is left undefined there).")
@click.option("--min-response", type=click.FloatRange(0, 1), default=0.8, show_default=True,
              help="Warn about partnerships whose roster response rate is below this share.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("-o", "--out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the result: .csv (networks table), .json or .xlsx (networks, partnerships, nodes, notes).")
@click.option("--plot", "plot_dir", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Draw each partnership's network per relation as PNG and SVG into DIR.")
@click.option("--plot-group", "plot_groups", multiple=True, metavar="GROUP",
              help="With --plot: draw only this partnership (repeatable; default: all).")
def network(edges, members, instrument, reconstruct, min_response, as_json, out, plot_dir, plot_groups):
    """Network measures per partnership and relation from roster answers (a tidy edge list).

    EDGES has the columns group, ego, alter, relation, weight: one row per reported dyad, a tie is weight > 0
    ('hls survey roster' writes it from filled forms). Per partnership and relation: members, respondents,
    response rate, density (ties / reported dyads), reciprocity (igraph), Freeman degree, in-degree and
    out-degree centralization (igraph centr_degree, loops = FALSE, normalized), mean weight and Blau's
    expertise heterogeneity.

    \b
    Example:
      hls analyze network sample_data/survey/collective-data-use-network.csv \\
          --members sample_data/survey/collective-data-use-members.csv -o networks.xlsx --plot network-plots
      hls analyze network edges.csv --members members.csv --reconstruct --json
      hls analyze network edges.csv --members members.csv -i collective-data-use --plot plots --plot-group P07
    """
    from toolkit.errors import DataError
    from toolkit.io import dumps_json, refuse_overwriting
    from toolkit.networks.analysis import network as run

    if out is not None and out.suffix.lower() not in (".csv", ".json", ".xlsx"):
        raise DataError(f"cannot write '{out.suffix or out.name}' files (use .csv, .json or .xlsx)", file=str(out),
                        field="-o")
    inputs = [edges] + ([members] if members is not None else [])
    refuse_overwriting(inputs, {"-o": out})
    if plot_dir is not None and any(Path(p).resolve() == plot_dir.resolve() for p in inputs):
        raise DataError("is an input file, not a folder", file=str(plot_dir), field="--plot")
    result = run(edges, members=members, reconstruct=reconstruct, min_response=min_response, instrument=instrument)
    written = []
    if out is not None:
        written.append(result.write(out))
    if plot_groups and plot_dir is None:
        raise DataError("--plot-group goes with --plot DIR", field="--plot-group")
    unknown = [g for g in plot_groups if g not in set(result.partnerships["group"])]
    if unknown:
        raise DataError(f"no partnership '{unknown[0]}' in the network", field="--plot-group")
    if plot_dir is not None:
        written += result.plot(plot_dir, groups=list(plot_groups) or None)
    if as_json:
        click.echo(dumps_json(result.to_dict()))
    else:
        _print(result)
    for w in result.warnings:
        click.echo(f"warning: {w}", err=True)
    if not as_json:
        if out is not None:
            click.echo(f"wrote {out}")
        if plot_dir is not None:
            click.echo(f"wrote {len(written) - (out is not None)} plot file(s) to {plot_dir}")


def _fmt(x, pct=False) -> str:
    if x is None or x != x:
        return "-"
    return f"{x:.0%}" if pct else f"{x:.2f}"


def _print(result) -> None:
    s = result.settings
    click.echo(f"{s['partnerships']} partnership(s), relations: {', '.join(s['relations'])}"
               + ("; centralization from reconstructed networks where members are missing" if s["reconstruct"]
                  else ""))
    head = (f"{'group':<10} {'relation':<12} {'n':>3} {'resp':>5} {'dens':>5} {'recip':>5} {'deg_c':>5} "
            f"{'in_c':>5} {'out_c':>5} {'m_wt':>5} {'blau':>5}")
    click.echo(head)
    for r in result.networks.to_dict("records"):
        click.echo(f"{str(r['group'])[:10]:<10} {str(r['relation'])[:12]:<12} {r['members']:>3} "
                   f"{_fmt(r['response_rate'], True):>5} {_fmt(r['density']):>5} {_fmt(r['reciprocity']):>5} "
                   f"{_fmt(r['degree_centralization']):>5} {_fmt(r['indegree_centralization']):>5} "
                   f"{_fmt(r['outdegree_centralization']):>5} {_fmt(r['mean_weight']):>5} "
                   f"{_fmt(r['expertise_heterogeneity']):>5}")
