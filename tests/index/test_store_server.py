"""Chroma server mode: a real `chroma run` on a free loopback port, ingest + ask + evals on it.

Each index generation is its own collection on the server (`{collection}-{gen-...}`); the index
folder keeps CURRENT, the manifest, BM25 and the vocabulary.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time

import chroma_server
import pytest
from chroma_server import ChromaServer
from conftest import FIXTURES, PROJECT, CountingEmbedder

from assistant.config import Settings
from assistant.errors import IndexDamagedError, StoreUnavailableError
from assistant.index import generations
from assistant.index.store import Store
from assistant.ingest.build import ingest
from assistant.pipeline.assistant import Assistant

CLI = [sys.executable, "-m", "assistant.cli"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("chroma-server")
    srv = ChromaServer(work / "data", work / "chroma.log")
    yield srv
    srv.stop()


def _collections(url: str) -> dict[str, int]:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    port = int(url.rsplit(":", 1)[1])
    client = chromadb.HttpClient(
        host="127.0.0.1", port=port, settings=ChromaSettings(anonymized_telemetry=False)
    )
    return {c.name: c.count() for c in client.list_collections()}


def _env(**extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXCHANGE_")}
    return {
        **env,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "EXCHANGE_LLM": "none",
        **extra,
    }


@pytest.fixture(scope="module")
def server_index(server, tmp_path_factory, embedder):
    """The fixture corpus ingested into the server; returns its settings."""
    index = tmp_path_factory.mktemp("server-index")
    s = Settings(corpus_dir=FIXTURES / "corpus", index_dir=index, index={"chroma_url": server.url})
    ingest(s, embedder=embedder)
    return s


def test_ingest_puts_each_generation_in_its_own_server_collection(server, server_index):
    gen = generations.require_current(server_index.index_dir)
    assert not (gen / "chroma").exists()  # the vectors are on the server, not on disk
    assert (gen / "bm25").is_dir() and (gen / "manifest.json").is_file()
    manifest = generations.read_manifest(gen)
    assert manifest.store == "server"
    assert _collections(server.url)[f"exchange-{gen.name}"] == manifest.chunk_count > 0


def test_ask_answers_with_citations_from_the_server(server_index, embedder):
    answer = Assistant(server_index, embedder).ask("When does the exchange run?")
    assert not answer.abstained
    assert "2020 to 2023" in answer.answer
    assert answer.citations[0].source == "exchange.md"
    assert {c.chunk_id for c in answer.citations} <= {r.chunk_id for r in answer.retrieval}


def test_incremental_ingest_copies_vectors_server_side_and_drops_old_collections(
    server, tmp_path, corpus, embedder
):
    s = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", index={"chroma_url": server.url})
    counting = CountingEmbedder(embedder)
    first = ingest(s, embedder=counting)
    gen1 = generations.current(s.index_dir)
    assert counting.embedded == first.chunks_total

    (corpus / "more.md").write_text("# More\n\n## Garden\n\nThe garden of the campus has roses.\n")
    counting.embedded = 0
    second = ingest(s, embedder=counting)
    gen2 = generations.current(s.index_dir)
    assert second.added == ["more.md"] and counting.embedded == 1  # the rest was copied
    assert _collections(server.url)[f"exchange-{gen2.name}"] == first.chunks_total + 1

    # Unchanged: nothing embedded, no new generation, well under a second.
    started = time.perf_counter()
    ingest(s, embedder=counting)
    assert time.perf_counter() - started < 1.0
    assert generations.current(s.index_dir) == gen2 and counting.embedded == 1

    (corpus / "history.txt").unlink()
    third = ingest(s, embedder=counting)
    gen3 = generations.current(s.index_dir)
    assert third.removed == ["history.txt"]
    names = _collections(server.url)
    assert f"exchange-{gen1.name}" not in names  # superseded twice: pruned from the server
    assert f"exchange-{gen2.name}" in names  # the previous one stays for readers still on it
    assert names[f"exchange-{gen3.name}"] == generations.read_manifest(gen3).chunk_count
    answer = Assistant(s, embedder).ask("What grows in the campus garden?")
    assert "roses" in answer.answer


def test_an_index_built_embedded_is_rebuilt_on_the_server(server, settings, embedder):
    ingest(settings, embedder=embedder)
    on_server = settings.model_copy(
        update={"index": settings.index.model_copy(update={"chroma_url": server.url})}
    )
    with pytest.raises(IndexDamagedError) as err:
        Assistant(on_server, embedder).ask("When does the exchange run?")
    assert str(err.value) == (
        "The index does not match the settings: it was built with embedded Chroma but "
        f"EXCHANGE_INDEX__CHROMA_URL is set ({server.url}); unset it, or run "
        "`exchange-assistant ingest --rebuild`."
    )
    report = ingest(on_server, embedder=embedder)
    assert sorted(report.added) == ["exchange.md", "history.txt"]
    assert "2020" in Assistant(on_server, embedder).ask("When does the exchange run?").answer


def test_cli_ask_runs_against_the_server(server, server_index):
    env = _env(
        EXCHANGE_INDEX__CHROMA_URL=server.url, EXCHANGE_INDEX_DIR=str(server_index.index_dir)
    )
    out = subprocess.run(
        [*CLI, "ask", "--json", "-"],
        input="Who coordinates the exchange at LUMC?\nWhen was NUSM founded?\n",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    first, second = (json.loads(line) for line in out.stdout.splitlines())
    assert "Yazdanbakhsh" in first["answer"] and "1857" in second["answer"]
    stats = subprocess.run(
        [*CLI, "stats"], env=env, capture_output=True, text=True, timeout=60, check=True
    )
    gen = generations.require_current(server_index.index_dir)
    assert f"vectors    exchange-{gen.name} on {server.url}" in stats.stdout


def test_evals_run_against_the_server(server, server_index, tmp_path, monkeypatch, capsys):
    from evals.__main__ import main as evals_main

    monkeypatch.setenv("EXCHANGE_INDEX__CHROMA_URL", server.url)
    thresholds = tmp_path / "thresholds.yaml"
    thresholds.write_text(
        "none:\n  all:\n    unsupported_sentence_rate: {max: 0.0}\n    fact_recall: {min: 0.5}\n"
    )
    code = evals_main(
        ["--no-baselines", "--dataset", str(FIXTURES / "evals-small.yaml")]
        + ["--index", str(server_index.index_dir), "--thresholds", str(thresholds)]
        + ["--reports", str(tmp_path / "reports")]
    )
    assert code == 0, capsys.readouterr().out
    report = json.loads((tmp_path / "reports" / "report-none.json").read_text())
    [suite] = report["suites"].values()
    assert sum(suite["splits"][s]["ours"]["cases"] for s in ("dev", "test")) == 6
    assert report["thresholds"] and all(t["held"] for t in report["thresholds"])


def test_a_server_that_is_down_is_one_clear_error_and_exit_1(server_index):
    port = _closed_port()
    env = _env(
        EXCHANGE_INDEX__CHROMA_URL=f"http://127.0.0.1:{port}",
        EXCHANGE_INDEX_DIR=str(server_index.index_dir),
        EXCHANGE_CORPUS_DIR=str(FIXTURES / "corpus"),
    )
    for argv in (["ask", "When does the exchange run?"], ["ingest", "--quiet"]):
        started = time.monotonic()
        out = subprocess.run([*CLI, *argv], env=env, capture_output=True, text=True, timeout=60)
        assert out.returncode == 1
        assert out.stdout == ""
        [line] = out.stderr.strip().splitlines()  # one sentence, no traceback
        assert line.startswith("error: The Chroma server at http://127.0.0.1:")
        assert "does not answer" in line and "Traceback" not in out.stderr
        assert time.monotonic() - started < 20


def test_a_server_that_accepts_but_never_answers_times_out(server_index):
    with socket.socket() as silent:  # listens, never replies: a hung server
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        index = server_index.index.model_copy(update={"chroma_url": url, "chroma_timeout_s": 1.0})
        s = server_index.model_copy(update={"index": index})
        started = time.monotonic()
        with pytest.raises(StoreUnavailableError, match="no answer within 1 s"):
            Store(s, generations.require_current(s.index_dir) / "chroma")
        assert time.monotonic() - started < 5


def test_a_server_that_stops_while_serving_gives_the_clear_error(tmp_path, embedder):
    srv = ChromaServer(tmp_path / "data", tmp_path / "chroma.log")
    try:
        s = Settings(
            corpus_dir=FIXTURES / "corpus",
            index_dir=tmp_path / "index",
            index={"chroma_url": srv.url, "chroma_timeout_s": 3.0},
        )
        ingest(s, embedder=embedder)
        assistant = Assistant(s, embedder)
        assert not assistant.ask("When does the exchange run?").abstained
    finally:
        srv.stop()
    errors: list[BaseException] = []

    def ask():
        try:
            assistant.ask("Who can take part in the exchange?")
        except BaseException as exc:  # noqa: BLE001 - collected and checked below
            errors.append(exc)

    t = threading.Thread(target=ask)
    t.start()
    t.join(30)
    assert not t.is_alive(), "ask hung on a stopped server"
    [err] = errors
    assert isinstance(err, StoreUnavailableError), repr(err)
    assert "stopped answering" in str(err)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again on return: nothing listens there


def test_an_index_built_on_the_server_and_asked_without_it_is_one_clear_error(server_index):
    gen = generations.require_current(server_index.index_dir)
    env = _env(EXCHANGE_INDEX_DIR=str(server_index.index_dir))  # no EXCHANGE_INDEX__CHROMA_URL
    for argv in (["ask", "When does the exchange run?"], ["stats"]):
        out = subprocess.run([*CLI, *argv], env=env, capture_output=True, text=True, timeout=120)
        assert out.returncode == 1
        assert out.stderr.splitlines()[-1] == (
            "error: The index does not match the settings: it was built on a Chroma server "
            f"(collection exchange-{gen.name}) but EXCHANGE_INDEX__CHROMA_URL is not set; set it "
            "to that server, or run `exchange-assistant ingest --rebuild`."
        )


def test_a_collection_gone_from_the_server_is_damage_and_ingest_rebuilds_it(
    server, tmp_path, embedder
):
    s = Settings(
        corpus_dir=FIXTURES / "corpus",
        index_dir=tmp_path / "index",
        index={"chroma_url": server.url},
    )
    ingest(s, embedder=embedder)
    gen = generations.require_current(s.index_dir)
    _client(server.url).delete_collection(f"exchange-{gen.name}")
    with pytest.raises(IndexDamagedError) as err:
        Assistant(s, embedder).ask("When does the exchange run?")
    assert str(err.value) == (
        f"The index is damaged: the Chroma server at {server.url} has no collection "
        f"'exchange-{gen.name}' for it; run `exchange-assistant ingest --rebuild`."
    )
    report = ingest(s, embedder=embedder)
    assert sorted(report.added) == ["exchange.md", "history.txt"]
    assert "2020" in Assistant(s, embedder).ask("When does the exchange run?").answer


def _client(url: str):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    port = int(url.rsplit(":", 1)[1])
    return chromadb.HttpClient(
        host="127.0.0.1", port=port, settings=ChromaSettings(anonymized_telemetry=False)
    )


def _restart(srv: ChromaServer, data, monkeypatch) -> ChromaServer:
    """The same server again: same data folder, same port (as a restart by an operator)."""
    monkeypatch.setattr(chroma_server, "free_port", lambda: srv.port)
    return ChromaServer(data, srv.log.with_suffix(".2.log"))


class KillsServer(CountingEmbedder):
    """The real embedder; the server dies once some chunks have been written."""

    def __init__(self, inner, server: ChromaServer, after: int):
        super().__init__(inner)
        self.server, self.after = server, after

    def embed_documents(self, texts):
        if self.embedded >= self.after and self.server.proc.poll() is None:
            self.server.stop()
        return super().embed_documents(texts)


def test_ingest_removes_orphan_collections_left_by_a_server_killed_mid_ingest(
    tmp_path, corpus, embedder, monkeypatch
):
    from test_robustness import write_big_file

    srv = ChromaServer(tmp_path / "data", tmp_path / "chroma.log")
    try:
        s = Settings(
            corpus_dir=corpus,
            index_dir=tmp_path / "index",
            index={"chroma_url": srv.url, "chroma_timeout_s": 3.0, "embed_batch_size": 4},
        )
        ingest(s, embedder=embedder)
        other = s.model_copy(update={"index_dir": tmp_path / "other-index"})
        ingest(other, embedder=embedder)  # another index folder sharing the server
        other_gen = generations.require_current(other.index_dir)
        serving = generations.require_current(s.index_dir)

        write_big_file(corpus / "handbook.md", sections=100)
        with pytest.raises(StoreUnavailableError):
            ingest(s, embedder=KillsServer(embedder, srv, after=40))
        assert generations.current(s.index_dir) == serving
        srv = _restart(srv, tmp_path / "data", monkeypatch)
        names = _collections(srv.url)
        [orphan] = [
            n
            for n in names
            if n not in {f"exchange-{serving.name}"} and n != f"exchange-{other_gen.name}"
        ]
        assert names[orphan] >= 32  # the vectors written before the server died
        assert not (s.index_dir / orphan.removeprefix("exchange-")).exists()

        (corpus / "handbook.md").unlink()
        report = ingest(s, embedder=embedder)  # nothing changed: still cleans up
        assert report.orphans_removed == [orphan]
        names = _collections(srv.url)
        assert orphan not in names
        assert f"exchange-{other_gen.name}" in names  # another folder's collection stays
        assert "2020" in Assistant(other, embedder).ask("When does the exchange run?").answer
    finally:
        srv.stop()


def test_a_batch_waits_for_a_restarted_server_and_writes_an_error_line_for_a_lost_question(
    tmp_path, embedder, monkeypatch
):
    srv = ChromaServer(tmp_path / "data", tmp_path / "chroma.log")
    proc = None
    started: list[ChromaServer] = []
    try:
        s = Settings(
            corpus_dir=FIXTURES / "corpus",
            index_dir=tmp_path / "index",
            index={"chroma_url": srv.url},
        )
        ingest(s, embedder=embedder)
        env = _env(
            EXCHANGE_INDEX__CHROMA_URL=srv.url,
            EXCHANGE_INDEX_DIR=str(s.index_dir),
            EXCHANGE_INDEX__CHROMA_TIMEOUT_S="3",
            EXCHANGE_INDEX__CHROMA_RETRY_S="10",
        )
        proc = subprocess.Popen(
            [*CLI, "ask", "--json", "-"],
            cwd=PROJECT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

        def ask(question: str) -> dict:
            proc.stdin.write(question + "\n")
            proc.stdin.flush()
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
            return json.loads(line)

        assert "1857" in ask("When was NUSM founded?")["answer"]
        srv.stop()
        # The server restarts 3 s after the question: the batch retries and answers it.
        monkeypatch.setattr(chroma_server, "free_port", lambda: srv.port)
        restart = threading.Timer(
            3.0, lambda: started.append(ChromaServer(tmp_path / "data", srv.log))
        )
        restart.start()
        record = ask("When does the exchange run?")
        restart.join()
        srv = started[0]
        assert "error" not in record and "2020" in record["answer"]

        # A server that stays down past the retry time: an error line, and the batch goes on.
        srv.stop()
        proc.stdin.write("Who coordinates the exchange at LUMC?\n")
        proc.stdin.flush()
        lost = json.loads(proc.stdout.readline())
        assert lost["question"] == "Who coordinates the exchange at LUMC?"
        assert lost["error"].startswith(f"The Chroma server at {srv.url} ")
        srv = ChromaServer(tmp_path / "data", srv.log)
        assert "1857" in ask("When was NUSM founded?")["answer"]
        proc.stdin.close()
        assert proc.wait(timeout=60) == 1  # one question was lost
        assert "Traceback" not in proc.stderr.read()
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        for server in [srv, *started]:
            server.stop()
