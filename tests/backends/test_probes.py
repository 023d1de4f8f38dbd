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


def test_the_opening_is_read_at_start_up_and_left_last_in_the_cache(fake_model):
    url, state = fake_model({"default": "Yes"})
    # the fake server counts a token per four characters
    opening = [
        {"role": "system", "content": "Answer from the passages. " * 60},
        {"role": "user", "content": "Passages:"},
    ]
    assert probes.reads_long_prompt(url, "fake", 10, opening)
    assert state.prompts == ["\n".join(m["content"] for m in opening)]
    # an opening too short to reach the batched kernels: the long prompt too, the opening last
    short = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Passages:"}]
    state.prompts.clear()
    assert probes.reads_long_prompt(url, "fake", 10, short)
    assert len(state.prompts) == 3 and len(state.prompts[1].split()) > 200
    assert state.prompts[0] == state.prompts[2] == "Be brief.\nPassages:"
