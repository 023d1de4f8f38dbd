"""Processes the benchmarks and load tests start: the web UI and a Chroma server, on loopback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory of a running process, in MB (Linux /proc VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXCHANGE_")}
    return {
        **env,
        # The retrieval and index benchmarks measure the quote path; the model's own benches
        # (bench.llm, bench.load --model) ask for EXCHANGE_LLM=local.
        "EXCHANGE_LLM": "none",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        **extra,
    }


class UI:
    """`python app.py` on a free loopback port; `started` is when the process was launched."""

    def __init__(self, index: Path, corpus: Path, work: Path, **env: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = work / f"app-{self.port}.log"
        environ = clean_env(
            EXCHANGE_INDEX_DIR=str(index),
            EXCHANGE_CORPUS_DIR=str(corpus),
            EXCHANGE_UI__HOST="127.0.0.1",
            EXCHANGE_UI__PORT=str(self.port),
            EXCHANGE_UI__FEEDBACK_DB=str(work / "feedback.sqlite3"),
            **env,
        )
        self.started = time.perf_counter()
        with self.log.open("w") as out:
            self.proc = subprocess.Popen(
                [sys.executable, str(PROJECT / "app.py")],
                cwd=work,
                env=environ,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def wait_served(self, timeout: float = 120) -> float:
        """Seconds from launch until the page is served."""
        import httpx

        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the app exited with {self.proc.returncode}:\n{self.logs()}")
            try:
                if httpx.get(self.url + "/", timeout=2, trust_env=False).status_code == 200:
                    return time.perf_counter() - self.started
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the app did not serve within {timeout} s:\n{self.logs()}")
            time.sleep(0.05)

    def logs(self) -> str:
        return self.log.read_text() if self.log.exists() else ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def children(pid: int, name: str) -> list[int]:
    """Child processes of `pid` whose command line contains `name`."""
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids = (task / "children").read_text().split()
        except OSError:
            continue
        for kid in kids:
            try:
                cmd = Path(f"/proc/{kid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if name in cmd:
                out.append(int(kid))
    return out
