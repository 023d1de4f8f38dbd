"""Deterministic fakes for tests."""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult


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
