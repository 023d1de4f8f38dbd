"""Questions in another language, rewritten into English by the local model, so that the
English retrieval, passage choice and abstention read them as they read English questions.
The answer is still written in the asker's language (see chat.Assistant)."""

from __future__ import annotations

import re

from .prompting import load_prompt

_QUOTES = re.compile(r'^[\s"\'“”「」]+|[\s"\'“”「」]+$')


class Translator:
    def __init__(self, model, system: str, lock, max_tokens: int = 60) -> None:
        self.model = model
        self.system = system
        self.lock = lock  # the model's one context, shared with the judge and the writer
        self.max_tokens = max_tokens
        self._prompt = load_prompt("translate.txt").strip()

    def english(self, question: str) -> str | None:
        """The question in English, or None when the model gives nothing usable."""
        from langchain_core.messages import HumanMessage, SystemMessage

        messages = [
            SystemMessage(content=self.system),
            HumanMessage(content=self._prompt.format(question=question)),
        ]
        with self.lock:
            reply = self.model.invoke(messages, max_tokens=self.max_tokens)
        lines = [x for x in str(getattr(reply, "content", reply)).splitlines() if x.strip()]
        text = _QUOTES.sub("", " ".join(lines[0].split()) if lines else "")
        # A reply without Latin letters, or far longer than the question, is not a translation.
        if not re.search(r"[A-Za-z]{2}", text) or len(text) > 3 * len(question) + 40:
            return None
        return text
