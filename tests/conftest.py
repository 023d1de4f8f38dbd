"""Shared fixtures: a tiny corpus, indexes built from it, and assistants over them.

Most tests use the deterministic fakes (tests/fakes.py: `fake_index`, `fake_assistant`,
`make_assistant`), which load no model; a few end-to-end tests use the real bundled models
(`embedder`, `fixture_index`, `fixture_assistant`, `corpus_assistant`)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
# No test reads with the local model unless it asks for it (Settings(llm="local") or a backend):
# the default of the product is the local model, which would start a server for every test.
os.environ["EXCHANGE_LLM"] = "none"

FIXTURES = Path(__file__).parent / "fixtures"
PROJECT = Path(__file__).parent.parent


@pytest.fixture(scope="session")
def embedder():
    from assistant.config import Settings
    from assistant.index.embeddings import Embedder

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
    from assistant.ingest.build import ingest

    index = tmp_path_factory.mktemp(name)
    ingest(Settings(corpus_dir=corpus, index_dir=index), embedder=embedder)
    return index


def _assistant(corpus: Path, index: Path, embedder):
    from assistant.config import Settings
    from assistant.pipeline.assistant import Assistant

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


# -- fakes: no model is loaded -------------------------------------------------------------------

# Fitted values that make sense for the fake scorer. Windows rank by the scorer's similarity
# alone (logit = e5), so margins are in similarity. The answer is given when the passage holds
# most of the question's weight (IDF) and resembles it; a question whose rare words the answer
# lacks is not covered. Mean 0 and scale 1, so the weights read as they are.
FAKE_RANKER = {"features": ["e5"], "mean": [0.0], "scale": [1.0], "weights": [1.0], "bias": 0.0}
FAKE_CALIBRATION = {
    "ranker": FAKE_RANKER,
    "abstention": {
        "features": ["answer_terms", "best"],
        "mean": [0.0, 0.0],
        "scale": [1.0, 1.0],
        "weights": [12.0, 4.0],
        "bias": -9.0,
        "threshold": 0.5,
        "fitted_on": "by hand, for the fake scorer of the tests",
    },
    # Questions not in English: the fake scorer shares no word across languages, so only a
    # passage that repeats enough of the question's own words (names, numbers) passes.
    "cross_language": {
        "features": ["best"],
        "mean": [0.0],
        "scale": [1.0],
        "weights": [10.0],
        "bias": -2.5,
        "threshold": 0.5,
        "fitted_on": "by hand, for the fake scorer of the tests",
    },
    "extra_margin": 0.1,
    "sentence_cost": 0.0,
    "followup_margin": 0.0,
    "fitted_on": "by hand, for the fake scorer of the tests",
}


@pytest.fixture(scope="session")
def fake_embedder():
    from fakes import FakeEmbedder

    return FakeEmbedder()


@pytest.fixture(scope="session")
def fake_scorer():
    from fakes import FakeScorer

    return FakeScorer()


@pytest.fixture(scope="session")
def calibration_file(tmp_path_factory) -> Path:
    from assistant.pipeline.calibration import Calibration

    path = tmp_path_factory.mktemp("calibration") / "calibration.json"
    return Calibration.model_validate(FAKE_CALIBRATION).save(path)


@pytest.fixture(scope="session")
def fake_settings(calibration_file):
    """Settings for the fakes: `fake_settings(corpus_dir=..., index_dir=..., **more)`."""
    from assistant.config import Settings

    def make(**values) -> Settings:
        answer = {"calibration": calibration_file, **values.pop("answer", {})}
        return Settings(answer=answer, **values)

    return make


@pytest.fixture(scope="session")
def fake_index(tmp_path_factory, fake_embedder, fake_scorer, fake_settings) -> Path:
    """The fixture corpus indexed with the fakes (read-only: build your own to change)."""
    from assistant.ingest.build import ingest

    index = tmp_path_factory.mktemp("fake-index")
    settings = fake_settings(corpus_dir=FIXTURES / "corpus", index_dir=index)
    ingest(settings, embedder=fake_embedder, scorer=fake_scorer)
    return index


@pytest.fixture(scope="session")
def make_assistant(fake_embedder, fake_scorer, fake_settings):
    """An Assistant on the fakes: `make_assistant(index_dir, corpus_dir=..., **settings)`."""
    from assistant.pipeline.assistant import Assistant

    def make(
        index_dir: Path,
        corpus_dir: Path = FIXTURES / "corpus",
        backend=None,
        **values,
    ):
        settings = fake_settings(corpus_dir=corpus_dir, index_dir=index_dir, **values)
        return Assistant(settings, embedder=fake_embedder, scorer=fake_scorer, backend=backend)

    return make


@pytest.fixture(scope="session")
def fake_assistant(fake_index, make_assistant):
    return make_assistant(fake_index)


# -- a fake model server: OpenAI-compatible, answers by rule (tests/fake_model_server.py) --------


@pytest.fixture
def fake_model():
    """Starts fake model servers in threads: `fake_model(config) -> (base_url, state)`."""
    from fake_model_server import serve

    servers = []

    def start(config: dict):
        server, state = serve(config)
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/v1", state

    yield start
    for server in servers:
        server.shutdown()


@pytest.fixture
def fake_runtime(tmp_path) -> Path:
    """An executable that runs the fake model server with llama-server's arguments, for the
    supervisor to start as a real process."""
    script = tmp_path / "fake-llama-server"
    script.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        f"sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "from fake_model_server import main\n"
        "sys.exit(main())\n"
    )
    script.chmod(0o755)
    return script


@pytest.fixture
def fake_backend(fake_model):
    """A ModelBackend over a fake model server in a thread: `fake_backend(config, **opts)`."""
    from assistant.backends import ModelBackend
    from assistant.backends.client import ChatClient

    def make(config: dict, timeout: float = 10.0, slots: int = 1):
        url, state = fake_model(config)
        backend = ModelBackend(ChatClient(url, "fake", timeout=timeout), "fake model", slots=slots)
        backend.state = state
        return backend

    return make


@pytest.fixture
def service(fake_index, make_assistant, tmp_path):
    """The web page's service over the fixture index, started."""
    from assistant.config import Settings
    from assistant.ui.service import Service

    s = Service(
        Settings(index_dir=fake_index, ui={"feedback_db": tmp_path / "fb.sqlite3"}),
        make_assistant(fake_index, ui={"feedback_db": tmp_path / "fb.sqlite3"}),
    )
    s.start()
    s.wait()
    return s
