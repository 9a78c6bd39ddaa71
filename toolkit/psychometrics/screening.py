"""Screening of item answers before any analysis: missing-value codes and values outside the response range.

Every analysis (reliability, EFA, polychoric correlations, aggregation, CFA) passes its item columns through
one :class:`Screening` and reports what it did in the same words, e.g.::

    30 of 360 answers were set to missing before the analysis: 24 had a missing-value code (9 = Don't know;
    SM1 8, SM2 9, SM3 7) and 6 were outside the declared response range (SM1 4 outside 1..5, e.g. 6; DR2 2
    outside 1..5, e.g. 0)

Rules per item (:class:`ItemRule`) come from an instrument (its response scale's range and declared missing
codes, e.g. 9 = "Don't know"), from ``--missing-code`` options and from an explicit ``--min/--max`` range. A
value equal to a missing code, or outside a declared range, is set to missing so that it counts in no
statistic. When no range is declared and an item's largest (or smallest) value is a typical missing-value code
far from the other answers (9 on a 1..5 scale), :meth:`Screening.hint` suggests declaring it.

>>> import numpy as np
>>> s = Screening()
>>> clean = s.record("q1", np.array([1., 2., 9., 6., np.nan]), ItemRule(codes=(9,), lo=1, hi=5))
>>> clean.tolist()[:4]
[1.0, 2.0, nan, nan]
>>> s.message()
'2 of 4 answers were set to missing before the analysis: 1 had a missing-value code (9; q1 1) and 1 was outside the declared response range (q1 1 outside 1..5, e.g. 6)'
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import DataError

# codes survey tools use for "don't know" / "refused" / "not applicable"; only suspected when far from the data
SUSPECT_HIGH = (9, 97, 98, 99, 999)
SUSPECT_LOW = (-1, -9, -99, -999)


def _label(v) -> str:
    v = float(v)
    return str(int(v)) if v.is_integer() else f"{v:g}"


@dataclass(frozen=True)
class ItemRule:
    """How one item is screened: values in *codes* mean "missing"; values outside [lo, hi] are invalid."""

    codes: tuple = ()
    lo: float | None = None
    hi: float | None = None
    labels: tuple = ()  # (code, label) pairs for the message, e.g. ((9, "Don't know"),)

    @property
    def has_range(self) -> bool:
        return self.lo is not None and self.hi is not None


def item_rules(items, *, instrument=None, missing_codes=(), lo=None, hi=None) -> dict[str, ItemRule]:
    """The screening rule of each item.

    *instrument* (an :class:`~toolkit.instruments.model.Instrument`) supplies each of its items' response range
    and declared missing codes; *missing_codes* (``--missing-code``) are added for every item; *lo*/*hi*
    (``--min/--max``) declare the range of every item and override the instrument's.
    """
    extra = tuple(float(c) for c in (missing_codes or ()))
    out = {}
    for item in items:
        codes, labels, ilo, ihi = extra, (), None, None
        if instrument is not None:
            try:
                rs = instrument.scale_of(item)
            except KeyError:
                rs = None
            if rs is not None:
                codes = tuple(dict.fromkeys(tuple(float(c) for c in rs.missing_values) + extra))
                labels = tuple((float(p.value), instrument.text(p.label)) for p in rs.missing)
                ilo, ihi = float(rs.min), float(rs.max)
        if lo is not None:
            ilo = float(lo)
        if hi is not None:
            ihi = float(hi)
        out[str(item)] = ItemRule(codes, ilo, ihi, labels)
    return out


def numeric_values(column, *, source=None, item=None) -> np.ndarray:
    """A column as a float array (NaN = missing, blank text = missing); non-numeric text is a located
    :class:`DataError` (file, row, column). Infinite values count as missing."""
    import pandas as pd

    if isinstance(column, pd.DataFrame):
        raise DataError("the column name appears more than once in the data", file=source, field=item)
    if column.dtype == np.float64:
        values = column.to_numpy()  # no copy: screening copies before it changes anything
    elif pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
        values = column.to_numpy(dtype=float, na_value=np.nan)
    else:
        text = column.astype("string").str.strip()
        num = pd.to_numeric(text.replace("", pd.NA), errors="coerce")
        bad = num.isna() & text.notna() & (text != "")
        if bad.any():
            pos = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(f"non-numeric value {str(column.iloc[pos])!r} ({int(bad.sum())} such cell(s) in this "
                            "column); item responses must be numeric codes", file=source, line=pos + 2,
                            field=item, kind="row")
        values = num.to_numpy(dtype=float, na_value=np.nan)
    if np.isinf(values).any():
        values = np.where(np.isinf(values), np.nan, values)
    return values


@dataclass
class Screening:
    """Counts of what screening set to missing, item by item; one per analysis."""

    answers: int = 0
    coded: dict = field(default_factory=dict)          # item -> answers with a missing-value code
    out_of_range: dict = field(default_factory=dict)   # item -> answers outside the declared range
    ranges: dict = field(default_factory=dict)         # item -> (lo, hi) for out-of-range items
    examples: dict = field(default_factory=dict)       # item -> one out-of-range value
    codes_found: dict = field(default_factory=dict)    # code -> label ("" when unknown)
    _undeclared: dict = field(default_factory=dict, repr=False)  # item -> distinct values (no range declared)

    def record(self, item: str, values: np.ndarray, rule: ItemRule | None) -> np.ndarray:
        """Screen one item's values (float array, NaN = missing); returns them with invalid answers set to
        NaN (a copy when anything changed; *values* is never modified)."""
        answered = ~np.isnan(values)
        self.answers += int(answered.sum())
        if rule is None:
            rule = ItemRule()
        drop = None
        if rule.codes:
            hit = np.isin(values, np.asarray(rule.codes, dtype=float))
            n = int(hit.sum())
            if n:
                self.coded[item] = self.coded.get(item, 0) + n
                labels = dict(rule.labels)
                for c in np.unique(values[hit]):
                    self.codes_found.setdefault(float(c), labels.get(float(c), ""))
                drop = hit
        if rule.has_range:
            with np.errstate(invalid="ignore"):
                out = answered & ((values < rule.lo) | (values > rule.hi))
            if drop is not None:
                out &= ~drop
            n = int(out.sum())
            if n:
                self.out_of_range[item] = self.out_of_range.get(item, 0) + n
                self.ranges[item] = (rule.lo, rule.hi)
                self.examples.setdefault(item, float(values[out][0]))
                drop = out if drop is None else (drop | out)
        elif answered.any():
            kept = values if drop is None else values[~drop]
            self._undeclared[item] = np.unique(kept[~np.isnan(kept)])
        if drop is None:
            return values
        clean = values.copy()
        clean[drop] = np.nan
        return clean

    @property
    def n_coded(self) -> int:
        return sum(self.coded.values())

    @property
    def n_out_of_range(self) -> int:
        return sum(self.out_of_range.values())

    @property
    def total(self) -> int:
        return self.n_coded + self.n_out_of_range

    def message(self) -> str | None:
        """The one-line report every analysis prints (``None`` when nothing was set to missing)."""
        if not self.total:
            return None
        parts = []
        if self.coded:
            codes = ", ".join(_label(c) + (f" = {lab}" if lab else "") for c, lab in sorted(self.codes_found.items()))
            per = _per_item(self.coded)
            parts.append(f"{self.n_coded} had a missing-value code ({codes}; {per})")
        if self.out_of_range:
            per = "; ".join(f"{i} {n} outside {_label(self.ranges[i][0])}..{_label(self.ranges[i][1])}, "
                            f"e.g. {_label(self.examples[i])}" for i, n in list(self.out_of_range.items())[:6])
            if len(self.out_of_range) > 6:
                per += "; ..."
            parts.append(f"{self.n_out_of_range} {_was(self.n_out_of_range)} outside the declared response range "
                         f"({per})")
        return (f"{self.total} of {self.answers} answers were set to missing before the analysis: "
                + " and ".join(parts))

    def hint(self, option: str = "--missing-code") -> str | None:
        """A warning when items without a declared range hold a typical missing-value code (9, 99, -9, ...)
        far from their other answers, which would otherwise be analysed as a real answer."""
        if not self._undeclared:
            return None
        values = np.unique(np.concatenate(list(self._undeclared.values())))
        if values.size < 3:
            return None
        found = []
        top, second = values[-1], values[-2]
        if top in SUSPECT_HIGH and top > second + 1:
            found.append(top)
        low, next_low = values[0], values[1]
        if low in SUSPECT_LOW and low < next_low - 1:
            found.append(low)
        if not found:
            return None
        inner = values[(values > values[0] if values[0] in found else values >= values[0])
                       & (values < values[-1] if values[-1] in found else values <= values[-1])]
        items = [i for i, v in self._undeclared.items() if np.isin(found, v).any()]
        codes = " and ".join(_label(c) for c in found)
        flags = " ".join(f"{option} {_label(c)}" for c in found)
        return (f"{codes} looks like a missing-value code (it lies far from the other answers, "
                f"{_label(inner[0])}..{_label(inner[-1])}, in {', '.join(items[:6])}{', ...' if len(items) > 6 else ''})"
                f" but is analysed as an answer; if it means \"Don't know\" or similar, pass {flags} "
                "(or use an instrument that declares it)")

    def warnings(self, option: str = "--missing-code") -> list[str]:
        """The screening message and the missing-code hint, whichever apply."""
        return [m for m in (self.message(), self.hint(option)) if m]

    def to_dict(self) -> dict:
        """``{"answers", "missing_code", "out_of_range", "by_item": {item: {"missing_code", "out_of_range"}}}``."""
        items = list(dict.fromkeys(list(self.coded) + list(self.out_of_range)))
        return {"answers": self.answers, "missing_code": self.n_coded, "out_of_range": self.n_out_of_range,
                "codes": sorted(self.codes_found),
                "by_item": {i: {"missing_code": self.coded.get(i, 0), "out_of_range": self.out_of_range.get(i, 0)}
                            for i in items}}


def _was(n: int) -> str:
    return "were" if n != 1 else "was"


def _per_item(counts: dict) -> str:
    head = ", ".join(f"{i} {n}" for i, n in list(counts.items())[:8])
    return head + (", ..." if len(counts) > 8 else "")


def screen(df, items, rules: dict | None = None, *, source=None):
    """Numeric, screened copies of the *items* columns of *df*: ``(DataFrame of floats, Screening)``.

    *rules* maps item -> :class:`ItemRule` (see :func:`item_rules`); items without a rule are only converted.
    Non-numeric cells raise a located :class:`DataError`; *df* is never modified.
    """
    import pandas as pd

    source = source if source is not None else df.attrs.get("source")
    s = Screening()
    cols = {}
    for item in items:
        values = numeric_values(df[item], source=source, item=str(item))
        cols[item] = s.record(str(item), values, (rules or {}).get(str(item)))
    out = pd.DataFrame(cols, index=df.index)
    out.attrs["source"] = source
    return out, s
