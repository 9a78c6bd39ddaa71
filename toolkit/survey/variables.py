"""The columns an instrument's data have, and how one raw answer becomes a value.

Every reader, the validator and the scorer share these rules, so a label typed into a filled questionnaire, a
Kobo label export, a numeric CSV and a ``.sav`` file all end up as the same codes:

* numbers (or numeric text such as ``"4"``, ``"4.0"``) are kept when they are on the response scale;
* text is looked up among the scale's labels in every language, case-insensitively (``"agree"`` -> 4);
* declared missing codes and their labels (``9`` / ``"Don't know"``) become missing;
* anything else is a problem (``non_numeric`` or ``out_of_range``) and becomes missing in the clean data.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..instruments.model import ContextQuestion, Instrument, ResponseScale

KINDS = ("respondent", "group", "context", "item", "attention")


@dataclass(frozen=True)
class Variable:
    """One column of the tidy survey table."""

    id: str
    kind: str  # respondent | group | context | item | attention
    label: str  # question text in the instrument's first language
    texts: tuple[str, ...] = ()  # the question text in every language (for matching label headers)
    scale: ResponseScale | None = None
    question: ContextQuestion | None = None

    @property
    def is_coded(self) -> bool:
        """True for items and attention checks, whose answers sit on a response scale."""
        return self.scale is not None


def as_instrument(instrument) -> Instrument:
    """Accept an :class:`Instrument`, a shipped name or a YAML path."""
    if isinstance(instrument, Instrument):
        return instrument
    from ..instruments.loader import load_instrument

    return load_instrument(instrument)


def variables(instrument: Instrument) -> list[Variable]:
    """The instrument's columns in output order: respondent id, group, other context, items, attention checks."""
    out: list[Variable] = []
    ctx = sorted(instrument.context, key=lambda q: {"respondent": 0, "group": 1}.get(q.role or "", 2))
    for q in ctx:
        kind = q.role if q.role in ("respondent", "group") else "context"
        out.append(Variable(q.id, kind, instrument.text(q.text), tuple(q.text.values()), None, q))
    if not any(v.kind == "respondent" for v in out):
        out.insert(0, Variable(instrument.respondent_column, "respondent", "Respondent id"))
    for item in instrument.items:
        out.append(Variable(item.id, "item", instrument.text(item.text), tuple(item.text.values()),
                            instrument.scales[item.scale]))
    for check in instrument.attention_checks:
        out.append(Variable(check.id, "attention", instrument.text(check.text), tuple(check.text.values()),
                            instrument.scales[check.scale]))
    return out


def _is_blank(raw) -> bool:
    if raw is None:
        return True
    if isinstance(raw, float) and math.isnan(raw):
        return True
    try:
        import pandas as pd

        if raw is pd.NA or raw is pd.NaT:
            return True
    except ImportError:  # pragma: no cover
        pass
    return isinstance(raw, str) and not raw.strip()


_NUMBER_RE = re.compile(r"^[+-]?\d+(\.\d+)?$")


def _as_number(raw):
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return raw
    try:
        import numpy as np

        if isinstance(raw, (np.integer, np.floating)):
            return raw.item()
    except ImportError:  # pragma: no cover
        pass
    if isinstance(raw, str):
        text = raw.strip().replace(",", ".") if raw.strip().count(",") == 1 else raw.strip()
        if _NUMBER_RE.match(text):
            return float(text)
    return None


_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'",
                         "\u201c": '"', "\u201d": '"', "\u00a0": " "})


def label_key(text) -> str:
    """How an answer label is compared: case-folded, runs of spaces collapsed, typographic quotes straightened
    (spreadsheets and word processors turn ``Don't know`` into ``Don’t know``)."""
    return " ".join(str(text).translate(_QUOTES).split()).casefold()


def _whole(x: float):
    return int(x) if float(x).is_integer() else x


def recode_value(var: Variable, raw, keep_missing_codes: bool = False):
    """``(value, problem)`` for one raw answer; *problem* is ``None``, ``"non_numeric"``, ``"out_of_range"`` or
    ``"unknown_choice"``. Blank and declared-missing answers give ``(None, None)`` (or the missing code itself
    with *keep_missing_codes*).

    >>> from toolkit.instruments.model import ResponseScale, ScalePoint
    >>> s = ResponseScale("a", (ScalePoint(1, {"en": "No"}), ScalePoint(2, {"en": "Yes"})), (ScalePoint(9, {"en": "DK"}),))
    >>> v = Variable("Q1", "item", "Q1", scale=s)
    >>> recode_value(v, " yes "), recode_value(v, "9"), recode_value(v, 7), recode_value(v, "maybe")
    ((2, None), (None, None), (None, 'out_of_range'), (None, 'non_numeric'))
    """
    if _is_blank(raw):
        return None, None
    if var.scale is not None:
        scale = var.scale
        number = _as_number(raw)
        if number is not None:
            if number in scale.values:
                return _whole(number), None
            if number in scale.missing_values:
                return (_whole(number) if keep_missing_codes else None), None
            return None, "out_of_range"
        key = label_key(raw)
        labels = _label_map(scale)
        if key in labels:
            value = labels[key]
            if value is None:
                return (_missing_code_for(scale, key) if keep_missing_codes else None), None
            return value, None
        return None, "non_numeric"
    q = var.question
    if q is not None and q.type == "select_one":
        key = str(_whole(raw) if isinstance(raw, float) else raw).strip()
        for c in q.choices:
            if key == c.value or key.casefold() == c.value.casefold():
                return c.value, None
            if any(label_key(key) == label_key(t) for t in c.label.values()):
                return c.value, None
        return key, "unknown_choice"
    if q is not None and q.type == "integer":
        number = _as_number(raw)
        if number is None or not float(number).is_integer():
            return None, "non_numeric"
        return int(number), None
    # text (respondent and group ids included): whole numbers read from spreadsheets lose their ".0"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw)), None
    return str(raw).strip(), None


def _missing_code_for(scale: ResponseScale, key: str):
    for p in scale.missing:
        if any(key == label_key(t) for t in p.label.values()):
            return p.code
    return None


_LABEL_CACHE: dict[int, dict] = {}


def _label_map(scale: ResponseScale) -> dict:
    cached = _LABEL_CACHE.get(id(scale))
    if cached is None or cached[0] is not scale:
        cached = (scale, {label_key(k): v for k, v in scale.label_map().items()})
        _LABEL_CACHE[id(scale)] = cached
    return cached[1]


def recode_frame(df, instrument: Instrument, keep_missing_codes: bool = False):
    """Recode every instrument column of *df*; return ``(clean, problems)``.

    *clean* has the instrument's columns that are present (items as numbers, ids and context as text);
    *problems* is a list of ``(index, column, raw value, problem)`` tuples. Each distinct raw value of a column
    is recoded once, so large tables are fast.
    """
    import numpy as np
    import pandas as pd

    clean = {}
    problems = []
    for var in variables(instrument):
        if var.id not in df.columns:
            continue
        col = df[var.id]
        codes, uniques = pd.factorize(col.astype(object), use_na_sentinel=True)
        out = np.empty(len(uniques) + 1, dtype=object)  # last slot: blank (code -1)
        out[-1] = None
        bad = {}
        for k, raw in enumerate(uniques):
            value, problem = recode_value(var, raw, keep_missing_codes)
            out[k] = value
            if problem:
                bad[k] = problem
        values = pd.Series(out[codes], index=col.index, dtype=object)
        if bad:
            for pos in np.flatnonzero(np.isin(codes, list(bad))):
                problems.append((col.index[pos], var.id, uniques[codes[pos]], bad[codes[pos]]))
        if var.is_coded:
            num = pd.to_numeric(values.astype(object), errors="coerce")
            whole = num.dropna()
            if len(whole) == 0 or (whole == whole.round()).all():
                num = num.astype("Int64")
            clean[var.id] = num
        else:
            clean[var.id] = values.astype(object)
    if df.index.is_unique:
        order = {v.id: k for k, v in enumerate(variables(instrument))}
        problems.sort(key=lambda t: (df.index.get_loc(t[0]), order[t[1]]))
    return pd.DataFrame(clean, index=df.index), problems
