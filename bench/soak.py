"""Memory over time: the web UI in model mode, asked without pause for half an hour.

    python -m bench.soak [--minutes 30] [--users 3]

A few simulated people ask one question after another through the UI's API, each starting a
new conversation every five questions, as people come and go. The RSS of the UI process and of
the model server is sampled every 10 s; the run passes when neither grows by 5% or more from
minute 5 to the end (the median of the minute after minute 5 against the median of the last
minute). Writes bench/soak.json and the plot bench/soak-rss.png, then bench/RESULTS.md.
Run it alone: another model process on 2 cores would slow both.
"""

from __future__ import annotations

import json
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

from .load import _questions, _wait_for_model, ask_once
from .procs import UI, children, rss_mb

HERE = Path(__file__).parent
PROJECT = HERE.parent
SETTLED_S = 300  # growth is measured from minute 5, after the models and caches are warm
GROWTH_LIMIT = 0.05


def soak(minutes: float = 30.0, users: int = 3, per_session: int = 5) -> dict:
    import httpx

    questions = _questions()
    samples: list[tuple[float, float, float]] = []
    answers: list[dict] = []
    errors: list[str] = []
    lock = threading.Lock()
    with tempfile.TemporaryDirectory(prefix="bench-soak-") as tmp:
        app = UI(PROJECT / "index", PROJECT / "corpus", Path(tmp), EXCHANGE_LLM="local")
        try:
            app.wait_served(180)
            _wait_for_model(app.url)
            began = time.monotonic()
            end = began + minutes * 60

            def user(n: int) -> None:
                asked = 0
                with httpx.Client(trust_env=False) as client:
                    while time.monotonic() < end:
                        session = uuid.uuid4().hex[:11]  # someone new
                        for _ in range(per_session):
                            if time.monotonic() >= end:
                                return
                            q = questions[(n * 7 + asked) % len(questions)]
                            asked += 1
                            started = time.perf_counter()
                            try:
                                html = ask_once(client, app.url, q, 300.0, session)
                                row = {
                                    "t": round(time.monotonic() - began, 1),
                                    "ms": round((time.perf_counter() - started) * 1000),
                                    "mode": "model" if "ea-mode-model" in html else "quotes",
                                }
                                with lock:
                                    answers.append(row)
                            except Exception as exc:
                                with lock:
                                    errors.append(f"{q!r}: {type(exc).__name__}: {exc}"[:300])

            threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(users)]
            for t in threads:
                t.start()
            while any(t.is_alive() for t in threads):
                kids = children(app.proc.pid, "llama-server")
                samples.append(
                    (
                        time.monotonic() - began,
                        rss_mb(app.proc.pid),
                        sum(rss_mb(k) for k in kids),
                    )
                )
                time.sleep(10)
        finally:
            app.stop()
    return summarise(samples, answers, errors, minutes, users)


def summarise(samples, answers, errors, minutes, users) -> dict:
    def window(lo: float, hi: float, i: int) -> float | None:
        xs = [s[i] for s in samples if lo <= s[0] < hi]
        return statistics.median(xs) if xs else None

    last = samples[-1][0] if samples else 0.0
    growth = {}
    for name, i in (("ui", 1), ("model", 2)):
        start, finish = window(SETTLED_S, SETTLED_S + 60, i), window(last - 60, last + 1, i)
        growth[name] = {
            "minute_5_mb": start and round(start),
            "last_minute_mb": finish and round(finish),
            "growth": (finish / start - 1) if start and finish else None,
        }
    passed = all(g["growth"] is not None and g["growth"] < GROWTH_LIMIT for g in growth.values())
    waits = sorted(a["ms"] for a in answers)
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "minutes": minutes,
        "users": users,
        "answers": len(answers),
        "errors": len(errors),
        "error_examples": errors[:5],
        "model_share": (
            round(sum(a["mode"] == "model" for a in answers) / len(answers), 3) if answers else None
        ),
        "wait_p50_ms": waits[len(waits) // 2] if waits else None,
        "growth_from_minute_5": growth,
        "passed": passed,
        "rss_samples": [(round(t), round(a), round(b)) for t, a, b in samples],
    }


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = [s[0] / 60 for s in result["rss_samples"]]
    fig, ax = plt.subplots(figsize=(8, 4.2), dpi=110)
    ax.plot(t, [s[1] for s in result["rss_samples"]], label="web UI (Python)")
    ax.plot(t, [s[2] for s in result["rss_samples"]], label="model server (llama.cpp)")
    ax.axvline(SETTLED_S / 60, color="grey", linestyle=":", label="minute 5")
    ax.set_xlabel("minutes")
    ax.set_ylabel("RSS (MB)")
    ax.set_ylim(bottom=0)
    ax.set_title(
        f"Soak, model mode: {result['users']} people asking without pause, "
        f"{result['answers']} answers, {result['errors']} errors"
    )
    ax.legend(loc="lower right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="python -m bench.soak")
    p.add_argument("--minutes", type=float, default=30.0)
    p.add_argument("--users", type=int, default=3)
    args = p.parse_args(argv)
    result = soak(args.minutes, args.users)
    (HERE / "soak.json").write_text(json.dumps(result, indent=1) + "\n")
    plot(result, HERE / "soak-rss.png")
    from .report import write_results

    write_results()
    print(json.dumps({k: v for k, v in result.items() if k != "rss_samples"}, indent=1))
    return 0 if result["passed"] and result["errors"] == 0 else 1


if __name__ == "__main__":
    import sys

    sys.exit(main())
