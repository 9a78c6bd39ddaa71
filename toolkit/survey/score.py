"""Construct scores: reverse-key items and average them when enough of them were answered."""
from __future__ import annotations

from ..errors import DataError

DEFAULT_MIN_SHARE = 2 / 3
# Shares are shown and typed to three decimals (--help shows the default as 0.667), so 0.667 must mean two
# thirds: a respondent with 2 of 3 or 4 of 6 items answered is scored either way.
SHARE_TOLERANCE = 5e-4


def enough_answered(answered, n_items: int, min_share: float):
    """True where *answered* of *n_items* reaches *min_share* (to the three decimals shares are given in)."""
    return answered >= (min_share - SHARE_TOLERANCE) * n_items - 1e-9


def _numeric_block(df, items):
    """The item columns as a float matrix (non-numeric text -> NaN), without copying the whole frame."""
    import numpy as np
    import pandas as pd

    cols = []
    for item in items:
        col = df[item]
        if not pd.api.types.is_numeric_dtype(col):
            col = pd.to_numeric(col, errors="coerce")
        cols.append(col.to_numpy(dtype=float, na_value=np.nan))
    return np.column_stack(cols) if cols else np.empty((len(df), 0))


def _keyed_block(df, s):
    """A scale's items as a float matrix with reverse-keyed items recoded ``(min + max) - x``.

    ``min``/``max`` come from the scale spec (the instrument's response scale) or, when unset, from the observed
    range over all the scale's items, as psych does.
    """
    import numpy as np

    block = _numeric_block(df, s.items)
    if s.reversed:
        lo, hi = s.min, s.max
        if lo is None or hi is None:
            with np.errstate(all="ignore"):
                lo = np.nanmin(block) if lo is None else lo
                hi = np.nanmax(block) if hi is None else hi
        for j, item in enumerate(s.items):
            if item in s.reversed:
                block[:, j] = (lo + hi) - block[:, j]
    return block


def reverse_items(df, scales) -> "pd.DataFrame":  # noqa: F821
    """Copy of *df* with each scale's reverse-keyed items recoded as ``(min + max) - x`` (see :func:`_keyed_block`)."""
    import pandas as pd

    recoded = {}
    for s in scales:
        if s.reversed:
            block = _keyed_block(df, s)
            for j, item in enumerate(s.items):
                if item in s.reversed:
                    recoded[item] = block[:, j]
    if not recoded:
        return df.copy()
    out = pd.DataFrame({c: (recoded[c] if c in recoded else df[c]) for c in df.columns}, index=df.index)
    out.attrs = dict(df.attrs)
    return out


def score_scales(df, scales, min_share: float = DEFAULT_MIN_SHARE, suffix: str = ""):
    """Add one column per scale: the mean of its (reverse-keyed) items.

    A respondent's score is missing unless at least ``min_share`` of the scale's items are answered
    (default two thirds, i.e. ``answered >= ceil-free share * k`` compared as a fraction).

    >>> import pandas as pd
    >>> from toolkit.psychometrics.scales import parse_scale
    >>> df = pd.DataFrame({"A1": [1, 5], "A2": [4, None], "A3": [5, 2]})
    >>> score_scales(df, [parse_scale("agree=-A1,A2,A3")], ).loc[:, "agree"].round(3).tolist()  # doctest: +SKIP
    [4.667, 1.5]
    """
    import numpy as np

    if not 0 < min_share <= 1:
        raise DataError(f"min share must be in (0, 1], got {min_share}", field="--min-share")
    missing_cols = sorted({i for s in scales for i in s.items} - set(df.columns))
    if missing_cols:
        raise DataError(f"item column(s) not in the data: {', '.join(missing_cols)}", file=df.attrs.get("source"))
    scores = {}
    for s in scales:
        block = _keyed_block(df, s)
        answered = (~np.isnan(block)).sum(axis=1)
        total = np.nansum(block, axis=1)
        enough = enough_answered(answered, len(s.items), min_share)
        with np.errstate(invalid="ignore", divide="ignore"):
            scores[s.name + suffix] = np.where(enough & (answered > 0), total / np.maximum(answered, 1), np.nan)
    import pandas as pd

    # one concat, not one insert per scale: a wide instrument made pandas warn about a fragmented frame
    kept = df.drop(columns=[c for c in scores if c in df.columns])
    out = pd.concat([kept, pd.DataFrame(scores, index=df.index)], axis=1)
    out.attrs = dict(df.attrs)
    return out


def score(df, instrument, min_share: float = DEFAULT_MIN_SHARE):
    """Construct scores for survey data collected with *instrument* (name, YAML path or Instrument).

    Answers are first recoded exactly as on import: labels become the scale's values, declared missing codes
    (e.g. ``9`` = "Don't know") become missing. Answers that are neither raise :class:`DataError` naming the
    row and column (run ``hls survey import`` to get the full validation report). Then reverse-keyed items
    become ``(min + max) - x`` and each construct's score is the mean of its items when at least *min_share*
    of them are answered (default 2/3), else missing. One column per construct is added (named by its id).

    >>> import pandas as pd, toolkit
    >>> df = pd.DataFrame({"SM1": [5, 4], "SM2": [4, 9], "SM3": [1, 2],
    ...                    "DR1": [3, 9], "DR2": [3, 9], "DR3": [3, 2]})
    >>> toolkit.score(df, "tests/data/mini-instrument.yaml")[["sensemaking", "deliberation"]]  # doctest: +SKIP
       sensemaking  deliberation
    0     4.666667           3.0
    1     4.000000           NaN
    """
    from ..psychometrics.scales import scales_from_instrument
    from .validate import _locations
    from .variables import as_instrument, recode_frame

    inst = as_instrument(instrument)
    present = [i for i in inst.item_ids if i in df.columns]
    missing_cols = [i for i in inst.item_ids if i not in df.columns]
    if missing_cols:
        raise DataError(f"item column(s) of '{inst.id}' not in the data: {', '.join(missing_cols)}",
                        file=df.attrs.get("source"), field="--instrument")
    clean, problems = recode_frame(df[present], inst)
    if problems:
        from .validate import _MESSAGES

        files, rows = _locations(df.reset_index(drop=True))
        pos = {idx: k for k, idx in enumerate(df.index)}
        idx, col, raw, problem = problems[0]
        k = pos[idx]
        scale = inst.scale_of(col)
        miss = f"; missing {', '.join(str(m) for m in scale.missing_values)}" if scale.missing_values else ""
        what = _MESSAGES.get(problem, "not valid for scale '{scale}'").format(scale=scale.id, lo=scale.min,
                                                                              hi=scale.max, miss=miss)
        more = f" (and {len(problems) - 1} more; 'hls survey validate' lists them all)" if len(problems) > 1 else ""
        source = df.attrs.get("source")
        if source:  # the file being scored, and its row as a spreadsheet shows it
            line = k + (1 if str(source).lower().endswith(".sav") else 2)
            origin = f"; imported from {files[k]}" + (f" row {rows[k]}" if rows[k] else "") \
                if files[k] and files[k] != source else ""
            raise DataError(f"{raw!r} is {what}{origin}{more}", file=source, line=line, field=col, kind="row")
        raise DataError(f"{raw!r} is {what}{more}", file=files[k], line=rows[k], field=col, kind="row")
    import pandas as pd

    recoded = set(present)
    data = pd.DataFrame({c: (clean[c].astype(float) if c in recoded else df[c]) for c in df.columns}, index=df.index)
    data.attrs = dict(df.attrs)
    return score_scales(data, scales_from_instrument(inst), min_share=min_share)
