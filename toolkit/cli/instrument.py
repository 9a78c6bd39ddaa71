"""``hls instrument``: list, show, check, build forms, write the data dictionary. A thin shell over
:mod:`toolkit.instruments`; nothing heavy is imported until a command runs."""
from __future__ import annotations

import click

FORMAT_NAMES = ("xlsx", "xlsform", "entry")  # keys of toolkit.instruments.forms.FORMATS (checked in the tests)


@click.group()
def instrument():
    """Questionnaires defined in YAML: list, show, check, build forms, write the codebook.

    \b
    Example:
      hls instrument show collective-data-use
      hls instrument build collective-data-use --format xlsx -o questionnaire.xlsx
    """


@instrument.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_(as_json: bool):
    """List the shipped instruments (id, title, version, languages, constructs, items).

    \b
    Example:
      hls instrument list
      hls instrument list --json
    """
    from toolkit.instruments.describe import summary
    from toolkit.instruments.loader import list_instruments

    rows = [summary(i) for i in list_instruments()]
    if as_json:
        from toolkit.io import dumps_json

        click.echo(dumps_json(rows))
        return
    width = max([len(r["id"]) for r in rows] + [2])
    click.echo(f"{'id':<{width}}  {'version':<7}  {'lang':<6}  {'constr.':>7}  {'items':>5}  title")
    for r in rows:
        click.echo(f"{r['id']:<{width}}  {r['version']:<7}  {','.join(r['languages']):<6}  {r['constructs']:>7}  "
                   f"{r['items']:>5}  {r['title']}")


@instrument.command()
@click.argument("name")
@click.option("--lang", default=None, metavar="CODE", help="Language to show (default: the instrument's first).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def show(name: str, lang: str | None, as_json: bool):
    """Show an instrument's constructs, items ((R) = reverse-keyed) and response scales.

    NAME is a shipped instrument (see 'hls instrument list') or a YAML file.

    \b
    Example:
      hls instrument show collective-data-use
      hls instrument show performance-attraction --lang de
      hls instrument show my-survey.yaml --json
    """
    from toolkit.instruments.describe import describe, render
    from toolkit.instruments.forms.common import pick_language
    from toolkit.instruments.loader import load_instrument

    inst = load_instrument(name)
    info = describe(inst, pick_language(inst, lang))
    if as_json:
        from toolkit.io import dumps_json

        click.echo(dumps_json(info))
    else:
        click.echo(render(info))


@instrument.command()
@click.argument("file")
def check(file: str):
    """Check an instrument YAML file and print EVERY problem as 'file:line: field: message'.

    Exits 1 when there are problems (bad YAML, unknown response scale, duplicate id, missing translation,
    construct with fewer than three items, ...), 0 and 'ok' with a summary otherwise.

    \b
    Example:
      hls instrument check my-survey.yaml
      hls instrument check collective-data-use
    """
    from toolkit.errors import ToolkitError
    from toolkit.instruments.loader import check_instrument, load_instrument

    problems = check_instrument(file)
    if problems:
        for p in sorted(problems, key=lambda p: p.location.line or 0):
            click.echo(str(p))

        class ProblemsFound(ToolkitError):
            exit_code = 1

        raise ProblemsFound(f"{len(problems)} problem(s) in {file}")
    inst = load_instrument(file)
    n_rev = sum(i.reverse for i in inst.items)
    click.echo(f"ok: {inst.id} {inst.version}: {len(inst.sections)} section(s), {len(inst.constructs)} construct(s), "
               f"{len(inst.items)} item(s) ({n_rev} reverse-keyed), {len(inst.context)} context question(s), "
               f"{len(inst.attention_checks)} attention check(s), {len(inst.scales)} response scale(s), "
               f"{len(inst.roster_questions)} roster question(s); "
               f"languages: {', '.join(inst.languages)}"
               + (f"; {len(inst.code_links)} construct(s) linked to codes of {inst.codebook}" if inst.code_links else ""))


@instrument.command()
@click.argument("name")
@click.option("--format", "fmt", type=click.Choice(FORMAT_NAMES), required=True,
              help="xlsx = questionnaire to fill in Excel/LibreOffice; xlsform = KoboToolbox/ODK form; "
                   "entry = data-entry workbook for paper questionnaires.")
@click.option("-o", "--out", required=True, type=click.Path(),
              help="Output .xlsx file (with --members and --format xlsx: a folder, one questionnaire per member).")
@click.option("--lang", default=None, metavar="CODE",
              help="Language of xlsx/entry forms (default: the instrument's first); an XLSForm carries all "
                   "languages and this only sets its default.")
@click.option("--members", default=None, type=click.Path(dir_okay=False), metavar="FILE",
              help="Members file (group, member_id, name, organisation, expertise): adds the roster questions "
                   "(a grid about every other member of the respondent's partnership).")
@click.option("--member", default=None, metavar="ID",
              help="With --members and --format xlsx: build only this member's questionnaire (ID or GROUP:ID) "
                   "into the .xlsx file -o.")
def build(name: str, fmt: str, out: str, lang: str | None, members: str | None, member: str | None):
    """Build a form from an instrument (shipped name or YAML file).

    With --members the instrument's roster questions are added: the xlsx questionnaire becomes one
    personalised file per member (-o is then a folder) with a Roster sheet listing the other members of their
    partnership; the XLSForm lets respondents pick their partnership and name and shows one question per other
    member (choice_filter on a per-partnership member list); the entry workbook gets a sheet per partnership
    with one column per member.

    \b
    Example:
      hls instrument build collective-data-use --format xlsx -o cdu-questionnaire.xlsx
      hls instrument build performance-attraction --format xlsform -o pa-kobo.xlsx
      hls instrument build performance-attraction --format xlsx --lang de -o pa-de.xlsx
      hls instrument build my-survey.yaml --format entry -o my-entry.xlsx
      hls instrument build collective-data-use --format xlsx --members members.csv -o questionnaires/
      hls instrument build collective-data-use --format xlsform --members members.csv -o cdu-kobo.xlsx
    """
    from pathlib import Path

    from toolkit.instruments.forms import build_form, build_roster_questionnaires
    from toolkit.io import refuse_overwriting

    refuse_overwriting([name] + ([members] if members else []), {"-o": out})
    if members is not None and fmt == "xlsx" and Path(out).suffix.lower() != ".xlsx":
        paths = build_roster_questionnaires(name, members, out, lang=lang, only=[member] if member else None)
        click.echo(f"wrote {len(paths)} questionnaire(s) to {out}")
        return
    path = build_form(name, fmt, out, lang=lang, members=members, member=member)
    click.echo(f"wrote {path}")
    if members is None:
        from toolkit.instruments.loader import load_instrument

        n = len(load_instrument(name).roster_questions)
        if n:
            click.echo(f"note: the {n} roster question(s) are left out; give --members FILE to ask them about "
                       "the other members of each respondent's partnership", err=True)


@instrument.command()
@click.argument("name")
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False), help="Output .xlsx or .csv file.")
@click.option("--lang", default=None, metavar="CODE", help="Language of labels (default: the instrument's first).")
def codebook(name: str, out: str, lang: str | None):
    """Write the data dictionary: variable, label, construct, scale, value labels, reverse-keyed, missing codes.

    \b
    Example:
      hls instrument codebook hls-adoption -o hls-dictionary.xlsx
      hls instrument codebook collective-data-use -o cdu-dictionary.csv
    """
    from toolkit.instruments.forms import write_dictionary
    from toolkit.io import refuse_overwriting

    refuse_overwriting([name], {"-o": out})
    path = write_dictionary(name, out, lang=lang)
    click.echo(f"wrote {path}")
