"""``hls code export`` (REFI-QDA .qdc / .qdpx) and ``hls codebook import`` (.qdc -> codebook YAML)."""
from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("coded", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--codebook", "codebook", required=True, help="Codebook (shipped name or YAML file).")
@click.option("--format", "fmt", type=click.Choice(["qdc", "qdpx"]), required=True,
              help="qdc: the codebook only; qdpx: the whole project (sources, coders, codes, cases, codings).")
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Output file (.qdc or .qdpx).")
@click.option("--transcripts", "transcripts", multiple=True, type=click.Path(path_type=Path),
              help="Transcript files or folder the codings were made on (needed for .qdpx). Repeatable.")
@click.option("--coder", "coders", multiple=True,
              help="User name for each CODED file, in order (default: 'hls auto-coder' for one file, else "
                   "the file stems).")
@click.option("--name", "project_name", default=None, help="Project name (default: '<codebook id> project').")
def export(coded, codebook, fmt, out, transcripts, coders, project_name):
    """Export a codebook (.qdc) or a coded project (.qdpx) for NVivo, ATLAS.ti, MAXQDA or QualCoder.

    CODED: codings to include in a .qdpx ('hls code run' CSV/XLSX, review workbooks, apply-review CSV,
    gold-format CSV); each file becomes one user (coder) of the project. Sources are the transcripts'
    normalised text; positions are Unicode code points (REFI-QDA 1.5, section 10.2). GUIDs are derived from
    the names, so the same inputs always give the same file.

    \b
    Example:
      hls code export --codebook hls-theory --format qdc -o hls-theory.qdc
      hls code export codings.csv --codebook hls-theory --format qdpx \\
          --transcripts sample_data/transcripts -o project.qdpx
    """
    from toolkit.coding.refi.export import export_project
    from toolkit.coding.refi.qdc import write_qdc
    from toolkit.errors import ToolkitError

    want = "." + fmt
    if out.suffix.lower() != want:
        raise ToolkitError(f"the output file must end in {want} for --format {fmt}", field="-o")
    from toolkit.io import refuse_overwriting

    refuse_overwriting(list(coded), {"-o": out})
    if fmt == "qdc":
        if coded:
            click.echo("note: codings are not part of a .qdc codebook; CODED files ignored", err=True)
        write_qdc(codebook, out)
        click.echo(f"wrote {out}", err=True)
        return
    if not coded:
        raise ToolkitError("give the codings to export (e.g. codings.csv from 'hls code run')", field="CODED")
    summary = export_project(list(coded), codebook, out, transcripts=list(transcripts) or None,
                             coders=list(coders) or None, name=project_name)
    click.echo(f"wrote {out}: {summary['sources']} source(s), {summary['codings']} coding(s) by "
               f"{', '.join(summary['users'])}", err=True)


@click.command("import")
@click.argument("qdc", type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Codebook YAML to write.")
@click.option("--id", "codebook_id", default=None, help="Codebook id (default: from the file name).")
def import_qdc(qdc, out, codebook_id):
    """Convert a REFI-QDA codebook (.qdc from NVivo, ATLAS.ti, MAXQDA, QualCoder, ...) to codebook YAML.

    Codes, hierarchy (non-codable codes become categories) and descriptions are kept; rules are left
    empty for you to add: until then 'hls codebook check' lists every code that has no rules.

    \b
    Example:
      hls codebook import team-codebook.qdc -o codebooks/team.yaml
      hls codebook check codebooks/team.yaml
    """
    from toolkit.coding.refi.qdc import import_qdc as _import

    if out.suffix.lower() not in (".yaml", ".yml"):
        from toolkit.errors import ToolkitError

        raise ToolkitError("the output must be a .yaml file", field="-o")
    from toolkit.io import refuse_overwriting

    refuse_overwriting([qdc], {"-o": out})
    data = _import(qdc, out, codebook_id=codebook_id)
    n = _count(data["codes"])
    click.echo(f"wrote {out}: {n} code(s) from {qdc.name} (rules empty: add phrases or patterns)", err=True)


def _count(nodes) -> int:
    return sum(1 + _count(n.get("children", [])) for n in nodes)
