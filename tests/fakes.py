"""Deterministic fakes for tests: a chat model, an embedder and a passage scorer.

The embedder and the scorer hash the words of a text (the project's own tokenizer: lower case,
stop words out, stems) into a fixed number of buckets and normalise the counts, so texts that
share words are similar and texts that share none are not. They load nothing and run in
microseconds, so most tests need no real model.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from assistant.lexical import tokenize

DIMS = 256


def _bucket(word: str, dims: int) -> int:
    # hashlib, not hash(): str hashes change from one process to the next.
    return 1 + int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "big") % (
        dims - 1
    )


def bag_of_words(text: str, dims: int = DIMS) -> np.ndarray:
    """A unit vector of hashed word counts. A text with no words points along dimension 0,
    which no word uses, so it is similar to no text with words and never a zero vector."""
    vec = np.zeros(dims, dtype=np.float32)
    for word in tokenize(text):
        vec[_bucket(word, dims)] += 1.0
    if not vec.any():
        vec[0] = 1.0
    return vec / np.linalg.norm(vec)


class _LangChainView(Embeddings):
    """The fake as LangChain `Embeddings` (what `Embedder.langchain` is for the real one)."""

    def __init__(self, owner: FakeEmbedder) -> None:
        self.owner = owner

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.owner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.owner.embed_query(text)


class FakeEmbedder:
    """Stands in for assistant.embeddings.Embedder: the same methods, hashed bags of words."""

    def __init__(self, dims: int = DIMS) -> None:
        self.dims = dims
        self.embedded = 0  # documents embedded, for tests that count work
        self.queries = 0

    @property
    def langchain(self) -> Embeddings:
        return _LangChainView(self)

    def warm_up(self) -> None:
        pass

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded += len(texts)
        return [bag_of_words(t, self.dims).tolist() for t in texts]

    def embed_query(self, text: str) -> list[float]:
        self.queries += 1
        return bag_of_words(text, self.dims).tolist()


class FakeScorer:
    """Stands in for assistant.passage_scorer.PassageScorer: cosine of hashed bags of words."""

    def __init__(self, dims: int = DIMS) -> None:
        self.dims = dims
        self.scored = 0  # passages scored, for tests that count work

    def warm_up(self) -> None:
        pass

    def query(self, text: str) -> np.ndarray:
        return bag_of_words(text, self.dims)

    def queries(self, texts: list[str]) -> np.ndarray:
        return np.vstack([self.query(t) for t in texts]) if texts else np.zeros((0, self.dims))

    def passages(self, texts: list[str]) -> np.ndarray:
        return (
            np.vstack([bag_of_words(t, self.dims) for t in texts])
            if texts
            else np.zeros((0, self.dims), dtype=np.float32)
        )

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return self.passages(texts)

    def score(self, query: str, passages: list[str]) -> np.ndarray:
        self.scored += len(passages)
        if not passages:
            return np.zeros(0, dtype=np.float32)
        return self.passages(passages) @ self.query(query)


class RuleChatModel(BaseChatModel):
    """Replies with the text of the first rule whose key occurs in the prompt; streams it word
    by word. A stand-in for a real model that answers what it is asked."""

    rules: list[tuple[str, str]]
    default: str = "NOT FOUND"

    @property
    def _llm_type(self) -> str:
        return "rule-fake"

    def _reply(self, messages) -> str:
        prompt = str(messages[-1].content)
        return next((reply for key, reply in self.rules if key in prompt), self.default)

    def _generate(self, messages, stop=None, run_manager=None, **kwargs: Any) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=AIMessage(self._reply(messages)))])

    def _stream(self, messages, stop=None, run_manager=None, **kwargs: Any):
        words = self._reply(messages).split(" ")
        for i, word in enumerate(words):
            yield ChatGenerationChunk(
                message=AIMessageChunk(content=word + (" " if i < len(words) - 1 else ""))
            )
