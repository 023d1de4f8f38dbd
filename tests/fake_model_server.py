"""A fake OpenAI-compatible model server, in the shape of llama.cpp's `llama-server`.

It answers by rule, so tests know what the "model" says, and it can misbehave on purpose. The
"model file" it is given (`--model FILE`) is YAML:

    rules: [[key, reply], ...]   # the reply of the first key found in the last user message
    default: "No"                # the reply when no key matches
    yes: 0.9                     # P(Yes) in the first token's log-probabilities, when the reply
                                 # starts with Yes (1 - yes when it starts with No)
    on_start: ok | exit | crash  # exit 1 with llama.cpp's message for a bad file; SIGSEGV
    on_prompt: ok | crash | hang | die   # per chat request: SIGSEGV before answering, never
                                 # answer, or SIGKILL half-way through a streamed reply
    prompt_after: N              # misbehave only from the Nth request on (1-based)

A file that is not such YAML makes it exit the way llama-server does for a damaged GGUF.
`usage.prompt_tokens_details.cached_tokens` reports the characters / 4 that the prompt shares
with the previous one, as llama.cpp's prompt cache would.

Run as a script (`python fake_model_server.py --model FILE --port N ...`, the arguments of
llama-server, the unknown ones ignored), or in a thread with `serve(config, port)`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml


class State:
    def __init__(self, config: dict) -> None:
        self.config = config
        self.requests = 0
        self.last_prompt = ""
        self.lock = threading.Lock()
        self.prompts: list[str] = []


def _reply(config: dict, prompt: str) -> str:
    for key, reply in config.get("rules", []):
        if key in prompt:
            return reply
    return config.get("default", "No")


def _logprobs(config: dict, text: str) -> dict:
    yes = float(config.get("yes", 0.9))
    first = text.split("\n", 1)[0].strip().split(" ", 1)[0]
    p_yes = yes if first.lower().startswith("yes") else 1 - yes
    top = [
        {"token": "Yes", "logprob": math.log(max(p_yes, 1e-9))},
        {"token": "No", "logprob": math.log(max(1 - p_yes, 1e-9))},
    ]
    return {"content": [{"token": first, "logprob": top[0]["logprob"], "top_logprobs": top}]}


def make_handler(state: State):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet
            pass

        def _json(self, code: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path.rstrip("/") in ("/health", "/v1/health"):
                self._json(200, {"status": "ok"})
            else:
                self._json(404, {"error": "not found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            if not self.path.endswith("/chat/completions"):
                self._json(404, {"error": "not found"})
                return
            config = state.config
            messages = body.get("messages", [])
            prompt = "\n".join(str(m.get("content", "")) for m in messages)
            last = str(messages[-1].get("content", "")) if messages else ""
            with state.lock:
                state.requests += 1
                n = state.requests
                shared = 0
                for a, b in zip(state.last_prompt, prompt, strict=False):
                    if a != b:
                        break
                    shared += 1
                state.last_prompt = prompt
                state.prompts.append(prompt)
            misbehave = n >= int(config.get("prompt_after", 1))
            action = config.get("on_prompt", "ok") if misbehave else "ok"
            if action == "crash":
                _crash()
            if action == "hang":
                time.sleep(3600)
                return
            text = _reply(config, last)
            usage = {
                "prompt_tokens": len(prompt) // 4,
                "completion_tokens": len(text.split()),
                "total_tokens": len(prompt) // 4 + len(text.split()),
                "prompt_tokens_details": {"cached_tokens": shared // 4},
            }
            if body.get("max_tokens") == 1 or body.get("max_completion_tokens") == 1:
                text = text.split("\n", 1)[0].split(" ", 1)[0]
            logprobs = _logprobs(config, text) if body.get("logprobs") else None
            if not body.get("stream"):
                self._json(
                    200,
                    {
                        "id": "fake",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": body.get("model", "fake"),
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": text},
                                "finish_reason": "stop",
                                "logprobs": logprobs,
                            }
                        ],
                        "usage": usage,
                    },
                )
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Connection", "close")
            self.end_headers()
            pieces = [p for p in _pieces(text)]
            for i, piece in enumerate(pieces):
                if action == "die" and i == max(1, len(pieces) // 2):
                    self.wfile.flush()
                    os.kill(os.getpid(), signal.SIGKILL)  # a crash half-way through the reply
                chunk = {
                    "id": "fake",
                    "object": "chat.completion.chunk",
                    "created": int(time.time()),
                    "model": body.get("model", "fake"),
                    "choices": [
                        {
                            "index": 0,
                            "delta": (
                                {"role": "assistant", "content": piece}
                                if i == 0
                                else {"content": piece}
                            ),
                            "finish_reason": None,
                            "logprobs": logprobs if i == 0 else None,
                        }
                    ],
                }
                self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                self.wfile.flush()
                time.sleep(float(config.get("token_delay", 0.0)))
            end = {
                "id": "fake",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": body.get("model", "fake"),
                "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
            }
            self.wfile.write(f"data: {json.dumps(end)}\n\n".encode())
            if (body.get("stream_options") or {}).get("include_usage"):
                tail = {**end, "choices": [], "usage": usage}
                self.wfile.write(f"data: {json.dumps(tail)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

    return Handler


def _pieces(text: str) -> list[str]:
    """The reply in small pieces, as tokens stream."""
    out, word = [], ""
    for ch in text:
        word += ch
        if ch in " \n":
            out.append(word)
            word = ""
    if word:
        out.append(word)
    return out or [""]


def _crash() -> None:
    """A real segmentation fault, as native code has one: read address 0."""
    import ctypes
    import faulthandler

    faulthandler.disable()  # no traceback dump: die as a native runtime does
    ctypes.string_at(0)


def serve(config: dict, port: int = 0, host: str = "127.0.0.1"):
    """Starts the fake in a thread; returns (server, state). `server.shutdown()` stops it."""
    state = State(config)
    server = ThreadingHTTPServer((host, port), make_handler(state))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, state


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--model", "-m", required=True)
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--host", default="127.0.0.1")
    args, _unknown = p.parse_known_args(argv)
    print(f"load_model: loading model '{args.model}'", flush=True)
    try:
        config = yaml.safe_load(Path(args.model).read_text())
        if not isinstance(config, dict):
            raise ValueError("not a mapping")
    except (OSError, ValueError, yaml.YAMLError):
        print("gguf_init_from_file_impl: failed to read magic", flush=True)
        print("llama_model_load: error loading model: failed to load model", flush=True)
        return 1
    if config.get("on_start") == "exit":
        print("llama_model_load: error loading model: failed to load model", flush=True)
        return 1
    if config.get("on_start") == "crash":
        _crash()
    time.sleep(float(config.get("load_seconds", 0.0)))
    server, _ = serve(config, args.port, args.host)
    print(f"main: server is listening on http://{args.host}:{args.port}", flush=True)
    signal.signal(signal.SIGTERM, lambda *a: (server.shutdown(), sys.exit(0)))
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    sys.exit(main())
