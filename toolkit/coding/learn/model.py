"""Fit and apply the spaCy ``textcat_multilabel`` component of a trained coder.

The component is created from the coding pipeline (:func:`toolkit.coding.pipeline.build_nlp`, whose lemmas
its bag-of-words uses) with ``nlp.create_pipe``, so it never changes that pipeline; it is trained on
processed sentence Docs with ``Example`` objects whose ``cats`` hold 1/0 per code, and unknown labels left
out (``textcat_multilabel`` masks them in the loss).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from .architecture import model_config, register


#: what a format-1 model folder (no such keys in its ``hyper``) was built with
LEGACY_HYPER = {"learn_rate": 0.005, "l2": 0.0, "log_loss": False, "norm_bow": False, "optimizer": "adam",
                "linear_vectors": False}


@dataclass(frozen=True)
class Hyper:
    """Training settings (fixed defaults chosen by cross-validation within the training interviews of
    ``bench/coding_quality.py``; nothing is tuned on held-out data).

    The defaults make the classifier a regularised logistic model trained like one: log loss
    (``log_loss``), n-gram counts scaled to unit length per sentence (``norm_bow``, as tf-idf does), plain SGD
    (``optimizer``) and a linear layer on the unit-length mean vector (``linear_vectors``). Format-1 models
    (trained before) used squared error through the sigmoid, raw counts, Adam and a Maxout layer: with Adam's
    per-weight step sizes the ~40 hashed n-grams of a sentence memorised the training sentences (training F1
    0.99) and drowned the one rule-hit feature, so cross-validated scores ranked units barely better than
    chance (mean average precision 0.10, against 0.70 now and 0.71 for scikit-learn's logistic regression on
    the same units).
    """

    ngram_size: int = 2
    embeddings: bool = True
    use_bow: bool = True
    rule_features: bool = True
    width: int = 64           # Maxout width (linear_vectors = False only)
    epochs: int = 15
    batch_size: int = 16
    dropout: float = 0.1
    learn_rate: float = 0.5
    positive_weight: int = 3  # units with a positive label are repeated this many times per epoch (rare codes)
    l2: float = 0.0           # decoupled weight decay
    log_loss: bool = True     # log loss (else squared error through the sigmoid, spaCy's default)
    norm_bow: bool = True     # n-gram counts scaled to unit L2 norm per unit
    optimizer: str = "sgd"    # sgd | adam
    linear_vectors: bool = True  # vectors: unit-length mean vector -> linear (else Maxout -> linear)

    def to_dict(self) -> dict:
        return asdict(self)


def make_component(nlp, labels: list[str], hyper: Hyper):
    register()
    cfg = {"model": model_config(len(labels), hyper.ngram_size, hyper.embeddings, hyper.width, hyper.use_bow,
                                  hyper.rule_features, hyper.log_loss, hyper.norm_bow,
                                  hyper.linear_vectors),
           "threshold": 0.5}
    tc = nlp.create_pipe("textcat_multilabel", name="hls_textcat", config=cfg)
    for lab in labels:
        tc.add_label(lab)
    return tc


def process(nlp, texts: list[str]):
    """Sentence texts -> Docs from the coding pipeline (tokens + lemmas)."""
    return list(nlp.pipe(texts, batch_size=256))


def fit(nlp, docs, labels, label_names: list[str], hyper: Hyper, seed: int):
    """Train a component on processed *docs* with label matrix *labels* (1/0/-1 unknown)."""
    import random

    from spacy.training import Example
    from thinc.api import Adam, fix_random_seed

    fix_random_seed(seed)
    tc = make_component(nlp, label_names, hyper)
    examples = []
    weights = []
    for doc, row in zip(docs, labels):
        cats = {lab: float(v) for lab, v in zip(label_names, row.tolist()) if v >= 0}
        if not cats:
            continue
        ref = doc.copy()
        ref.user_data.update(doc.user_data)
        ref.cats = cats
        examples.append(Example(doc, ref))
        weights.append(hyper.positive_weight if any(v == 1 for v in cats.values()) else 1)
    if not examples:
        return None
    tc.initialize(lambda: examples, nlp=nlp)
    if hyper.optimizer == "sgd":
        from thinc.api import SGD

        opt = SGD(hyper.learn_rate, L2=hyper.l2, grad_clip=0.0)
    else:
        opt = Adam(hyper.learn_rate, L2=hyper.l2)
    rng = random.Random(seed)
    pool = [eg for eg, w in zip(examples, weights) for _ in range(w)]
    for _ in range(hyper.epochs):
        rng.shuffle(pool)
        for i in range(0, len(pool), hyper.batch_size):
            tc.update(pool[i:i + hyper.batch_size], sgd=opt, drop=hyper.dropout, losses={})
    return tc


def predict(tc, docs):
    """Scores (n_docs x labels) as a numpy array."""
    import numpy as np

    if not docs:
        return np.zeros((0, len(tc.labels)), dtype="float32")
    out = []
    for i in range(0, len(docs), 512):
        out.append(np.asarray(tc.model.ops.to_numpy(tc.predict(docs[i:i + 512]))))
    return np.vstack(out)


def rule_hits(coder, docs) -> list[list[str]]:
    """Codes the codebook's rules find in each (whole) doc."""
    return [list(coder.code_units(d, [(0, len(d))])[0]) for d in docs]


def attach_rule_features(docs, own: list, neighbours: list, labels: list[str]) -> None:
    """Store the rule hits of each unit and of its neighbours (code ids) in ``doc.user_data`` for the model."""
    from .architecture import RULES_KEY

    col = {c: j for j, c in enumerate(labels)}
    for d, o, n in zip(docs, own, neighbours):
        d.user_data[RULES_KEY] = (tuple(sorted(col[c] for c in o if c in col)),
                                  tuple(sorted(col[c] for c in n if c in col)))


def neighbour_hits(keys: list[tuple], own: list[list[str]]) -> list[set]:
    """For units keyed ``(document, turn, position)``: the union of the rule hits of the previous and next
    unit of the same turn."""
    at = {k: set(o) for k, o in zip(keys, own)}
    out = []
    for (doc, turn, pos) in keys:
        out.append(at.get((doc, turn, pos - 1), set()) | at.get((doc, turn, pos + 1), set()))
    return out
