"""The supervisor of the local model's server, driving a real process (the fake runtime, with
llama-server's arguments): it starts, it is killed by its pid and comes back, it cannot start,
it crashes too often, it hangs."""

import os
import signal
import time
from pathlib import Path

import pytest
import yaml

from assistant.backends.server import LocalServer
from assistant.errors import AssistantError


def _model(tmp_path: Path, **config) -> Path:
    path = tmp_path / "model.yaml"
    path.write_text(yaml.safe_dump({"default": "Yes", **config}))
    return path


def _server(runtime: Path, model: Path, tmp_path: Path, **options) -> LocalServer:
    return LocalServer(
        lambda: runtime,
        lambda: model,
        alias="fake",
        threads=1,
        context=512,
        log_dir=tmp_path / "logs",
        start_timeout_s=options.pop("start_timeout_s", 20),
        **options,
    )


def _wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_it_starts_reads_a_long_prompt_and_serves(fake_runtime, tmp_path):
    server = _server(fake_runtime, _model(tmp_path), tmp_path)
    server.start()
    try:
        assert server.wait_ready(20)
        status = server.status()
        assert status.state == "ready" and status.pid and status.restarts == 0
        assert Path(status.log_file).is_file()
    finally:
        server.stop()
    assert server.status().state == "off" and server.status().pid is None


def test_killed_by_its_pid_it_is_started_again(fake_runtime, tmp_path):
    server = _server(fake_runtime, _model(tmp_path), tmp_path)
    server.start()
    try:
        assert server.wait_ready(20)
        first = server.status().pid
        os.kill(first, signal.SIGKILL)
        assert _wait_for(
            lambda: server.status().state == "ready" and server.status().pid not in (None, first)
        )
        assert server.status().restarts == 1
    finally:
        server.stop()


def test_a_failure_reported_by_a_caller_ends_ready_at_once(fake_runtime, tmp_path):
    # The caller sees the dropped connection before the supervisor sees the exit: from that
    # moment the server is not ready, so waiting for "ready" waits for the new process.
    server = _server(fake_runtime, _model(tmp_path), tmp_path)
    server.start()
    try:
        assert server.wait_ready(20)
        first = server.status().pid
        os.kill(first, signal.SIGKILL)
        server.report_failure("the connection dropped")
        assert server.status().state == "restarting"
        assert server.wait_ready(20)
        assert server.status().pid not in (None, first) and server.status().restarts == 1
    finally:
        server.stop()


def test_a_damaged_model_file_fails_at_start_with_one_sentence(fake_runtime, tmp_path):
    damaged = tmp_path / "model.gguf"
    damaged.write_bytes(b"GGUF\x03\x00")  # cut short
    server = _server(fake_runtime, damaged, tmp_path)
    server.start()
    assert not server.wait_ready(20)
    status = server.status()
    assert status.state == "failed"
    assert "cannot be loaded" in status.reason and "\n" not in status.reason


def test_a_runtime_that_crashes_while_starting_says_so(fake_runtime, tmp_path):
    server = _server(fake_runtime, _model(tmp_path, on_start="crash"), tmp_path)
    server.start()
    assert not server.wait_ready(20)
    assert "crashed while starting (SIGSEGV)" in server.status().reason


def test_a_runtime_that_crashes_on_its_first_real_prompt_fails_at_start_up(fake_runtime, tmp_path):
    # The start-up check reads a prompt of a few hundred tokens: a runtime that crashes on
    # batched prompts (AMX on some Xeons) is caught there, not on a student's question.
    server = _server(fake_runtime, _model(tmp_path, on_prompt="crash"), tmp_path)
    server.start()
    assert not server.wait_ready(20)
    assert "SIGSEGV" in server.status().reason


def test_after_too_many_crashes_it_stays_down_with_the_reason(fake_runtime, tmp_path):
    server = _server(fake_runtime, _model(tmp_path), tmp_path, max_restarts=1)
    server.start()
    try:
        assert server.wait_ready(20)
        for _ in range(2):
            pid = server.status().pid
            os.kill(pid, signal.SIGKILL)
            _wait_for(
                lambda p=pid: (
                    server.status().pid not in (None, p) or server.status().state == "failed"
                )
            )
        assert _wait_for(lambda: server.status().state == "failed")
        assert "stopped 2 times" in server.status().reason
    finally:
        server.stop()


def test_a_server_that_hangs_is_killed_and_started_again(fake_runtime, tmp_path):
    # It answers the start-up check, then hangs on the next request.
    server = _server(fake_runtime, _model(tmp_path, on_prompt="hang", prompt_after=2), tmp_path)
    server.start()
    try:
        assert server.wait_ready(20)
        first = server.status().pid
        server.report_failure("the model did not answer within 1 s")
        assert _wait_for(
            lambda: server.status().state == "ready" and server.status().pid not in (None, first)
        )
    finally:
        server.stop()


def test_no_runtime_is_one_sentence(tmp_path):
    def missing():
        raise AssistantError("The local model runtime is not installed.")

    server = LocalServer(
        missing, lambda: tmp_path, alias="x", threads=1, context=64, log_dir=tmp_path
    )
    server.start()
    assert not server.wait_ready(5)
    assert server.status().reason == "The local model runtime is not installed."


@pytest.mark.parametrize("state", ["starting"])
def test_status_is_starting_until_loaded(fake_runtime, tmp_path, state):
    server = _server(fake_runtime, _model(tmp_path, load_seconds=1.5), tmp_path)
    server.start()
    try:
        assert server.status().state == state
        assert server.wait_ready(20)
    finally:
        server.stop()


def test_only_the_newest_model_server_logs_are_kept(tmp_path):
    import os

    from assistant.backends.server import prune_logs

    for i in range(14):
        log = tmp_path / f"llama-server-{5000 + i}.log"
        log.write_text("log")
        os.utime(log, (1_000_000 + i, 1_000_000 + i))
    (tmp_path / "notes.txt").write_text("not a log")
    prune_logs(tmp_path, keep=10)
    left = sorted(p.name for p in tmp_path.glob("llama-server-*.log"))
    assert left == [f"llama-server-{5000 + i}.log" for i in range(4, 14)]
    assert (tmp_path / "notes.txt").exists()
