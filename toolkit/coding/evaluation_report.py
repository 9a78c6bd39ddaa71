"""Score an auto-coding from any source against a gold coding, and present the result.

:func:`evaluate_sources` reads the predictions with :mod:`toolkit.coding.codings_io` (run CSV/XLSX, review
workbooks, apply-review CSV, .qdpx), places them on the gold coding's sentences and calls
:func:`toolkit.coding.evaluate.evaluate_coding` (precision, recall, F1 per code; micro and macro averages).

>>> res, notes = evaluate_sources("gold.csv", "codings.csv", skip_speakers=["Interviewer"])   # doctest: +SKIP
>>> print(format_evaluation(res, notes))                                                    # doctest: +SKIP
"""
from __future__ import annotations

import math
from pathlib import Path


def evaluate_sources(gold, pred, skip_speakers=(), transcripts=None, codebook=None, coder=None):
    """Evaluate *pred* (any codings source) against *gold* (unit format); returns (result, notes).

    *coder* picks one user of a multi-coder ``.qdpx`` (default: the first).
    """
    import pandas as pd

    from ..errors import DataError
    from .codings_io import read_codings, unit_table
    from .evaluate import evaluate_coding

    gold_sets = read_codings(gold, name="gold")
    gset = gold_sets[0]
    if gset.listed is None:
        raise DataError("the gold coding must be in the unit format: document, unit_index, speaker, sentence, codes",
                        file=gold if not isinstance(gold, pd.DataFrame) else None)
    pred_sets = read_codings(pred, codebook=codebook)
    notes: list[str] = []
    if coder is not None:
        chosen = [s for s in pred_sets if s.name == coder]
        if not chosen:
            raise DataError(f"no coder '{coder}' in the predictions (coders: "
                            f"{', '.join(s.name for s in pred_sets)})", field="--coder")
        pset = chosen[0]
    else:
        pset = pred_sets[0]
        if len(pred_sets) > 1:
            notes.append(f"the predictions hold {len(pred_sets)} coders ({', '.join(s.name for s in pred_sets)}); "
                         f"scoring '{pset.name}' (choose with --coder)")
    skip = {s.strip().casefold() for s in skip_speakers}
    gold_docs = list(dict.fromkeys(gset.listed["document"]))
    outside = sorted(set(pset.codings["document"]) - set(gold_docs))
    if outside:
        notes.append(f"{len(outside)} predicted document(s) have no gold coding and are not scored: "
                     f"{', '.join(outside[:5])}" + (" ..." if len(outside) > 5 else ""))
    table = unit_table([gset, pset], unit="sentence", transcripts=transcripts, skip_speakers=skip_speakers,
                       documents=gold_docs)
    notes.extend(table.warnings)
    units = table.units
    g = gset.listed.merge(_codes_frame(gset), how="left", on=["document", "unit_index"])
    g = g[~g["speaker"].astype(str).str.casefold().isin(skip)]
    g = g.rename(columns={"text": "sentence"})[["document", "unit_index", "speaker", "sentence", "codes"]]
    prow = [{"document": units.at[p, "document"], "unit_index": int(units.at[p, "unit_index"]),
             "speaker": units.at[p, "speaker"], "text": units.at[p, "text"], "code": code}
            for p, code in table.codes[table.coders[1]]]
    p = pd.DataFrame(prow, columns=["document", "unit_index", "speaker", "text", "code"])
    res = evaluate_coding(g.reset_index(drop=True), p)
    res.notes = list(notes)
    return res, notes


def _codes_frame(cs):
    import pandas as pd

    df = cs.codings
    if not len(df):
        return pd.DataFrame(columns=["document", "unit_index", "codes"])
    grouped = df.groupby(["document", "unit_index"])["code"].agg(lambda s: ";".join(dict.fromkeys(s)))
    out = grouped.reset_index().rename(columns={"code": "codes"})
    out["unit_index"] = out["unit_index"].astype("int64")
    return out


def _f(v) -> str:
    return "  -  " if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:5.3f}"


def format_evaluation(res, notes=()) -> str:
    """Console report: per-code precision/recall/F1, micro and macro averages, error counts."""
    pc = res.per_code
    width = max([len("code")] + [len(c) for c in pc["code"]])
    lines = [f"{'code':<{width}}  support  pred    tp   fp   fn   prec   rec    F1"]
    for r in pc.to_dict(orient="records"):
        lines.append(f"{r['code']:<{width}}  {r['support']:7d} {r['predicted']:5d} {r['tp']:5d}{r['fp']:5d}"
                     f"{r['fn']:5d}  {_f(r['precision'])}  {_f(r['recall'])}  {_f(r['f1'])}")
    mi, ma = res.micro, res.macro
    lines.append(f"{'micro':<{width}}  {'':7} {'':5} {mi['tp']:5d}{mi['fp']:5d}{mi['fn']:5d}  {_f(mi['precision'])}  "
                 f"{_f(mi['recall'])}  {_f(mi['f1'])}")
    lines.append(f"{'macro':<{width}}  {'':7} {'':5} {'':5}{'':5}{'':5}  {_f(ma['precision'])}  {_f(ma['recall'])}  "
                 f"{_f(ma['f1'])}")
    a = res.alignment
    lines.append("")
    lines.append(f"{a['gold_units']} gold units; {len(res.errors)} error segment(s) "
                 f"({(res.errors['kind'] == 'fp').sum()} false positives, {(res.errors['kind'] == 'fn').sum()} "
                 "false negatives): see --json or -o FILE.xlsx")
    lines.extend(f"note: {n}" for n in notes)
    return "\n".join(lines)


def evaluation_tables(res, notes=()) -> list:
    """The evaluation as tables of the one table writer: Scores (per code, then micro and macro averages),
    False positives and False negatives (with the sentences behind them)."""
    import pandas as pd

    from ..report.tables import Column, Table

    score_cols = [Column("code"), Column("support", "Gold units"), Column("predicted", "Predicted units", "int"),
                  Column("tp"), Column("fp"), Column("fn"), Column("precision"), Column("recall"), Column("f1")]
    per_code = res.per_code.copy()
    averages = pd.DataFrame([{"code": "Micro average", **{k: res.micro.get(k) for k in
                                                           ("tp", "fp", "fn", "precision", "recall", "f1")}},
                             {"code": "Macro average", **{k: res.macro.get(k) for k in ("precision", "recall", "f1")}}])
    scores = pd.concat([per_code, averages], ignore_index=True)
    for c in ("support", "predicted", "tp", "fp", "fn"):
        if c in scores.columns:
            scores[c] = scores[c].astype("Int64")
    em = pd.DataFrame(False, index=scores.index, columns=[c.key for c in score_cols])
    em.loc[len(per_code):, :] = True
    note = ("Units are sentences; a code counts once per unit. Precision = TP / (TP + FP), recall = TP / (TP + FN), "
            "F1 their harmonic mean; the micro average pools the units of all codes, the macro average is the "
            "mean over codes.")
    if notes:
        note += " " + " ".join(str(n) for n in notes)
    err_cols = [Column("code"), Column("document"), Column("unit_index"), Column("speaker"),
                Column("text", wrap=True, width=70), Column("gold_codes", "Gold codes", wrap=True, width=28),
                Column("pred_codes", "Predicted codes", wrap=True, width=28)]
    tables = [Table("Scores", scores, title="Auto-coder against the gold coding, per code", columns=score_cols,
                    note=note, emphasis=em)]
    for title, kind, what in (("False positives", "fp", "coded by the auto-coder, not in the gold coding"),
                              ("False negatives", "fn", "in the gold coding, missed by the auto-coder")):
        df = res.errors[res.errors["kind"] == kind].drop(columns=["kind"]).reset_index(drop=True)
        for c in ("gold_codes", "pred_codes"):  # "a;b" -> "a; b": a cell can wrap between codes
            df[c] = df[c].fillna("").astype(str).str.replace(";", "; ", regex=False)
        tables.append(Table(title, df, title=f"{title}: units {what}", columns=err_cols, autofilter=True))
    return tables


def write_evaluation_xlsx(res, path: str | Path, notes=()) -> None:
    """Workbook: Scores (per code, micro, macro), False positives, False negatives (with the sentences)."""
    from ..report.tables import write_workbook

    write_workbook(path, evaluation_tables(res, notes), title="Coding evaluation")
