"""The local model in a process of its own: llama.cpp's server, started and watched here.

Native code that can crash, or be killed for memory, never shares a process with the UI or a
batch. `LocalServer` starts `llama-server` on a loopback port, waits until it has loaded the
model and read a prompt of a few hundred tokens (a one-word prompt would not reach the batched
kernels where CPU-specific crashes happen), and then watches it:

- it exits (a crash, the OOM killer): it is started again, and the question in flight is
  answered from quotes by the caller; after `max_restarts` crashes within
  `restart_window_s` it is left down, with the reason;
- it cannot start (no runtime, a damaged model file, too little memory, a runtime that
  crashes on this CPU): the state says why in one sentence, and the quote path serves;
- it hangs: the caller's timeout reports it here, and the process is killed and restarted.

The state is read by the UI (the page says when the model is loading or down) and by the
pipeline (which answers from quotes unless the server is ready).
"""

from __future__ import annotations

import contextlib
import logging
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from pydantic import BaseModel

from assistant.backends import probes
from assistant.backends.process import (
    die_with_parent,
    exit_reason,
    free_port,
    reap,
    start_failure,
)
from assistant.errors import AssistantError

log = logging.getLogger("exchange_assistant.model")

State = Literal["off", "starting", "ready", "restarting", "failed"]


class ServerStatus(BaseModel):
    """What the supervisor knows of the server."""

    state: State
    reason: str | None = None
    pid: int | None = None
    base_url: str | None = None
    restarts: int = 0
    log_file: str | None = None


class LocalServer:
    """llama-server for one GGUF model, supervised from a thread of this process."""

    def __init__(
        self,
        binary: Callable[[], Path],
        model: Callable[[], Path],
        *,
        alias: str,
        threads: int,
        context: int,
        host: str = "127.0.0.1",
        port: int | None = None,
        start_timeout_s: float = 180.0,
        max_restarts: int = 3,
        restart_window_s: float = 600.0,
        log_dir: Path,
        warm_up: bool = True,
        opening: list[dict] | None = None,
        extra_args: list[str] | None = None,
    ) -> None:
        self._binary = binary
        self._model = model
        self.alias = alias
        self.threads = threads
        self.context = context
        self.host = host
        self.port = port or free_port(host)
        self.start_timeout_s = start_timeout_s
        self.max_restarts = max_restarts
        self.restart_window_s = restart_window_s
        self.log_file = Path(log_dir) / f"llama-server-{self.port}.log"
        self.warm_up = warm_up
        self.opening = opening
        self.extra_args = list(extra_args or [])
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._state: State = "off"
        self._reason: str | None = None
        self._failure: str | None = None  # why the current start failed, when it did
        self._proc: subprocess.Popen | None = None
        self._crashes: list[float] = []
        self._restarts = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    # -- control ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start the server in the background (once); returns at once."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stop.clear()
            self._set("starting", None)
            # The supervisor thread is the server's parent: the server is told to end when the
            # thread does (PR_SET_PDEATHSIG), so it never outlives this process.
            self._thread = threading.Thread(
                target=self._supervise, name="model-server", daemon=True
            )
            self._thread.start()

    def wait_ready(self, timeout: float | None = None) -> bool:
        """Blocks until the server is ready (True), or has failed or `timeout` passed (False)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._changed:
            while self._state not in ("ready", "failed", "off"):
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._changed.wait(remaining)
            return self._state == "ready"

    def status(self) -> ServerStatus:
        with self._lock:
            proc = self._proc
            return ServerStatus(
                state=self._state,
                reason=self._reason,
                pid=proc.pid if proc is not None and proc.poll() is None else None,
                base_url=self.base_url,
                restarts=self._restarts,
                log_file=str(self.log_file),
            )

    @property
    def ready(self) -> bool:
        return self._state == "ready"

    def report_failure(self, reason: str) -> None:
        """A request failed (timed out, or the connection dropped). A server that is still
        running but did not answer is killed, and the supervisor starts it again."""
        with self._lock:
            proc = self._proc
            if proc is None or self._state != "ready":
                return
        # poll() cannot be trusted here: while the supervisor thread waits on the process,
        # Popen.poll from another thread reports "running" even after it died. Killing a dead
        # process is harmless, so it is killed either way.
        log.warning("the model server did not answer (%s); restarting it", reason)
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        with self._lock:
            # Not ready from now on: the next question must not be sent to the dead process
            # while the supervisor has yet to notice that it ended.
            if self._proc is proc and self._state == "ready":
                self._set("restarting", reason)

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        if self._thread is not None:
            self._thread.join(15)
        with self._lock:
            self._set("off", None)

    # -- the supervisor ----------------------------------------------------------------------

    def _set(self, state: State, reason: str | None) -> None:
        # called with the lock held
        self._state, self._reason = state, reason
        self._changed.notify_all()

    def _supervise(self) -> None:
        try:
            binary, model = self._binary(), self._model()
        except AssistantError as exc:
            with self._lock:
                self._set("failed", str(exc))
            return
        except Exception as exc:  # a bug must not leave the state at "starting"
            log.exception("the model server could not be prepared")
            with self._lock:
                self._set("failed", f"The local model could not be prepared ({exc}).")
            return
        ever_ready = False
        while not self._stop.is_set():
            started, reason = self._run_once(binary, model)
            if self._stop.is_set():
                return
            ever_ready = ever_ready or started
            now = time.monotonic()
            self._crashes = [t for t in self._crashes if now - t < self.restart_window_s]
            self._crashes.append(now)
            with self._lock:
                if not ever_ready:  # it never came up: starting again would fail the same way
                    self._set("failed", reason)
                    return
                if len(self._crashes) > self.max_restarts:
                    self._set(
                        "failed",
                        f"The local model stopped {len(self._crashes)} times within "
                        f"{self.restart_window_s / 60:.0f} minutes ({reason}); answers quote "
                        f"the documents. Its log is {self.log_file}.",
                    )
                    return
                self._restarts += 1
                self._set("restarting", reason)
            log.warning("the model server stopped (%s); starting it again", reason)
            self._stop.wait(min(2.0 ** (len(self._crashes) - 1), 10.0))

    def _run_once(self, binary: Path, model: Path) -> tuple[bool, str]:
        """Runs the server until it exits: whether it had become ready, and why it ended."""
        self._failure = None
        cmd = [
            str(binary),
            "--model",
            str(model),
            "--alias",
            self.alias,
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--ctx-size",
            str(self.context),
            "--threads",
            str(self.threads),
            "--threads-batch",
            str(self.threads),
            "--parallel",
            "1",
            "--no-webui",
            *self.extra_args,
        ]
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        if self.log_file.exists():  # the previous run's log stays for one restart
            self.log_file.replace(self.log_file.with_suffix(".previous.log"))
        prune_logs(self.log_file.parent, keep=KEPT_LOGS)
        with open(self.log_file, "wb") as out:
            try:
                proc = subprocess.Popen(
                    cmd,
                    stdin=subprocess.DEVNULL,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    # Its CPU libraries are found beside it, never in a stray working folder.
                    cwd=binary.parent,
                    preexec_fn=die_with_parent,
                )
            except OSError as exc:
                return False, f"The model runtime {binary} cannot be started ({exc.strerror})."
        with self._lock:
            self._proc = proc
            if self._state != "restarting":
                self._set("starting", None)
        ready = self._wait_loaded(proc) and self._check_prompt(proc)
        if ready:
            with self._lock:
                self._set("ready", None)
            log.info("the model server is ready (pid %s, port %s)", proc.pid, self.port)
        else:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
        code = proc.wait() if ready else reap(proc)
        with self._lock:
            self._proc = None
        if ready:
            return True, exit_reason(code, self.log_file)
        return False, self._failure or start_failure(code, self.log_file)

    def _wait_loaded(self, proc: subprocess.Popen) -> bool:
        url = f"http://{self.host}:{self.port}/health"
        if probes.wait_healthy(url, proc, self.start_timeout_s, self._stop):
            return True
        if proc.poll() is None and not self._stop.is_set():
            self._failure = (
                f"The local model did not load within {self.start_timeout_s:.0f} s; "
                f"its log is {self.log_file}."
            )
        return False

    def _check_prompt(self, proc: subprocess.Popen) -> bool:
        """Reads a prompt of a few hundred tokens: a runtime that crashes on this CPU does it
        here, at start-up, not on a student's question. The prompt is the opening every
        question shares, when one is given, so the first question finds it in the cache."""
        if not self.warm_up:
            return True
        if probes.reads_long_prompt(self.base_url, self.alias, self.start_timeout_s, self.opening):
            return True
        # a crash while reading it: let the exit be seen, so that the reason names it
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(2)
        if proc.poll() is None:
            self._failure = (
                f"The local model did not answer its start-up check; its log is {self.log_file}."
            )
        return False


# Each start on a new port writes a new log; the newest few are enough to see why a start failed.
KEPT_LOGS = 10


def prune_logs(folder: Path, keep: int) -> None:
    """Deletes all but the `keep` newest model-server logs in `folder` (another process's
    current log is among the newest: it is written to as long as it runs)."""
    logs = sorted(folder.glob("llama-server-*.log"), key=_mtime, reverse=True)
    for old in logs[keep:]:
        old.unlink(missing_ok=True)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
