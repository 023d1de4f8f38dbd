"""What the supervisor asks a starting server (backends/probes.py), against the fake server."""

from __future__ import annotations

import subprocess
import sys
import threading
import time

from assistant.backends import probes


def test_a_healthy_server_is_seen_and_a_dead_process_ends_the_wait(fake_model):
    url, _ = fake_model({"default": "Yes"})
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert probes.wait_healthy(url.removesuffix("/v1") + "/health", alive, 5, threading.Event())
    finally:
        alive.kill()
        alive.wait()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    started = time.monotonic()
    assert not probes.wait_healthy("http://127.0.0.1:9/health", dead, 30, threading.Event())
    assert time.monotonic() - started < 2


def test_the_long_prompt_is_read_or_its_failure_reported(fake_model):
    url, state = fake_model({"default": "Yes"})
    assert probes.reads_long_prompt(url, "fake", 10)
    assert len(state.prompts[-1].split()) > 200  # a few hundred tokens, not one word
    crash, _ = fake_model({"default": "Yes", "on_prompt": "hang"})
    assert not probes.reads_long_prompt(crash, "fake", 1)
