"""Layout for paper: fonts, row heights that fit the text, page setup, and keeping headings with what follows.

Spreadsheets know neither "keep with next" nor automatic row heights that every program honours, so the forms
are laid out here the way a typesetter would do it by hand:

* **One font everywhere, Arial.** It exists on Windows and macOS; LibreOffice on Linux uses the metric-compatible
  Liberation Sans. (Calibri, Excel's default, is often missing there and its stand-in DejaVu Sans is a quarter
  wider, so text laid out for Calibri ran out of its rows and off the page.)
* **Row heights from a conservative width**: :func:`text_height` wraps the text on words with an average
  character a little wider than Arial's (0.47 em against 0.44) in a column as narrow as Excel draws it (7 pixels a
  unit). That covers the tightest case we know: LibreOffice draws columns wider (from the default font's digit,
  7.4 pixels with Carlito, 9.3 with DejaVu Sans) but, without Liberation Sans, sets Arial text in DejaVu Sans
  (0.50 em): 7.4 / 0.50 characters a unit against Excel's 7 / 0.44. So a row is never too short, whichever
  sans-serif font the printing program ends up with.
* **Page setup**: A4, margins, fit to the page width, header rows repeated on every page, page numbers.
* **Pages we cut ourselves**: :func:`paginate` fills the pages from the row heights, moves a heading that would
  end a page (without its first question below it) to the next one, and writes every break as a manual break.
"""
from __future__ import annotations

FONT = "Arial"
EM = 0.47  # average character width of running text in em: Arial/Liberation Sans 0.44, DejaVu Sans 0.50
PAD = 4.0  # points above and below the text in a row


def line_height(size: float) -> float:
    """Points per line of *size*-point text (Excel's rows: 12.75 for 10-point Arial, 11.25 for 8-point)."""
    return 1.2 * size + 1.0

# A4 in points and the margins we set (inches, as openpyxl wants them)
A4 = (595.3, 841.9)
MARGINS = {"left": 0.55, "right": 0.55, "top": 0.6, "bottom": 0.7, "header": 0.3, "footer": 0.3}
BOX = "\u25a1"  # WHITE SQUARE: in Arial, Calibri, Liberation Sans and DejaVu Sans (WGL4)
NBSP = "\u00a0"


def column_points(width: float) -> float:
    """The printed width of a column of *width* character units (Excel: 7 px per unit + 5 px padding at
    96 dpi for the default 11-point font)."""
    return (7.0 * width + 5.0) * 0.75


def wrapped_lines(text: str, width_points: float, size: float) -> int:
    """How many lines *text* takes in a column *width_points* wide at *size* points, wrapping on spaces (never on
    no-break spaces), with the conservative character width :data:`EM`."""
    per_line = max(1, int((width_points - 6.0) / (EM * size)))
    total = 0
    for paragraph in str(text).split("\n"):
        lines, used = 1, 0
        for word in paragraph.split(" "):
            n = len(word)
            if used and used + 1 + n > per_line:
                lines += 1
                used = 0
            if n > per_line:  # a word longer than the line is broken by the program
                lines += (n - 1) // per_line
                n = n % per_line or per_line
            used = used + (1 if used else 0) + n
        total += lines
    return total


def text_height(parts, width_points: float) -> float:
    """Row height in points for *parts* = ``[(text, font size), ...]`` stacked in one cell of the given width."""
    return sum(wrapped_lines(text, width_points, size) * line_height(size) for text, size in parts if text) + PAD


def options_line(labels) -> str:
    """``□ Strongly disagree   □ Disagree ...``: the answer options as a printed respondent can tick them; each
    label is kept on one line."""
    return "   ".join(f"{BOX}{NBSP}{label.replace(' ', NBSP)}" for label in labels)


def font(size: float = 10, **kw):
    from openpyxl.styles import Font

    return Font(name=FONT, size=size, **kw)


def page_setup(ws, orientation: str = "portrait", title_rows: str | None = None, footer: str | None = None) -> None:
    """A4, our margins, fit to one page wide (any number of pages long), *title_rows* repeated on every page,
    centred page numbers in the footer (with *footer* text on the left)."""
    from openpyxl.worksheet.page import PageMargins

    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = orientation
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(**MARGINS)
    ws.print_options.horizontalCentered = False
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = "&P / &N"
    ws.oddFooter.center.size = 8
    ws.oddFooter.center.font = FONT
    if footer:
        ws.oddFooter.left.text = footer.replace("&", "&&")
        ws.oddFooter.left.size = 8
        ws.oddFooter.left.font = FONT


def printable(orientation: str = "portrait") -> tuple[float, float]:
    """Printable width and height of an A4 page in points with :data:`MARGINS`."""
    w, h = A4 if orientation == "portrait" else (A4[1], A4[0])
    return (w - 72 * (MARGINS["left"] + MARGINS["right"]),
            h - 72 * (MARGINS["top"] + MARGINS["bottom"]))


def paginate(ws, heights: dict[int, float], keep: list[tuple[int, int]], widths: list[float],
             title_height: float = 0.0, orientation: str = "portrait", safety: float = 0.03) -> list[int]:
    """Lay out the pages ourselves and write every page break as a manual break; returns the first row of every
    page after the first.

    *keep* lists ``(first row, last row)`` spans that must start on the same page (a heading, its introduction and
    its first question), so no heading ends a page. Pages are filled from *heights* (points per row; rows without
    one count 15) at the scale "fit to page width" gives for *widths* (character units at Excel's 7 pixels, the
    narrowest any program draws them), minus *title_height* for the header rows repeated on each page and a
    *safety* share of the page. Fitting to the width can only shrink a page, never enlarge it, and every row has a
    fixed height, so each page of the printout holds at least what we planned: with all breaks written, Excel and
    LibreOffice cut the pages exactly here, whatever fonts they substitute.
    """
    from openpyxl.worksheet.pagebreak import Break

    page_w, page_h = printable(orientation)
    total = sum(column_points(w) for w in widths)
    scale = min(1.0, page_w / total) if total else 1.0
    capacity = (page_h / scale - title_height) * (1 - safety)
    last = max([ws.max_row] + list(heights))
    spans = dict(keep)
    used, starts = 0.0, []
    for row in range(1, last + 1):
        h = heights.get(row, ws.row_dimensions[row].height or 15.0)
        need = sum(heights.get(r, 15.0) for r in range(row, spans[row] + 1)) if row in spans else h
        if used > 0 and used + max(h, need) > capacity:
            starts.append(row)
            used = 0.0
        used += h
    ws.row_breaks.brk = []
    for row in starts:
        ws.row_breaks.append(Break(id=row - 1))
    return starts
