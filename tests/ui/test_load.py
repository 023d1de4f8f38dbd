"""Load: 20 concurrent users for a bounded time against the running web UI, loopback only.

Two UI processes share one Chroma server and one index folder, as in the README's "Serving many
users"; ten users ask each. The run stops by itself (15 s here; `make bench` runs 60 s against
one UI over the shipped corpus). The summary is written to test-artifacts/load.json.
"""

from __future__ import annotations

import json
import sys
import threading

import pytest
from chroma_server import ChromaServer
from conftest import FIXTURES, PROJECT

sys.path.insert(0, str(PROJECT))

from assistant.config import Settings  # noqa: E402
from assistant.ingest.build import ingest  # noqa: E402
from bench.load import ask_once, run_load  # noqa: E402
from bench.procs import UI  # noqa: E402

USERS = 20
SECONDS = 15
QUESTIONS = [
    "Who coordinates the exchange at LUMC?",
    "When does the exchange run?",
    "What are the focus areas of the exchange?",
    "When was NUSM founded?",
    "Can staff take part?",
    "How much does the student visa cost?",
    "which students can go on the exchange",
    "What does Leiden study about ageing?",
]


@pytest.fixture(scope="module")
def shared_uis(tmp_path_factory, embedder):
    work = tmp_path_factory.mktemp("load")
    server = ChromaServer(work / "chroma-data", work / "chroma.log")
    uis: list[UI] = []
    try:
        s = Settings(
            corpus_dir=FIXTURES / "corpus",
            index_dir=work / "index",
            index={"chroma_url": server.url},
        )
        ingest(s, embedder=embedder)
        uis = [
            UI(s.index_dir, s.corpus_dir, work, EXCHANGE_INDEX__CHROMA_URL=server.url)
            for _ in range(2)
        ]
        for ui in uis:
            ui.wait_served()
        yield uis
    finally:
        for ui in uis:
            ui.stop()
        server.stop()


def test_twenty_users_on_two_uis_sharing_one_server_get_answers_without_errors(shared_uis):
    import httpx

    with httpx.Client(trust_env=False) as client:
        for ui in shared_uis:  # warm: every question once, so that the run measures serving
            for q in QUESTIONS:
                assert "ea-answer" in ask_once(client, ui.url, q, timeout=120)
    results = {}

    def load(ui):
        results[ui.port] = run_load(
            ui.url, QUESTIONS, users=USERS // 2, seconds=SECONDS, pid=ui.proc.pid
        )

    threads = [threading.Thread(target=load, args=(ui,)) for ui in shared_uis]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    summary = {f"ui-{n}": r.summary() for n, r in enumerate(results.values(), start=1)}
    latencies = sorted(ms for r in results.values() for ms in r.latencies_ms)
    summary["all"] = {
        "users": USERS,
        "seconds": SECONDS,
        "answers": len(latencies),
        "errors": sum(len(r.errors) for r in results.values()),
        "p50_ms": round(latencies[len(latencies) // 2]) if latencies else None,
        "p95_ms": round(latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))])
        if latencies
        else None,
    }
    out = PROJECT / "test-artifacts"
    out.mkdir(exist_ok=True)
    (out / "load.json").write_text(json.dumps(summary, indent=1))
    print(json.dumps(summary, indent=1))

    errors = [e for r in results.values() for e in r.errors]
    assert not errors, errors[:5]
    assert len(latencies) >= USERS  # every user got at least one answer on average
    for r in results.values():
        assert r.rss_end_mb > 0
        # Memory does not grow over the run (beyond allocator noise).
        assert r.rss_end_mb - r.rss_start_mb < max(100.0, 0.15 * r.rss_start_mb), r.summary()
