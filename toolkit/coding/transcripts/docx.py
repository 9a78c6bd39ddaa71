"""Word transcripts (python-docx): paragraphs joined by newlines, then read like a ``.txt`` file.

Tables are read too, in document order, one line per row: transcription services often deliver a table of
``speaker | (time) | text`` rows, which becomes ``speaker: text``; other rows are their cells joined by spaces.
"""
from __future__ import annotations

import re
from pathlib import Path

from ...errors import DataError
from .model import Document

_TIME = re.compile(r"^\(?\[?\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?\]?\)?$")


def _row_line(cells: list[str]) -> str:
    from .text import speaker_of

    cells = [" ".join(c.split()) for c in cells]
    cells = [c for i, c in enumerate(cells) if c and (i == 0 or c != cells[i - 1])]  # merged cells repeat
    if len(cells) >= 2 and not _TIME.match(cells[0]):
        rest = [c for c in cells[1:] if not _TIME.match(c)]
        if rest and speaker_of(f"{cells[0]}: x"):
            return f"{cells[0]}: {' '.join(rest)}"
    return " ".join(c for c in cells if not _TIME.match(c))


def _lines(d) -> list[str]:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    out = []
    for child in d.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            out.append(Paragraph(child, d).text)
        elif tag == "tbl":
            for row in Table(child, d).rows:
                out.append(_row_line([c.text for c in row.cells]))
    return out


def read(path: Path) -> Document:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    from ...archive import check_archive

    check_archive(path, kind="document")  # zip bombs and unsafe members are refused before python-docx reads
    try:
        d = docx.Document(str(path))
        text = "\n".join(_lines(d))
    except PackageNotFoundError:
        raise DataError("not a Word .docx file (or file not found)", file=path) from None
    except Exception as exc:  # zipfile.BadZipFile, KeyError for broken packages, ...
        raise DataError(f"cannot read Word file ({exc.__class__.__name__})", file=path) from None
    from .txt import from_text

    return from_text(text, path)
