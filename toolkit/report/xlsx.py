"""A small streaming xlsx (SpreadsheetML) writer: the engine behind :func:`toolkit.report.tables.write_workbook`.

Why not openpyxl or XlsxWriter: both spend 20-35 µs per cell in Python; a review workbook of a million-word
corpus holds over a million cells, which would take longer than coding the corpus. Here a column of values
becomes cell XML in one list comprehension (about 1 µs per cell) and rows stream straight into the zip
entry, so memory stays flat. What it writes is deliberately small and standard (ECMA-376 part 1):

- inline strings (``t="inlineStr"``), never formulas; text that *looks* like a formula gets the
  ``quotePrefix`` style so Excel and LibreOffice keep it as text after editing;
- number formats, bold/italic fonts, a fill, top/bottom borders, wrap and vertical alignment;
- column widths, a frozen header, drop-down lists (data validation), an autofilter, hidden sheets, A4
  page set-up fitted to the page width with repeated header rows;
- document properties with a fixed timestamp (:func:`toolkit.io.source_date`) and custom properties
  (provenance); every zip entry carries the same timestamp, so the same tables give the same bytes.
"""
from __future__ import annotations

import math
import re
import zipfile
from dataclasses import dataclass, field
from xml.sax.saxutils import escape as _xml_escape

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
from ..io import XML_REPLACEMENT as REPLACEMENT
from ..io import excel_text
_BUILTIN_FORMATS = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10, "@": 49}


def column_letter(index: int) -> str:
    """1 -> 'A', 27 -> 'AA'."""
    out = ""
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def _attr(text: str) -> str:
    return _xml_escape(str(text), {'"': "&quot;"})


@dataclass(frozen=True)
class Style:
    """A cell format; equal styles share one ``cellXfs`` entry."""

    num_fmt: str = "General"
    bold: bool = False
    italic: bool = False
    size: float | None = None
    fill: str | None = None          # RGB hex, e.g. "FFF2CC"
    border_top: bool = False
    border_bottom: bool = False
    wrap: bool = False
    valign: str | None = None        # "top" | "bottom" | "center"
    halign: str | None = None        # "left" | "right" | "center"
    quote_prefix: bool = False


class Styles:
    """The style sheet being built: fonts, fills, borders, number formats and cell formats (xfs)."""

    def __init__(self):
        self.xfs: dict[Style, int] = {Style(): 0}
        self.fonts: dict[tuple, int] = {(False, False, None): 0}
        self.fills: dict[str | None, int] = {None: 0, "gray125": 1}
        self.borders: dict[tuple, int] = {(False, False): 0}
        self.num_fmts: dict[str, int] = {}

    def id(self, style: Style) -> int:
        if style not in self.xfs:
            self.xfs[style] = len(self.xfs)
        return self.xfs[style]

    def _fmt_id(self, fmt: str) -> int:
        if fmt in _BUILTIN_FORMATS:
            return _BUILTIN_FORMATS[fmt]
        if fmt not in self.num_fmts:
            self.num_fmts[fmt] = 164 + len(self.num_fmts)
        return self.num_fmts[fmt]

    def xml(self) -> str:
        rows = []
        for st in self.xfs:
            font = self.fonts.setdefault((st.bold, st.italic, st.size), len(self.fonts))
            fill = self.fills.setdefault(st.fill, len(self.fills))
            border = self.borders.setdefault((st.border_top, st.border_bottom), len(self.borders))
            fmt = self._fmt_id(st.num_fmt)
            attrs = f'numFmtId="{fmt}" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0"'
            attrs += ' applyNumberFormat="1"' if fmt else ""
            attrs += ' applyFont="1"' if font else ""
            attrs += ' applyFill="1"' if fill else ""
            attrs += ' applyBorder="1"' if border else ""
            attrs += ' quotePrefix="1"' if st.quote_prefix else ""
            if st.wrap or st.valign or st.halign:
                align = ((f' horizontal="{st.halign}"' if st.halign else "") + (' wrapText="1"' if st.wrap else "")
                         + (f' vertical="{st.valign}"' if st.valign else ""))
                rows.append(f"<xf {attrs} applyAlignment=\"1\"><alignment{align}/></xf>")
            else:
                rows.append(f"<xf {attrs}/>")
        fonts = []
        for bold, italic, size in self.fonts:
            fonts.append("<font>" + ("<b/>" if bold else "") + ("<i/>" if italic else "")
                         + f'<sz val="{size or 11:g}"/><name val="Calibri"/><family val="2"/></font>')
        fills = ['<fill><patternFill patternType="none"/></fill>', '<fill><patternFill patternType="gray125"/></fill>']
        for rgb in list(self.fills)[2:]:
            fills.append(f'<fill><patternFill patternType="solid"><fgColor rgb="FF{rgb}"/><bgColor indexed="64"/>'
                         "</patternFill></fill>")
        borders = []
        for top, bottom in self.borders:
            t = '<top style="thin"><color auto="1"/></top>' if top else "<top/>"
            b = '<bottom style="thin"><color auto="1"/></bottom>' if bottom else "<bottom/>"
            borders.append(f"<border><left/><right/>{t}{b}<diagonal/></border>")
        num = "".join(f'<numFmt numFmtId="{i}" formatCode="{_attr(f)}"/>' for f, i in self.num_fmts.items())
        return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{_MAIN}">'
                + (f'<numFmts count="{len(self.num_fmts)}">{num}</numFmts>' if self.num_fmts else "")
                + f'<fonts count="{len(fonts)}">{"".join(fonts)}</fonts>'
                + f'<fills count="{len(fills)}">{"".join(fills)}</fills>'
                + f'<borders count="{len(borders)}">{"".join(borders)}</borders>'
                + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
                + f'<cellXfs count="{len(rows)}">{"".join(rows)}</cellXfs>'
                + '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
                + "</styleSheet>")


@dataclass
class Validation:
    """A drop-down list on a cell range: *formula* is ``'"a,b,c"'`` or a range such as ``'lists'!$A$1:$A$9``."""

    sqref: str
    formula: str
    title: str = ""
    error: str = ""


@dataclass
class Sheet:
    """What a sheet needs besides its rows (which are streamed to :meth:`Workbook.write_sheet`)."""

    title: str
    widths: list[float] = field(default_factory=list)
    freeze_row: int = 0           # rows above this stay visible (0: no freeze)
    print_title_rows: int = 0     # rows 1..n repeat on every printed page
    hidden: bool = False
    landscape: bool = False
    validations: list[Validation] = field(default_factory=list)
    autofilter: str | None = None  # e.g. "A1:D200"


class CellText:
    """Escapes text for a cell, counting replaced characters and cut texts (for one warning at the end)."""

    def __init__(self):
        self.replaced = 0
        self.truncated = 0

    def __call__(self, text: str) -> str:
        text, n, cut = excel_text(text)  # the one place that decides what a cell can hold
        self.replaced += n
        self.truncated += cut
        return _xml_escape(text)


def number_xml(value) -> str | None:
    """The ``<v>`` text of a number, or None for NaN (an empty cell)."""
    x = float(value)
    if math.isnan(x):
        return None
    if math.isinf(x):
        x = 1.7976931348623157e308 if x > 0 else -1.7976931348623157e308
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


class Workbook:
    """Stream sheets into an xlsx file.

    >>> wb = Workbook("out.xlsx")                                  # doctest: +SKIP
    >>> wb.write_sheet(Sheet("Data", widths=[12, 8]), rows)        # rows: iterables of row XML strings
    >>> wb.close(properties={"title": "..."}, custom={"hls:command": "hls analyze"})
    """

    def __init__(self, path, date: str = "2000-01-01T00:00:00Z", date_time: tuple = (2000, 1, 1, 0, 0, 0)):
        self.path = path
        self.styles = Styles()
        self.sheets: list[Sheet] = []
        self._date = date
        self._date_time = date_time
        self._zip = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=6)

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self._date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o600 << 16
        return info

    def _put(self, name: str, text: str) -> None:
        self._zip.writestr(self._info(name), text.encode("utf-8"))

    def write_sheet(self, sheet: Sheet, rows) -> None:
        """Write *sheet*; *rows* yields chunks of ``<row>`` XML (strings), written as they come."""
        self.sheets.append(sheet)
        n = len(self.sheets)
        head = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}" '
                f'xmlns:r="{_REL}"><sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>']
        view = '<sheetView workbookViewId="0"' + (' tabSelected="1"' if n == 1 else "") + ">"
        if sheet.freeze_row:
            top = f"A{sheet.freeze_row + 1}"
            view += (f'<pane ySplit="{sheet.freeze_row}" topLeftCell="{top}" activePane="bottomLeft" state="frozen"/>'
                     f'<selection pane="bottomLeft" activeCell="{top}" sqref="{top}"/>')
        head.append(f"<sheetViews>{view}</sheetView></sheetViews>")
        head.append('<sheetFormatPr defaultRowHeight="15"/>')
        if sheet.widths:
            head.append("<cols>" + "".join(f'<col min="{i}" max="{i}" width="{w:.2f}" customWidth="1"/>'
                                           for i, w in enumerate(sheet.widths, start=1)) + "</cols>")
        head.append("<sheetData>")
        with self._zip.open(self._info(f"xl/worksheets/sheet{n}.xml"), "w", force_zip64=True) as fh:
            fh.write("".join(head).encode("utf-8"))
            for chunk in rows:
                if chunk:
                    fh.write(chunk.encode("utf-8"))
            tail = ["</sheetData>"]
            if sheet.autofilter:
                tail.append(f'<autoFilter ref="{sheet.autofilter}"/>')
            if sheet.validations:
                tail.append(f'<dataValidations count="{len(sheet.validations)}">')
                for v in sheet.validations:
                    tail.append(f'<dataValidation type="list" allowBlank="1" showErrorMessage="1" '
                                f'errorTitle="{_attr(v.title[:32])}" error="{_attr(v.error[:255])}" sqref="{v.sqref}">'
                                f"<formula1>{_xml_escape(v.formula)}</formula1></dataValidation>")
                tail.append("</dataValidations>")
            tail.append('<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>')
            tail.append(f'<pageSetup paperSize="9" orientation="{"landscape" if sheet.landscape else "portrait"}" '
                        'fitToWidth="1" fitToHeight="0"/>')
            tail.append("</worksheet>")
            fh.write("".join(tail).encode("utf-8"))

    def close(self, properties: dict | None = None, custom: dict | None = None) -> None:
        """Write the package parts (workbook, styles, relationships, properties) and close the file."""
        props = properties or {}
        sheets, names = [], []
        for i, sh in enumerate(self.sheets, start=1):
            state = ' state="hidden"' if sh.hidden else ""
            sheets.append(f'<sheet name="{_attr(sh.title)}" sheetId="{i}"{state} r:id="rId{i}"/>')
            quoted = "'" + sh.title.replace("'", "''") + "'"
            if sh.autofilter:
                a, b = sh.autofilter.split(":")
                ref = re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", a) + ":" + re.sub(r"([A-Z]+)(\d+)", r"$\1$\2", b)
                names.append(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i - 1}" hidden="1">'
                             f"{_xml_escape(quoted)}!{ref}</definedName>")
            if sh.print_title_rows:
                names.append(f'<definedName name="_xlnm.Print_Titles" localSheetId="{i - 1}">'
                             f"{_xml_escape(quoted)}!$1:${sh.print_title_rows}</definedName>")
        first_visible = next((i for i, s in enumerate(self.sheets) if not s.hidden), 0)
        workbook = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_MAIN}" '
                    f'xmlns:r="{_REL}"><bookViews><workbookView activeTab="{first_visible}" '
                    f'firstSheet="{first_visible}"/></bookViews><sheets>{"".join(sheets)}</sheets>'
                    + (f"<definedNames>{''.join(names)}</definedNames>" if names else "")
                    + "</workbook>")
        n = len(self.sheets)
        rels = "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                       for i in range(1, n + 1))
        rels += f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
        ct = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
              '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
              '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
              '<Default Extension="xml" ContentType="application/xml"/>'
              '<Override PartName="/xl/workbook.xml" '
              'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
              + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
                        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, n + 1))
              + '<Override PartName="/xl/styles.xml" '
              'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
              '<Override PartName="/docProps/core.xml" '
              'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
              '<Override PartName="/docProps/app.xml" '
              'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
              + ('<Override PartName="/docProps/custom.xml" '
                 'ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/>'
                 if custom else "")
              + "</Types>")
        root_rels = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PKG_REL}">'
                     f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
                     '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
                     'metadata/core-properties" Target="docProps/core.xml"/>'
                     f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
                     + (f'<Relationship Id="rId4" Type="{_REL}/custom-properties" Target="docProps/custom.xml"/>'
                        if custom else "")
                     + "</Relationships>")
        core = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties '
                'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
                'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
                'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
                + (f"<dc:title>{_xml_escape(props['title'])}</dc:title>" if props.get("title") else "")
                + (f"<dc:description>{_xml_escape(props['description'])}</dc:description>"
                   if props.get("description") else "")
                + f"<dc:creator>{_xml_escape(props.get('creator', ''))}</dc:creator>"
                + f'<dcterms:created xsi:type="dcterms:W3CDTF">{self._date}</dcterms:created>'
                + f'<dcterms:modified xsi:type="dcterms:W3CDTF">{self._date}</dcterms:modified>'
                + "</cp:coreProperties>")
        app = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas.'
               'openxmlformats.org/officeDocument/2006/extended-properties"><Application>'
               f"{_xml_escape(props.get('application', 'hls-toolkit'))}</Application></Properties>")
        self._put("[Content_Types].xml", ct)
        self._put("_rels/.rels", root_rels)
        self._put("docProps/app.xml", app)
        self._put("docProps/core.xml", core)
        if custom:
            items = "".join(
                f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{i}" name="{_attr(k)}">'
                f"<vt:lpwstr>{_xml_escape(str(v))}</vt:lpwstr></property>"
                for i, (k, v) in enumerate(custom.items(), start=2))
            self._put("docProps/custom.xml",
                      '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Properties xmlns="http://schemas.'
                      'openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.'
                      f'openxmlformats.org/officeDocument/2006/docPropsVTypes">{items}</Properties>')
        self._put("xl/workbook.xml", workbook)
        self._put("xl/_rels/workbook.xml.rels", f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                                f'<Relationships xmlns="{_PKG_REL}">{rels}</Relationships>')
        self._put("xl/styles.xml", self.styles.xml())
        self._zip.close()

    def abort(self) -> None:
        self._zip.close()
