"""The generative answerer: a chat model writes the answer from numbered passages, and every
sentence it writes is checked against the passage it cites before anyone sees it.

Sentences that cite nothing, cite a passage that was not given, or say what their passage
does not support are removed; when nothing supported remains, the caller falls back to the
quoted answer. A timeout, a server that is down or a malformed reply do the same.

Two checkers: with the local model, its yes/no judge ("does source [n] say this?"), which reads
any language; otherwise an embedding check (verify.SupportScorer). The judge shares the model's
one context with the writer, so its checks run when the writing is done; the embedding checks
run as each sentence completes. Either way only checked sentences are shown."""

from __future__ import annotations

import queue
import re
import threading
import time
from collections.abc import Iterator

from pydantic import BaseModel

from .prompting import Prompts, Source
from .verify import (
    CitedSentence,
    SupportScorer,
    cited_sentences,
    is_instruction,
    normalise,
    strip_markers,
)

NOT_FOUND = "NOT FOUND"
# The written answer's last line when the passages answer only part of the question.
GAP_MARKER = re.compile(r"^\s*\**\s*not covered\s*\**\s*:\s*", re.I | re.M)
_PARTIAL_MARKER = re.compile(r"\s*\[\d*$")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")


class Progress(BaseModel):
    """The state of a generation: the sentences checked so far."""

    kept: list[CitedSentence]
    removed: list[tuple[str, str]]
    recited: int = 0
    gap: str | None = None  # what the model says the passages do not answer
    written: str = ""  # the model's text as it came (for the eval report, never shown)
    done: bool = False
    failure: str | None = None
    not_found: bool = False
    first_token_ms: float | None = None


class GenerativeAnswerer:
    def __init__(
        self,
        model,
        prompts: Prompts,
        scorer: SupportScorer,
        judge=None,
        timeout: float = 30.0,
        answer_options: dict | None = None,
        relevance_floor: float = 0.3,
        support_floor: float = 0.5,
        passage_scorer=None,
    ):
        self.model = model
        self.prompts = prompts
        self.scorer = scorer
        self.judge = judge
        self.timeout = timeout
        self.answer_options = answer_options or {}
        self.relevance_floor = relevance_floor
        self.support_floor = support_floor
        self.passage_scorer = passage_scorer  # multilingual (e5): picks the quote of a sentence
        self._busy = judge.lock if judge is not None else threading.Lock()

    # -- generating ------------------------------------------------------------------------

    def stream(
        self, question: str, sources: list[Source], language: str | None = None
    ) -> Iterator[Progress]:
        """Yields Progress as sentences are checked, then the final state (done=True)."""
        started = time.perf_counter()
        state = Progress(kept=[], removed=[])
        text = ""
        checked = 0
        try:
            messages = self.prompts.answer(sources, question, language)
            for piece in self._stream_with_timeout(messages, **self.answer_options):
                if state.first_token_ms is None:
                    state.first_token_ms = round((time.perf_counter() - started) * 1000, 1)
                text += piece
                if self.judge is not None:
                    continue  # the judge needs the model: it checks once the writing is done
                body, _ = _split_gap(_PARTIAL_MARKER.sub("", text))
                sentences = cited_sentences(body)
                # The last sentence may still grow; the ones before it are final.
                final = max(checked, len(sentences) - 1)
                before = len(state.kept) + len(state.removed)
                for sentence, numbers in sentences[checked:final]:
                    self._check(question, sentence, numbers, sources, state)
                checked = final
                if len(state.kept) + len(state.removed) != before:
                    yield state
        except Exception as exc:  # timeout, server down, broken reply: the caller falls back
            state.failure = _describe(exc)
            state.written = text
            state.done = True
            yield state
            return
        body, gap = _split_gap(text)
        for sentence, numbers in cited_sentences(body)[checked:]:
            self._check(question, sentence, numbers, sources, state)
        state.written = text
        state.not_found = NOT_FOUND in text.upper()
        state.gap = self._checked_gap(gap, sources, question) if state.kept else None
        state.done = True
        if not state.kept and not state.not_found and not state.removed:
            state.failure = "the model gave no answer"
        yield state

    def generate(self, question: str, sources: list[Source], language: str | None = None):
        *_, final = self.stream(question, sources, language)
        return final

    def _check(self, question, sentence, numbers, sources: list[Source], state) -> None:
        if NOT_FOUND in sentence.upper():
            return
        if any(normalise(sentence) == normalise(k.text) for k in state.kept):
            return
        if not numbers and self.judge is None:
            state.removed.append((sentence, "no citation"))
            return
        if any(n < 1 or n > len(sources) for n in numbers):
            state.removed.append((sentence, "cites a source that was not given"))
            return
        if self.judge is None and self.scorer.relevance(question, sentence) < self.relevance_floor:
            state.removed.append((sentence, "does not answer the question"))
            return
        # Small models often put the wrong number on a true sentence, or none: the sources it
        # cites are tried first, then the others; the citation goes to the first that supports
        # it. (Without the judge an uncited sentence was removed above: the embedding check is
        # too weak to attribute one.)
        order = list(dict.fromkeys([*numbers, *range(1, len(sources) + 1)]))
        for n in order:
            quote = self._supported(question, sentence, sources, n)
            if quote is None:
                continue
            if is_instruction(quote):
                state.removed.append((sentence, f"repeats an instruction found in source {n}"))
                return
            if n not in numbers:
                state.recited += 1
            state.kept.append(
                CitedSentence(text=sentence, chunk_id=sources[n - 1].chunk_id, quote=quote)
            )
            return
        cited = f"source {numbers[0]}" if numbers else "any source"
        state.removed.append((sentence, f"not supported by {cited}"))

    def _supported(self, question, sentence, sources: list[Source], n: int) -> str | None:
        """The passage's sentence that supports the written one, or None."""
        text = sources[n - 1].text
        if self.judge is None:
            score, quote = self.scorer.best(sentence, text)
            return quote if score >= self.scorer.threshold else None
        # A number the passage does not contain is never supported, in any language.
        if any(x not in text for x in _NUMBER.findall(sentence)):
            return None
        if self.judge.supports(sources, question, sentence, n) < self.support_floor:
            return None
        return self._closest_sentence(sentence, text)

    def _checked_gap(self, gap: str | None, sources: list[Source], question: str) -> str | None:
        """The model's note on what the passages do not answer, shown only when the judge
        agrees that they do not answer it. It must state no fact: no number the passages do
        not contain. Without the judge nothing can check it, so it is not shown."""
        if not gap or self.judge is None:
            return None
        gap = " ".join(strip_markers(gap).split()).strip(" .:")
        joined = " ".join(s.text for s in sources)
        if len(gap) < 3 or NOT_FOUND in gap.upper():
            return None
        if any(x not in joined for x in _NUMBER.findall(gap)):
            return None
        if self.judge.answers(sources, gap) >= self.support_floor:
            return None
        return gap[:300]

    def _closest_sentence(self, sentence: str, passage: str) -> str:
        """The passage sentence nearest the written one, in any language: its quote."""
        from .sentences import split_sentences

        candidates = list(split_sentences(passage)) or [passage]
        if self.passage_scorer is None or len(candidates) == 1:
            return candidates[0] if len(candidates) == 1 else passage
        scores = self.passage_scorer.score(sentence, candidates)
        return candidates[int(scores.argmax())]

    # -- talking to the model within a deadline ------------------------------------------

    def _stream_with_timeout(self, messages: list[dict], **options) -> Iterator[str]:
        """The model's tokens, read from a worker thread so that a stalled model cannot hang
        the answer past the timeout."""
        from langchain_core.messages import HumanMessage, SystemMessage

        chat = [
            SystemMessage(content=m["content"])
            if m["role"] == "system"
            else HumanMessage(content=m["content"])
            for m in messages
        ]
        pipe: queue.Queue = queue.Queue()
        done = object()
        stop = threading.Event()

        def work():
            # One generation at a time per model: a local model cannot run two at once, and a
            # generation given up on (timeout, closed stream) must stop before the next starts.
            with self._busy:
                try:
                    for chunk in self.model.stream(chat, **options):
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


def _split_gap(text: str) -> tuple[str, str | None]:
    """The answer's sentences, and the 'Not covered:' line after them if there is one."""
    m = GAP_MARKER.search(text)
    if not m:
        return text, None
    return text[: m.start()], text[m.end() :].strip() or None


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
