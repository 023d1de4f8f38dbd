"""Assistant: the one entry point. CLI, UI and evals all ask through it.

The pipeline is a LangChain runnable (condense | retrieve | answer | verify) over a state dict,
so `.invoke`, `.stream`, `.batch` and callbacks work; it returns the pydantic Answer.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from langchain_core.runnables import Runnable, RunnableConfig, RunnableLambda

from . import generations
from .answer import ExtractiveAnswerer
from .condense import condense, focus, resolve
from .config import Settings
from .errors import QuestionError
from .models import Answer, Citation, Evidence, RetrievalHit, Turn
from .sentences import split_sentences
from .verify import normalise, strip_markers, verify

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?(</\1\s*>|$)", re.I | re.S)
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")


def clean_question(question: str, max_chars: int) -> str:
    """The question as text to search with; empty and over-long questions are refused."""
    if len(question) > max_chars:
        raise QuestionError(
            f"The question is too long ({len(question):,} characters; the limit is {max_chars:,})."
        )
    # Markup pasted with a question is not part of it: scripts go whole, tags go, text stays.
    raw = " ".join(_CONTROL.sub(" ", question).split())
    text = " ".join(_TAG.sub(" ", _SCRIPT.sub(" ", raw)).split()) or raw
    if not text:
        raise QuestionError("Please type a question.")
    return text


class Assistant:
    """Answers questions from the index with citations, or abstains."""

    def __init__(self, settings: Settings | None = None, embedder=None, chat_model=None) -> None:
        self.settings = settings or Settings()
        self._embedder = embedder
        self._chat_model = chat_model  # a LangChain chat model; tests pass fakes
        self._generator = None
        self._loaded_gen: Path | None = None
        self._retriever = None
        self._answerer = None
        self._speller = None
        self._lock = threading.Lock()
        self.chain: Runnable = (
            RunnableLambda(self._condense_step, name="condense")
            | RunnableLambda(self._retrieve_step, name="retrieve")
            | RunnableLambda(self._answer_step, name="answer")
        ).with_config(run_name="exchange_assistant")

    # -- loading ---------------------------------------------------------------------------

    @property
    def embedder(self):
        if self._embedder is None:
            from .embeddings import Embedder

            self._embedder = Embedder(self.settings)
        return self._embedder

    def warm_up(self) -> None:
        """Open the index and load the model now rather than on the first question."""
        self._ensure_index()
        self.embedder.warm_up()
        if self.generative:
            _ = self.generator

    def _ensure_index(self) -> None:
        """Open the serving generation; reopen when an ingest has switched to a new one."""
        gen = generations.require_current(Path(self.settings.index_dir))
        if gen == self._loaded_gen:
            return
        with self._lock:
            if gen == self._loaded_gen:
                return
            from .embeddings import model_path
            from .lexical import Bm25Index
            from .retrieve import HybridRetriever
            from .spelling import SpellFixer
            from .store import Store

            s = self.settings
            store = Store(s, gen / "chroma")
            bm25 = Bm25Index.load(gen / "bm25")
            self._retriever = HybridRetriever(
                store=store,
                bm25=bm25,
                embedder=self.embedder,
                dense_k=s.dense_k,
                bm25_k=s.bm25_k,
                top_k=s.top_k,
                rrf_k=s.rrf_k,
                dense_weight=s.dense_weight,
                bm25_weight=s.bm25_weight,
            )
            self._answerer = ExtractiveAnswerer(self.embedder, bm25, s.max_sentences)
            self._speller = SpellFixer.load(gen / "vocabulary.json", model_path(s))
            self._loaded_gen = gen

    @property
    def retriever(self):
        """The hybrid retriever (a LangChain BaseRetriever) over the serving index."""
        self._ensure_index()
        return self._retriever

    def sources(self) -> list[dict]:
        """The documents in the index: source, title, updated date, url and chunk count."""
        gen = generations.require_current(Path(self.settings.index_dir))
        manifest = generations.read_manifest(gen)
        return [
            {
                "source": name,
                "title": f.title,
                "updated": f.updated,
                "url": f.url,
                "chunks": len(f.chunk_ids),
            }
            for name, f in sorted(manifest.files.items(), key=lambda kv: kv[1].title)
        ]

    # -- asking ----------------------------------------------------------------------------

    def ask(self, question: str, history: Iterable[Turn | str] | None = None) -> Answer:
        return self.chain.invoke({"question": question, "history": list(history or [])})

    def stream(
        self, question: str, history: Iterable[Turn | str] | None = None
    ) -> Iterator[Answer]:
        """Yields the answer as it grows, then the final Answer (the same as `ask` gives).

        Extractive answers grow a sentence at a time; generated ones as the model writes,
        each sentence replaced by its verified form (or removed) once it is complete."""
        state = self._condense_step({"question": question, "history": list(history or [])})
        state = self._retrieve_step(state)
        final = None
        for final in self._answer_stream(state):
            if not self.generative:
                break
            yield final
        if self.generative:
            return
        sentences = split_sentences(final.answer) if not final.abstained else []
        for i in range(1, len(sentences)):
            yield final.model_copy(update={"answer": " ".join(sentences[:i])})
        yield final

    def _turns(self, history: list[Turn | str]) -> list[Turn]:
        """Earlier questions given without their answers are answered again, so that a
        follow-up can refer to what was said ('the last one')."""
        turns: list[Turn] = []
        for item in history:
            turn = item if isinstance(item, Turn) else Turn(question=str(item))
            if turn.answer is None and turn.question.strip():
                try:
                    previous = self._run(turn.question, turns, {})
                    turn = Turn(question=turn.question, answer=previous.answer)
                except QuestionError:
                    continue
            if turn.question.strip():
                turns.append(turn)
        return turns

    def _run(self, question: str, turns: list[Turn], config: RunnableConfig) -> Answer:
        # Earlier turns are only context: their quoted answer is enough, no model call.
        state = self._condense_step({"question": question, "history": turns, "_turns": True})
        state["_extractive"] = True
        return self._answer_step(self._retrieve_step(state, config))

    # -- pipeline steps --------------------------------------------------------------------

    def _condense_step(self, state: dict) -> dict:
        started = time.perf_counter()
        question = clean_question(str(state["question"]), self.settings.max_question_chars)
        turns = state["history"] if state.get("_turns") else self._turns(state["history"])
        self._ensure_index()
        question = self._speller.fix(question)
        turns = [t.model_copy(update={"question": self._speller.fix(t.question)}) for t in turns]
        query = condense(question, turns)
        if self.generative and query != question and not state.get("_turns"):
            rewritten = self.generator.condense(question, turns)
            if rewritten:  # the model's rewrite, with the rule-based context as a safety net
                query = f"{rewritten} ({query})"
        said = frozenset(
            normalise(s) for t in turns[-1:] for s in split_sentences(strip_markers(t.answer or ""))
        )
        return {
            "question": question,
            "focus": focus(resolve(question, turns)),
            "query": query,
            "said": said,
            "timings": {"condense": _ms(started)},
            "started": started,
        }

    def _retrieve_step(self, state: dict, config: RunnableConfig | None = None) -> dict:
        started = time.perf_counter()
        from .retrieve import from_document

        docs = self.retriever.invoke(state["query"], config=config)
        state["evidence"] = [from_document(d) for d in docs]
        state["timings"]["retrieve"] = _ms(started)
        return state

    def _answer_step(self, state: dict) -> Answer:
        *_, final = self._answer_stream(state)
        return final

    def _answer_stream(self, state: dict) -> Iterator[Answer]:
        """Abstain, or answer: extractive, or generated and verified sentence by sentence."""
        started = time.perf_counter()
        evidence: list[Evidence] = state["evidence"]
        draft = self._answerer.draft(
            state.get("focus", state["question"]), state["query"], evidence, state["said"]
        )
        # Rerank: a chunk is as relevant as its best sentence, which weighs the kind of answer
        # and the words the question asks about, not only the chunk's overall likeness.
        evidence = sorted(evidence, key=lambda e: -draft.chunk_scores.get(e.chunk.id, -1e9))
        verdict = verify(draft.sentences, evidence)
        timings = state["timings"]
        common = {
            "query": state["query"],
            "support": round(draft.support, 4),
            "retrieval": [
                RetrievalHit(chunk_id=e.chunk.id, source=e.chunk.source, score=round(e.score, 6))
                for e in evidence
            ],
        }
        if not verdict.kept or draft.support < self.settings.abstain_threshold:
            timings["answer"] = _ms(started)
            timings["total"] = _ms(state["started"])
            yield Answer(answer=self.abstention(), abstained=True, timings_ms=timings, **common)
            return
        if not self.generative or state.get("_extractive"):
            timings["answer"] = _ms(started)
            timings["total"] = _ms(state["started"])
            yield self._compose(verdict.kept, evidence, timings, common, len(verdict.removed))
            return
        progress = None
        for progress in self.generator.stream(state["question"], evidence):
            if progress.first_token_ms is not None:
                timings["first_token"] = progress.first_token_ms
            if not progress.done:
                yield self._compose(
                    progress.kept,
                    evidence,
                    timings,
                    common,
                    len(progress.removed),
                    pending=progress.pending,
                )
        timings["answer"] = _ms(started)
        timings["total"] = _ms(state["started"])
        removed = len(progress.removed)
        if progress.kept:
            notes = []
            if removed:
                notes.append(f"{removed} generated sentence(s) removed: not supported by a source.")
            if progress.recited:
                notes.append(
                    f"{progress.recited} citation(s) moved to the source that supports it."
                )
            note = " ".join(notes) or None
            yield self._compose(progress.kept, evidence, timings, common, removed, note=note)
            return
        reason = progress.failure or "no generated sentence was supported by its source"
        yield self._compose(
            verdict.kept,
            evidence,
            timings,
            common,
            removed,
            note=f"Showing quoted sentences instead of a generated answer: {reason}.",
        )

    def _compose(self, kept, evidence, timings, common, removed, note=None, pending=""):
        chunks = {e.chunk.id: e.chunk for e in evidence}
        citations, parts = [], []
        for n, s in enumerate(kept, start=1):
            chunk = chunks[s.chunk_id]
            citations.append(
                Citation(
                    n=n,
                    title=chunk.title,
                    source=chunk.source,
                    section=chunk.location,
                    url=chunk.url,
                    quote=s.quote or s.text,
                    chunk_id=chunk.id,
                )
            )
            parts.append(f"{s.text} [{n}]")
        if pending:
            parts.append(pending)
        return Answer(
            answer=" ".join(parts),
            abstained=False,
            citations=citations,
            timings_ms=dict(timings),
            removed_sentences=removed,
            note=note,
            **common,
        )

    # -- the generative answerer -----------------------------------------------------------

    @property
    def generative(self) -> bool:
        """Whether a language model writes the answers (EXCHANGE_LLM is not 'extractive')."""
        from .llm import is_generative

        return is_generative(self.settings)

    @property
    def generator(self):
        if self._generator is None:
            with self._lock:
                if self._generator is None:
                    from .generate import GenerativeAnswerer
                    from .llm import answer_options, make_chat_model
                    from .verify import SupportScorer

                    self._ensure_index()
                    scorer = SupportScorer(self._answerer._embed, self.settings.support_threshold)
                    self._generator = GenerativeAnswerer(
                        self._chat_model or make_chat_model(self.settings),
                        scorer,
                        sources=self.settings.llm_sources,
                        timeout=self.settings.llm_timeout,
                        answer_options={} if self._chat_model else answer_options(self.settings),
                        relevance_floor=self.settings.relevance_floor,
                    )
        return self._generator

    def abstention(self) -> str:
        return (
            "The programme documents do not answer this question, "
            f"so please ask {self.settings.contact}."
        )


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)
