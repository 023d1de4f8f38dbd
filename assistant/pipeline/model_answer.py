"""The default answer path: the model reads the chosen passages, then the assistant answers from
what it read.

    sources (streamed at once) -> a turn at the model (waiters see their place) -> one read
    (judge, quote, sentence) -> a second short read (does the passage state the sentence?),
    unless the outcome is the same whatever it says -> decide -> the sentence, checked, then
    what the documents add to it in their own words -> Answer

Whatever happens to the model (not loaded yet, crashed, hung, too many people ahead), the
question is answered by the quote path with a one-line note saying why.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

from pydantic import BaseModel, Field

from assistant.backends import ModelBackend, ModelUnavailable
from assistant.config import Settings
from assistant.pipeline.decide import DecisionModel, Signals, settled
from assistant.pipeline.grounding import (
    Located,
    ground_beside,
    grounded,
    locate,
    locate_meaning,
    similarity,
    values_supported,
)
from assistant.pipeline.reading import Reader, Reading, Source
from assistant.pipeline.sources import select
from assistant.text.overlap import restates, words
from assistant.text.sentences import split_sentences
from assistant.types import Answer, Citation, Draft, Highlight, Query

# The model's sentence is shown when it is this close (e5) to the words it quoted; below, the
# quoted sentence itself opens the answer. Overridden by calibration when fitted.
DEFAULT_SENTENCE_FLOOR = 0.80


class Fallback:
    """Why an answer came from the quote path instead of the model (the note shown)."""

    LOADING = "The local model is still loading; this answer quotes the documents."
    BUSY = "Many questions are waiting for the model; this answer quotes the documents."
    DOWN = "The model is not available ({reason}); this answer quotes the documents."
    STOPPED = "The model stopped ({reason}); this answer quotes the documents."


class ModelAnswerer:
    def __init__(
        self,
        backend: ModelBackend,
        scorer,
        decision: DecisionModel,
        settings: Settings,
        *,
        sentence_floor: float = DEFAULT_SENTENCE_FLOOR,
        wait_for_load: float = 0.0,
    ) -> None:
        self.backend = backend
        self.reader = Reader(backend.client, max_tokens=settings.reading.max_tokens)
        self.scorer = scorer
        self.decision = decision
        self.settings = settings
        self.sentence_floor = sentence_floor
        self.entailed_floor = settings.reading.sentence_entailed_floor
        self.wait_for_load = wait_for_load

    def stream(
        self,
        q: Query,
        draft: Draft,
        quotes: Callable[[str | None], Answer],
        decline: Callable[[str, dict], Answer],
        language_name: str,
    ) -> Iterator[Answer]:
        """Streams the answer: the sources, the waiting and reading states, the answer.

        `quotes(note)` gives the quote path's answer; `decline(outcome, extra)` the answer
        that says the documents do not answer."""
        timings = q.timings_ms
        r = self.settings.reading
        sources = self.sources(draft)
        if not sources:
            yield decline("not_covered", {"mode": "model"})
            return
        shown = _citations(sources, draft)
        pending = Answer(answer="", abstained=False, status="reading", sources=shown, mode="model")
        if not self.backend.ready(self.wait_for_load):
            status = self.backend.status()
            if status.state in ("starting", "restarting"):
                yield quotes(Fallback.LOADING)
            else:
                yield quotes(Fallback.DOWN.format(reason=_clause(status.reason)))
            return
        ticket = self.backend.gate.enter()
        try:
            # The wait counts from the question's arrival, so the setting bounds what a person
            # waits before the answer starts; and a question whose turn cannot come within it,
            # by the turns measured so far, gets its quotes now rather than at the end of it.
            while not ticket.wait(0):
                waited = time.perf_counter() - q.started
                if waited + ticket.expected_wait() > r.max_wait_s:
                    yield quotes(Fallback.BUSY)
                    return
                yield pending.model_copy(update={"status": "waiting", "ahead": ticket.ahead()})
                ticket.wait(0.25)
            yield pending.model_copy(update={"timings_ms": dict(timings)})
            question, earlier = self.asked(q)
            try:
                reading = self.reader.read(sources, question, earlier, language_name)
            except ModelUnavailable as exc:
                yield quotes(Fallback.STOPPED.format(reason=exc))
                return
            timings["read"] = reading.ms
            if reading.first_token_ms is not None:
                timings["model_first_token"] = round(
                    timings.get("sources", 0.0) + reading.first_token_ms, 1
                )
            located = self._locate(reading, sources)
            written_in = q.language or "en"  # the model writes in the question's language
            signals = self.signals(question, draft, reading, located, sources, written_in)
            decided = entailed = None
            checked = bool(reading.sentence and located is not None)
            if checked and r.settle_early:
                # The second read matters when its answer could change the outcome, and for
                # every answer that may show the model's sentence: a sentence it doubts is not
                # shown. So it is skipped only for a question declined, or answered partly
                # (which never states the sentence), whatever it says.
                decided = settled(self.decision, signals, "entailed")
                if decided is not None and decided[0] == "answered":
                    decided = None
            if checked and decided is None:
                try:
                    entailed = self.reader.supports(
                        sources, question, reading.sentence, located.n, earlier
                    )
                except ModelUnavailable as exc:
                    yield quotes(Fallback.STOPPED.format(reason=exc))
                    return
                signals = signals.model_copy(update={"entailed": entailed})
            written = Written(reading=reading, entailed=entailed, language=written_in)
            outcome, p = decided or self.decision.decide(signals)
            extra = {
                "mode": "model",
                "judged": round(reading.judged, 4),
                "signals": {k: round(v, 4) for k, v in signals.model_dump().items()},
                "entailment_read": (decided is None) if checked else None,
                "model_reply": reading.text,
                "support": round(p, 4),
            }
            if outcome == "not_covered" or located is None:
                if located is not None:  # what it would have said, for the eval reports
                    extra["draft_answer"] = self._compose(
                        written, located, sources, draft, None, language_name
                    ).answer
                yield decline("not_covered", extra)
                return
            # A partial answer is one the decision did not trust the model's sentence to give:
            # the documents' words say what they do hold, and the sentence is not stated.
            stated = outcome != "partial"
            answer = self._compose(written, located, sources, draft, None, language_name, stated)
            if outcome == "partial":
                # What the documents say is checked and shown now; what they leave out takes
                # one more short read.
                yield answer.model_copy(update={"status": "writing", "sources": shown})
                try:
                    read = self.reader.gap(sources, question, earlier, language_name)
                    gap, extra["gap_read"] = read.named, read.said
                except ModelUnavailable:
                    gap = None
                # without words that name it, the answer still says that part is missing
                answer = self._compose(
                    written, located, sources, draft, gap or UNNAMED_GAP, language_name, stated
                )
        finally:
            ticket.release()
        timings["first_token"] = _ms(q.started)
        timings["total"] = timings["first_token"]
        yield answer.model_copy(update={"outcome": outcome, "timings_ms": dict(timings), **extra})

    def sources(self, draft: Draft) -> list[Source]:
        """The numbered passages the model reads for this draft, as the settings choose them."""
        r = self.settings.reading
        return select(draft, r.budget_words, r.max_sources, r.granularity)

    @staticmethod
    def asked(q: Query) -> tuple[str, list[str]]:
        """What the model is asked: the question as the pipeline read it, and the question of
        the turn before (a follow-up is read with it)."""
        return q.asked or q.question, [t.question for t in q.turns[-1:]]

    def read_messages(self, q: Query, sources: list[Source], language_name: str) -> list[dict]:
        """The chat of the main read of this question over these sources."""
        question, earlier = self.asked(q)
        return self.reader.read_messages(sources, question, earlier, language_name)

    # -- reading the reading -------------------------------------------------------------

    def _locate(self, reading: Reading, sources: list[Source]) -> Located | None:
        if not reading.said_yes and reading.judged < 0.5:
            return None
        prefer = reading.quote_n or (reading.sentence_n[0] if reading.sentence_n else None)
        found = locate(reading.quote, sources, prefer)
        if found is None or found.score < 0.6 or not found.support:
            return locate_meaning(reading.sentence, sources, self.scorer)
        return found

    def signals(
        self,
        question: str,
        draft: Draft,
        reading: Reading,
        located: Located | None,
        sources: list[Source],
        language: str = "en",
        entailed: float = 0.0,
    ) -> Signals:
        """The decision's signals. `language`: the ISO code of the language the model wrote
        its sentence in."""
        relevance = support = carried = echo = 0.0
        # what the model read: a number it found in a passage's heading is in the documents
        read = " ".join(f"{s.heading} {s.text}" for s in sources)
        if reading.sentence:
            echo = float(self.scorer.score(question, [reading.sentence])[0])
        if located is not None:
            quoted = " ".join(located.support)
            relevance = float(self.scorer.score(question, [quoted])[0])
            if reading.sentence:
                support = similarity(self.scorer, reading.sentence, quoted)
                first = next(iter(split_sentences(reading.sentence)), "")
                source = next(s for s in sources if s.n == located.n)
                if first.strip():
                    carried = float(self._carrier(first, located, source, language) is not None)
        return Signals(
            judged=reading.judged,
            said_yes=float(reading.said_yes),
            quoted=located.score if located is not None else 0.0,
            quote_relevance=relevance,
            echo=echo,
            sentence_support=support,
            carried=carried,
            support=draft.support,
            best=float(draft.features.get("best", 0.0)),
            entailed=entailed,
            invented=float(
                bool(reading.sentence) and not values_supported(reading.sentence, read, language)
            ),
            **reading.certainty.model_dump(),
        )

    def _carrier(
        self, sentence: str, located: Located, source: Source, language: str
    ) -> str | None:
        """What carries one of the model's sentences: "" when the words it quoted do, the unit
        beside them that does, or None when neither does (the sentence is not shown)."""
        grounds = [*located.support, " ".join(located.support)]
        if grounded(self.scorer, sentence, grounds, self.sentence_floor, language):
            return ""
        return ground_beside(
            self.scorer, sentence, source, located.support, self.sentence_floor, language
        )

    def _compose(
        self,
        written: Written,
        located: Located,
        sources: list[Source],
        draft: Draft,
        gap: str | None,
        language_name: str,
        stated: bool = True,
    ) -> Answer:
        """One direct sentence, then at most two sentences of support in the documents' words,
        all citing the passage the words come from. `stated`: whether the model's sentence may
        open the answer (not in a partial one)."""
        source = next(s for s in sources if s.n == located.n)
        chunk = next(e.chunk for e in draft.evidence if e.chunk.id == source.chunk_id)
        support = list(located.support)
        chosen = next((p for p in draft.passages if p.chunk_id == source.chunk_id), None)
        if chosen is not None:
            # The model points into a passage the ranker chose: its support is the sentences
            # the ranker marked as carrying the answer (a list whole, with its lead-in), in the
            # documents' words, and the words the model quoted when they are elsewhere.
            marked = [chosen.sentences[i] for i in chosen.highlighted] or chosen.sentences[:1]
            text = " ".join(marked)
            extra = [u for u in support if u not in text]
            support = [text, *extra[:1]] if len(marked) == 1 else [text]
        # The model may write more than one sentence: each is checked on its own and shown
        # only if the documents' words carry it, so no sentence goes out unchecked or uncited.
        # e5 does not see a negation ("Yes, students pay tuition" over "... waives tuition"),
        # so a sentence the model itself doubts the passage states is not shown either.
        reading = written.reading
        sentences = list(split_sentences(reading.sentence)) if reading.sentence and stated else []
        doubted = written.entailed is not None and written.entailed < self.entailed_floor
        kept: list[str] = []
        beside: list[str] = []  # units beside the quoted words that carry a kept sentence
        for s in (w for w in sentences if w.strip() and not doubted):
            unit = self._carrier(s, located, source, written.language)
            if unit is None:
                break  # what follows may lean on it ("They ..."): the checked start is kept
            if unit:
                beside.append(unit)
            kept.append(_end(s))
        # The documents' words follow, those that carry a sentence the quoted words did not
        # first, each unless it only says again what the answer already says (each fact once).
        shown = list(dict.fromkeys([*beside, *support]))
        parts = [f"{s} [1]" for s in kept]
        said = {w for s in kept for w in words(s)}
        for unit in shown:
            for s in split_sentences(unit):
                if s.strip() and not restates(s, said):
                    parts.append(f"{s} [1]")
                    said.update(words(s))
        missing = f"Not in the documents: {gap}." if gap else None
        if missing:
            parts.append(missing)
        citation = Citation.of(chunk, 1, " ".join(shown))
        first = parts[0].removesuffix(" [1]")
        return Answer(
            answer=" ".join(parts),
            abstained=False,
            citations=[citation],
            highlights=[Highlight(n=1, text=first)],
            mode="model",
            missing=missing,
            note=None if kept or not sentences else CHECKED_NOTE,
        )


class Written(BaseModel):
    """The model's reading with what its second read said of its sentence (None: not asked,
    since the outcome was settled without it, or no sentence)."""

    reading: Reading
    entailed: float | None = None
    language: str = Field("en", description="ISO code of the language the model wrote in.")


# What a partial answer says is missing when the model's words for it do not name a part of
# the question.
UNNAMED_GAP = "the rest of what was asked"

CHECKED_NOTE = (
    "The model's own sentence did not match the documents closely enough, so the answer "
    "quotes them."
)


def _citations(sources: list[Source], draft: Draft) -> list[Citation]:
    chunks = {e.chunk.id: e.chunk for e in draft.evidence}
    return [Citation.of(chunks[s.chunk_id], s.n) for s in sources]


def _end(sentence: str) -> str:
    sentence = sentence.strip()
    return sentence if sentence[-1:] in ".!?。" else sentence + "."


def _clause(reason: str | None) -> str:
    text = (reason or "not running").strip().rstrip(".")
    return text[:1].lower() + text[1:]


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 1)
