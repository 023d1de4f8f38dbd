"""The models one Assistant answers with, each made when first needed: the MiniLM embedder, the
e5 passage scorer and the model that reads (a backend, or None for EXCHANGE_LLM=none)."""

from __future__ import annotations

import threading

from assistant.config import Settings


class Models:
    def __init__(self, settings: Settings, embedder=None, scorer=None, backend=None) -> None:
        self.settings = settings
        self._embedder = embedder
        self._scorer = scorer
        self._backend = backend
        self._backend_made = backend is not None
        self._lock = threading.Lock()

    @property
    def embedder(self):
        if self._embedder is None:
            from assistant.index.embeddings import Embedder

            self._embedder = Embedder(self.settings)
        return self._embedder

    @property
    def scorer(self):
        if self._scorer is None:
            from assistant.index.passage_scorer import PassageScorer

            self._scorer = PassageScorer(threads=self.settings.retrieval.scorer_threads)
        return self._scorer

    @property
    def backend(self):
        if not self._backend_made:
            with self._lock:
                if not self._backend_made:
                    from assistant.backends import make_backend
                    from assistant.pipeline.reading import Prompts

                    self._backend = make_backend(self.settings, opening=Prompts().opening())
                    self._backend_made = True
        return self._backend

    def start_backend(self) -> None:
        if self.backend is not None:
            self.backend.start()

    def warm_up(self) -> None:
        self.embedder.warm_up()
        self.scorer.warm_up()

    def close(self) -> None:
        if self._backend is not None:
            self._backend.stop()
