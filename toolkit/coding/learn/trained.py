"""Apply a trained coder (a folder written by :func:`toolkit.train_coder`) next to the rules.

For each unit the model gives a score per learned code (the probability, given the words, the word vectors
and the rule matches in and around the unit, that a human would code it). The merged decision per code
(thresholds chosen by cross-validation at training time):

* ``score >= threshold_add``: suggested; ``source`` is ``both`` when a rule matched too, else ``model``;
* a rule matched and ``threshold_keep <= score < threshold_add``: kept, ``source = rule``;
* a rule matched and ``score < threshold_keep``: vetoed by the model (counted, not suggested);
* codes the model did not learn (too few training units): rule matches pass unchanged (``source = rule``,
  no score).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from ...errors import ToolkitError
from .train import COMPONENT_DIR, FORMAT, MODEL_FILE, READABLE_FORMATS, codebook_hash


@dataclass
class Suggestion:
    source: str          # rule | model | both
    score: float | None  # model score (None for codes the model did not learn)
    rules: list
    matched: list


class TrainedCoder:
    """A loaded model folder bound to a coding pipeline and codebook."""

    def __init__(self, path: Path, meta: dict, component, warnings: list[str]):
        self.path = path
        self.meta = meta
        self.tc = component
        self.labels: list[str] = list(meta["labels"])
        self.index = {c: j for j, c in enumerate(self.labels)}
        self.add = [meta["codes"][c]["threshold_add"] for c in self.labels]
        self.keep = [meta["codes"][c]["threshold_keep"] for c in self.labels]
        self.warnings = warnings
        self.vetoed = 0

    @classmethod
    def load(cls, path, codebook, nlp) -> "TrainedCoder":
        """Read ``path/model.json`` and the component; check it belongs to *codebook*."""
        from .architecture import register
        from .model import LEGACY_HYPER, Hyper, make_component

        path = Path(path)
        meta, warnings = read_model_meta(path, codebook)
        register()
        saved = meta.get("hyper", {})
        if meta.get("format") != FORMAT:  # an older folder: settings it did not record had their old values
            saved = {**LEGACY_HYPER, **saved}
        hyper = Hyper(**{k: v for k, v in saved.items() if k in Hyper.__dataclass_fields__})
        tc = make_component(nlp, meta["labels"], hyper)
        try:
            tc.from_disk(path / COMPONENT_DIR, exclude=["vocab"])
        except Exception as exc:  # noqa: BLE001 - missing/corrupt weights
            raise ToolkitError(f"cannot read the model weights ({exc.__class__.__name__})",
                               file=path / COMPONENT_DIR) from None
        return cls(path, meta, tc, warnings)

    # -- scoring ------------------------------------------------------------------------------------------
    def score_docs(self, docs, own: list, near: list):
        """Scores (n_docs x labels) for unit Docs with their own and neighbours' rule hits (code ids)."""
        from .model import attach_rule_features, predict

        attach_rule_features(docs, own, near, self.labels)
        return predict(self.tc, docs)

    def merge(self, found: dict, scores) -> dict[str, Suggestion]:
        """Merge one unit's rule matches ``{code: (rules, matched)}`` with its model *scores* (a row)."""
        out: dict[str, Suggestion] = {}
        for code, (rules, matched) in found.items():
            j = self.index.get(code)
            if j is None:
                out[code] = Suggestion("rule", None, rules, matched)
                continue
            s = float(scores[j])
            if s >= self.add[j]:
                out[code] = Suggestion("both", s, rules, matched)
            elif s >= self.keep[j]:
                out[code] = Suggestion("rule", s, rules, matched)
            else:
                self.vetoed += 1
        for j, code in enumerate(self.labels):
            if code not in out and code not in found and float(scores[j]) >= self.add[j]:
                out[code] = Suggestion("model", float(scores[j]), [], [])
        return out

    def code_units(self, coder, sdoc, bounds: list[tuple[int, int]], found_units: list[dict] | None = None):
        """Merged suggestions for the units (token ranges) of one turn Doc; neighbours = adjacent units."""
        if found_units is None:
            found_units = coder.code_units(sdoc, bounds)
        if not bounds:
            return []
        docs = [sdoc[s:e].as_doc() if e > s else sdoc[0:0].as_doc() for s, e in bounds]
        own = [list(f) for f in found_units]
        near = [set(own[i - 1] if i > 0 else ()) | set(own[i + 1] if i + 1 < len(own) else ())
                for i in range(len(own))]
        scores = self.score_docs(docs, own, near)
        return [self.merge(f, row) for f, row in zip(found_units, scores)]


def read_model_meta(path, codebook) -> tuple[dict, list[str]]:
    """``(metadata, warnings)`` of a model folder, checked against *codebook* (cheap: no spaCy, no weights).

    Raises :class:`ToolkitError` for a missing folder, unreadable or foreign metadata, another codebook, or
    labels the codebook lacks; warns when the codebook changed since training.
    """
    path = Path(path)
    mfile = path / MODEL_FILE
    if not path.exists():
        raise ToolkitError("file not found", file=path, field="--trained")
    if not mfile.is_file():
        raise ToolkitError(f"not a trained-coder folder (no {MODEL_FILE}; make one with 'hls code train')",
                           file=path, field="--trained")
    try:
        meta = json.loads(mfile.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ToolkitError(f"unreadable model metadata ({exc.__class__.__name__})", file=mfile) from None
    if not isinstance(meta, dict) or meta.get("format") not in READABLE_FORMATS:
        found = meta.get("format") if isinstance(meta, dict) else None
        raise ToolkitError(f"unknown trained-coder format {found!r} (expected {FORMAT})", file=mfile,
                           field="format")
    warnings = []
    mcb = meta.get("codebook", {})
    if mcb.get("id") != codebook.id:
        raise ToolkitError(f"the model was trained for codebook '{mcb.get('id')}', not '{codebook.id}'",
                           file=mfile, field="codebook")
    if mcb.get("hash") != codebook_hash(codebook):
        warnings.append(f"the codebook changed since the model was trained (version {mcb.get('version')} -> "
                        f"{codebook.version}); retrain it with 'hls code train' to use the new rules")
    unknown = [c for c in meta.get("labels", []) if c not in codebook.code_ids]
    if unknown:
        raise ToolkitError(f"the model predicts codes that are not in the codebook: {', '.join(unknown)}",
                           file=mfile, field="labels")
    return meta, warnings


def model_summary(path, meta: dict, vetoed: int) -> dict:
    """What a coding result records about the trained coder it used."""
    return {"path": str(path), "vetoed": vetoed,
            **{k: meta.get(k) for k in ("codebook", "features", "labels", "left_to_rules")}}
