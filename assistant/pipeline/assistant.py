"""Assistant: the one entry point. CLI, UI and evals all ask through it.

The pipeline is one LangChain runnable with a pydantic type at each step:
Request -read-> Query -retrieve-> Retrieved -choose-> Draft -respond-> Answer. `ask`, `stream`
and `batch` all run it, so callbacks and tracing see every question the same way.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from langchain_core.runnables import Runnable, RunnableConfig, RunnableGenerator, RunnableLambda

from assistant.config import Settings
from assistant.index import generations
from assistant.pipeline.question import clean_question, read_question
from assistant.pipeline.replies import (
    abstention_kind,
    common_fields,
    decline_text,
    declined,
    quote_answer,
)
from assistant.types import Answer, Draft, Query, Request, Retrieved, Turn

__all__ = ["Assistant", "clean_question"]


class Assistant:
    """Answers questions from the index with citations, or abstains."""

    def __init__(
        self,
        settings: Settings | None = None,
        embedder=None,
        scorer=None,
        backend=None,
        wait_for_model: bool = True,
    ) -> None:
        self.settings = settings or Settings()
        self._embedder = embedder
        self._scorer = scorer  # the passage scorer (e5); tests pass a fake
        self._backend = backend  # the model that reads; tests pass one over a fake server
        self._backend_made = backend is not None
        # The CLI and the evals wait for the local model to load; the web UI answers from
        # quotes meanwhile.
        self.wait_for_model = wait_for_model
        self._model_answerer = None
        self._contact: tuple[Path, str | None] | None = None
        self._loaded: tuple | None = None  # (generation, calibration file stamp)
        self.calibration = None
        self._retriever = None
        self._answerer = None
        self._speller = None
        self._lock = threading.Lock()
        self.chain: Runnable = (
            RunnableLambda(self._read, name="read")
            | RunnableLambda(self._retrieve, name="retrieve")
            | RunnableLambda(self._choose, name="choose")
            | RunnableGenerator(self._respond, name="respond")
        ).with_config(run_name="exchange_assistant")

    # -- loading ---------------------------------------------------------------------------

    @property
    def embedder(self):
        if self._embedder is None:
            from assistant.index.embeddings import Embedder

            self._embedder = Embedder(self.settings)
        return self._embedder

    @property
    def scorer(self):
        if self._scorer is None:
            from assistant.index.passage_scorer import PassageScorer

            self._scorer = PassageScorer(threads=self.settings.retrieval.scorer_threads)
        return self._scorer

    def warm_up(self) -> None:
        """Open the index and load the models now rather than on the first question."""
        if self.backend is not None:
            self.backend.start()  # loads in its own process meanwhile
        self._ensure_index()
        self.embedder.warm_up()
        self.scorer.warm_up()

    def _ensure_index(self) -> None:
        """Open the serving generation and read the calibration; again when an ingest has
        switched to a new generation or the calibration file was rewritten."""
        from assistant.pipeline.calibration import Calibration

        gen = generations.require_current(Path(self.settings.index_dir))
        loaded = (gen, Calibration.stamp(self.settings.answer.calibration))
        if loaded == self._loaded:
            return
        with self._lock:
            if loaded == self._loaded:
                return
            from assistant.index.e5 import FOLDER, E5Index
            from assistant.index.embeddings import model_path
            from assistant.index.lexical import Bm25Index
            from assistant.index.store import Store
            from assistant.pipeline.calibration import resolve
            from assistant.pipeline.quotes import ExtractiveAnswerer
            from assistant.pipeline.retrieve import HybridRetriever
            from assistant.text.spelling import SpellFixer

            s, r = self.settings, self.settings.retrieval
            store = Store(s, gen / "chroma")
            bm25 = Bm25Index.load(gen / "bm25")
            self._retriever = HybridRetriever(
                store=store,
                bm25=bm25,
                embedder=self.embedder,
                dense_k=r.dense_k,
                bm25_k=r.bm25_k,
                top_k=r.top_k,
                rrf_k=r.rrf_k,
                dense_weight=r.dense_weight,
                bm25_weight=r.bm25_weight,
                e5=E5Index.load(gen / FOLDER),
                scorer=self.scorer,
                e5_k=r.e5_k,
                e5_weight=r.e5_weight,
                other_language_weight=r.other_language_weight,
            )
            self.calibration = Calibration.load(s.answer.calibration)
            answer_settings, abstention, ranker, cross_language = resolve(s, self.calibration)
            self.answer_settings = answer_settings
            from assistant.index.word_vectors import WordVectors

            self._answerer = ExtractiveAnswerer(
                self.scorer,
                bm25,
                answer_settings,
                abstention,
                ranker,
                WordVectors(self.embedder),
                cross_language,
            )
            self._speller = SpellFixer.load(gen / "vocabulary.json", model_path(s))
            self._model_answerer = None  # its decision comes from the calibration too
            self._loaded = loaded

    @property
    def retriever(self):
        """The hybrid retriever (a LangChain BaseRetriever) over the serving index."""
        self._ensure_index()
        return self._retriever

    @property
    def answerer(self):
        self._ensure_index()
        return self._answerer

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
        return self.chain.invoke(Request(question=question, history=list(history or [])))

    def stream(
        self, question: str, history: Iterable[Turn | str] | None = None
    ) -> Iterator[Answer]:
        """Yields the answer as it grows, then the final Answer (the same as `ask` gives).

        Extractive answers grow a passage at a time; generated ones as the model writes,
        each sentence replaced by its verified form (or removed) once it is complete."""
        yield from self.chain.stream(Request(question=question, history=list(history or [])))

    def batch(self, questions: list[str]) -> list[Answer]:
        return self.chain.batch([Request(question=q) for q in questions])

    # -- pipeline steps --------------------------------------------------------------------

    def _read(self, request: Request) -> Query:
        self._ensure_index()
        return read_question(request, self.settings.max_question_chars, self._speller)

    def _retrieve(self, query: Query, config: RunnableConfig | None = None) -> Retrieved:
        started = time.perf_counter()
        from assistant.pipeline.retrieve import from_document

        language = query.language
        docs = self.retriever.invoke(query.question, config=config, language=language)
        contextual = None
        if query.contextual:
            contextual = [
                from_document(d)
                for d in self.retriever.invoke(query.contextual, config=config, language=language)
            ]
        query.timings_ms["retrieve"] = _ms(started)
        return Retrieved(
            query=query,
            evidence=[from_document(d) for d in docs],
            contextual_evidence=contextual,
        )

    def _choose(self, retrieved: Retrieved) -> Draft:
        """The passages that answer, read alone or, for a follow-up, with the conversation
        (`answer.pick_reading`, with the calibrated margin)."""
        started = time.perf_counter()
        q = retrieved.query
        draft = self.answerer.draft(q.question, retrieved.evidence, q.language)
        if q.contextual and retrieved.contextual_evidence is not None:
            from assistant.pipeline.quotes import pick_reading

            joined = self.answerer.draft(q.contextual, retrieved.contextual_evidence, q.language)
            margin = self.answer_settings.followup_margin
            draft = pick_reading(q.question, draft, joined, margin, self.scorer)
        q.timings_ms["choose"] = _ms(started)
        return draft.model_copy(update={"asked": q})

    def _respond(self, drafts: Iterator[Draft]) -> Iterator[Answer]:
        for draft in drafts:
            yield from self._answer_stream(draft)

    def _answer_stream(self, draft: Draft) -> Iterator[Answer]:
        """The model reads the passages and the answer comes from what it read; without a
        model (EXCHANGE_LLM=none), or when it cannot answer now, the passages are quoted."""
        q = draft.asked or Query(question=draft.query)
        if q.started:
            q.timings_ms.setdefault("sources", _ms(q.started))
        common = common_fields(q, draft)

        def quotes(note: str | None) -> Answer:
            cross_language = self.answerer.cross_language is not None
            kind = abstention_kind(q, draft, cross_language)
            return quote_answer(q, draft, common, note, lambda: self._declined(q, kind, common))

        if self.backend is None or not draft.evidence:
            yield quotes(None)
            return
        from assistant.text.language import name_of

        language = name_of(q.language) if q.language else "English"

        def decline(outcome: str, extra: dict) -> Answer:
            best = float(draft.features.get("best", 0.0))
            kind = self.model_answerer.decision.kind(best)
            return self._declined(q, kind, common, extra)

        for answer in self.model_answerer.stream(q, draft, quotes, decline, language):
            if answer.status != "done":
                yield answer
                continue
            yield answer.model_copy(update={k: v for k, v in common.items() if k != "support"})

    def _declined(self, q: Query, kind: str, common: dict, extra: dict | None = None) -> Answer:
        return declined(q, kind, self.abstention(kind), common, extra)

    # -- the model that reads -----------------------------------------------------------

    @property
    def backend(self):
        """The model that reads the passages (backends.ModelBackend), or None for
        EXCHANGE_LLM=none."""
        if not self._backend_made:
            with self._lock:
                if not self._backend_made:
                    from assistant.backends import make_backend

                    self._backend = make_backend(self.settings)
                    self._backend_made = True
        return self._backend

    @property
    def model_answerer(self):
        if self._model_answerer is None:
            from assistant.backends import kind, local_key
            from assistant.pipeline.calibration import decision_for
            from assistant.pipeline.model_answer import DEFAULT_SENTENCE_FLOOR, ModelAnswerer

            self._ensure_index()
            s = self.settings
            name = local_key(s) if kind(s) == "local" else s.llm.split(":", 1)[-1].strip()
            decision, floor = decision_for(self.calibration, name)
            self._model_answerer = ModelAnswerer(
                self.backend,
                self.scorer,
                decision,
                s,
                sentence_floor=floor if floor is not None else DEFAULT_SENTENCE_FLOOR,
                wait_for_load=s.reading.load_wait_s if self.wait_for_model else 0.0,
            )
        return self._model_answerer

    def close(self) -> None:
        """Stops the local model's server, if this assistant started one."""
        if self._backend is not None:
            self._backend.stop()

    def contact(self) -> str | None:
        """Whom to ask when the documents do not answer: EXCHANGE_CONTACT, else the `contact`
        a document of the corpus names in its front matter; None when neither does."""
        if self.settings.contact:
            return self.settings.contact
        gen = generations.require_current(Path(self.settings.index_dir))
        if self._contact is None or self._contact[0] != gen:
            manifest = generations.read_manifest(gen)
            named = [f.contact for _, f in sorted(manifest.files.items()) if f.contact]
            self._contact = (gen, named[0] if named else None)
        return self._contact[1]

    def abstention(self, kind: str = "not_covered") -> str:
        return decline_text(kind, self.contact())


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)
