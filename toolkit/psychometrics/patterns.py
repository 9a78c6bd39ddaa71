"""Compress item responses to distinct weighted response patterns (exact, and cheap for Likert data)."""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

PATTERN_LIMIT = 1 << 21  # largest number of possible response patterns compressed with a bincount


@dataclass
class Patterns:
    """Item responses, item-major: ``items[j]`` holds item j over the distinct response patterns (NaN =
    missing), ``weights`` how often each pattern occurs (``None`` when the rows were kept as they are). For
    integer codes ``digits`` holds value - lo (k = missing), so categories are counted without another pass."""

    items: np.ndarray
    weights: np.ndarray | None
    lo: float | None = None
    k: int | None = None
    digits: np.ndarray | None = None

    @property
    def compressed(self) -> bool:
        return self.weights is not None

    @property
    def n_rows(self) -> int:
        return int(round(self.weights.sum())) if self.compressed else self.items.shape[1]

    def subset(self, rows) -> "Patterns":
        return Patterns(self.items[:, rows], None if self.weights is None else self.weights[rows], self.lo, self.k,
                        None if self.digits is None else self.digits[:, rows])


def response_patterns(columns: list[np.ndarray], ranges=None) -> Patterns:
    """The item columns as distinct response patterns with frequency weights, item-major.

    Integer-coded items with few categories (Likert data) are compressed with one ``bincount`` over a mixed-radix
    code of each row, so 100,000 respondents become a few thousand weighted patterns and every statistic
    afterwards is exact and cheap. Other data are kept row by row (``weights`` None). *ranges* optionally gives
    each column's (min, max) when already known.

    >>> pat = response_patterns([np.array([1., 2, 1, np.nan]), np.array([3., 3, 3, 1])])
    >>> pat.items.T.tolist(), pat.weights.tolist()
    ([[1.0, 3.0], [2.0, 3.0], [nan, 1.0]], [2.0, 1.0, 1.0])
    """
    n, p = len(columns[0]), len(columns)

    def uncompressed():
        return Patterns(np.stack(columns).astype(float, copy=False), None)

    ranges = [nan_range(c) for c in columns] if ranges is None else list(ranges)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: NaN ranges, handled below
        lo = float(np.nanmin([r[0] for r in ranges]))
        hi = float(np.nanmax([r[1] for r in ranges]))
    if not np.isfinite(lo) or not np.isfinite(hi) or hi - lo > 100:
        return uncompressed()
    k = int(hi - lo) + 1
    base = k + 1  # one more digit value for "missing"
    if base**p > PATTERN_LIMIT or base**p > 4 * n + 64:
        return uncompressed()
    itype = np.int32 if base**p < 2**31 else np.int64
    code = np.zeros(n, dtype=itype)
    for col in columns:
        c = col - lo
        np.copyto(c, k, where=np.isnan(c))
        ci = c.astype(itype)
        if not np.array_equal(ci, c):
            return uncompressed()
        code *= base
        code += ci
    counts = np.bincount(code, minlength=base**p)
    idx = np.flatnonzero(counts)
    w = counts[idx].astype(float)
    digits = np.empty((p, len(idx)), dtype=np.int64)
    for j in range(p - 1, -1, -1):
        digits[j] = idx % base
        idx = idx // base
    items = np.where(digits == k, np.nan, digits + lo)
    return Patterns(items, w, lo, k, digits)


def nan_range(values: np.ndarray) -> tuple[float, float]:
    """(min, max) ignoring NaN; (NaN, NaN) for an empty or all-missing column."""
    if values.size == 0:
        return float("nan"), float("nan")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN column
        return float(np.nanmin(values)), float(np.nanmax(values))


def category_label(v: float) -> str:
    """A response value as a label: ``"3"`` for 3.0, ``"2.5"`` for 2.5."""
    return str(int(v)) if float(v).is_integer() else repr(float(v))
