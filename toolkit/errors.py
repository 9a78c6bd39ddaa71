"""One error type for everything a user can get wrong.

A :class:`ToolkitError` carries where the problem is (file, line or row, field) so the CLI can print it on
one line without a traceback::

    instruments/mine.yaml:14: items[2].scale: unknown response scale 'agree9'
"""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path

# C0 controls except tab and line feed, DEL, C1 controls (0x9b is a terminal's CSI), and the bidirectional
# overrides and isolates that reorder what a terminal shows
_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: object) -> str:
    """*text* made safe to print on a terminal: control characters (NUL, ESC, ...) shown as ``\\x1b``-style
    escapes, so text that came from a user's file can never drive the terminal.

    >>> printable("Sam\x1b[31m: hi\x00")
    'Sam\\x1b[31m: hi\\x00'
    """
    text = str(text)
    if not _UNPRINTABLE.search(text):
        return text
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                            else f"\\u{ord(m.group()):04x}", text)


@dataclass
class Location:
    """Where a problem sits: a file, a line (YAML/text) or row (tables), and a field or column."""

    file: str | None = None
    line: int | None = None
    field: str | None = None
    kind: str = "line"  # "line" for text files, "row" for tables

    def __str__(self) -> str:
        parts = []
        if self.file:
            parts.append(str(self.file))
        if self.line is not None:
            parts.append(str(self.line) if self.kind == "line" else f"row {self.line}")
        head = ":".join(parts)
        if self.field:
            head = f"{head}: {self.field}" if head else self.field
        return head


class ToolkitError(Exception):
    """A problem with the user's input, reported as ``file:line: field: message``."""

    exit_code = 2

    def __init__(self, message: str, file: str | Path | None = None, line: int | None = None,
                 field: str | None = None, kind: str = "line"):
        self.message = message
        self.location = Location(str(file) if file is not None else None, line, field, kind)
        super().__init__(str(self))

    def __str__(self) -> str:
        where = str(self.location)
        return printable(f"{where}: {self.message}" if where else self.message)


class ProblemsError(ToolkitError):
    """A definition file has problems; ``problems`` lists every one, the message shows the first.

    Subclasses name the command that lists them all in ``check_command``.
    """

    check_command = "check"

    def __init__(self, problems: list[ToolkitError]):
        self.problems = problems
        first = problems[0]
        more = (f" (and {len(problems) - 1} more problem(s); run '{self.check_command}')"
                if len(problems) > 1 else "")
        super().__init__(first.message + more, first.location.file, first.location.line, first.location.field)


class InstrumentError(ProblemsError):
    """An instrument definition is invalid; ``problems`` lists every problem found."""

    check_command = "hls instrument check"


class DataError(ToolkitError):
    """Survey data or a transcript cannot be read or used as asked."""


class AnalysisError(ToolkitError):
    """A statistic cannot be computed on these data (too few items, zero variance, ...)."""


class ToolkitWarning(UserWarning):
    """Something the user should know that did not stop the work; the CLI prints it as one ``warning:`` line."""


def warn(message: str, file: str | Path | None = None, line: int | None = None, field: str | None = None,
         kind: str = "line") -> None:
    """Issue a located :class:`ToolkitWarning` (``file:line: field: message``)."""
    where = str(Location(str(file) if file is not None else None, line, field, kind))
    warnings.warn(printable(f"{where}: {message}" if where else message), ToolkitWarning, stacklevel=2)
