"""The real local model: llama.cpp's server as `make setup` builds it, Qwen2.5-Coder-1.5B-Instruct
from its part packages, the real embedder. CI installs both, so these run there; elsewhere they
are skipped with the reason.

A crash of the model process cannot take pytest down (it is another process): it shows here as
a failed assertion on `mode` with the server's state and log in the message."""

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from assistant.backends import runtime
from assistant.backends.catalog import MODELS, installed
from assistant.config import Settings
from assistant.pipeline.assistant import Assistant
from assistant.types import Request

pytestmark = pytest.mark.skipif(
    runtime.find_server() is None or not installed(MODELS["qwen2.5-1.5b"]),
    reason="the model runtime or the model is not installed (make setup)",
)


def _settings(index: Path, tmp: Path, **values) -> Settings:
    model = {"timeout_s": 120, **values.pop("model", {})}
    return Settings(
        index_dir=index, llm="local", server={"log_dir": tmp / "logs"}, model=model, **values
    )


@pytest.fixture(scope="module")
def local(fixture_index, embedder, tmp_path_factory):
    settings = _settings(fixture_index, tmp_path_factory.mktemp("local"))
    assistant = Assistant(settings, embedder)
    assistant.warm_up()
    assert assistant.backend.ready(300), assistant.backend.status()
    yield assistant
    assistant.close()


def _explain(assistant) -> str:
    status = assistant.backend.status()
    log = Path(status.log_file).read_text(errors="replace")[-1500:] if status.log_file else ""
    return f"model server {status.state}: {status.reason}\n{log}"


def test_a_question_is_read_by_the_model_and_answered_with_a_citation(local):
    question = "When was Nagasaki University School of Medicine founded?"
    answer = local.ask(question)
    assert answer.mode == "model", _explain(local)
    assert answer.outcome == "answered" and "1857" in answer.answer
    assert answer.citations and answer.citations[0].quote
    assert answer.signals and answer.judged > 0.5
    # a prompt of a few hundred tokens, never one word: the batched kernels ran. The read is
    # cut once its quote is long enough, before the server reports usage, so the size of the
    # same prompt comes from a one-token completion of it.
    q = local._read(Request(question=question))
    answerer = local.model_answerer
    messages = answerer.read_messages(
        q, answerer.sources(local._choose(local._retrieve(q))), "English"
    )
    local.backend.client.complete(messages, max_tokens=1)
    assert local.backend.client.last_usage.prompt_tokens >= 300


def test_the_reads_of_one_question_share_the_cached_passages(local):
    from assistant.pipeline.sources import select

    q = local._read(Request(question="Who can take part in the exchange?"))
    draft = local._choose(local._retrieve(q))
    sources = select(draft, 300)
    reader = local.model_answerer.reader
    # The main read is cut once its quote is long enough, before the server reports usage,
    # so the sizes come from the second read, which is not cut.
    reader.read(sources, q.asked)
    reader.gap(sources, q.asked)
    second = local.backend.client.last_usage
    assert second.prompt_tokens > 200
    # everything up to the task is read from the server's cache the second time
    assert second.cached_tokens >= 0.8 * second.prompt_tokens, second


def test_a_question_whose_answer_is_not_in_the_documents_is_declined(local):
    answer = local.ask("How much is the monthly grant for students who go to Nagasaki?")
    assert answer.mode == "model", _explain(local)
    assert answer.abstained or answer.outcome == "partial"


def test_killing_the_model_mid_answer_gives_a_quoted_answer_then_the_model_again(local):
    server = local.backend.server
    pid = server.status().pid
    killer = threading.Timer(1.5, lambda: os.kill(pid, signal.SIGKILL))
    killer.start()
    try:
        answer = local.ask("Which students can take part in the exchange?")
    finally:
        killer.cancel()
    assert answer.mode == "quotes" and not answer.abstained, answer
    assert "model stopped" in answer.note
    assert local.backend.ready(120), _explain(local)
    assert server.status().pid != pid and server.status().restarts >= 1
    again = local.ask("Which students can take part in the exchange?")
    assert again.mode == "model", _explain(local)


def test_a_truncated_model_file_fails_at_start_and_the_quotes_answer(
    fixture_index, embedder, tmp_path
):
    whole = Path(Settings(llm="local").model.cache) / MODELS["qwen2.5-1.5b"].file_name
    if not whole.is_file():
        pytest.skip("the model file is assembled by the first test of this module")
    cut = tmp_path / "cut.gguf"
    with open(whole, "rb") as src, open(cut, "wb") as out:
        out.write(src.read(4 << 20))
    settings = _settings(fixture_index, tmp_path, model={"path": cut})
    assistant = Assistant(settings, embedder)
    try:
        started = time.monotonic()
        answer = assistant.ask("Who coordinates the exchange?")
        assert time.monotonic() - started < 120
        status = assistant.backend.status()
        assert status.state == "failed" and "cannot be loaded" in status.reason, status
        assert answer.mode == "quotes" and "not available" in answer.note
    finally:
        assistant.close()


def test_on_a_cpu_without_avx512_the_build_answers_with_avx2_code(tmp_path):
    """No machine without AVX-512 is at hand, so one is emulated: the build's folder copied
    without the variants that need AVX-512, which leaves the loader what such a CPU gets."""
    import re
    import shutil

    from assistant.backends.catalog import local_model_path
    from assistant.backends.server import LocalServer

    source = runtime.default_prefix() / "bin"
    target = tmp_path / "bin"
    shutil.copytree(source, target, symlinks=True)
    for v in ("skylakex", "cannonlake", "cascadelake", "icelake", "cooperlake", "zen4"):
        (target / f"libggml-cpu-{v}.so").unlink(missing_ok=True)
    model = local_model_path(Settings(llm="local"))
    server = LocalServer(
        lambda: target / runtime.SERVER,
        lambda: model,
        alias="qwen",
        threads=2,
        context=2048,
        log_dir=tmp_path / "logs",
    )
    server.start()
    try:
        # ready means it read the start-up prompt of a few hundred tokens
        assert server.wait_ready(300), server.status()
        maps = Path(f"/proc/{server.status().pid}/maps").read_text()
        loaded = set(re.findall(r"libggml-cpu-([\w.-]+?)\.so", maps))
        assert loaded and loaded <= {
            "x64",
            "sse42",
            "sandybridge",
            "ivybridge",
            "piledriver",
            "haswell",
            "alderlake",
        }, loaded
    finally:
        server.stop()
