"""``hls codebook list | show | check``."""
from __future__ import annotations

import click


@click.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def list_(as_json):
    """List the shipped codebooks.

    \b
    Example:
      hls codebook list
    """
    from toolkit.coding.codebook import list_codebooks
    from toolkit.io import dumps_json

    books = list_codebooks()
    if as_json:
        click.echo(dumps_json(books))
        return
    for b in books:
        click.echo(f"{b['name']:<20} {b['codes']:>3} codes  v{b['version']}  {b['title']}")


@click.command()
@click.argument("codebook")
@click.option("--code", "only", multiple=True, help="Show only these code ids (and their children).")
@click.option("--json", "as_json", is_flag=True, help="Print the whole codebook as JSON.")
def show(codebook, only, as_json):
    """Print a codebook's codes, definitions, guidance and rules.

    \b
    Example:
      hls codebook show hls-theory
      hls codebook show hls-theory --code kroll.deliberation_routines
    """
    import textwrap

    from toolkit.coding.codebook import describe_rule, load_codebook
    from toolkit.io import dumps_json

    cb = load_codebook(codebook)
    codes = [c for c in cb.codes if not only or any(c.id == o or c.id.startswith(o + ".") for o in only)]
    unknown = [o for o in only if not any(c.id == o or c.id.startswith(o + ".") for c in cb.codes)]
    if unknown:
        from toolkit.errors import ToolkitError

        raise ToolkitError(f"no code '{unknown[0]}' in {cb.id} (ids: {', '.join(c.id for c in cb.codes[:6])}, ...)",
                           field="--code")
    if as_json:
        d = cb.to_dict()
        d["codes"] = [c.to_dict() for c in codes]
        click.echo(dumps_json(d))
        return
    click.echo(f"{cb.title} ({cb.id} v{cb.version}): {len(cb.code_ids)} codes")
    for c in codes:
        pad = "  " * c.depth
        click.echo(f"\n{pad}{c.id}  {c.name}" + ("" if c.codable else "  [category]"))
        for label, text in (("definition", c.definition), ("use when", c.use_when),
                            ("don't use when", c.dont_use_when), ("example", c.example)):
            if text:
                click.echo(textwrap.fill(text, width=110, initial_indent=f"{pad}  {label}: ",
                                         subsequent_indent=pad + "    "))
        for r in c.rules:
            click.echo(f"{pad}  rule {describe_rule(r)}")
        for r in c.unless:
            click.echo(f"{pad}  unless {describe_rule(r)}")


@click.command()
@click.argument("codebook")
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON.")
@click.pass_context
def check(ctx, codebook, as_json):
    """Validate a codebook: structure, duplicate ids, spaCy patterns, that every codable code has rules and
    that each code's rules match its own example quote. Exits non-zero when anything is wrong.

    A codebook imported from a REFI-QDA .qdc ('hls codebook import') has codes, hierarchy and guidance but no
    rules: check lists every such code and says it needs rules before auto-coding.

    \b
    Example:
      hls codebook check codebooks/hls-theory.yaml
    """
    from toolkit.coding.codebook import check_codebook
    from toolkit.io import dumps_json

    from toolkit.coding.codebook import NO_RULES

    problems = check_codebook(codebook)
    ruleless = [p for p in problems if p.message == NO_RULES]
    summary = None
    if ruleless:
        summary = (f"{len(ruleless)} code(s) have no rules: add phrases or patterns before auto-coding (a codebook "
                   "imported from a .qdc starts without any)"
                   + ("" if len(ruleless) == len(problems) else f"; {len(problems) - len(ruleless)} other problem(s)"))
    if as_json:
        click.echo(dumps_json({"codebook": codebook, "ok": not problems, "problems": [str(p) for p in problems],
                               "codes_without_rules": [p.location.field.rsplit(".rules", 1)[0] for p in ruleless]}))
    else:
        for p in problems:
            click.echo(str(p))
        if not problems:
            click.echo(f"{codebook}: OK", err=True)
    if problems:
        from toolkit.errors import ToolkitError

        raise ToolkitError(summary or f"{len(problems)} problem(s) in the codebook", file=codebook)
