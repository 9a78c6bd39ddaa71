"""From a data frame and a model (lavaan syntax or an instrument) to the rows and items a CFA uses.

- the model: lavaan-style syntax, or one factor per construct of an instrument (constructs with fewer than two
  items are left out with a note);
- the items: numeric columns, screened as in every analysis (:mod:`.screening`): the instrument's declared
  missing codes and ``missing_codes`` become missing, and so do answers outside the instrument's response
  range, reported in the same words as reliability and EFA; then reverse-keyed items are recoded as
  (min + max) - x;
- the rows, by ``missing``: ``"fiml"`` keeps every row with at least one answer (rows without any answer to
  the model's items are dropped, as lavaan does with a warning); ``"listwise"`` keeps complete cases and warns
  with the share it drops; ``"auto"`` (the default for continuous estimators) is FIML as soon as any item has
  a missing value, listwise (= all rows) otherwise.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..errors import AnalysisError, DataError
from .sem_model import ModelSpec, parse_model

MISSING = ("auto", "fiml", "listwise")


@dataclass
class Prepared:
    spec: ModelSpec
    data: pd.DataFrame  # the rows used, model items (plus the group column)
    n_dropped: int
    reversed: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing: str = "listwise"  # how gaps are handled: "fiml" or "listwise"
    n_incomplete: int = 0  # rows used that have at least one missing answer (FIML)
    warnings: list[str] = field(default_factory=list)
    screening: object = None  # what screening set to missing (toolkit.psychometrics.screening.Screening)


def model_from_instrument(instrument, constructs=None) -> tuple[ModelSpec, list[str]]:
    """One factor per construct (or per construct in *constructs*) with at least two items; returns (spec,
    notes about skipped constructs)."""
    factors, inds, notes = [], {}, []
    known = [c.id for c in instrument.constructs]
    unknown = [c for c in (constructs or ()) if c not in known]
    if unknown:
        raise AnalysisError(f"unknown construct(s) {', '.join(unknown)} (the instrument has: {', '.join(known)})",
                            field="--construct")
    for c in instrument.constructs:
        if constructs and c.id not in constructs:
            continue
        if len(c.item_ids) < 2:
            notes.append(f"construct '{c.id}' has {len(c.item_ids)} item(s) and is left out of the CFA")
            continue
        factors.append(c.id)
        inds[c.id] = list(c.item_ids)
    if not factors:
        raise AnalysisError("the instrument has no construct with two or more items", field="--instrument")
    spec = ModelSpec(factors, inds)
    spec.text = spec.to_syntax()
    return spec, notes


def prepare(data: pd.DataFrame, model=None, instrument=None, group: str | None = None,
            constructs=None, missing: str = "auto", missing_codes=()) -> Prepared:
    """Resolve the model, screen the answers (missing codes, out-of-range values), recode reverse-keyed items
    (instrument), choose the rows."""
    from .screening import item_rules, screen

    source = data.attrs.get("source")
    if missing not in MISSING:
        raise AnalysisError(f"--missing must be one of {', '.join(MISSING[1:])} (got '{missing}')", field="--missing")
    if (model is None) == (instrument is None):
        raise AnalysisError("give either a model (lavaan syntax) or an instrument, not both or neither",
                            field="--model")
    reversed_: list[str] = []
    notes: list[str] = []
    if instrument is not None:
        if isinstance(instrument, str):
            from ..instruments import load_instrument

            instrument = load_instrument(instrument)
        spec, notes = model_from_instrument(instrument, constructs)
        where = "--instrument"
    else:
        spec = model if isinstance(model, ModelSpec) else parse_model(model)
        where = "--model"
    items = spec.observed
    absent = [c for c in items if c not in data.columns]
    if absent:
        raise DataError(f"item column(s) not in the data: {', '.join(absent)}", file=source, field=where)
    if group is not None and group not in data.columns:
        raise DataError(f"group column '{group}' is not in the data", file=source, field="--group")
    x, screening = screen(data, items, item_rules(items, instrument=instrument, missing_codes=missing_codes),
                          source=source)
    x = x.reset_index(drop=True)
    if instrument is not None:
        for it in items:
            sc = instrument.scale_of(it)
            if instrument.item(it).reverse:
                x[it] = sc.min + sc.max - x[it]
                reversed_.append(it)
        if reversed_:
            notes.append(f"reverse-keyed items recoded as (min + max) - x: {', '.join(reversed_)}")
    empty = [c for c in items if x[c].notna().sum() == 0]
    if empty:
        also = f" (also {', '.join(empty[1:])})" if len(empty) > 1 else ""
        raise DataError(f"no answers in this item column{also}", file=source, field=empty[0])
    if group is not None:
        x[group] = data[group].to_numpy()
    answered = x[items].notna()
    complete = answered.all(axis=1)
    n_rows, n_complete = len(x), int(complete.sum())
    out = Prepared(spec, x, 0, reversed_, notes, screening=screening)
    out.warnings.extend(screening.warnings())
    if missing == "auto":
        missing = "listwise" if n_complete == n_rows else "fiml"
    out.missing = missing
    if missing == "listwise":
        out.data = x[complete].reset_index(drop=True)
        out.n_dropped = n_rows - n_complete
        if out.n_dropped:
            out.warnings.append(f"listwise deletion dropped {out.n_dropped} of {n_rows} respondents "
                                f"({100 * out.n_dropped / n_rows:.1f}%) with at least one missing answer; "
                                "--missing fiml uses every answer")
        return out
    none = ~answered.any(axis=1)
    out.data = x[~none].reset_index(drop=True)
    out.n_dropped = int(none.sum())
    out.n_incomplete = int((~complete & ~none).sum())
    if out.n_dropped:
        out.notes.append(f"{out.n_dropped} row(s) without any answer to the model's items were dropped "
                         "(as lavaan does)")
    if out.n_incomplete:
        out.notes.append(f"{out.n_incomplete} of {len(out.data)} rows have at least one missing answer; "
                         "full-information ML (FIML, lavaan missing = \"ml\") uses every answer given")
    return out


def check_identified(spec: ModelSpec) -> None:
    for f in spec.factors:
        if len(spec.indicators[f]) < 2:
            raise AnalysisError(f"factor '{f}' has only {len(spec.indicators[f])} indicator: a factor needs at "
                                "least 2 (3 when it is the only factor)", field="model")
    if len(spec.factors) == 1 and len(spec.indicators[spec.factors[0]]) < 3:
        raise AnalysisError(f"a lone factor ('{spec.factors[0]}') needs at least 3 indicators to be identified",
                            field="model")
