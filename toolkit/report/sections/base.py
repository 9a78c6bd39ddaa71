"""What a report section is: the inputs it needs, and the text, tables and figures it adds.

A section is a small class registered with :func:`register`::

    @register
    class Reliability(Section):
        id, title, order = "reliability", "Reliability", 30

        def missing(self, study):            # None when it can run, else what would fill it
            return None if study.has_survey else "give --survey and --instrument"

        def build(self, study, part):         # adds paragraphs, tables and figures
            part.text("...")
            part.table(Table(...))
            part.figure(Figure(...))

The builder numbers tables and figures in page order, writes every table to ``report.xlsx`` and every figure
to ``figures/``, and turns a section whose inputs are absent into one line saying what would fill it. A new
analysis (networks, a trained coder, ...) adds one module under ``toolkit/report/sections`` and its name to
:data:`MODULES`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html import escape

#: the section modules, imported when a report is built (each registers its sections)
MODULES = (
    "toolkit.report.sections.sample",
    "toolkit.report.sections.descriptives",
    "toolkit.report.sections.reliability",
    "toolkit.report.sections.efa",
    "toolkit.report.sections.cfa",
    "toolkit.report.sections.aggregation",
    "toolkit.report.sections.network",
    "toolkit.report.sections.coding",
    "toolkit.report.sections.joint",
    "toolkit.report.sections.methods",
)

_REGISTRY: dict[str, type] = {}


def register(cls):
    """Class decorator: add a :class:`Section` subclass to the report (ordered by its ``order``)."""
    _REGISTRY[cls.id] = cls
    return cls


def sections() -> list["Section"]:
    """Every registered section, in page order."""
    import importlib

    for name in MODULES:
        importlib.import_module(name)
    return sorted((cls() for cls in _REGISTRY.values()), key=lambda s: s.order)


class Section:
    """One part of the report (see the module docstring)."""

    id: str = ""
    title: str = ""
    order: int = 100

    def missing(self, study) -> str | None:
        """``None`` when the study has what this section needs, else one line saying what would fill it."""
        return None

    def build(self, study, part: "Part") -> None:
        raise NotImplementedError


@dataclass
class Block:
    kind: str            # "html" | "table" | "figure" | "heading"
    content: object
    sheet: bool = True   # tables: also written to report.xlsx


@dataclass
class Part:
    """What one section produced: blocks in page order, or why it was left out."""

    section: Section
    blocks: list = field(default_factory=list)
    omitted: str | None = None
    failed: str | None = None

    def text(self, html: str) -> None:
        """A paragraph of (already escaped) HTML; use :func:`p` to build one from plain text."""
        self.blocks.append(Block("html", html))

    def para(self, text: str) -> None:
        """A paragraph of plain text (escaped here)."""
        self.blocks.append(Block("html", p(text)))

    def heading(self, text: str) -> None:
        self.blocks.append(Block("heading", text))

    def table(self, table, html: bool = True, sheet: bool = True, html_table: str | None = None) -> None:
        """Add a :class:`~toolkit.report.tables.Table`: numbered on the page (unless ``html=False``) and written
        to the workbook (unless ``sheet=False``). *html_table* replaces the default rendering on the page."""
        self.blocks.append(Block("table", (table, html, html_table), sheet))

    def figure(self, figure) -> None:
        self.blocks.append(Block("figure", figure))

    @property
    def tables(self) -> list:
        return [b.content[0] for b in self.blocks if b.kind == "table" and b.sheet]

    @property
    def figures(self) -> list:
        return [b.content for b in self.blocks if b.kind == "figure"]


def p(text: str, cls: str | None = None) -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<p{attr}>{escape(str(text))}</p>"


def fmt(v, kind: str = "num") -> str:
    """A number as the tables show it (see :func:`toolkit.report.tables.format_value`)."""
    from ..tables import format_value

    return format_value(v, kind)


def n_(count: int, word: str, plural: str | None = None) -> str:
    """"1 factor", "8 factors" (*plural* for irregular words)."""
    return f"{count} {word if count == 1 else (plural or word + 's')}"
