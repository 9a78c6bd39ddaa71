"""Safe YAML loading that remembers line numbers, so problems can be reported as ``file:line: field``."""
from __future__ import annotations

from pathlib import Path

import yaml

from ..errors import ToolkitError


class LineDict(dict):
    """A mapping from YAML that knows its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict


class LineList(list):
    """A sequence from YAML that knows its own line and the line of each element (1-based)."""

    line: int = 0
    item_lines: list


# libyaml's C parser is about ten times faster and gives the same marks; fall back to pure Python without it
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):
    pass


def _construct_mapping(loader, node, deep=False):
    loader.flatten_mapping(node)
    d = LineDict()
    d.line = node.start_mark.line + 1
    d.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise ToolkitError("mapping keys must be plain text", line=key_node.start_mark.line + 1)
        if key in d:
            raise ToolkitError(f"duplicate key '{key}'", line=key_node.start_mark.line + 1, field=str(key))
        d[key] = loader.construct_object(value_node, deep=True)
        d.key_lines[key] = key_node.start_mark.line + 1  # report the line where the field is named
    return d


def _construct_sequence(loader, node, deep=False):
    lst = LineList(loader.construct_object(child, deep=True) for child in node.value)
    lst.line = node.start_mark.line + 1
    lst.item_lines = [child.start_mark.line + 1 for child in node.value]
    return lst


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml(path: str | Path):
    """Parse a YAML file safely (no Python objects), keeping line numbers.

    Raises :class:`ToolkitError` with the file and line for unreadable files and YAML syntax errors.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ToolkitError("file not found", file=path) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ToolkitError(f"cannot read file ({exc.__class__.__name__})", file=path) from None
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader derives from SafeLoader
    except ToolkitError as exc:
        exc.location.file = str(path)
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        msg = (exc.problem or exc.context or "invalid YAML").strip()
        raise ToolkitError(f"bad YAML: {msg}", file=path, line=line) from None
    except yaml.reader.ReaderError as exc:  # a control character or binary junk: say which line, on one line
        line = text.count("\n", 0, max(exc.position, 0)) + 1
        char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        raise ToolkitError(f"bad YAML: {exc.reason} (found U+{char:04X}; is this a text file?)",
                           file=path, line=line) from None
    except yaml.YAMLError as exc:
        raise ToolkitError(f"bad YAML: {' '.join(str(exc).split())}", file=path) from None
