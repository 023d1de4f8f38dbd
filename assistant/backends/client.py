"""One client for every model server that speaks the OpenAI chat API: the local llama.cpp server
this package starts, or a remote vLLM, Ollama or llama.cpp server.

It is LangChain's `ChatOpenAI` (so callbacks and tracing see every call), used three ways:
streaming a reply, a short completion, and a yes/no judgement read from the log-probabilities
of the first token (not sampled), which every one of those servers returns. Whatever goes
wrong on the way (no connection, a timeout, a reply cut off because the server died) becomes
`ModelUnavailable` with one sentence, and is reported to `on_failure` so that a supervisor can
restart a local server that hangs.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator

from pydantic import BaseModel

from assistant.errors import AssistantError


class ModelUnavailable(AssistantError):
    """The model could not give an answer now; the caller answers from quotes."""


class Usage(BaseModel):
    """Tokens of the last call: how many the prompt had, and how many the server had cached."""

    prompt_tokens: int = 0
    cached_tokens: int = 0
    completion_tokens: int = 0


class ChatClient:
    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key: str | None = None,
        timeout: float = 30.0,
        max_tokens: int = 160,
        on_failure: Callable[[str], None] | None = None,
    ) -> None:
        from langchain_openai import ChatOpenAI

        self.base_url = base_url
        self.model = model
        self.timeout = timeout
        self.on_failure = on_failure
        self.last_usage = Usage()
        self._chat = ChatOpenAI(
            model=model,
            base_url=base_url,
            api_key=api_key or "not-needed",
            timeout=timeout,
            max_retries=0,
            temperature=0.0,
            max_tokens=max_tokens,
            stream_usage=True,
        )

    @property
    def chat_model(self):
        """The LangChain chat model underneath."""
        return self._chat

    def stream(
        self, messages: list[dict], *, max_tokens: int | None = None, stop: list[str] | None = None
    ) -> Iterator[str]:
        """The reply's text as it comes."""
        for text, _ in self._stream(messages, _options(max_tokens, stop)):
            yield text

    def stream_with_logprobs(
        self, messages: list[dict], *, max_tokens: int | None = None, top: int = 20
    ) -> Iterator[tuple[str, dict | None]]:
        """The reply's text as it comes, each piece with its tokens' log-probabilities
        (`{"content": [{"token", "logprob", "top_logprobs": [...]}, ...]}`) when the server
        gives them."""
        options = {**_options(max_tokens, None), "logprobs": True, "top_logprobs": top}
        yield from self._stream(messages, options)

    def _stream(self, messages: list[dict], options: dict) -> Iterator[tuple[str, dict | None]]:
        usage = None
        try:
            for chunk in self._chat.stream(messages, **options):
                if chunk.usage_metadata:
                    usage = chunk.usage_metadata
                text = _text(chunk)
                if text:
                    yield text, chunk.response_metadata.get("logprobs")
        except GeneratorExit:
            # cut by the reader before the server reported usage: unknown, not the last call's
            self.last_usage = Usage()
            raise
        except Exception as exc:
            raise self._unavailable(exc) from exc
        self.last_usage = _usage(usage)

    def complete(
        self, messages: list[dict], *, max_tokens: int | None = None, stop: list[str] | None = None
    ) -> str:
        return "".join(self.stream(messages, max_tokens=max_tokens, stop=stop))

    def yes_probability(self, messages: list[dict]) -> float:
        """P(Yes) against P(No) for the reply's first token, from its log-probabilities."""
        try:
            reply = self._chat.bind(logprobs=True, top_logprobs=20, max_tokens=1).invoke(messages)
        except Exception as exc:
            raise self._unavailable(exc) from exc
        self.last_usage = _usage(reply.usage_metadata)
        p = yes_share(reply.response_metadata.get("logprobs"))
        if p is None:
            raise ModelUnavailable("The model server returned no log-probabilities.")
        return p

    def _unavailable(self, exc: Exception) -> ModelUnavailable:
        if isinstance(exc, ModelUnavailable):
            return exc
        reason = describe(exc, self.timeout)
        if self.on_failure is not None:
            self.on_failure(reason)
        return ModelUnavailable(reason)


def yes_share(logprobs: dict | None) -> float | None:
    """P(Yes) against P(No) among the first token's likely alternatives; None when the server
    gave no log-probabilities. Neither word among them gives 0.5: no evidence either way."""
    content = (logprobs or {}).get("content") if isinstance(logprobs, dict) else None
    if not content:
        return None
    yes = no = 0.0
    for item in content[0].get("top_logprobs") or []:
        word = str(item.get("token", "")).strip().lower()
        p = math.exp(float(item.get("logprob", -math.inf)))
        if word == "yes":
            yes += p
        elif word == "no":
            no += p
    return 0.5 if yes + no == 0.0 else yes / (yes + no)


def describe(exc: Exception, timeout: float) -> str:
    """One clause for what went wrong with a model server."""
    name = type(exc).__name__
    text = str(exc).lower()
    if "timeout" in name.lower() or "timed out" in text:
        return f"the model did not answer within {timeout:g} s"
    if "connect" in name.lower() or "connection" in text:
        return "the model server does not answer"
    if "peer closed" in text or "incomplete" in text or "remoteprotocol" in name.lower():
        return "the model server stopped while answering"
    status = getattr(exc, "status_code", None)
    if status:
        return f"the model server refused the request (HTTP {status})"
    return f"the model failed ({name})"


def _options(max_tokens: int | None, stop: list[str] | None) -> dict:
    options: dict = {}
    if max_tokens is not None:
        options["max_tokens"] = max_tokens
    if stop:
        options["stop"] = stop
    return options


def _text(chunk) -> str:
    content = getattr(chunk, "content", "")
    if isinstance(content, list):  # some servers stream content blocks
        return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
    return str(content or "")


def _usage(meta) -> Usage:
    if not meta:
        return Usage()
    details = meta.get("input_token_details") or {}
    return Usage(
        prompt_tokens=int(meta.get("input_tokens") or 0),
        cached_tokens=int(details.get("cache_read") or 0),
        completion_tokens=int(meta.get("output_tokens") or 0),
    )
