"""One error type for everything a user can get wrong.

A :class:`ToolkitError` carries where the problem is (file, line or row, field) so the CLI can print it on
one line without a traceback::

    instruments/mine.yaml:14: items[2].scale: unknown response scale 'agree9'
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


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
        from .console import printable  # a message quoting a user's file never drives the terminal

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
    """Something the user should know that does not stop the run, located like a :class:`ToolkitError`.

    The CLI prints it as one line, ``warning: file:row 3: field: message``; a Python caller can filter it
    with the :mod:`warnings` module like any other warning.
    """

    def __init__(self, message: str, file: str | Path | None = None, line: int | None = None,
                 field: str | None = None, kind: str = "line"):
        self.message = message
        self.location = Location(str(file) if file is not None else None, line, field, kind)
        super().__init__(str(self))

    def __str__(self) -> str:
        where = str(self.location)
        return f"{where}: {self.message}" if where else self.message


def warn(message: str, file: str | Path | None = None, line: int | None = None, field: str | None = None,
         kind: str = "line") -> None:
    """Issue a located :class:`ToolkitWarning` (one line on the command line)."""
    import warnings

    warnings.warn(ToolkitWarning(message, file, line, field, kind), stacklevel=2)
