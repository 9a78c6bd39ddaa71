"""Untrusted-archive and untrusted-XML guards for REFI-QDA files (.qdpx zips, .qdc/.qde XML, .docx sources).

The archive guard is :mod:`toolkit.archive`, shared with every workbook and Word file the toolkit opens.

A ``.qdpx`` arrives from another person's machine, so nothing in it is trusted:

* member names must be relative, without ``..`` components, drive letters, backslashes or NUL bytes, and
  must not be symbolic links (checked on the zip's Unix mode bits);
* every member's uncompressed size, the archive's total uncompressed size, the number of members and the
  compression ratio of large members are capped (:class:`Limits`), and reads are capped while streaming,
  so a lying size header cannot inflate past the limit;
* XML is parsed with :mod:`defusedxml` (no DTDs, no entity expansion, no external entities).

>>> from toolkit.coding.refi.safety import SafeZip           # doctest: +SKIP
>>> with SafeZip("project.qdpx") as z: xml = z.read("project.qde")   # doctest: +SKIP
"""
from __future__ import annotations

import contextlib
import io
from pathlib import Path

from ...archive import (DEFAULT_LIMITS, MB, Limits, SafeZip, check_member_name,  # noqa: F401 - one guard
                        current_limits)
from ...errors import DataError


@contextlib.contextmanager
def _xml_guard(data: bytes, label: str | Path, limits: Limits | None):
    """Size limit up front; defusedxml refusals and parse errors become one located DataError."""
    from xml.etree.ElementTree import ParseError

    from defusedxml import DefusedXmlException

    limits = limits or current_limits()
    if len(data) > limits.max_xml_size:
        raise DataError(f"XML file is larger than {limits.max_xml_size} bytes", file=label)
    try:
        yield
    except DefusedXmlException as exc:
        raise DataError(f"refused unsafe XML ({exc.__class__.__name__}: DTDs and entities are not allowed)",
                        file=label) from None
    except ParseError as exc:
        line = getattr(exc, "position", (None, None))[0]
        raise DataError(f"not well-formed XML ({exc})", file=label, line=line) from None


def parse_xml(data: bytes, label: str | Path, limits: Limits | None = None):
    """Parse untrusted XML with defusedxml (DTDs, entities and external references refused)."""
    from defusedxml.ElementTree import fromstring

    with _xml_guard(data, label, limits):
        return fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)


def iter_xml(data: bytes, label: str | Path, limits: Limits | None = None):
    """Stream ``(event, element)`` pairs (``start``/``end``) of untrusted XML with the guards of :func:`parse_xml`.

    Lets a reader clear each large element once handled, so memory stays flat on big projects.
    """
    from defusedxml.ElementTree import iterparse

    with _xml_guard(data, label, limits):
        yield from iterparse(io.BytesIO(data), events=("start", "end"), forbid_dtd=True, forbid_entities=True,
                             forbid_external=True)
