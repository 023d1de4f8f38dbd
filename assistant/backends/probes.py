"""What the supervisor asks a starting model server: is it up, and does it read a long prompt."""

from __future__ import annotations

import json
import subprocess
import threading
import time
import urllib.error
import urllib.request

# The batched kernels where CPU-specific crashes happen are reached by a prompt of a few hundred
# tokens; a one-word prompt would prove nothing.
LONG_PROMPT_TOKENS = 256
# A prompt that long whose words do not matter, for when no opening of the pipeline's is given
# or it is shorter.
_FILLER = " ".join(
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


def reads_long_prompt(
    base_url: str, alias: str, timeout_s: float, opening: list[dict] | None = None
) -> bool:
    """Whether the server answers a prompt of a few hundred tokens (the batched kernels where
    CPU-specific crashes happen; a one-word prompt would not reach them).

    `opening` is the chat every question starts with (system text, worked examples): read
    here, it stays in the server's prompt cache, so the first question after a start reads only
    its own passages. When it is shorter than the check needs, a filler prompt is read too."""
    read = _read(base_url, alias, timeout_s, opening) if opening else 0
    if read is None:
        return False
    if read >= LONG_PROMPT_TOKENS:
        return True
    # the filler replaces the opening in the cache, so it goes first and the opening again last
    if _read(base_url, alias, timeout_s, [{"role": "user", "content": _FILLER}]) is None:
        return False
    return not opening or _read(base_url, alias, timeout_s, opening) is not None


def _read(base_url: str, alias: str, timeout_s: float, messages: list[dict]) -> int | None:
    """The prompt tokens the server read for `messages` (0 when it does not say); None when
    it did not answer."""
    body = json.dumps(
        {"model": alias, "messages": messages, "max_tokens": 1, "temperature": 0}
    ).encode()
    request = urllib.request.Request(
        f"{base_url}/chat/completions", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as r:
            reply = json.load(r)
    except (urllib.error.URLError, OSError, TimeoutError, ValueError):
        return None
    usage = reply.get("usage") if isinstance(reply, dict) else None
    tokens = usage.get("prompt_tokens") if isinstance(usage, dict) else None
    return tokens if isinstance(tokens, int) else 0
