"""Precision, recall and F1 of automatic coding against a gold coding, per code and averaged.

For each code c, over the aligned units: TP = units coded c in both, FP = predicted only, FN = gold only;
precision = TP/(TP+FP), recall = TP/(TP+FN), F1 = 2TP/(2TP+FP+FN) (the harmonic mean of the two; undefined,
NaN, when its denominator is 0). Micro averages pool TP/FP/FN over codes; macro averages are the unweighted
mean over codes where the value is defined (cf. scikit-learn's ``precision_recall_fscore_support``).

Gold format (one row per unit, e.g. ``sample_data/transcripts/gold.csv``): ``document, unit_index, speaker,
sentence, codes`` with ``codes`` semicolon-separated (empty = none). Predictions: the codings schema of
``hls code run`` (one row per unit x code) or the same gold format.

>>> gold = pd.DataFrame({"document": ["a", "a"], "unit_index": [0, 1], "speaker": ["X", "X"],
...                      "sentence": ["One.", "Two."], "codes": ["c1", "c1;c2"]})
>>> pred = pd.DataFrame({"document": ["a", "a"], "unit_index": [1, 1], "text": ["Two.", "Two."],
...                      "code": ["c1", "c3"]})
>>> evaluate_coding(gold, pred).micro["precision"]
0.5
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataError

GOLD_COLUMNS = ["document", "unit_index", "speaker", "sentence", "codes"]


def _norm(text) -> str:
    return " ".join(str(text).split()) if text is not None and not (isinstance(text, float) and math.isnan(text)) \
        else ""


def _split(codes) -> set[str]:
    if codes is None or (isinstance(codes, float) and math.isnan(codes)):
        return set()
    return {c.strip() for c in str(codes).replace(",", ";").split(";") if c.strip()}


def _frame(obj, what: str):
    import pandas as pd

    if isinstance(obj, pd.DataFrame):
        return obj
    from ..survey.table import read_table

    return read_table(Path(obj))


def _units(df, what: str, path=None) -> dict[tuple, dict]:
    """(document, unit_index) -> {"text": str, "speaker": str, "codes": set}."""
    cols = set(df.columns)
    if not {"document", "unit_index"} <= cols or not ({"codes"} & cols or {"code"} & cols):
        raise DataError(f"{what} needs columns document, unit_index and codes (or code)", file=path)
    text_col = "sentence" if "sentence" in cols else "text" if "text" in cols else None
    units: dict[tuple, dict] = {}
    for n, row in enumerate(df.to_dict(orient="records"), start=2):
        try:
            idx = int(row["unit_index"])
        except (TypeError, ValueError):
            raise DataError("unit_index must be a whole number", file=path, line=n, field="unit_index",
                            kind="row") from None
        key = (str(row["document"]), idx)
        u = units.setdefault(key, {"text": _norm(row.get(text_col)) if text_col else "",
                                   "speaker": "" if row.get("speaker") is None else str(row.get("speaker") or ""),
                                   "codes": set()})
        if "codes" in cols:
            u["codes"] |= _split(row["codes"])
        else:
            u["codes"] |= _split(row["code"])
    return units


@dataclass
class EvaluationResult:
    per_code: object   # DataFrame: code, support, predicted, tp, fp, fn, precision, recall, f1
    micro: dict
    macro: dict
    errors: object     # DataFrame: kind (fp|fn), code, document, unit_index, speaker, text, gold_codes, pred_codes
    alignment: dict
    notes: list = field(default_factory=list)  # what the reader of the scores should know (skipped documents, ...)

    def to_excel(self, path) -> None:
        """Workbook: Scores (per code, micro, macro), False positives, False negatives (with the sentences)."""
        from .evaluation_report import write_evaluation_xlsx

        write_evaluation_xlsx(self, path, self.notes)

    def to_dict(self) -> dict:
        return {"alignment": self.alignment, "micro": self.micro, "macro": self.macro,
                "per_code": self.per_code.to_dict(orient="records"),
                "errors": self.errors.to_dict(orient="records")}


def _prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else float("nan")
    r = tp / (tp + fn) if tp + fn else float("nan")
    f = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else float("nan")
    return p, r, f


def evaluate_coding(gold, pred, unit_key: tuple[str, str] = ("document", "unit_index"),
                    codes: list[str] | None = None) -> EvaluationResult:
    """Compare predicted codings with a gold coding, unit by unit.

    Parameters
    ----------
    gold, pred : DataFrames or CSV/XLSX paths (formats in the module docstring).
    unit_key : the columns naming a unit; renamed to ``document``/``unit_index`` internally.
    codes : the codes to score (default: every code seen in gold or predictions).

    Alignment: a predicted unit aligns with the gold unit of the same (document, unit_index) when their
    whitespace-normalised texts agree (or either has no text); otherwise with the gold unit of the same
    document and text. Predicted units that align nowhere count as false positives and are reported.
    """
    import pandas as pd

    gpath = None if isinstance(gold, pd.DataFrame) else gold
    ppath = None if isinstance(pred, pd.DataFrame) else pred
    g, p = _frame(gold, "gold"), _frame(pred, "predictions")
    rename = dict(zip(unit_key, ("document", "unit_index")))
    g, p = g.rename(columns=rename), p.rename(columns=rename)
    gu, pu = _units(g, "gold", gpath), _units(p, "predictions", ppath)
    by_text: dict[tuple, list] = {}
    for key, u in gu.items():
        by_text.setdefault((key[0], u["text"]), []).append(key)
    mapping: dict[tuple, tuple | None] = {}
    n_index = n_text = 0
    used: set = set()
    for key, u in pu.items():
        gk = gu.get(key)
        if gk is not None and (not u["text"] or not gk["text"] or u["text"] == gk["text"]):
            mapping[key] = key
            n_index += 1
            used.add(key)
            continue
        cands = [k for k in by_text.get((key[0], u["text"]), []) if k not in used]
        if u["text"] and cands:
            mapping[key] = cands[0]
            used.add(cands[0])
            n_text += 1
        else:
            mapping[key] = None
    pred_on_gold: dict[tuple, set] = {}
    for pk, gk in mapping.items():
        if gk is not None:
            pred_on_gold.setdefault(gk, set()).update(pu[pk]["codes"])
    all_codes = codes or sorted({c for u in gu.values() for c in u["codes"]} | {c for u in pu.values()
                                                                               for c in u["codes"]})
    tally = {c: [0, 0, 0] for c in all_codes}
    errors = []

    def err(kind, code, key, u, gcodes, pcodes):
        errors.append({"kind": kind, "code": code, "document": key[0], "unit_index": key[1],
                       "speaker": u["speaker"], "text": u["text"], "gold_codes": ";".join(sorted(gcodes)),
                       "pred_codes": ";".join(sorted(pcodes))})

    for key, u in gu.items():
        gc, pc = u["codes"], pred_on_gold.get(key, set())
        for c in all_codes:
            if c in gc and c in pc:
                tally[c][0] += 1
            elif c in pc:
                tally[c][1] += 1
                err("fp", c, key, u, gc, pc)
            elif c in gc:
                tally[c][2] += 1
                err("fn", c, key, u, gc, pc)
    unaligned = [k for k, v in mapping.items() if v is None]
    for key in unaligned:
        u = pu[key]
        for c in sorted(u["codes"]):
            if c in tally:
                tally[c][1] += 1
                err("fp", c, key, u, set(), u["codes"])
    rows = []
    for c in all_codes:
        tp, fp, fn = tally[c]
        pr, rc, f1 = _prf(tp, fp, fn)
        rows.append({"code": c, "support": tp + fn, "predicted": tp + fp, "tp": tp, "fp": fp, "fn": fn,
                     "precision": pr, "recall": rc, "f1": f1})
    per_code = pd.DataFrame(rows, columns=["code", "support", "predicted", "tp", "fp", "fn", "precision", "recall",
                                           "f1"])
    TP, FP, FN = (int(per_code[c].sum()) for c in ("tp", "fp", "fn"))
    mp, mr, mf = _prf(TP, FP, FN)
    micro = {"tp": TP, "fp": FP, "fn": FN, "precision": mp, "recall": mr, "f1": mf}
    macro = {m: (float(per_code[m].mean(skipna=True)) if per_code[m].notna().any() else float("nan"))
             for m in ("precision", "recall", "f1")}
    alignment = {"gold_units": len(gu), "pred_units": len(pu), "aligned_by_index": n_index,
                 "aligned_by_text": n_text, "unaligned_pred_units": len(unaligned)}
    err_df = pd.DataFrame(errors, columns=["kind", "code", "document", "unit_index", "speaker", "text", "gold_codes",
                                           "pred_codes"])
    return EvaluationResult(per_code, micro, macro, err_df, alignment)
