"""Concurrent users asking the running web UI through Gradio's HTTP API, for a bounded time.

Loopback only: every request goes to the URL given, which must be 127.0.0.1 or localhost.
Each user asks one question after another (POST /gradio_api/call/ask, then reads the event
stream to its end) until the time is up; every request has its own timeout, so the run always
stops by itself.
"""

from __future__ import annotations

import json
import statistics
import threading
import time
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlparse

from .procs import rss_mb


@dataclass
class LoadResult:
    users: int
    seconds: float
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    rss_start_mb: float = 0.0
    rss_end_mb: float = 0.0
    rss_max_mb: float = 0.0
    rss_samples: list[tuple[float, float]] = field(default_factory=list)  # (seconds, MB)
    per_session: int = 5

    @property
    def requests(self) -> int:
        return len(self.latencies_ms) + len(self.errors)

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        xs = sorted(self.latencies_ms)
        return xs[min(len(xs) - 1, max(0, round(p / 100 * len(xs) + 0.5) - 1))]

    def summary(self) -> dict:
        return {
            "users": self.users,
            "questions_per_session": self.per_session,
            "seconds": round(self.seconds, 1),
            "answers": len(self.latencies_ms),
            "errors": len(self.errors),
            "answers_per_s": round(len(self.latencies_ms) / self.seconds, 2),
            "p50_ms": round(self.percentile(50)),
            "p95_ms": round(self.percentile(95)),
            "max_ms": round(max(self.latencies_ms, default=float("nan"))),
            "mean_ms": round(statistics.fmean(self.latencies_ms)) if self.latencies_ms else None,
            "rss_start_mb": round(self.rss_start_mb),
            "rss_end_mb": round(self.rss_end_mb),
            "rss_max_mb": round(self.rss_max_mb),
            "rss_every_10s_mb": self.rss_every(10),
        }

    def rss_every(self, step: float) -> list[int]:
        """RSS at the first sample of each `step` seconds, to show whether memory grows."""
        out, next_t = [], 0.0
        for t, mb in self.rss_samples:
            if t >= next_t:
                out.append(round(mb))
                next_t += step
        return out


def ask_once(
    client, url: str, question: str, timeout: float = 60.0, session: str | None = None
) -> str:
    """One question through the UI's `ask` endpoint; returns the final answer HTML or raises.

    With `session`, the question belongs to that browser session (its conversation goes on);
    without, Gradio opens a new session for it.
    """
    body: dict = {"data": [question, []]}
    if session:
        body["session_hash"] = session
    r = client.post(f"{url}/gradio_api/call/ask", json=body, timeout=timeout)
    r.raise_for_status()
    event_id = r.json()["event_id"]
    event, last = None, None
    deadline = time.monotonic() + timeout
    with client.stream("GET", f"{url}/gradio_api/call/ask/{event_id}", timeout=timeout) as s:
        s.raise_for_status()
        for line in s.iter_lines():
            if time.monotonic() > deadline:
                raise TimeoutError(f"no complete answer within {timeout} s")
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:"):
                last = line.split(":", 1)[1].strip()
                if event in {"complete", "error"}:
                    break
    if event != "complete":
        raise RuntimeError(f"the stream ended with event {event!r}: {str(last)[:200]}")
    payload = json.loads(last)
    # The chat's output is its messages, or an update that carries them under "value".
    messages = payload[0]["value"] if isinstance(payload[0], dict) else payload[0]
    html = messages[-1]["content"][0]["text"]
    if "ea-error" in html or "ea-answer" not in html:
        raise RuntimeError(f"the UI showed an error: {html[:200]}")
    return html


def run_load(
    url: str,
    questions: list[str],
    users: int = 20,
    seconds: float = 60.0,
    pid: int | None = None,
    timeout: float = 60.0,
    per_session: int = 5,
) -> LoadResult:
    """`users` threads ask questions in turn for `seconds`; returns latencies, errors and RSS.

    Each user asks `per_session` questions in one session (a conversation in a browser tab),
    then starts a new one, as a new visitor would; 0 opens a new session for every question.
    """
    import httpx

    host = urlparse(url).hostname
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise ValueError(f"the load test only targets loopback, not {host}")
    result = LoadResult(users=users, seconds=seconds, per_session=per_session)
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds
    if pid:
        result.rss_start_mb = result.rss_max_mb = rss_mb(pid)

    def user(n: int) -> None:
        with httpx.Client(trust_env=False) as client:
            i = n
            asked = 0
            session = None
            while time.monotonic() < stop_at:
                if per_session and asked % per_session == 0:
                    session = uuid.uuid4().hex[:11]
                asked += 1
                q = questions[i % len(questions)]
                i += 1
                started = time.perf_counter()
                try:
                    ask_once(client, url, q, timeout, session if per_session else None)
                    with lock:
                        result.latencies_ms.append((time.perf_counter() - started) * 1000)
                except Exception as exc:  # every failure counts, none stops the run
                    with lock:
                        result.errors.append(f"{q!r}: {type(exc).__name__}: {exc}"[:300])

    threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(users)]
    began = time.monotonic()
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        if pid:
            mb = rss_mb(pid)
            result.rss_max_mb = max(result.rss_max_mb, mb)
            result.rss_samples.append((round(time.monotonic() - began, 1), mb))
        if time.monotonic() > stop_at + timeout + 10:
            break  # a request past its own timeout: give up on it (threads are daemons)
        time.sleep(0.5)
    result.seconds = time.monotonic() - began
    if pid:
        result.rss_end_mb = rss_mb(pid)
    return result


# -- many people at once in model mode: `python -m bench.load --model` ---------------------------


def run_sessions(
    url: str, questions: list[str], users: int, per_user: int, timeout: float, sample
) -> dict:
    """`users` threads each ask `per_user` questions in one session, one after another, all at
    once; `sample()` is called every few seconds (RSS). Returns every answer's wait and mode."""
    import httpx

    rows: list[dict] = []
    errors: list[str] = []
    lock = threading.Lock()

    def user(n: int) -> None:
        session = uuid.uuid4().hex[:11]
        with httpx.Client(trust_env=False) as client:
            for k in range(per_user):
                q = questions[(n * per_user + k) % len(questions)]
                started = time.perf_counter()
                try:
                    html = ask_once(client, url, q, timeout, session)
                    mode = "model" if "ea-mode-model" in html else "quotes"
                    with lock:
                        rows.append({"ms": (time.perf_counter() - started) * 1000, "mode": mode})
                except Exception as exc:
                    with lock:
                        errors.append(f"{q!r}: {type(exc).__name__}: {exc}"[:300])

    threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(users)]
    began = time.monotonic()
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        sample(time.monotonic() - began)
        time.sleep(5)
    sample(time.monotonic() - began)
    return {"rows": rows, "errors": errors, "seconds": time.monotonic() - began}


def model_load(users: int = 20, per_user: int = 5, max_wait_s: float = 60.0) -> dict:
    """The web UI with the local model, over the shipped corpus's index (`make ingest`)."""
    import tempfile
    from pathlib import Path

    from .procs import UI, children

    project = Path(__file__).parent.parent
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        app = UI(
            project / "index",
            project / "corpus",
            Path(tmp),
            EXCHANGE_LLM="local",
            EXCHANGE_READING__MAX_WAIT_S=str(max_wait_s),
        )
        try:
            app.wait_served(180)
            _wait_for_model(app.url)
            samples: list[tuple[float, float, float]] = []

            def sample(t: float) -> None:
                kids = children(app.proc.pid, "llama-server")
                samples.append((t, rss_mb(app.proc.pid), sum(rss_mb(k) for k in kids)))

            out = run_sessions(app.url, _questions(), users, per_user, 900.0, sample)
        finally:
            app.stop()
    waits = sorted(r["ms"] for r in out["rows"])

    def at(p: float) -> float:
        return waits[min(len(waits) - 1, round(p / 100 * (len(waits) - 1)))] if waits else 0.0

    per_minute = []
    for minute in range(int(samples[-1][0] // 60) + 1 if samples else 0):
        near = [s for s in samples if s[0] >= minute * 60]
        if near:
            per_minute.append((minute, round(near[0][1]), round(near[0][2])))
    last = samples[-1] if samples else None
    after = [s for s in samples if s[0] >= 120]
    growth = None
    if after and last:
        growth = {
            "ui": last[1] / after[0][1] - 1,
            "model": (last[2] / after[0][2] - 1) if after[0][2] else 0.0,
        }
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "max_wait_s": max_wait_s,
        "summary": {
            "users": users,
            "questions_per_session": per_user,
            "answers": len(out["rows"]),
            "errors": len(out["errors"]),
            "p50_ms": at(50),
            "p95_ms": at(95),
            "model_share": (
                sum(r["mode"] == "model" for r in out["rows"]) / len(out["rows"])
                if out["rows"]
                else None
            ),
            "seconds": round(out["seconds"], 1),
        },
        "errors": out["errors"][:10],
        "rss_per_minute": per_minute,
        "rss_samples": [(round(t), round(a), round(b)) for t, a, b in samples],
        "growth_from_minute_2": growth,
    }


def _questions() -> list[str]:
    from evals.runner import sample
    from evals.suites import load_suites

    suite = next(s for s in load_suites() if s.name == "programme")
    return [c.question for c in sample(suite.load(), "test", None) if not c.history]


def _wait_for_model(url: str, timeout: float = 300) -> None:
    """Until a question is answered by the model (the UI answers from quotes while it loads)."""
    import httpx

    deadline = time.monotonic() + timeout
    with httpx.Client(trust_env=False) as client:
        while time.monotonic() < deadline:
            if "ea-mode-model" in ask_once(client, url, "Who coordinates the exchange?", 120):
                return
            time.sleep(2)
    raise RuntimeError("the model did not become ready in the UI")


def main(argv: list[str] | None = None) -> int:
    import argparse
    from pathlib import Path

    p = argparse.ArgumentParser(prog="python -m bench.load")
    p.add_argument("--model", action="store_true", help="the web UI with the local model")
    p.add_argument("--users", type=int, default=20)
    p.add_argument("--per-user", type=int, default=5)
    p.add_argument("--max-wait", type=float, default=60.0)
    args = p.parse_args(argv)
    if not args.model:
        p.error("use --model (the quote path's load is part of `python -m bench`)")
    result = model_load(args.users, args.per_user, args.max_wait)
    out = Path(__file__).parent / "load-model.json"
    out.write_text(json.dumps(result, indent=1) + "\n")
    from .report import write_results

    write_results()
    print(json.dumps(result["summary"], indent=1))
    return 0 if result["summary"]["errors"] == 0 else 1


if __name__ == "__main__":
    import sys

    sys.exit(main())
