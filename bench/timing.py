"""Timing helper shared by the bench scripts (run as ``python bench/NAME.py``, so this folder is on sys.path)."""
from __future__ import annotations

import time


def best_of(fn, repeat: int = 3):
    """``(fastest wall time in seconds, result of the last call)`` over *repeat* calls of ``fn()``."""
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out
