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

from assistant.index.lexical import tokenize

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
    """Stands in for assistant.index.embeddings.Embedder: the same methods, hashed bags of words."""

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
    """Stands in for index.passage_scorer.PassageScorer: cosine of hashed bags of words."""

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


class FakeJudge:
    """The local model's yes/no judge, by word overlap: the sources answer a question when
    they share most of its content words (or the question contains a key of `answerable`),
    and a source supports a statement when it contains most of the statement's words.
    Records every call, so that tests can see what was judged."""

    def __init__(self, answerable: dict[str, float] | None = None, default: float | None = None):
        import threading

        self.lock = threading.Lock()
        self.answerable = answerable or {}
        self.default = default
        self.calls: list[tuple[str, str]] = []

    @staticmethod
    def _share(text: str, source: str) -> float:
        from assistant.index.lexical import content_words

        words = set(content_words(text))
        if not words:
            return 0.0
        return len(words & set(content_words(source))) / len(words)

    def answers(self, sources, question: str) -> float:
        self.calls.append(("answers", question))
        for key, p in self.answerable.items():
            if key in question:
                return p
        if self.default is not None:
            return self.default
        joined = " ".join(s.text for s in sources)
        return 0.9 if self._share(question, joined) >= 0.5 else 0.1

    def supports(self, sources, question: str, statement: str, n: int) -> float:
        self.calls.append(("supports", statement))
        return 0.9 if self._share(statement, sources[n - 1].text) >= 0.75 else 0.1


# What the fake chat server says to "who coordinates" (tests/fake_model_server.py rules): one
# reply in the form the read prompt asks for.
COORDINATOR_READING = (
    "Yes\nAnswer: The project coordinator at LUMC is Maria Yazdanbakhsh [1].\n"
    'Quote [1]: "The project coordinator at LUMC is Maria Yazdanbakhsh"'
)
