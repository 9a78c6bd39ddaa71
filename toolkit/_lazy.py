"""Module-level lazy attributes: names are imported from their defining module on first use."""
from __future__ import annotations

import importlib


def lazy_getattr(module_name: str, names: dict[str, str], namespace: dict):
    """A module ``__getattr__`` that imports ``names[name]`` on first access and caches it in *namespace*."""

    def __getattr__(name: str):
        if name in names:
            value = getattr(importlib.import_module(names[name]), name)
            namespace[name] = value
            return value
        raise AttributeError(f"module {module_name!r} has no attribute {name!r}")

    return __getattr__
