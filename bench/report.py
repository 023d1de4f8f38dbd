"""bench/RESULTS.md from the measurements in bench/: the model runtime (runtime.json), the answer
latency in the default mode (llm.json), many people at once in the web UI (load-model.json),
memory over half an hour of use (soak.json), and the retrieval and index benchmarks
(results.json). Each section says when it was measured.

    python -m bench.report     # rewrite RESULTS.md from the JSON files
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).parent


def _load(name: str) -> dict | None:
    path = HERE / name
    return json.loads(path.read_text()) if path.is_file() else None


def _f(x, digits=1) -> str:
    if x is None:
        return "-"
    return f"{x:.{digits}f}" if isinstance(x, float) else str(x)


def runtime_section(r: dict) -> str:
    fastest = r.get("fastest_prompt_tok_s") or 0
    lines = [
        "## The model runtime",
        "",
        f"Measured {r['date']} with `python -m bench.runtime` on {r['cpu']} "
        f"(AVX-512: {'yes' if r['avx512'] else 'no'}, AMX: {'yes' if r['amx'] else 'no'}), "
        "2 threads, Qwen2.5-Coder-1.5B-Instruct Q4_K_M, a prompt of about 700 tokens read "
        "without the cache, 64 tokens generated; medians of three runs.",
        "",
        "| runtime | CPU code | prompt tok/s | of the fastest | generation tok/s | set-up |",
        "|---|---|---:|---:|---:|---|",
    ]
    setup = {
        "ours": f"{r['setup_build_s'] / 60:.1f} min compile (make setup)",
        "ours, no AVX-512": "(the same build)",
        "xllamacpp wheel": "no compile (34 MB wheel)",
    }
    for name, v in r["runtimes"].items():
        if "error" in v:
            lines.append(f"| {name} | - | {v['error']} | - | - | - |")
            continue
        share = v["prompt_tok_s"] / fastest if fastest else None
        build = setup.get(name) or (
            f"{v['build_s'] / 60:.1f} min compile" if "build_s" in v else ""
        )
        lines.append(
            f"| {name} | {v.get('variant', '')} | {v['prompt_tok_s']} | {_f(share, 2)}x | "
            f"{v['generation_tok_s']} | {build} |"
        )
    avx2 = r["runtimes"].get("AVX2 build", {}).get("prompt_tok_s")
    ours_avx2 = r["runtimes"].get("ours, no AVX-512", {}).get("prompt_tok_s")
    if avx2 and ours_avx2:
        lines += [
            "",
            f"Without AVX-512 the setup's build reads prompts at {ours_avx2 / avx2:.2f}x the "
            "speed of a build made for AVX2 alone.",
        ]
    return "\n".join(lines)


def _second_read(s: dict) -> list[str]:
    share = s.get("second_read_share")
    if share is None:
        return []
    text = (
        f"Of the answers with a sentence to check, {share:.0%} took the second short read "
        "(does the cited passage state it?)"
    )
    # it is left out only for a question declined whatever it says
    return [text + ("." if share >= 1 else "; the others were declined without it.")]


def _warmed(r: dict) -> list[str]:
    w = r.get("warmed")
    if not w:
        return []
    return [
        "",
        f"Asked after the index's {w['passages']} candidate passages were encoded in the "
        f"background ({w['seconds']} s after start), as in a web UI up for a minute; before "
        "that, a question on chunks not asked about yet also waits for their encoding "
        "(0.1–1.4 s here).",
    ]


def latency_section(r: dict) -> str:
    s = r["summary"]
    rows = [
        ("sources on screen", "sources_ms", "≤ 0.5 s"),
        ("first verified word", "first_word_ms", "≤ 4 s, ≤ 1.5x bare"),
        ("whole answer", "total_ms", "≤ 8 s"),
        ("bare llama.cpp, first token of the same prompt", "bare_first_token_ms", ""),
    ]
    lines = [
        "## Answer latency in the default mode",
        "",
        f"Measured {r['date']} with `python -m bench.llm`: {r['questions']} questions of the "
        "test split (English, Dutch, Japanese; answerable and not), one at a time, through the "
        "pipeline of the CLI and the UI; the local model in its server, 2 threads. "
        f"{s['model_share']:.0%} of the answers came from the model.",
        *_second_read(s),
        *_warmed(r),
        "",
        "| step | p50 ms | p95 ms | target |",
        "|---|---:|---:|---|",
    ]
    for label, key, target in rows:
        lines.append(f"| {label} | {_f(s[key]['p50'])} | {_f(s[key]['p95'])} | {target} |")
    ratio = s["first_word_over_bare"]
    lines.append(
        f"| first verified word / bare first token | {_f(ratio['p50'], 2)}x | "
        f"{_f(ratio['p95'], 2)}x | ≤ 1.5x |"
    )
    return "\n".join(lines)


def load_section(r: dict) -> str:
    s = r["summary"]
    lines = [
        "## Many people at once (web UI, model mode)",
        "",
        f"Measured {r['date']} with `python -m bench.load --model`: {s['users']} simulated "
        f"users, {s['questions_per_session']} questions each, against the web UI with the "
        f"local model; longest wait for the model {r.get('max_wait_s', '-')} s.",
        "",
        "| answers | errors | wait p50 | wait p95 | answers from the model |",
        "|---:|---:|---:|---:|---:|",
        f"| {s['answers']} | {s['errors']} | {_f(s['p50_ms'] / 1000)} s | "
        f"{_f(s['p95_ms'] / 1000)} s | {_f(s.get('model_share'), 2)} |",
        "",
        "RSS of both processes every minute (MB):",
        "",
        "| minute | UI | model server |",
        "|---:|---:|---:|",
    ]
    for m, ui, model in r.get("rss_per_minute", []):
        lines.append(f"| {m} | {ui} | {model} |")
    growth = r.get("growth_from_minute_2")
    if growth:
        lines += [
            "",
            f"Growth from minute 2 to the end: UI {growth['ui']:+.1%}, model server "
            f"{growth['model']:+.1%} (target < 5%).",
        ]
    return "\n".join(lines)


def soak_section(r: dict) -> str:
    g = r["growth_from_minute_5"]

    def row(name: str, label: str) -> str:
        x = g[name]
        return (
            f"| {label} | {x['minute_5_mb']} | {x['last_minute_mb']} | "
            f"{_f(x['growth'] * 100 if x['growth'] is not None else None)}% |"
        )

    return "\n".join(
        [
            "## Memory over time (web UI, model mode)",
            "",
            f"Measured {r['date']} with `python -m bench.soak`: {r['users']} simulated people "
            f"asking without pause for {r['minutes']:g} minutes, each starting a new "
            f"conversation every five questions; {r['answers']} answers, {r['errors']} errors, "
            f"{_f(r['model_share'], 2)} of them from the model. Plot: `bench/soak-rss.png`.",
            "",
            "| process | RSS minute 5 (MB) | RSS last minute (MB) | growth (target < 5%) |",
            "|---|---:|---:|---:|",
            row("ui", "web UI"),
            row("model", "model server"),
            "",
            f"Result: {'passed' if r['passed'] else 'failed'}.",
        ]
    )


def write_results() -> Path:
    parts = ["# Benchmarks", ""]
    for name, render in (
        ("runtime.json", runtime_section),
        ("llm.json", latency_section),
        ("load-model.json", load_section),
        ("soak.json", soak_section),
    ):
        data = _load(name)
        if data:
            parts += [render(data), ""]
    classic = _load("results.json")
    if classic:
        from .__main__ import markdown

        body = markdown(classic)
        body = body.split("\n", 1)[1] if body.startswith("# Benchmarks") else body
        parts += ["## Retrieval, ingest and index size (quote path)", "", body.strip(), ""]
    out = HERE / "RESULTS.md"
    out.write_text("\n".join(parts).rstrip() + "\n")
    return out


if __name__ == "__main__":
    print(write_results())
