"""One settings object for every knob; each field reads from an EXCHANGE_* variable.

The groups live by concern: answering.py (index, retrieval, answer), model.py (model, server,
reading), ui.py (the page).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.config.answering import AnswerSettings, IndexSettings, RetrievalSettings
from assistant.config.model import ModelSettings, ReadingSettings, ServerSettings
from assistant.config.ui import UISettings

__all__ = [
    "AnswerSettings",
    "IndexSettings",
    "ModelSettings",
    "ReadingSettings",
    "RetrievalSettings",
    "ServerSettings",
    "Settings",
    "UISettings",
]


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
