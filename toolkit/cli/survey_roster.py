"""``hls survey roster``: roster answers from filled forms as the tidy edge list."""
from __future__ import annotations

from pathlib import Path

import click


@click.command("roster", short_help="Roster answers from filled forms as a tidy edge list (group, ego, alter, ...).")
@click.argument("sources", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--instrument", "-i", "instrument", required=True,
              help="Shipped instrument name or YAML path with roster questions.")
@click.option("--members", required=True, type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="The members file the forms were built with.")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Edge list to write (.csv): group, ego, alter, relation, weight.")
@click.option("--json", "as_json", is_flag=True, help="Print a summary as JSON.")
def roster(sources, instrument, members, output, as_json):
    """Read roster answers from personalised xlsx questionnaires, the entry workbook and XLSForm exports
    (KoboToolbox, ODK Central; XML names as headers) into ONE edge list: group, ego, alter, relation, weight,
    one row per answered dyad (weight 0 = answered "no tie"; unanswered and "Can't say" dyads are left out).

    A member named outside the respondent's partnership, or an answer off the scale, stops with one line
    naming the file, cell or row and the field.

    \b
    Example:
      hls survey roster returned/ odk-export.csv -i collective-data-use --members members.csv -o edges.csv
      hls analyze network edges.csv --members members.csv
    """
    from ..errors import DataError
    from ..io import dumps_json, refuse_overwriting, write_csv
    from ..networks.roster_read import read_roster
    from ..survey.importer import expand_sources

    if output.suffix.lower() != ".csv":
        raise DataError(f"'{output.name}' must end in .csv", field="--output")
    files = expand_sources(list(sources))
    refuse_overwriting(files + [members], {"--output": output})
    edges = read_roster(files, instrument, members)
    write_csv(edges, output)
    summary = {"files": len(files), "dyads": int(len(edges)), "ties": int((edges["weight"] > 0).sum()),
               "partnerships": int(edges["group"].nunique()), "respondents": int(edges[["group", "ego"]]
                                                                                 .drop_duplicates().shape[0]),
               "relations": sorted(edges["relation"].unique().tolist()), "output": str(output)}
    if as_json:
        click.echo(dumps_json(summary))
    else:
        click.echo(f"{summary['dyads']} answered dyad(s) ({summary['ties']} ties) from {summary['respondents']} "
                   f"respondent(s) in {summary['partnerships']} partnership(s); wrote {output}")
