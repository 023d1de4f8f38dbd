"""How near a word is to a set of words, by the embedding model's vectors (cached per word).

The abstention model asks whether the answer speaks of what the question asks for; a word of
the question the answer lacks may still be there in other words (an inflection, a
near-synonym). Nearness comes from the model, not from a synonym list.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np


class WordVectors:
    def __init__(self, embedder, cache_size: int = 50_000) -> None:
        self.embedder = embedder  # embed_documents(list[str]) -> normalised vectors
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._size = cache_size
        self._lock = threading.Lock()

    def vectors(self, words: list[str]) -> np.ndarray:
        with self._lock:
            missing = [w for w in dict.fromkeys(words) if w not in self._cache]
        if missing:
            found = np.asarray(self.embedder.embed_documents(missing), dtype=np.float32)
            with self._lock:
                for word, vec in zip(missing, found, strict=True):
                    self._cache[word] = vec
                while len(self._cache) > self._size:
                    self._cache.popitem(last=False)
        with self._lock:
            return np.vstack([self._cache.get(w) for w in words])

    def nearest(self, words: list[str], among: list[str]) -> list[float]:
        """For each word, its highest cosine similarity to a word of `among` (0 if none)."""
        if not words:
            return []
        if not among:
            return [0.0] * len(words)
        vecs = self.vectors(list(words) + list(among))
        sims = vecs[: len(words)] @ vecs[len(words) :].T
        return [float(x) for x in sims.max(axis=1)]
