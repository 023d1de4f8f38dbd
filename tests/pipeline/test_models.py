"""The models of one Assistant, each made when first needed (pipeline/models.py)."""

from __future__ import annotations

import threading

from assistant.config import Settings
from assistant.pipeline.models import Models
from assistant.pipeline.reading import Prompts


def test_no_reading_model_is_none_and_the_backend_is_made_once(monkeypatch):
    assert Models(Settings(llm="none")).backend is None
    made = []

    def make(settings, opening=None):
        made.append(opening)
        return object()

    monkeypatch.setattr("assistant.backends.make_backend", make)
    models = Models(Settings(llm="openai:x", model={"base_url": "http://127.0.0.1:9/v1"}))
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(models.backend)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(made) == 1 and len({id(b) for b in seen}) == 1
    # its server's start-up check reads what every question's read starts with
    assert made[0] == Prompts().opening()


def test_models_handed_in_are_used_and_nothing_is_loaded(fake_embedder, fake_scorer):
    models = Models(Settings(), embedder=fake_embedder, scorer=fake_scorer, backend=None)
    assert models.embedder is fake_embedder and models.scorer is fake_scorer
    models.close()  # no backend: nothing to stop
