"""The report as one self-contained HTML page: no scripts, no web fonts, no links out; figures are data URIs.

Tables and figures are numbered in page order (APA: "Table 3" above its italic title, notes below). The print
style sheet sets A4 pages, keeps figures and table rows whole and repeats table headers on each page.
"""
from __future__ import annotations

from html import escape

from .tables import table_html

CSS = """
:root { --ink: #1a1a1a; --muted: #5c5c5c; --rule: #1a1a1a; --accent: #1f4e79; --soft: #f4f6f8; --em: #fff2cc;
        --warn: #c00000; }
* { box-sizing: border-box; }
html { font-size: 16px; }
body { margin: 0; color: var(--ink); background: #fff;
       font-family: Charter, "Bitstream Charter", "Sitka Text", Cambria, "Source Serif Pro", Georgia, serif;
       line-height: 1.5; }
main { max-width: 1120px; margin: 0 auto; padding: 2.2rem 2.5rem 4rem; }
header.title { border-bottom: 2px solid var(--accent); padding-bottom: 1rem; margin-bottom: 1.5rem; }
header.title h1 { font-size: 1.9rem; line-height: 1.25; margin: 0 0 .4rem; font-weight: 600; }
header.title .sub { color: var(--muted); margin: 0; }
h2 { font-size: 1.4rem; margin: 2.6rem 0 .6rem; padding-top: .6rem; border-top: 1px solid #c8c8c8; font-weight: 600;
     color: var(--accent); }
h2 .no { color: var(--muted); font-weight: 400; margin-right: .4rem; }
h3 { font-size: 1.1rem; margin: 1.6rem 0 .4rem; font-weight: 600; }
p { margin: .5rem 0 .8rem; max-width: 52rem; }
p.omitted { color: var(--muted); font-style: italic; }
p.failed { color: var(--warn); }
p.small, .small { font-size: .86rem; color: var(--muted); }
nav.toc { background: var(--soft); padding: .9rem 1.4rem; margin: 0 0 1.5rem; border-left: 3px solid var(--accent); }
nav.toc h2 { border: 0; margin: 0 0 .3rem; padding: 0; font-size: 1.05rem; color: var(--ink); }
nav.toc ol { margin: 0; padding-left: 0; list-style: none; columns: 2; column-gap: 2.5rem; }
nav.toc li { margin: .1rem 0; break-inside: avoid; }
nav.toc li.out a { color: var(--muted); }
nav.toc a { color: var(--ink); text-decoration: none; }
nav.toc a:hover { text-decoration: underline; }
.keyfacts { display: flex; flex-wrap: wrap; gap: .6rem 1.8rem; margin: .6rem 0 1rem; padding: 0; list-style: none; }
.keyfacts li { font-size: .95rem; }
.keyfacts b { font-size: 1.25rem; color: var(--accent); margin-right: .25rem; }
table.apa { border-collapse: collapse; margin: 1.6rem 0 .4rem; font-size: .84rem; line-height: 1.35;
            font-variant-numeric: tabular-nums; width: auto; max-width: 100%; }
table.apa caption { caption-side: top; text-align: left; padding-bottom: .45rem; font-size: .95rem; }
table.apa caption .tno { font-weight: 700; display: block; }
table.apa caption .ttitle { font-style: italic; }
table.apa thead th { border-top: 1.5px solid var(--rule); border-bottom: 1px solid var(--rule); padding: .3rem .55rem;
                     font-weight: 600; vertical-align: bottom; }
table.apa th.num, table.apa td.num { text-align: right; }
table.apa td.num { white-space: nowrap; }
table.apa td.txt:first-child { min-width: 10rem; }
table.apa th.txt, table.apa td.txt { text-align: left; }
table.apa td { padding: .22rem .55rem; vertical-align: top; overflow-wrap: break-word; }
table.apa tr.grp td { border-top: 1px solid #c8c8c8; }
table.apa tbody tr:last-child td { border-bottom: 1.5px solid var(--rule); }
table.apa td.em { background: var(--em); font-weight: 600; }
table.apa tfoot td { font-size: .8rem; color: #333; padding: .35rem .1rem 0; line-height: 1.4; max-width: 60rem; }
table.apa td.quote { font-style: italic; min-width: 16rem; max-width: 30rem; }
table.apa td.wide { min-width: 14rem; max-width: 26rem; }
table.apa tr.grouphead td { font-weight: 700; background: var(--soft); border-top: 1px solid #bbb; }
table.apa td .ci { display: block; color: var(--muted); font-size: .92em; }
table.apa td.sug { color: var(--accent); }
table.apa td.sug .why { display: block; color: var(--muted); font-size: .92em; }
table.apa td.mi { min-width: 9rem; border-bottom: 1px dotted #999; }
table.apa.full { width: 100%; }
figure { margin: 1.8rem 0 1rem; break-inside: avoid; }
figure .fhead { font-size: .95rem; margin-bottom: .5rem; }
figure .fhead .fno { font-weight: 700; display: block; }
figure .fhead .ftitle { font-style: italic; }
figure img { display: block; max-width: 100%; height: auto; }
figure figcaption { font-size: .8rem; color: #333; margin-top: .4rem; max-width: 60rem; }
.methods p { max-width: 56rem; }
ol.refs { font-size: .88rem; list-style: none; padding-left: 1.6rem; }
ol.refs li { margin: .25rem 0; text-indent: -1.6rem; }
footer { margin-top: 3rem; font-size: .8rem; color: var(--muted); border-top: 1px solid #ccc; padding-top: .6rem; }
@media print {
  @page { size: A4; margin: 16mm 14mm; }
  html { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  nav.toc { background: none; border-left: 1px solid #999; }
  h2 { break-after: avoid; }
  h3 { break-after: avoid; }
  table.apa { break-inside: auto; }
  table.apa tr, figure { break-inside: avoid; }
  table.apa thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
}
"""


class Page:
    """Collects numbered sections, tables and figures and renders the page."""

    def __init__(self, title: str, subtitle: str = ""):
        self.title, self.subtitle = title, subtitle
        self.body: list[str] = []
        self.toc: list[tuple[str, str, bool]] = []  # (anchor, title, present)
        self.n_tables = 0
        self.n_figures = 0
        self.n_sections = 0

    def section(self, anchor: str, title: str, present: bool = True) -> None:
        self.n_sections += 1
        self.toc.append((anchor, f"{self.n_sections}. {title}", present))
        self.body.append(f'<section id="{escape(anchor)}"><h2><span class="no">{self.n_sections}.</span>'
                         f"{escape(title)}</h2>")

    def end_section(self) -> None:
        self.body.append("</section>")

    def html(self, html: str) -> None:
        self.body.append(html)

    def heading(self, text: str) -> None:
        self.body.append(f"<h3>{escape(text)}</h3>")

    def table(self, table, custom: str | None = None) -> int:
        self.n_tables += 1
        anchor = f"table-{self.n_tables}"
        if custom is not None:
            self.body.append(custom.replace("{{id}}", anchor).replace("{{number}}", str(self.n_tables)))
        else:
            self.body.append(table_html(table, anchor, self.n_tables))
        return self.n_tables

    def figure(self, fig) -> int:
        self.n_figures += 1
        width = int(round(fig.width_px * 100 / 150)) if fig.width_px else None  # 150 dpi image shown at 100 px/in
        size = f' width="{width}"' if width else ""
        note = f"<figcaption><em>Note.</em> {escape(fig.note)}</figcaption>" if fig.note else ""
        self.body.append(f'<figure id="figure-{self.n_figures}" data-name="{escape(fig.name)}">'
                         f'<div class="fhead"><span class="fno">Figure {self.n_figures}</span>'
                         f'<span class="ftitle">{escape(fig.title)}</span></div>'
                         f'<img src="{fig.data_uri()}" alt="{escape(fig.alt)}"{size}>{note}</figure>')
        return self.n_figures

    def render(self, footer: str = "") -> str:
        out = ' class="out"'
        toc = "".join(f'<li{"" if present else out}><a href="#{escape(a)}">{escape(t)}</a></li>'
                      for a, t, present in self.toc)
        sub = f'<p class="sub">{self.subtitle}</p>' if self.subtitle else ""
        return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                f"<meta name=\"generator\" content=\"{escape(footer)}\">\n"
                f"<title>{escape(self.title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
                f'<header class="title"><h1>{escape(self.title)}</h1>{sub}</header>\n'
                f'<nav class="toc" aria-label="Contents"><h2>Contents</h2><ol>{toc}</ol></nav>\n'
                + "\n".join(self.body)
                + f"\n<footer>{escape(footer)}</footer>\n</main>\n</body>\n</html>\n")
