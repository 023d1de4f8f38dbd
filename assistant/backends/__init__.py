"""The model the assistant reads with, wherever it runs.

`EXCHANGE_LLM` names it:

    local              Qwen2.5-Coder-1.5B-Instruct in a llama.cpp server that this process
                       starts and supervises (server.py); local:qwen2.5-0.5b names the smaller one
    openai:MODEL       any OpenAI-compatible server at EXCHANGE_MODEL__BASE_URL (vLLM, a llama.cpp
                       server elsewhere, a hosted API; EXCHANGE_MODEL__API_KEY)
    ollama:MODEL       an Ollama server's OpenAI-compatible API (default http://127.0.0.1:11434/v1)
    none               no model: the passages are quoted as the documents word them

Every kind goes through the same client (client.py) and the same line of questions (gate.py).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel

from assistant.backends.client import ChatClient, ModelUnavailable
from assistant.backends.gate import Gate
from assistant.backends.server import LocalServer
from assistant.config import Settings
from assistant.errors import AssistantError

__all__ = ["ChatClient", "ModelBackend", "ModelStatus", "ModelUnavailable", "make_backend", "kind"]


class ModelStatus(BaseModel):
    """What the page and the CLI say about the model."""

    state: str  # off | starting | ready | restarting | failed
    reason: str | None = None
    label: str
    pid: int | None = None
    log_file: str | None = None


class ModelBackend:
    """A chat model behind an OpenAI-compatible API, with one line of questions for it."""

    def __init__(
        self, client: ChatClient, label: str, server: LocalServer | None = None, slots: int = 1
    ) -> None:
        self.client = client
        self.label = label
        self.server = server
        self.gate = Gate(slots)

    def start(self) -> None:
        if self.server is not None:
            self.server.start()

    def ready(self, wait: float = 0.0) -> bool:
        """Whether the model can take a question now, waiting up to `wait` seconds for a local
        server that is starting (it is started if it is not running)."""
        if self.server is None:
            return True
        if self.server.status().state == "off":
            self.server.start()
        if self.server.ready:
            return True
        return self.server.wait_ready(wait) if wait > 0 else False

    def status(self) -> ModelStatus:
        if self.server is None:
            return ModelStatus(state="ready", label=self.label)
        s = self.server.status()
        return ModelStatus(
            state=s.state, reason=s.reason, label=self.label, pid=s.pid, log_file=s.log_file
        )

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


def kind(settings: Settings) -> str:
    """'none', 'local', 'openai' or 'ollama'."""
    k = settings.llm.split(":", 1)[0].strip().lower()
    return "none" if k in ("none", "extractive") else k


def local_key(settings: Settings) -> str | None:
    """The local model EXCHANGE_LLM names ('local' alone: the default), or None."""
    if kind(settings) != "local":
        return None
    from assistant.backends.catalog import DEFAULT

    _, _, name = settings.llm.partition(":")
    return name.strip().lower() or DEFAULT


def make_backend(settings: Settings, opening: list[dict] | None = None) -> ModelBackend | None:
    """The backend EXCHANGE_LLM names; None for `none`. Nothing starts until `start` or the
    first question. A local server reads `opening` (the chat every question starts with) as
    its start-up check, so that it is in the prompt cache before the first question."""
    k = kind(settings)
    if k == "none":
        return None
    r = settings.reading
    if k == "local":
        return _local(settings, opening)
    name = settings.llm.split(":", 1)[1].strip()
    if k == "openai":
        if not settings.model.base_url:
            raise AssistantError("EXCHANGE_LLM=openai:MODEL needs EXCHANGE_MODEL__BASE_URL.")
        base = settings.model.base_url
    else:  # ollama
        base = (settings.model.base_url or "http://127.0.0.1:11434").rstrip("/")
        base = base if base.endswith("/v1") else base + "/v1"
    key = settings.model.api_key.get_secret_value() if settings.model.api_key else None
    client = ChatClient(
        base, name, api_key=key, timeout=settings.model.timeout_s, max_tokens=r.max_tokens
    )
    return ModelBackend(client, f"{name} at {base}", slots=r.remote_slots)


def _local(settings: Settings, opening: list[dict] | None) -> ModelBackend:
    from assistant.backends import runtime
    from assistant.backends.catalog import model_for

    key = local_key(settings)
    model = model_for(key)
    s = settings.server

    def binary() -> Path:
        found = runtime.find_server(s.binary)
        if found is None:
            where = s.binary or runtime.default_prefix() / "bin" / runtime.SERVER
            raise AssistantError(
                f"The local model runtime is not installed ({where} is missing); run "
                "`make setup`, or set EXCHANGE_LLM=none to answer from quotes."
            )
        return found

    def gguf() -> Path:
        from assistant.backends.catalog import local_model_path

        path = local_model_path(settings, key)
        if not path.is_file():
            raise AssistantError(f"The local model file {path} does not exist.")
        return path

    server = LocalServer(
        binary,
        gguf,
        alias=model.key,
        threads=settings.model.threads,
        context=settings.model.context,
        host=s.host,
        port=s.port,
        start_timeout_s=s.start_timeout_s,
        max_restarts=s.max_restarts,
        restart_window_s=s.restart_window_s,
        log_dir=s.log_dir,
        warm_up=s.warm_up,
        opening=opening,
    )
    client = ChatClient(
        server.base_url,
        model.key,
        timeout=settings.model.timeout_s,
        max_tokens=settings.reading.max_tokens,
        on_failure=server.report_failure,
    )
    return ModelBackend(client, model.label, server=server)
