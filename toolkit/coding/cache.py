"""A small on-disk cache for things that are slow to build and fully determined by their inputs.

Used to start ``hls code run`` quickly: the English lemma lookup table (from spacy-lookups-data, keyed by
its version) and each codebook's compiled phrase lemmas (keyed by a hash of the codebook's content, the
pipeline and the library versions). Entries are pickles written atomically; a missing, stale or unreadable
entry is rebuilt, and a cache folder that cannot be written is simply not used.

Folder: ``$HLS_CACHE_DIR``, else ``$XDG_CACHE_HOME/hls-toolkit``, else ``~/.cache/hls-toolkit``.
"""
from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path

VERSION = 1  # bump when the layout of a cached object changes


def cache_dir() -> Path:
    env = os.environ.get("HLS_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hls-toolkit"


def key(*parts) -> str:
    """A file-name-safe hash of *parts* (their repr), with the cache layout version."""
    h = hashlib.sha256(repr((VERSION, parts)).encode("utf-8")).hexdigest()[:24]
    return h


def load(name: str, digest: str):
    """The cached object, or ``None``."""
    path = cache_dir() / f"{name}-{digest}.pickle"
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ValueError, ImportError):
        return None


def store(name: str, digest: str, obj) -> None:
    """Write *obj* atomically; silently does nothing when the folder cannot be written."""
    folder = cache_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{name}-{digest}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            pickle.dump(obj, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, folder / f"{name}-{digest}.pickle")
    except OSError:
        pass


def cached(name: str, digest: str, build):
    """``load`` or ``build()`` + ``store``."""
    obj = load(name, digest)
    if obj is None:
        obj = build()
        store(name, digest, obj)
    return obj
