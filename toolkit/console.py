"""What the toolkit says on the terminal: notes, warnings and progress bars, honouring ``--quiet``/``--verbose``.

Results go to stdout; everything else (notes, warnings, progress) goes to stderr so that ``--json`` output
can be piped. Progress bars (tqdm) appear only when stderr is a terminal and ``--quiet`` is not given.

>>> from toolkit import console
>>> for path in console.progress(["a.txt", "b.txt"], desc="reading"):   # silent when not a terminal
...     pass
"""
from __future__ import annotations

import os
import re
import sys
from typing import Iterable, Iterator, TypeVar

T = TypeVar("T")

#: verbosity: -1 quiet, 0 normal, 1 verbose (set once by the CLI's global options)
_state = {"level": 0}

# C0/C1 control characters other than tab and newline, ANSI escape sequences, and the bidirectional overrides
# and isolates that reorder what a terminal shows: never echoed raw
_CONTROL = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def set_verbosity(quiet: bool = False, verbose: bool = False) -> None:
    """Set the verbosity for this process: ``quiet`` hides notes and progress, ``verbose`` shows details."""
    _state["level"] = -1 if quiet else (1 if verbose else 0)


def is_quiet() -> bool:
    return _state["level"] < 0


def is_verbose() -> bool:
    return _state["level"] > 0


def printable(text: object) -> str:
    """*text* with control characters and terminal escape sequences shown as ``?`` (safe to print)."""
    return _CONTROL.sub("?", str(text))


def _echo(line: str) -> None:
    import click

    click.echo(printable(line), err=True)


def note(message: str) -> None:
    """An informational line on stderr (hidden by ``--quiet``)."""
    if not is_quiet():
        _echo(message)


def detail(message: str) -> None:
    """A line shown only with ``--verbose``."""
    if is_verbose():
        _echo(message)


def warn(message: str) -> None:
    """A warning on stderr, always shown, prefixed ``warning:``."""
    _echo(f"warning: {message}")


def show_progress() -> bool:
    """True when a progress bar would be seen: stderr is a terminal and ``--quiet`` is off."""
    if is_quiet() or os.environ.get("HLS_NO_PROGRESS"):
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


def progress(iterable: Iterable[T], total: int | None = None, desc: str | None = None,
             unit: str = "it") -> Iterator[T]:
    """Wrap *iterable* in a progress bar on stderr when one would be seen; otherwise yield it unchanged."""
    if not show_progress():
        yield from iterable
        return
    from tqdm import tqdm

    with tqdm(iterable, total=total, desc=desc, unit=unit, file=sys.stderr, leave=False,
              dynamic_ncols=True, mininterval=0.2) as bar:
        yield from bar


class Steps:
    """A progress bar over named steps (``with Steps(5, "report") as s: s.advance("EFA")``)."""

    def __init__(self, total: int, desc: str | None = None):
        self.total, self.desc, self._bar = total, desc, None

    def __enter__(self):
        if show_progress():
            from tqdm import tqdm

            self._bar = tqdm(total=self.total, desc=self.desc, file=sys.stderr, leave=False, dynamic_ncols=True)
        return self

    def advance(self, label: str | None = None) -> None:
        detail(f"{self.desc + ': ' if self.desc else ''}{label}" if label else "")
        if self._bar is not None:
            if label:
                self._bar.set_postfix_str(printable(label))
            self._bar.update(1)

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.close()
        return False
