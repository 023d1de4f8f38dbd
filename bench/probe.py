"""A serving process for the benchmarks: query latency of Assistant.ask against its floor.

    python -m bench.probe --index DIR --corpus DIR --questions FILE.json --out FILE.json

Passes, in one process with the model loaded:
- floor: embed the question (no cache) + one Chroma top-k query (dense_k), per question;
- cold:  `ask` on each question the first time (evidence sentences embedded on first sight);
- warm:  `ask` again with the query-vector cache cleared, so each question is embedded anew
         (the evidence sentences are cached): the figure held against the floor;
- repeat: `ask` once more with every cache warm (what a repeated question costs).
Writes the latencies (ms), RSS and peak RSS (MB) as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--index", type=Path, required=True)
    p.add_argument("--corpus", type=Path, required=True)
    p.add_argument("--questions", type=Path, required=True)
    p.add_argument("--out", type=Path, required=True)
    args = p.parse_args()

    from assistant.config import Settings
    from assistant.pipeline.assistant import build_assistant

    from .procs import peak_rss_mb, rss_mb

    questions = json.loads(args.questions.read_text())
    # The cold pass measures passages encoded on first sight: no background warming
    # (pipeline/warming.py), which would also compete with every timed pass for the CPU.
    settings = Settings(
        index_dir=args.index, corpus_dir=args.corpus, retrieval={"warm_passages": 0}
    )
    started = time.perf_counter()
    assistant = build_assistant(settings)
    assistant.warm_up()
    load_s = time.perf_counter() - started
    rss_loaded = rss_mb(os.getpid())
    embedder, store = assistant.embedder, assistant.retriever.store
    lc = embedder.langchain

    def timed(fn) -> float:
        t = time.perf_counter()
        fn()
        return (time.perf_counter() - t) * 1000

    floor = [
        timed(lambda q=q: store.query(lc.embed_query(q), settings.retrieval.dense_k))
        for q in questions
    ]
    floor_embed = [timed(lambda q=q: lc.embed_query(q)) for q in questions]
    cold = [timed(lambda q=q: assistant.ask(q)) for q in questions]
    embedder._cached_query.cache_clear()  # each question is embedded anew in the warm pass
    warm, stages = [], {}
    for q in questions:
        t = time.perf_counter()
        answer = assistant.ask(q)
        warm.append((time.perf_counter() - t) * 1000)
        for k, v in answer.timings_ms.items():
            stages.setdefault(k, []).append(v)
    repeat = [timed(lambda q=q: assistant.ask(q)) for q in questions]
    args.out.write_text(
        json.dumps(
            {
                "questions": len(questions),
                "chunks": store.count(),
                "load_s": load_s,
                "floor_ms": floor,
                "floor_embed_ms": floor_embed,
                "cold_ms": cold,
                "warm_ms": warm,
                "repeat_ms": repeat,
                "stages_ms": stages,
                "rss_loaded_mb": rss_loaded,
                "rss_end_mb": rss_mb(os.getpid()),
                "peak_rss_mb": peak_rss_mb(os.getpid()),
            }
        )
    )


if __name__ == "__main__":
    main()
