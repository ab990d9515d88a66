"""Optional word-embedding similarity for the KB ranker (the ``kb-embed`` extra).

A customer may name a thing in words the KB never uses ("crowd size" for
"public gatherings"); WordNet relates single words, an embedding relates the
whole question to an article. ``wordllama`` ships a 16 MB, 256-dimension
static embedding model inside its wheel: loading it from the package's own
folder with downloads disabled needs no network, ever. Without the extra
installed ``load()`` returns None and the ranker works on words alone.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["ArticleVectors", "Embedder", "available", "load"]

_LOCK = threading.Lock()
_LOADED: list[Embedder | None] = []


class Embedder:
    """Unit-length text vectors and their cosine similarities."""

    def __init__(self, model: Any, numpy: Any) -> None:
        self._model = model
        self._np = numpy

    def vectors(self, texts: Sequence[str]) -> list[object]:
        """One unit-length vector per text."""
        if not texts:
            return []
        return list(self._np.asarray(self._model.embed(list(texts), norm=True), dtype="float32"))

    def _one(self, text: str) -> Any:
        """``vectors([text])[0]`` without the batching and padding of a batch."""
        ids = self._model.tokenizer.encode(text, add_special_tokens=False).ids
        matrix = self._model.embedding
        if not ids:
            return self._np.zeros(matrix.shape[1], dtype="float32")
        vector = matrix[self._np.clip(ids, 0, matrix.shape[0] - 1)].mean(axis=0)
        norm = float(self._np.linalg.norm(vector))
        return vector / norm if norm else vector

    def similarities(self, text: str, vectors: Sequence[object]) -> list[float]:
        """Cosine similarity of ``text`` with each of ``vectors`` (from ``vectors``)."""
        if not vectors:
            return []
        similarities: list[float] = (self._np.stack(vectors) @ self._one(text)).tolist()
        return similarities


class ArticleVectors:
    """A KB's article embeddings, each computed the first time it is needed.

    One matrix row per article (allocated zeroed, so untouched rows cost no
    memory pages); a query reads its candidates' rows in one gather.
    """

    def __init__(self, embedder: Embedder, size: int, text_of: Callable[[int], str]) -> None:
        self._embedder = embedder
        self._text_of = text_of
        np = embedder._np
        self._matrix = np.zeros((size, embedder._model.embedding.shape[1]), dtype="float32")
        self._done = bytearray(size)

    def __len__(self) -> int:
        """How many articles have been embedded so far."""
        return sum(self._done)

    def similarities(self, text: str, docs: Sequence[int]) -> list[float]:
        """Cosine similarity of ``text`` with each article of ``docs``."""
        if not docs:
            return []
        done = self._done
        missing = [doc for doc in docs if not done[doc]]
        if missing:
            vectors = self._embedder.vectors([self._text_of(doc) for doc in missing])
            for doc, vector in zip(missing, vectors, strict=True):
                self._matrix[doc] = vector
                done[doc] = 1
        similarities: list[float] = (self._matrix[list(docs)] @ self._embedder._one(text)).tolist()
        return similarities


def load() -> Embedder | None:
    """The shared embedder, loaded once per process; None without ``wordllama``."""
    with _LOCK:
        if not _LOADED:
            _LOADED.append(_load())
        return _LOADED[0]


def available() -> bool:
    return load() is not None


def _load() -> Embedder | None:
    try:
        wordllama: Any = importlib.import_module("wordllama")
        numpy: Any = importlib.import_module("numpy")
    except ImportError:
        return None
    folder = Path(wordllama.__file__).parent
    try:
        # The weights and tokenizer are in the package folder; a plain load()
        # would try to fetch the tokenizer from the network.
        model = wordllama.WordLlama.load(cache_dir=folder, disable_download=True)
    except (OSError, ValueError, RuntimeError):
        return None
    return Embedder(model, numpy)
