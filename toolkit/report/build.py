"""``toolkit.report(...)`` / ``hls report``: one page (and one workbook) that pulls a mixed-methods study together.

The page is assembled from the registered sections (:mod:`toolkit.report.sections`): sample, descriptives and
correlations, reliability, EFA, CFA and invariance, aggregation, qualitative coding, the joint display and
methods. Every analysis is run once through the public API (:class:`toolkit.report.study.Study`), so every
number shown is the API's number. Everything is computed first and written last, each file atomically.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ToolkitError


@dataclass
class ReportResult:
    """What :func:`report` wrote: the page, the workbook, the figures, and which sections are in or out."""

    html: Path
    xlsx: Path
    figures: list[Path]
    sections: list[dict] = field(default_factory=list)   # {"id", "title", "status", "note"}
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {"html": str(self.html), "xlsx": str(self.xlsx), "figures": [str(p) for p in self.figures],
                "sections": self.sections}


def report(survey=None, instrument=None, group: str | None = None, codings=None, transcripts=None, codebook=None,
           out="report", *, level: str | None = None, network=None, members=None, skip_speakers=None, seed: int = 1,
           title: str | None = None, ordered: bool = False) -> ReportResult:
    """Write ``report.html``, ``report.xlsx`` and ``figures/`` into folder *out*.

    Parameters
    ----------
    survey : the survey answers (CSV, XLSX, SAV, ...; one row per respondent).
    instrument : the instrument they answered (a shipped name or a YAML path).
    group : a column to test measurement invariance across (e.g. ``"role"``).
    ordered : fit the CFA (and the invariance steps) on the instrument's Likert items as ordered categories:
        WLSMV on polychoric correlations, as lavaan's ``cfa(..., ordered = TRUE)``, on the respondents who
        answered every item (lavaan has no FIML for ordered data). Default: ML, with FIML for missing answers.
    codings : coded interviews (``hls code run`` / ``apply-review`` CSV, a review workbook, a unit-format
        coding or a ``.qdpx`` project); with *transcripts* for case attributes and texts.
    transcripts, codebook : interview transcripts to auto-code against a codebook (default codebook: the
        one the instrument links its constructs to).
    level : the column of the higher-level unit (partnership) for aggregation and the joint display (default:
        the instrument's group question).
    network, members : the roster answers as an edge list (group, ego, alter, relation, weight) and the members
        file: the partnerships' network measures beside their survey scores, and network pictures.
    skip_speakers : speakers whose talk is not coded or counted (default ``["Interviewer"]``).
    seed : seed of the parallel analysis.

    Any part whose input is absent is left out with one line saying what would fill it.

    >>> import toolkit
    >>> res = toolkit.report(survey="hls-sample/survey/collective-data-use.csv",        # doctest: +SKIP
    ...                      instrument="collective-data-use", group="role",
    ...                      transcripts="hls-sample/transcripts", codebook="hls-theory", out="report")
    >>> res.html                                                                          # doctest: +SKIP
    PosixPath('report/report.html')
    """
    from .. import __version__
    from ..console import Steps, detail
    from ..io import atomic_path, refuse_overwriting
    from .page import Page
    from .sections import Part, sections
    from .study import DEFAULT_SKIP_SPEAKERS, Study
    from .tables import write_workbook

    t0 = time.perf_counter()
    if survey is None and codings is None and transcripts is None and network is None:
        raise ToolkitError("nothing to report: give --survey (with --instrument) and/or --codings or --transcripts")
    if survey is not None and instrument is None:
        raise ToolkitError("--survey needs --instrument (the instrument the answers belong to)", field="--instrument")
    if codings is None and transcripts is not None and codebook is None and instrument is None:
        raise ToolkitError("--transcripts needs --codebook (or an instrument that names one)", field="--codebook")
    if members is not None and network is None:
        raise ToolkitError("--members goes with --network (the roster answers as an edge list)", field="--members")
    for path, opt in ((survey, "--survey"), (codings, "--codings"), (transcripts, "--transcripts"),
                      (network, "--network"), (members, "--members")):
        if path is not None and not Path(path).exists():
            raise ToolkitError("not found", file=path, field=opt)
    out = Path(out)
    html_path, xlsx_path, fig_dir = out / "report.html", out / "report.xlsx", out / "figures"
    inputs = [p for p in (survey, codings, network, members) if p is not None]
    refuse_overwriting(inputs, {"-o (report.html)": html_path, "-o (report.xlsx)": xlsx_path})

    study = Study(survey=Path(survey) if survey is not None else None, instrument_ref=instrument, group=group,
                  ordered=bool(ordered),
                  level=level, codings_path=Path(codings) if codings is not None else None,
                  transcripts=Path(transcripts) if transcripts is not None else None, codebook_ref=codebook,
                  skip_speakers=tuple(DEFAULT_SKIP_SPEAKERS if skip_speakers is None else skip_speakers), seed=seed,
                  edges=Path(network) if network is not None else None,
                  members=Path(members) if members is not None else None)
    if study.inst is not None and survey is not None:
        study.data  # noqa: B018 - read and check the survey before any analysis starts
    if study.has_qualitative:
        study.codebook  # noqa: B018 - a bad codebook is an input error, not a failed section

    parts: list[Part] = []
    secs = sections()
    with Steps(len(secs), "report") as steps:
        for sec in secs:
            part = Part(sec)
            why = sec.missing(study)
            if why:
                part.omitted = why
            else:
                t = time.perf_counter()
                try:
                    sec.build(study, part)
                    study.ran[sec.id] = True
                except ToolkitError as exc:  # the data do not allow this analysis: say so, keep the rest
                    part.blocks.clear()
                    part.failed = exc.message
                detail(f"report: {sec.title} in {time.perf_counter() - t:.1f}s")
            parts.append(part)
            steps.advance(sec.title)

    title = title or _title(study)
    page = Page(title, _subtitle(study))
    for part in parts:
        page.section(part.section.id, part.section.title, part.omitted is None and part.failed is None)
        if part.omitted:
            page.html(f'<p class="omitted">Not included: {_esc(part.omitted)}.</p>')
        elif part.failed:
            page.html(f'<p class="failed">Could not be computed on these data: {_esc(part.failed)}</p>')
        for block in part.blocks:
            if block.kind == "html":
                page.html(block.content)
            elif block.kind == "heading":
                page.heading(block.content)
            elif block.kind == "figure":
                page.figure(block.content)
            elif block.kind == "table":
                table, show, custom = block.content
                if show:
                    number = page.table(table, custom)
                    table.title = f"Table {number}. {table.title}" if table.title else f"Table {number}"
        page.end_section()
    footer = f"hls-toolkit {__version__}"
    html = page.render(footer)

    tables = [t for part in parts for t in part.tables]
    figures = [f for part in parts for f in part.figures]
    from ..provenance import provenance

    record = provenance(command="report", inputs=inputs, instrument=study.inst if survey is not None else None,
                        codebook=study.codebook if study.has_qualitative else None, seed=seed,
                        settings={"group": group, "level": study.level_column if study.has_survey else None,
                                  "ordered": bool(ordered)})
    written: list[Path] = []
    with Steps(len(figures) + 2, "writing") as steps:
        for fig in figures:
            written.extend(fig.save(fig_dir))
            steps.advance(fig.name)
        if tables:
            write_workbook(xlsx_path, tables, provenance=record, title=title)
        steps.advance("report.xlsx")
        with atomic_path(html_path) as tmp:
            Path(tmp).write_text(html, encoding="utf-8")
        steps.advance("report.html")
    status = [{"id": p.section.id, "title": p.section.title,
               "status": "omitted" if p.omitted else "failed" if p.failed else "included",
               "note": p.omitted or p.failed or ""} for p in parts]
    return ReportResult(html_path, xlsx_path, written, status, time.perf_counter() - t0)


def _esc(text: str) -> str:
    from html import escape

    return escape(str(text).rstrip("."))


def _title(study) -> str:
    if study.inst is not None and study.survey is not None:
        return f"Results: {study.inst.text(study.inst.title)}"
    return "Results of the interview coding"


def _subtitle(study) -> str:
    from html import escape

    bits = []
    if study.survey is not None:
        bits.append(f"Survey <b>{escape(study.survey.name)}</b> ({escape(study.inst.id)} {escape(study.inst.version)})")
    if study.codings_path is not None:
        bits.append(f"codings <b>{escape(study.codings_path.name)}</b>")
    elif study.transcripts is not None:
        bits.append(f"interviews in <b>{escape(study.transcripts.name)}/</b>")
    return "; ".join(bits)
