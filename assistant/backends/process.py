"""The model server's process as the operating system sees it: a free port, a child that ends
with its parent, its exit reaped and explained in one sentence from its code and its log."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
from pathlib import Path


def start_failure(code: int | None, log_file: Path) -> str:
    """One sentence for a server that never became ready, from its exit and its log."""
    text = log_tail(log_file)
    low = text.lower()
    if code is not None and code < 0:
        sig = signal_name(-code)
        return (
            f"The local model runtime crashed while starting ({sig}); this CPU may not be "
            f"supported by the build. Its log is {log_file}."
        )
    if "failed to allocate" in low or "out of memory" in low or "cannot allocate" in low:
        return "There is not enough memory to load the local model; answers quote the documents."
    if "failed to load model" in low or ("gguf" in low and "error" in low):
        return (
            "The local model file cannot be loaded (damaged or not a GGUF model); reinstall "
            f"it or set EXCHANGE_MODEL__PATH. Its log is {log_file}."
        )
    return f"The local model did not start (exit {code}); its log is {log_file}."


def exit_reason(code: int | None, log_file: Path) -> str:
    if code is not None and code < 0:
        return f"it ended with {signal_name(-code)}"
    return f"it exited with code {code}"


def signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def reap(proc: subprocess.Popen) -> int | None:
    try:
        return proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


def log_tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def die_with_parent() -> None:
    """In the child, before exec: end when the thread that started it ends (Linux), and start
    with no signal blocked (the mask of the starting thread would be inherited).

    The signal is SIGKILL: with its parent gone, no one waits for a graceful shutdown, and a
    llama.cpp server once sat idle after SIGTERM with its model in memory."""
    with contextlib.suppress(OSError, AttributeError, ValueError):
        signal.pthread_sigmask(signal.SIG_SETMASK, set())
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    os.setpgrp()  # a Ctrl-C in the terminal goes to the assistant, which stops the server
