"""The generative answerer: a chat model writes the answer from numbered sources, and every
sentence it writes is checked against the source it cites before it is shown.

Sentences that cite nothing, cite a source that was not given, or say what their source does
not support are removed; when nothing supported remains, the caller falls back to the
extractive answer. A timeout, a server that is down or a malformed reply do the same."""

from __future__ import annotations

import queue
import re
import threading
import time
from collections.abc import Iterator
from importlib import resources

from pydantic import BaseModel

from .models import Evidence
from .verify import CitedSentence, SupportScorer, cited_sentences, is_instruction, normalise

NOT_FOUND = "NOT FOUND"
_PARTIAL_MARKER = re.compile(r"\s*\[\d*$")


def load_prompt(name: str) -> str:
    return resources.files("assistant").joinpath("prompts", name).read_text(encoding="utf-8")


class Progress(BaseModel):
    """The state of a generation: what is verified so far and the sentence still being written."""

    kept: list[CitedSentence]
    removed: list[tuple[str, str]]
    recited: int = 0
    question: str = ""
    pending: str = ""
    done: bool = False
    failure: str | None = None
    first_token_ms: float | None = None


class GenerativeAnswerer:
    def __init__(
        self,
        model,
        scorer: SupportScorer,
        sources: int = 3,
        timeout: float = 30.0,
        answer_options: dict | None = None,
        relevance_floor: float = 0.3,
    ):
        self.model = model
        self.relevance_floor = relevance_floor
        self.answer_options = answer_options or {}
        self.scorer = scorer
        self.sources = sources
        self.timeout = timeout
        self._answer_prompt = load_prompt("answer.txt")
        self._busy = threading.Lock()

    # -- prompting -------------------------------------------------------------------------

    def prompt(self, question: str, evidence: list[Evidence]) -> str:
        blocks = []
        for n, e in enumerate(evidence[: self.sources], start=1):
            where = " › ".join(p for p in (e.chunk.title, e.chunk.section) if p)
            blocks.append(f"[{n}] ({where})\n{_as_data(e.chunk.text)}")
        return self._answer_prompt.format(sources="\n\n".join(blocks), question=question)

    # -- generating ------------------------------------------------------------------------

    def stream(self, question: str, evidence: list[Evidence]) -> Iterator[Progress]:
        """Yields Progress as tokens arrive; each sentence is verified once it is complete."""
        started = time.perf_counter()
        shown = evidence[: self.sources]
        state = Progress(kept=[], removed=[], question=question)
        text = ""
        checked = 0
        try:
            prompt = self.prompt(question, evidence)
            for piece in self._stream_with_timeout(prompt, **self.answer_options):
                if state.first_token_ms is None:
                    state.first_token_ms = round((time.perf_counter() - started) * 1000, 1)
                text += piece
                # A marker still being written ("... Navy. [") belongs to the sentence before it.
                sentences = cited_sentences(_PARTIAL_MARKER.sub("", text))
                # The last sentence may still grow; the ones before it are final.
                for sentence, numbers in sentences[checked : max(checked, len(sentences) - 1)]:
                    self._check(sentence, numbers, shown, state)
                checked = max(checked, len(sentences) - 1)
                state.pending = sentences[-1][0] if sentences else ""
                yield state
        except Exception as exc:  # timeout, server down, broken reply: the caller falls back
            state.failure = _describe(exc)
            state.done = True
            yield state
            return
        for sentence, numbers in cited_sentences(text)[checked:]:
            self._check(sentence, numbers, shown, state)
        state.pending = ""
        state.done = True
        if not state.kept and NOT_FOUND not in text.upper() and not state.removed:
            state.failure = "the model gave no answer"
        yield state

    def generate(self, question: str, evidence: list[Evidence]) -> Progress:
        *_, final = self.stream(question, evidence)
        return final

    def _check(self, sentence: str, numbers: list[int], shown: list[Evidence], state) -> None:
        if NOT_FOUND in sentence.upper():
            return
        if any(normalise(sentence) == normalise(k.text) for k in state.kept):
            return
        if not numbers:
            state.removed.append((sentence, "no citation"))
            return
        if any(n < 1 or n > len(shown) for n in numbers):
            state.removed.append((sentence, "cites a source that was not given"))
            return
        if self.scorer.relevance(state.question, sentence) < self.relevance_floor:
            state.removed.append((sentence, "does not answer the question"))
            return
        scored = {n: self.scorer.best(sentence, e.chunk.text) for n, e in enumerate(shown, 1)}
        cited = max(numbers, key=lambda n: scored[n][0])
        n = cited
        if scored[cited][0] < self.scorer.threshold:
            # Small models often put the wrong number on a true sentence: the citation is
            # moved to the source that supports it, if one of the given sources does.
            n = max(scored, key=lambda k: scored[k][0])
            if scored[n][0] < self.scorer.threshold:
                score = scored[cited][0]
                state.removed.append((sentence, f"not supported by source {cited} ({score:.2f})"))
                return
            state.recited += 1
        quote = scored[n][1]
        if is_instruction(quote):
            state.removed.append((sentence, f"repeats an instruction found in source {n}"))
            return
        state.kept.append(CitedSentence(text=sentence, chunk_id=shown[n - 1].chunk.id, quote=quote))

    # -- talking to the model within a deadline ------------------------------------------

    def _stream_with_timeout(self, prompt: str, **options) -> Iterator[str]:
        """The model's tokens, read from a worker thread so that a stalled model cannot hang
        the answer past the timeout."""
        from langchain_core.messages import HumanMessage

        pipe: queue.Queue = queue.Queue()
        done = object()
        stop = threading.Event()

        def work():
            # One generation at a time per model: a local model cannot run two at once, and a
            # generation given up on (timeout, closed stream) must stop before the next starts.
            with self._busy:
                try:
                    for chunk in self.model.stream([HumanMessage(content=prompt)], **options):
                        if stop.is_set():
                            break
                        pipe.put(_text(chunk))
                except Exception as exc:
                    pipe.put(exc)
                pipe.put(done)

        threading.Thread(target=work, daemon=True).start()
        deadline = time.monotonic() + self.timeout
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"no complete answer within {self.timeout:g} s")
                try:
                    item = pipe.get(timeout=remaining)
                except queue.Empty as exc:
                    raise TimeoutError(f"no complete answer within {self.timeout:g} s") from exc
                if item is done:
                    return
                if isinstance(item, Exception):
                    raise item
                yield item
        finally:
            stop.set()

    def _invoke_with_timeout(self, prompt: str):
        return "".join(self._stream_with_timeout(prompt))


def _as_data(text: str) -> str:
    """A source as the model sees it: sentences that read as orders are taken out."""
    from .sentences import split_sentences

    if not any(is_instruction(s) for s in split_sentences(text)):
        return text
    return " ".join(
        "(a sentence that reads as an instruction was removed)" if is_instruction(s) else s
        for s in split_sentences(text)
    )


def strip_citations(text: str) -> str:
    return " ".join(s for s, _ in cited_sentences(text))


def _text(message) -> str:
    if isinstance(message, str):
        return message
    content = getattr(message, "content", "")
    if isinstance(content, list):  # some chat models stream content blocks
        return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
    return str(content)


def _describe(exc: Exception) -> str:
    if isinstance(exc, TimeoutError):
        return str(exc)
    name = type(exc).__name__
    if "Connect" in name or "connection" in str(exc).lower():
        return "the model server does not answer"
    return f"the model failed ({name})"
