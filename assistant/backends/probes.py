"""What the supervisor asks a starting model server: is it up, and does it read a long prompt."""

from __future__ import annotations

import json
import subprocess
import threading
import time
import urllib.error
import urllib.request

# A prompt of a few hundred tokens for the start-up check; its words do not matter.
_WARM_UP = " ".join(
    f"Passage {i}: the exchange programme lists its partners, its dates and its contact people, "
    "and the documents say who may apply and how."
    for i in range(1, 16)
)


def wait_healthy(url: str, proc: subprocess.Popen, timeout_s: float, stop: threading.Event) -> bool:
    """Until `url` (the server's /health) answers 200: False when the process exits, `stop`
    is set or `timeout_s` passes."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and not stop.is_set():
        if proc.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return True
        except (urllib.error.URLError, OSError, TimeoutError):
            pass
        time.sleep(0.2)
    return False


def reads_long_prompt(base_url: str, alias: str, timeout_s: float) -> bool:
    """Whether the server answers a prompt of a few hundred tokens (the batched kernels where
    CPU-specific crashes happen; a one-word prompt would not reach them)."""
    body = json.dumps(
        {
            "model": alias,
            "messages": [{"role": "user", "content": _WARM_UP}],
            "max_tokens": 2,
            "temperature": 0,
        }
    ).encode()
    request = urllib.request.Request(
        f"{base_url}/chat/completions", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as r:
            json.load(r)
        return True
    except (urllib.error.URLError, OSError, TimeoutError, ValueError):
        return False
