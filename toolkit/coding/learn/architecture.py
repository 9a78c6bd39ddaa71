"""The classifier inside a trained coder: a spaCy ``textcat_multilabel`` with our own model architecture.

``hls.CodeClassifier.v1`` is a logistic model (one sigmoid per code, a unit may get several codes) over
feature groups whose scores are summed before the sigmoid:

* bag of words: unigram..``ngram_size`` n-grams of lower-cased lemmas (spaCy's ``extract_ngrams`` +
  ``SparseLinear``, as in ``spacy.TextCatBOW``, but on ``LEMMA`` instead of ``ORTH`` so "Partners" and
  "partner" are one feature); with ``norm_bow`` each unit's counts are scaled to unit L2 norm, as tf-idf does;
* optionally (``embeddings = true``) the mean WordLlama static vector of the unit's words
  (:mod:`.embeddings`): words never seen in training still carry meaning ("stakeholders" near "partners").
  ``linear_vectors``: the unit-length mean vector feeds a linear layer (a logistic model); otherwise one
  Maxout layer of ``width`` units and a linear layer (format-1 models);
* optionally (``rule_features = true``) which codes the codebook's rules found in the unit and in its
  neighbouring sentences of the same turn (``doc.user_data["hls_rules"]``, set by the caller): the model
  learns how far to trust each rule and that coders code whole passages, not single keyword sentences.

``log_loss``: the final sigmoid passes spaCy's ``scores - truths`` straight back, which makes the training
loss the binary cross-entropy (logistic regression's) instead of spaCy's squared error through the sigmoid.

Only the linear/Maxout weights are trained and saved; the static vectors are read from the wordllama wheel
at run time. The component needs the toolkit's pipeline (``hls_lower_lemma``) to have set the lemmas.
"""
from __future__ import annotations

ARCH = "hls.CodeClassifier.v1"
VECTORS_LAYER = "hls.wordllama_mean"
VECTOR_KEY = "hls_vector"


def _unit_rows():
    """Scale each row (a unit's mean vector) to unit L2 norm."""
    from thinc.api import Model

    def forward(model, X, is_train):
        xp = model.ops.xp
        norm = xp.sqrt(xp.maximum((X * X).sum(axis=1, keepdims=True), 1e-12))

        def backprop(dY):
            return dY / norm

        return X / norm, backprop

    return Model("hls.unit_rows", forward)


def _mean_vectors():
    """A parameter-free layer: List[Doc] -> (n_docs, 256) mean WordLlama vector of each doc's words."""
    from thinc.api import Model

    def forward(model, docs, is_train):
        from .embeddings import WordEmbeddings

        emb = WordEmbeddings.packaged()
        out = model.ops.alloc2f(len(docs), emb.dim)
        for i, doc in enumerate(docs):
            vec = doc.user_data.get(VECTOR_KEY)
            if vec is None:
                words = [t.text for t in doc if not (t.is_punct or t.is_space)]
                vec = doc.user_data[VECTOR_KEY] = emb.word_vectors(words).mean(axis=0) if words else None
            if vec is not None:
                out[i] = vec

        def backprop(d_out):
            return []

        return out, backprop

    return Model(VECTORS_LAYER, forward, dims={"nO": 256})


RULES_KEY = "hls_rules"


def _rule_features(n_codes: int):
    """A parameter-free layer: List[Doc] -> (n_docs, 2 * n_codes) indicators of rule hits in the unit and
    in its neighbours, read from ``doc.user_data["hls_rules"] = (unit code indices, neighbour indices)``."""
    from thinc.api import Model

    def forward(model, docs, is_train):
        out = model.ops.alloc2f(len(docs), 2 * n_codes)
        for i, doc in enumerate(docs):
            own, near = doc.user_data.get(RULES_KEY, ((), ()))
            for j in own:
                out[i, j] = 1.0
            for j in near:
                out[i, n_codes + j] = 1.0

        def backprop(d_out):
            return []

        return out, backprop

    return Model("hls.rule_hits", forward, dims={"nO": 2 * n_codes})


def _sigmoid_log_loss():
    """Sigmoid whose backward pass hands the gradient through unchanged.

    spaCy's ``textcat_multilabel`` computes ``d_scores = scores - truths``; thinc's ``Logistic`` would multiply
    it by ``s(1 - s)`` (the gradient of a squared error through the sigmoid, which vanishes for a rare code
    whose scores sit near 0). Passed through unchanged, ``scores - truths`` is exactly the gradient of the
    binary cross-entropy (log loss) with respect to the logits: logistic regression's loss.
    """
    from thinc.api import Model

    def forward(model, X, is_train):
        Y = model.ops.sigmoid(X)

        def backprop(dY):
            return dY

        return Y, backprop

    return Model("hls.sigmoid_log_loss", forward)


def _unit_norm_ngrams():
    """Scale each doc's n-gram counts (``extract_ngrams`` output: keys, values, lengths) to unit L2 norm, as a
    tf-idf vectoriser does: a long sentence's many n-grams no longer outweigh its rule hits."""
    from thinc.api import Model

    def forward(model, X, is_train):
        keys, vals, lengths = X
        xp = model.ops.xp
        vals = xp.asarray(vals, dtype="float32")
        lens = xp.asarray(lengths, dtype="int64")
        doc_of = xp.repeat(xp.arange(len(lens)), lens)
        sq = xp.zeros(len(lens), dtype="float32")
        xp.add.at(sq, doc_of, vals * vals)
        norm = xp.sqrt(xp.maximum(sq, 1e-12))
        out = (keys, vals / norm[doc_of], lengths)

        def backprop(dY):
            return dY

        return out, backprop

    return Model("hls.unit_norm_ngrams", forward)


def build_code_classifier(ngram_size: int = 2, embeddings: bool = True, width: int = 64, length: int = 32768,
                          use_bow: bool = True, rule_features: bool = False, log_loss: bool = False,
                          norm_bow: bool = False, linear_vectors: bool = False, nO: int | None = None):
    from spacy.attrs import LEMMA
    from spacy.ml.extract_ngrams import extract_ngrams
    from thinc.api import Linear, Logistic, Maxout, SparseLinear, add, chain, with_cpu

    sparse = SparseLinear(nO=nO, length=length)
    ngrams = extract_ngrams(ngram_size, attr=LEMMA)
    bow = with_cpu(chain(ngrams, _unit_norm_ngrams(), sparse) if norm_bow else chain(ngrams, sparse), sparse.ops)
    if not embeddings:
        dense = None
    elif linear_vectors:  # a logistic model on the unit-length mean vector
        dense = chain(_mean_vectors(), _unit_rows(), Linear(nO=nO, nI=256))
    else:
        dense = chain(_mean_vectors(), Maxout(nO=width, nI=256, normalize=True, dropout=0.0),
                      Linear(nO=nO, nI=width))
    branches = ([bow] if use_bow else []) + ([dense] if dense is not None else [])
    if rule_features:
        if nO is None:
            raise ValueError("rule_features needs nO")
        branches.append(chain(_rule_features(nO), Linear(nO=nO, nI=2 * nO)))
    model = chain(add(*branches) if len(branches) > 1 else branches[0],
                  _sigmoid_log_loss() if log_loss else Logistic())
    if nO is not None:
        model.set_dim("nO", nO)
    model.attrs["multi_label"] = True
    return model


def register() -> None:
    """Register the architecture with spaCy (idempotent)."""
    from spacy import registry

    try:
        registry.architectures.get(ARCH)
    except Exception:  # noqa: BLE001 - catalogue raises RegistryError when missing
        registry.architectures.register(ARCH, func=build_code_classifier)


def model_config(labels: int, ngram_size: int, embeddings: bool, width: int, use_bow: bool = True,
                 rule_features: bool = False, log_loss: bool = False, norm_bow: bool = False,
                 linear_vectors: bool = False) -> dict:
    return {"@architectures": ARCH, "ngram_size": ngram_size, "embeddings": embeddings, "width": width,
            "use_bow": use_bow, "rule_features": rule_features, "log_loss": log_loss, "norm_bow": norm_bow,
            "linear_vectors": linear_vectors, "nO": labels}
