"""Train a coder from human codings: ``hls code train`` / :func:`toolkit.train_coder`.

Steps (all deterministic for a given ``seed``):

1. training units and labels from the human codings (:mod:`.data`; rejected review suggestions are
   negatives for their code);
2. codes with fewer than ``min_units`` positive units are left to the rules (listed, with a note, in the
   model's metadata);
3. cross-validation **within the training documents** (folds = whole documents, at most 5): out-of-fold
   scores for every unit, with the features chosen by the same CV (WordLlama vectors are kept only when
   they raise the cross-validated micro F1 by at least 0.01: "only where it measurably helps");
4. per code, the two thresholds of the merged decision chosen on the out-of-fold scores:
   a unit gets the code when ``score >= add`` (a model suggestion) or when a rule matched and
   ``score >= keep`` (a rule match the model does not veto), kept only if it beats the rules' own F1 by
   :data:`MIN_GAIN`; the cross-validated P/R/F1 of the model alone, the rules and the merged decision are
   stored;
5. a final model on all training units, saved with its metadata (``model.json``).
"""
from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from ...errors import DataError, ToolkitError
from .model import Hyper

MODEL_FILE = "model.json"
COMPONENT_DIR = "textcat"
FORMAT = "hls-trained-coder/2"
#: model folders this toolkit reads (format 1: before the log-loss/SGD trainer; see ``model.LEGACY_HYPER``)
READABLE_FORMATS = ("hls-trained-coder/1", FORMAT)
GRID = [round(0.05 * i, 2) for i in range(1, 20)]
MIN_UNITS = 5


def codebook_hash(codebook) -> str:
    """Content hash of a codebook (ids, rules, guidance) so a model can tell which codebook it was trained on."""
    return codebook.content_hash()


def _prf(pred, y):
    import numpy as np

    known = y >= 0
    tp = int(np.sum(pred & (y == 1) & known))
    fp = int(np.sum(pred & (y == 0) & known))
    fn = int(np.sum(~pred & (y == 1) & known))
    p = tp / (tp + fp) if tp + fp else float("nan")
    r = tp / (tp + fn) if tp + fn else float("nan")
    f = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else float("nan")
    return {"tp": tp, "fp": fp, "fn": fn, "precision": p, "recall": r, "f1": f}


def _folds(documents: list[str], k_max: int = 5) -> list[list[str]]:
    real = [d for d in documents if d != "(codebook)"]
    k = min(k_max, len(real))
    return [real[i::k] for i in range(k)] if k >= 2 else []


class _Prepared:
    """Processed docs, rule hits and labels of a training set (computed once, reused by every fit)."""

    def __init__(self, ts, nlp, coder):
        from .model import neighbour_hits, process, rule_hits

        self.ts = ts
        self.docs = process(nlp, ts.units["text"].tolist())
        self.own = rule_hits(coder, self.docs)
        keys = [(d, s, int(i)) if src == "coded" else (d, f"#{i}", 0) for d, s, i, src in
                zip(ts.units["document"], ts.units["speaker"], ts.units["unit_index"], ts.units["source"])]
        self.near = neighbour_hits(keys, self.own)
        self.doc_of = ts.units["document"].to_numpy()


def _fit_predict(prep, nlp, labels, hyper, seed, train_mask, test_mask, codes_idx):
    from .model import attach_rule_features, fit, predict

    lab = prep.ts.labels[:, codes_idx]
    attach_rule_features(prep.docs, prep.own, prep.near, labels)
    tr = [d for d, m in zip(prep.docs, train_mask) if m]
    tc = fit(nlp, tr, lab[train_mask], labels, hyper, seed)
    te = [d for d, m in zip(prep.docs, test_mask) if m]
    return tc, predict(tc, te)


def _rule_matrix(prep, labels):
    import numpy as np

    col = {c: j for j, c in enumerate(labels)}
    R = np.zeros((len(prep.docs), len(labels)), dtype=bool)
    for i, o in enumerate(prep.own):
        for c in o:
            if c in col:
                R[i, col[c]] = True
    return R


def _cross_validate(prep, nlp, labels, codes_idx, hyper, seed, folds):
    import numpy as np

    oof = np.full((len(prep.docs), len(labels)), np.nan, dtype="float32")
    for k, fold in enumerate(folds):
        test = np.isin(prep.doc_of, fold)
        _, scores = _fit_predict(prep, nlp, labels, hyper, seed + k, ~test, test, codes_idx)
        oof[test] = scores
    return oof


#: the merged decision departs from the rules for a code only when that raises its cross-validated F1 by at
#: least this much (thresholds picked on few out-of-fold units are noisy; no change is the safe default)
MIN_GAIN = 0.02


def _choose_thresholds(oof, y, R):
    """Per code: (add, keep) maximising the merged decision's F1 on the out-of-fold scores; (1.01, 0.0) =
    the rules' own decision unless the best pair beats it by :data:`MIN_GAIN`."""
    out = []
    for j in range(y.shape[1]):
        s, yy, r = oof[:, j], y[:, j], R[:, j]
        rules_f1 = _nan0(_prf(r, yy)["f1"])
        best = None
        for add in GRID + [1.01]:
            for keep in [0.0] + GRID:
                if keep > add:
                    continue
                m = _prf((s >= add) | (r & (s >= keep)), yy)
                f = -1.0 if m["f1"] != m["f1"] else m["f1"]
                key = (f, add, -keep)  # ties: fewer model suggestions, fewer vetoes
                if best is None or key > best[0]:
                    best = (key, add, keep)
        out.append((best[1], best[2]) if best[0][0] >= rules_f1 + MIN_GAIN else (1.01, 0.0))
    return out


def train_coder(codings, transcripts, codebook, out=None, skip_speakers=(), seed: int = 0,
                min_units: int = MIN_UNITS, hyper: Hyper | None = None, features: str = "auto",
                closed_world: bool = True, examples: bool = True, model: str | None = None,
                progress=None) -> dict:
    """Train a coder from human codings and (if *out* is given) save it to the folder *out*.

    Parameters
    ----------
    codings : paths of human codings (gold unit-format CSV, apply-review CSV, reviewed workbook, .qdpx).
    transcripts : transcript files/folders the codings were made on.
    codebook : codebook name or path (the model is tied to it: id, version and content hash).
    skip_speakers : speakers whose units are not training units (e.g. ``["Interviewer"]``).
    seed : random seed (same inputs + seed = same model).
    min_units : codes with fewer positive training units are left to the rules.
    features : ``"auto"`` (WordLlama vectors only if they help in cross-validation), ``"bow"``, ``"vectors"``.

    Returns the metadata dict (also written to ``out/model.json``).

    >>> meta = train_coder(["gold.csv"], "interviews/", "hls-theory", "my-model",      # doctest: +SKIP
    ...                    skip_speakers=["Interviewer"])
    >>> meta["codes"]["kroll.deliberation_routines"]["threshold_add"]                  # doctest: +SKIP
    """
    import numpy as np

    from ... import __version__
    from ..codebook import load_codebook
    from ..pipeline import Coder, build_nlp
    from .data import build_training_set

    say = progress or (lambda msg: None)
    if features not in ("auto", "bow", "vectors"):
        raise ToolkitError("features must be auto, bow or vectors", field="--features")
    if min_units < 1:
        raise ToolkitError("min-units must be at least 1", field="--min-units")
    hyper = hyper or Hyper()
    t0 = time.perf_counter()
    cb = load_codebook(codebook)
    ts = codings if hasattr(codings, "labels") else build_training_set(
        codings, transcripts, cb, skip_speakers, closed_world=closed_world, examples=examples)
    counts = ts.counts()
    coded_units = ts.units["source"].eq("coded").to_numpy()
    real_pos = {c: int(np.sum((ts.labels[coded_units, j] == 1))) for j, c in enumerate(ts.codes)}
    labels = [c for c in ts.codes if real_pos[c] >= min_units]
    left = [c for c in ts.codes if c not in labels]
    if not labels:
        raise DataError(f"no code has {min_units} or more positive training units; nothing to learn "
                        "(the rules keep coding)", field="CODINGS")
    codes_idx = [ts.codes.index(c) for c in labels]
    nlp = build_nlp(model)
    coder = Coder(cb, nlp)
    say(f"{int(coded_units.sum())} training units from {len(ts.documents()) - (not coded_units.all())} "
        f"document(s); {len(labels)} code(s) to learn, {len(left)} left to the rules")
    prep = _Prepared(ts, nlp, coder)
    y = ts.labels[:, codes_idx]
    R = _rule_matrix(prep, labels)
    docs = ts.documents()
    folds = _folds(docs)
    from .embeddings import available

    candidates = {"bow": replace(hyper, embeddings=False), "vectors": replace(hyper, embeddings=True)}
    if features == "auto":
        tried = ["bow", "vectors"] if available() else ["bow"]
    else:
        tried = [features]
    cv_by_features = {}
    oofs = {}
    real = coded_units
    for name in tried:
        if not folds:
            break
        say(f"cross-validating ({name}, {len(folds)} folds by document)")
        oof = _cross_validate(prep, nlp, labels, codes_idx, candidates[name], seed, folds)
        oofs[name] = oof
        best = max((_prf(oof[real] >= t, y[real])["f1"], t) for t in GRID)
        cv_by_features[name] = round(best[0], 4)
    chosen = tried[0]
    if "vectors" in cv_by_features and "bow" in cv_by_features and \
            cv_by_features["vectors"] >= cv_by_features["bow"] + 0.01:
        chosen = "vectors"
    elif features == "vectors":
        chosen = "vectors"
    hyper = candidates[chosen]
    per_code = {}
    if folds:
        oof = oofs[chosen]
        ths = _choose_thresholds(oof[real], y[real], R[real])
    else:
        ths = [(0.5, 0.0)] * len(labels)
    for j, c in enumerate(labels):
        add, keep = ths[j]
        tmodel = 0.5
        if folds:
            tmodel = max((_nan0(_prf(oofs[chosen][real, j] >= t, y[real, j])["f1"]), t) for t in GRID)[1]
        entry = {"learned": True, "threshold_add": add, "threshold_keep": keep, "threshold_model": tmodel,
                 "training_units": counts[c], **({} if not folds else {
                     "cv_model": _rounded(_prf(oofs[chosen][real, j] >= tmodel, y[real, j])),
                     "cv_rules": _rounded(_prf(R[real, j], y[real, j])),
                     "cv_merged": _rounded(_prf((oofs[chosen][real, j] >= add) |
                                                (R[real, j] & (oofs[chosen][real, j] >= keep)), y[real, j]))})}
        per_code[c] = entry
    for c in left:
        per_code[c] = {"learned": False, "training_units": counts[c],
                       "note": f"{real_pos[c]} positive training unit(s) < {min_units}: left to the rules"}
    micro = {}
    model_map = None
    if folds:
        o = oofs[chosen][real]
        A = np.array([t[0] for t in ths])
        K = np.array([t[1] for t in ths])
        merged = (o >= A) | (R[real] & (o >= K))
        T = np.array([per_code[c]["threshold_model"] for c in labels])
        micro = {"model": _rounded(_prf(o >= T, y[real])), "rules": _rounded(_prf(R[real], y[real])),
                 "merged": _rounded(_prf(merged, y[real]))}
        model_map = _mean_ap(o, y[real])
    say(f"training the final model ({chosen})")
    all_mask = np.ones(len(prep.docs), dtype=bool)
    from .model import attach_rule_features, fit

    attach_rule_features(prep.docs, prep.own, prep.near, labels)
    tc = fit(nlp, prep.docs, y, labels, hyper, seed)
    del all_mask
    meta = {
        "format": FORMAT, "toolkit_version": __version__,
        "codebook": {"id": cb.id, "version": cb.version, "hash": codebook_hash(cb)},
        "unit": "sentence", "seed": seed, "min_units": min_units, "closed_world": closed_world,
        "codebook_examples": examples, "skip_speakers": list(skip_speakers),
        "pipeline": model or "blank:en",
        "sources": [str(s) for s in ts.sources], "documents": [d for d in docs if d != "(codebook)"],
        "training_units": int(coded_units.sum()), "features": chosen, "cv_micro_f1_by_features": cv_by_features,
        "cv_folds": [list(f) for f in folds], "cv_micro": micro, "cv_model_map": model_map, "hyper": hyper.to_dict(),
        "labels": labels, "left_to_rules": left, "codes": per_code, "warnings": list(ts.warnings),
        "seconds": round(time.perf_counter() - t0, 1),
        "note": "CV figures are out-of-fold within the training documents; thresholds were chosen on the same "
                "out-of-fold scores, so they are somewhat optimistic. The rules may have been tuned on these "
                "documents too.",
    }
    if out is not None:
        save(out, tc, meta)
    meta["_component"] = tc
    return meta


def average_precision(y_true, scores) -> float:
    """Average precision of *scores* for the binary *y_true*: ``sum_n (R_n - R_(n-1)) P_n`` over the distinct
    score thresholds, highest first (tied scores enter together), as scikit-learn's
    ``average_precision_score``."""
    import numpy as np

    y_true = np.asarray(y_true, dtype=bool)
    scores = np.asarray(scores, dtype="float64")
    order = np.argsort(-scores, kind="mergesort")
    s, t = scores[order], y_true[order]
    last = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1]  # the last unit of each group of tied scores
    tps = np.cumsum(t)[last]
    if not len(tps) or tps[-1] == 0:
        return float("nan")
    precision = tps / (last + 1)
    recall = tps / tps[-1]
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def _mean_ap(scores, y) -> float | None:
    """Mean over codes (with a positive unit) of the average precision of the out-of-fold scores: how well
    the model ranks units, whatever the thresholds."""
    import numpy as np

    aps = [average_precision(y[m, j] == 1, scores[m, j]) for j in range(y.shape[1])
           for m in [y[:, j] >= 0] if (y[m, j] == 1).any()]
    return round(float(np.mean(aps)), 4) if aps else None


def _nan0(v: float) -> float:
    return -1.0 if v != v else v


def _rounded(d: dict) -> dict:
    return {k: (round(v, 4) if isinstance(v, float) and v == v else (None if isinstance(v, float) else v))
            for k, v in d.items()}


def save(out, tc, meta: dict) -> Path:
    """Write the component and ``model.json`` into the folder *out* (replaced atomically as a whole)."""
    import os
    import shutil
    import tempfile

    from ...io import dumps_json

    out = Path(out)
    if out.exists() and not (out / MODEL_FILE).is_file():
        if not out.is_dir() or any(out.iterdir()):
            raise ToolkitError("exists and is not a trained-coder folder; refusing to overwrite it", file=out,
                               field="-o")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        tc.to_disk(tmp / COMPONENT_DIR, exclude=["vocab"])  # the pipeline brings its own vocab
        body = {k: v for k, v in meta.items() if not k.startswith("_")}
        (tmp / MODEL_FILE).write_text(dumps_json(body) + "\n", encoding="utf-8")
        if out.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            os.replace(out, old / "m")
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out
