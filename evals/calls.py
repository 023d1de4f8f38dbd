"""The model's replies of an eval run, recorded and replayed.

A model run of the dev split takes over an hour on 2 cores; most changes worth measuring come
after the model has read (how the answer is composed, checked and decided). `Recorder` wraps the
model client of a run and keeps every reply, keyed by the call (its method, messages and
options); `Replayer` answers the same calls from the recording, with no model, so that a run of
the changed code takes minutes and differs from the recorded one only by the change. A call the
recording does not hold (the prompt changed) is a miss: it fails as a model that is down fails,
the answer quotes, and the count of misses says how much of the run was not a replay. Given a
live model client (`fallback`), a replay asks it for the calls it misses instead: a change to
one of several reads (a prompt of the gap read, say) is measured with only that read's calls
made anew.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

from assistant.backends.client import ModelUnavailable, Usage
from assistant.errors import AssistantError

FORMAT = 1


def call_key(method: str, messages: list[dict], **options) -> str:
    """The call's identity: the same method, messages and options give the same reply at
    temperature 0."""
    body = json.dumps([method, messages, options], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


class Recorder:
    """A model client that passes every call on and keeps its reply."""

    def __init__(self, client) -> None:
        self.client = client
        self.calls: dict[str, dict] = {}

    def __getattr__(self, name):  # last_usage, base_url, model, chat_model, ... of the client
        return getattr(self.client, name)

    def stream(self, messages, *, max_tokens=None, stop=None) -> Iterator[str]:
        key = call_key("stream", messages, max_tokens=max_tokens, stop=stop)
        pieces = ((t, None) for t in self.client.stream(messages, max_tokens=max_tokens, stop=stop))
        for text, _ in self._kept(key, pieces):
            yield text

    def stream_with_logprobs(self, messages, *, max_tokens=None, top=20):
        key = call_key("stream_with_logprobs", messages, max_tokens=max_tokens, top=top)
        pieces = self.client.stream_with_logprobs(messages, max_tokens=max_tokens, top=top)
        yield from self._kept(key, pieces)

    def _kept(self, key: str, pieces) -> Iterator[tuple[str, dict | None]]:
        # A reader that stops early (it has what it needs) cuts the stream: what it read is
        # kept, marked cut, and a replay that asks for more misses.
        got: list = []
        cut = True
        try:
            for piece in pieces:
                got.append(list(piece))
                yield piece
            cut = False
        finally:
            if cut and hasattr(pieces, "close"):
                pieces.close()  # the server's stream ends now, as it does without a recorder
            usage = Usage() if cut else self.client.last_usage
            self.calls[key] = {"pieces": got, "cut": cut, "usage": usage.model_dump()}

    def complete(self, messages, *, max_tokens=None, stop=None) -> str:
        text = self.client.complete(messages, max_tokens=max_tokens, stop=stop)
        key = call_key("complete", messages, max_tokens=max_tokens, stop=stop)
        self.calls[key] = {"text": text, "usage": self.client.last_usage.model_dump()}
        return text

    def yes_probability(self, messages) -> float:
        p = self.client.yes_probability(messages)
        key = call_key("yes_probability", messages)
        self.calls[key] = {"p": p, "usage": self.client.last_usage.model_dump()}
        return p

    def save(self, path: Path, about: dict) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"format": FORMAT, **about, "calls": self.calls}
        with gzip.open(path, "wt", encoding="utf-8") as f:
            json.dump(payload, f, ensure_ascii=False)
        return path


class Replayer:
    """A model client that answers from a recording and counts the calls it did not hold;
    with a `fallback` client, it asks that client for them (and counts them as asked)."""

    def __init__(
        self,
        calls: dict[str, dict],
        source: str = "a recording",
        mode: str | None = None,
        fallback=None,
    ) -> None:
        self.calls = calls
        self.source = source
        self.mode = mode  # the EXCHANGE_LLM of the recorded run
        self.fallback = fallback
        self.last_usage = Usage()
        self.replayed = 0
        self.missed = 0
        self.asked = 0

    @classmethod
    def load(cls, path: Path) -> Replayer:
        try:
            with gzip.open(path, "rt", encoding="utf-8") as f:
                payload = json.load(f)
        except (OSError, EOFError, ValueError) as exc:
            raise AssistantError(f"{path} is not a recording of model calls ({exc}).") from exc
        if not isinstance(payload, dict) or payload.get("format") != FORMAT:
            raise AssistantError(f"{path} is not a recording of model calls this version reads.")
        return cls(payload["calls"], source=str(path), mode=payload.get("mode"))

    @classmethod
    def load_all(cls, paths: list[Path]) -> Replayer:
        """One replayer over several recordings (a dev split recorded suite by suite): their
        calls together, all of one model's mode."""
        parts = [cls.load(p) for p in paths]
        modes = {p.mode for p in parts}
        if len(modes) > 1:
            raise AssistantError(
                "The recordings are of different models ("
                + ", ".join(sorted(str(m) for m in modes))
                + "); replay those of one model together."
            )
        calls = {k: v for p in parts for k, v in p.calls.items()}
        return cls(calls, source=" + ".join(p.source for p in parts), mode=parts[0].mode)

    def _held(self, key: str) -> dict | None:
        """The recorded call, or None when the fallback is to be asked instead."""
        call = self.calls.get(key)
        if self.fallback is not None and call is None:
            self.asked += 1
            return None
        if call is None:
            self.missed += 1
            raise ModelUnavailable(f"the call is not in {self.source}")
        self.replayed += 1
        self.last_usage = Usage(**call.get("usage", {}))
        return call

    def _asked(self, pieces, skip: int = 0) -> Iterator:
        """The fallback's reply, from its `skip`th piece on."""
        try:
            for i, piece in enumerate(pieces):
                if i >= skip:
                    yield piece
        finally:
            if hasattr(pieces, "close"):
                pieces.close()  # a reader that stops early ends the server's stream now
            self.last_usage = self.fallback.last_usage

    def stream(self, messages, *, max_tokens=None, stop=None) -> Iterator[str]:
        options = {"max_tokens": max_tokens, "stop": stop}

        def live():
            return ((t, None) for t in self.fallback.stream(messages, **options))

        for text, _ in self._reply(call_key("stream", messages, **options), live):
            yield text

    def stream_with_logprobs(self, messages, *, max_tokens=None, top=20):
        options = {"max_tokens": max_tokens, "top": top}

        def live():
            return self.fallback.stream_with_logprobs(messages, **options)

        yield from self._reply(call_key("stream_with_logprobs", messages, **options), live)

    def _reply(self, key: str, live) -> Iterator[tuple[str, dict | None]]:
        """The recorded pieces, or the fallback's (`live()`) when the call is not held. Where
        the recorded reader cut the reply short and this one reads on: the fallback's pieces
        past the recorded ones (it is asked the whole call; at temperature 0 its first pieces
        are those), or a miss with no fallback."""
        call = self._held(key)
        if call is None:
            yield from self._asked(live())
            return
        pieces = call["pieces"]
        yield from ((text, meta) for text, meta in pieces)
        if not call["cut"]:
            return
        self.replayed -= 1
        if self.fallback is None:
            self.missed += 1
            raise ModelUnavailable(f"the reply is cut short in {self.source}")
        self.asked += 1
        yield from self._asked(live(), skip=len(pieces))

    def complete(self, messages, *, max_tokens=None, stop=None) -> str:
        call = self._held(call_key("complete", messages, max_tokens=max_tokens, stop=stop))
        if call is None:
            text = self.fallback.complete(messages, max_tokens=max_tokens, stop=stop)
            self.last_usage = self.fallback.last_usage
            return text
        return call["text"]

    def yes_probability(self, messages) -> float:
        call = self._held(call_key("yes_probability", messages))
        if call is None:
            p = self.fallback.yes_probability(messages)
            self.last_usage = self.fallback.last_usage
            return p
        return call["p"]
