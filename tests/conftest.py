"""Shared fixtures: the real bundled model (loaded once), a tiny corpus, indexes built from it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

FIXTURES = Path(__file__).parent / "fixtures"
PROJECT = Path(__file__).parent.parent


@pytest.fixture(scope="session")
def embedder():
    from assistant.config import Settings
    from assistant.embeddings import Embedder

    e = Embedder(Settings())
    e.warm_up()
    return e


class CountingEmbedder:
    """The real embedder, counting what it embeds (a fake wrapper, not a mock)."""

    def __init__(self, inner, fail_after: int | None = None):
        self.inner = inner
        self.embedded = 0
        self.fail_after = fail_after

    def embed_documents(self, texts):
        if self.fail_after is not None and self.embedded + len(texts) > self.fail_after:
            raise RuntimeError("simulated crash during embedding")
        self.embedded += len(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


@pytest.fixture
def counting(embedder):
    return CountingEmbedder(embedder)


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A writable copy of the fixture corpus."""
    dest = tmp_path / "corpus"
    shutil.copytree(FIXTURES / "corpus", dest)
    return dest


@pytest.fixture
def settings(tmp_path, corpus):
    from assistant.config import Settings

    return Settings(corpus_dir=corpus, index_dir=tmp_path / "index")


def _indexed(tmp_path_factory, embedder, corpus: Path, name: str) -> Path:
    from assistant.config import Settings
    from assistant.ingest import ingest

    index = tmp_path_factory.mktemp(name)
    ingest(Settings(corpus_dir=corpus, index_dir=index), embedder=embedder)
    return index


def _assistant(corpus: Path, index: Path, embedder):
    from assistant.chat import Assistant
    from assistant.config import Settings

    return Assistant(Settings(corpus_dir=corpus, index_dir=index), embedder)


@pytest.fixture(scope="session")
def fixture_index(tmp_path_factory, embedder) -> Path:
    return _indexed(tmp_path_factory, embedder, FIXTURES / "corpus", "fixture-index")


@pytest.fixture(scope="session")
def fixture_assistant(fixture_index, embedder):
    return _assistant(FIXTURES / "corpus", fixture_index, embedder)


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory, embedder) -> Path:
    """The project's real corpus, indexed once for the end-to-end checks."""
    return _indexed(tmp_path_factory, embedder, PROJECT / "corpus", "corpus-index")


@pytest.fixture(scope="session")
def corpus_assistant(corpus_index, embedder):
    return _assistant(PROJECT / "corpus", corpus_index, embedder)
