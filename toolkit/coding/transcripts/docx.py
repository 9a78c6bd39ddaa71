"""Word transcripts (python-docx): paragraphs joined by newlines, then read like a ``.txt`` file."""
from __future__ import annotations

from pathlib import Path

from ...errors import DataError
from .model import Document


def read(path: Path) -> Document:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        d = docx.Document(str(path))
    except PackageNotFoundError:
        raise DataError("not a Word .docx file (or file not found)", file=path) from None
    except Exception as exc:  # zipfile.BadZipFile, KeyError for broken packages, ...
        raise DataError(f"cannot read Word file ({exc.__class__.__name__})", file=path) from None
    text = "\n".join(p.text for p in d.paragraphs)
    from .txt import from_text

    return from_text(text, path)
