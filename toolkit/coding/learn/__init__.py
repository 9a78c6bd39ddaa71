"""A coder that learns from its reviewers: a spaCy ``textcat_multilabel`` trained on human codings and
merged with the codebook's rules (see :mod:`.train` and :mod:`.trained`)."""
from __future__ import annotations


def train_coder(*args, **kwargs):
    """See :func:`toolkit.coding.learn.train.train_coder`."""
    from .train import train_coder as _train

    meta = _train(*args, **kwargs)
    meta.pop("_component", None)
    return meta


def load_trained(path, codebook, nlp=None):
    """Load a trained-coder folder for *codebook* (see :class:`toolkit.coding.learn.trained.TrainedCoder`)."""
    from ..codebook import load_codebook
    from ..pipeline import build_nlp
    from .trained import TrainedCoder

    return TrainedCoder.load(path, load_codebook(codebook), nlp or build_nlp())
