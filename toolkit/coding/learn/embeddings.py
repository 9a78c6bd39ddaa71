"""Static word vectors from the WordLlama weights that ship inside the ``wordllama`` wheel (no network).

WordLlama (Miller 2024) distils the token embedding matrix of large language models into a small static
table: 32,000 LLaMA-2 sub-word tokens x 256 dimensions (``l2_supercat_256``, 16 MB, float16). A word's
vector here is the mean of its sub-word token vectors, as WordLlama itself pools a text.

``wordllama.WordLlama.load()`` 0.4.0.post1 looks for its tokenizer in a folder that is not the one the wheel
installs it in and then tries to download it; we therefore build the embedder from the packaged files
directly and never call ``load()``: nothing here can reach the network.

>>> emb = WordEmbeddings.packaged()                                # doctest: +SKIP
>>> emb.word_vectors(["partners", "Partners"]).shape              # doctest: +SKIP
(2, 256)
"""
from __future__ import annotations

from functools import lru_cache
from importlib import util
from pathlib import Path

from ...errors import ToolkitError

CONFIG = "l2_supercat"
DIM = 256
INSTALL_HINT = 'the trained coder needs the "wordllama" package (pip install wordllama); it ships its weights'


def packaged_files() -> tuple[Path, Path]:
    """(weights, tokenizer) paths inside the installed wordllama package."""
    spec = util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise ToolkitError(INSTALL_HINT)
    root = Path(list(spec.submodule_search_locations)[0])
    weights = root / "weights" / f"{CONFIG}_{DIM}.safetensors"
    tokenizer = root / "tokenizers" / f"{CONFIG}_tokenizer_config.json"
    for p in (weights, tokenizer):
        if not p.is_file():
            raise ToolkitError(f"the wordllama package lacks {p.name} (reinstall wordllama)", file=p)
    return weights, tokenizer


class WordEmbeddings:
    """Word -> 256-d vector (mean of the word's sub-word token vectors), cached per lower-cased word."""

    def __init__(self, matrix, tokenizer):
        import numpy as np

        self.matrix = np.ascontiguousarray(matrix, dtype=np.float32)
        self.tokenizer = tokenizer
        self.dim = int(self.matrix.shape[1])
        self.cache: dict[str, object] = {}
        self._zero = np.zeros(self.dim, dtype=np.float32)

    @classmethod
    @lru_cache(maxsize=1)
    def packaged(cls) -> "WordEmbeddings":
        """The embedder built from the files in the wordllama wheel (loaded once per process)."""
        weights, tok_path = packaged_files()
        from safetensors import safe_open
        from tokenizers import Tokenizer

        with safe_open(str(weights), framework="np", device="cpu") as fh:
            matrix = fh.get_tensor("embedding.weight")
        tokenizer = Tokenizer.from_file(str(tok_path))
        tokenizer.no_padding()
        tokenizer.no_truncation()
        return cls(matrix, tokenizer)

    def word_vectors(self, words: list[str]):
        """Vectors for *words* (rows in order); words are looked up lower-cased, with a leading space."""
        import numpy as np

        cache = self.cache
        todo = sorted({w.lower() for w in words} - cache.keys())
        if todo:
            encs = self.tokenizer.encode_batch([" " + w for w in todo], add_special_tokens=False)
            for w, enc in zip(todo, encs):
                ids = [i for i, t in zip(enc.ids, enc.tokens) if t != "▁"]
                cache[w] = self.matrix[ids].mean(axis=0) if ids else self._zero
        if not words:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([cache[w.lower()] for w in words])


def available() -> bool:
    """True when the wordllama wheel (with its packaged weights) is installed."""
    try:
        packaged_files()
    except ToolkitError:
        return False
    return True
