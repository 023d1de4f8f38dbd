"""Settings of the model that reads: where it runs, its server process, and how it reads."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr


class ModelSettings(BaseModel):
    """Where the model that reads runs, other than its name (EXCHANGE_MODEL__<FIELD>)."""

    cache: Path = Field(
        Path.home() / ".cache" / "exchange-assistant" / "models",
        description="Folder where the local model's parts are assembled into one GGUF file.",
    )
    base_url: str | None = Field(
        None, description="Base URL of an OpenAI-compatible or Ollama server."
    )
    api_key: SecretStr | None = Field(
        None, description="API key for an OpenAI-compatible server; never logged or shown."
    )
    path: Path | None = Field(
        None,
        description="A GGUF file for the local backend; empty means the model named by "
        "EXCHANGE_LLM (local = Qwen2.5 1.5B).",
    )
    timeout_s: float = Field(
        30.0,
        gt=0,
        le=3600,
        allow_inf_nan=False,
        description="Seconds to wait for a model before falling back.",
    )
    context: int = Field(
        2048, ge=128, le=1_000_000, description="Context window of the local model, in tokens."
    )
    threads: int = Field(
        2, ge=1, le=1024, description="CPU threads of the local model (one thread pool)."
    )


class ServerSettings(BaseModel):
    """The local model's server process (EXCHANGE_SERVER__<FIELD>)."""

    binary: Path | None = Field(
        None,
        description="The llama-server executable; empty means the one `make setup` builds into "
        "the virtual environment (.venv/llama.cpp/bin), else one on PATH.",
    )
    host: str = Field("127.0.0.1", description="Address the model server listens on.")
    port: int | None = Field(
        None, ge=1, le=65535, description="Port of the model server; empty means a free one."
    )
    start_timeout_s: float = Field(
        180.0,
        gt=0,
        le=3600,
        allow_inf_nan=False,
        description="Seconds the model may take to load and read its start-up prompt.",
    )
    max_restarts: int = Field(
        3,
        ge=0,
        le=1000,
        description="Restarts after crashes within restart_window_s before the model is left "
        "down (answers then quote the documents).",
    )
    restart_window_s: float = Field(
        600.0, gt=0, le=86_400, allow_inf_nan=False, description="See max_restarts."
    )
    log_dir: Path = Field(
        Path.home() / ".cache" / "exchange-assistant" / "logs",
        description="Folder of the model server's log (llama-server-PORT.log; the previous "
        "run's log is kept beside it).",
    )
    warm_up: bool = Field(
        True,
        description="Read a prompt of a few hundred tokens before the server counts as ready, "
        "so that a runtime that crashes on this CPU fails at start-up, not on a question; it "
        "is the opening every question shares, left in the server's prompt cache.",
    )


class ReadingSettings(BaseModel):
    """How the model reads the passages (EXCHANGE_READING__<FIELD>)."""

    budget_words: int = Field(
        150,
        ge=20,
        le=20_000,
        description="Most words of passages the model reads for one question (whole chunks "
        "where they fit, else their best window); bounds the time to the first word.",
    )
    max_sources: int = Field(4, ge=1, le=20, description="Most passages the model reads.")
    granularity: Literal["passages", "chunks"] = Field(
        "chunks",
        description="What the model reads: 'chunks', whole chunks in the ranker's order (a "
        "chunk that does not fit gives its best window); 'passages', the quote path's chosen "
        "passages first and then whole chunks while the budget lasts.",
    )
    max_tokens: int = Field(
        160, ge=8, le=4096, description="Longest reply of the model to one read, in tokens."
    )
    sentence_entailed_floor: float = Field(
        0.65,
        ge=0,
        le=1,
        allow_inf_nan=False,
        description="The model's sentence is shown only if its own P(Yes) that the cited "
        "passage states it reaches this (when that read was asked); below, the documents' "
        "words open the answer. Chosen on the dev answers of qwen2.5-1.5b (README).",
    )
    settle_early: bool = Field(
        True,
        description="Skip the second short read (does the cited passage state the sentence?) "
        "when the question is declined whatever it says (an answer that shows the model's "
        "sentence always takes it); `make evals-dev` turns it off, so that every dev case "
        "records what it says for calibrate-decision.",
    )
    max_wait_s: float = Field(
        60.0,
        ge=0,
        le=3600,
        allow_inf_nan=False,
        description="Longest wait for a turn at the model when others are ahead; after it the "
        "question is answered from quotes, never dropped.",
    )
    load_wait_s: float = Field(
        180.0,
        ge=0,
        le=3600,
        allow_inf_nan=False,
        description="How long the CLI and the evals wait for the local model to load before "
        "answering from quotes (the web UI never waits: it quotes until the model is ready).",
    )
    remote_slots: int = Field(
        4, ge=1, le=1024, description="Questions a remote model server is given at once."
    )
