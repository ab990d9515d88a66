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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["Embedder", "available", "load"]

_LOCK = threading.Lock()
_LOADED: list[Embedder | None] = []


class Embedder:
    """Unit-length text vectors and their cosine similarities."""

    def __init__(self, model: Any, numpy: Any) -> None:
        self._model = model
        self._np = numpy

    def matrix(self, texts: Sequence[str]) -> Any:
        """One unit-length row per text (a numpy array)."""
        if not texts:
            return self._np.zeros((0, 0), dtype=self._np.float32)
        return self._np.asarray(self._model.embed(list(texts), norm=True), dtype=self._np.float32)

    def similarities(self, text: str, matrix: Any, rows: Sequence[int]) -> list[float]:
        """Cosine similarity of ``text`` with each of ``rows`` of ``matrix``."""
        if not rows:
            return []
        query = self.matrix([text])[0]
        return [float(v) for v in matrix[list(rows)] @ query]


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
