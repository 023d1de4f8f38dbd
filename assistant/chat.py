"""Assistant: the one entry point. CLI, UI and evals all ask through it.

The pipeline is one LangChain runnable with a pydantic type at each step:
Request -read-> Query -retrieve-> Retrieved -choose-> Draft -respond-> Answer. `ask`, `stream`
and `batch` all run it, so callbacks and tracing see every question the same way.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from langchain_core.runnables import Runnable, RunnableConfig, RunnableGenerator, RunnableLambda

from . import generations
from .config import Settings
from .errors import QuestionError
from .models import (
    Answer,
    Citation,
    Draft,
    Highlight,
    Query,
    Request,
    RetrievalHit,
    Retrieved,
    Turn,
)
from .verify import CitedSentence, verify

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
        self._loaded_gen: Path | None = None
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
            from .embeddings import Embedder

            self._embedder = Embedder(self.settings)
        return self._embedder

    @property
    def scorer(self):
        if self._scorer is None:
            from .passage_scorer import PassageScorer

            self._scorer = PassageScorer(threads=self.settings.scorer_threads)
        return self._scorer

    def warm_up(self) -> None:
        """Open the index and load the models now rather than on the first question."""
        if self.backend is not None:
            self.backend.start()  # loads in its own process meanwhile
        self._ensure_index()
        self.embedder.warm_up()
        self.scorer.warm_up()

    def _ensure_index(self) -> None:
        """Open the serving generation; reopen when an ingest has switched to a new one."""
        gen = generations.require_current(Path(self.settings.index_dir))
        if gen == self._loaded_gen:
            return
        with self._lock:
            if gen == self._loaded_gen:
                return
            from .answer import ExtractiveAnswerer
            from .calibration import resolve
            from .e5_index import FOLDER, E5Index
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
                e5=E5Index.load(gen / FOLDER),
                scorer=self.scorer,
                e5_k=s.e5_k,
                e5_weight=s.e5_weight,
                other_language_weight=s.other_language_weight,
            )
            answer_settings, abstention, ranker, cross_language = resolve(s)
            self.answer_settings = answer_settings
            from .word_vectors import WordVectors

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
            self._loaded_gen = gen

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

    @staticmethod
    def _turns(history: list[Turn | str]) -> list[Turn]:
        turns = [t if isinstance(t, Turn) else Turn(question=str(t)) for t in history]
        return [t for t in turns if t.question.strip()]

    # -- pipeline steps --------------------------------------------------------------------

    def _read(self, request: Request) -> Query:
        """Clean the question, tell its language, spell-fix it (English only: the fixer knows
        English words and would bend Dutch ones into them); read follow-ups with the
        conversation."""
        started = time.perf_counter()
        question = clean_question(request.question, self.settings.max_question_chars)
        asked = question
        self._ensure_index()
        turns = self._turns(request.history)
        timings: dict[str, float] = {}
        language = self._language(question)
        if turns and too_short_to_tell(question):
            # Each question is read in its own language; only one too short for the detector
            # to tell ("en in Leiden?") is read in the language of the question before it.
            language = self._language(turns[-1].question)
        fix = self._speller.fix if language is None else (lambda text: text)
        question = fix(question)
        contextual = None
        if turns:
            contextual = f"{fix(turns[-1].question)} {question}"
        return Query(
            question=question,
            asked=asked,
            turns=turns,
            contextual=contextual,
            language=language,
            started=started,
            timings_ms={"read": _ms(started), **timings},
        )

    def _retrieve(self, query: Query, config: RunnableConfig | None = None) -> Retrieved:
        started = time.perf_counter()
        from .retrieve import from_document

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
            from .answer import pick_reading

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
        common = self._common(q, draft)
        if self.backend is None or not draft.evidence:
            yield self._quote_answer(q, draft, common, None)
            return
        from .language import name_of

        language = name_of(q.language) if q.language else "English"

        def quotes(note: str | None) -> Answer:
            return self._quote_answer(q, draft, common, note)

        def decline(outcome: str, extra: dict) -> Answer:
            best = float(draft.features.get("best", 0.0))
            kind = self.model_answerer.decision.kind(best)
            return self._declined(q, kind, common, extra)

        for answer in self.model_answerer.stream(q, draft, quotes, decline, language):
            if answer.status != "done":
                yield answer
                continue
            yield answer.model_copy(update={k: v for k, v in common.items() if k != "support"})

    def _common(self, q: Query, draft: Draft) -> dict:
        return {
            "query": draft.query,
            "language": q.language,
            "support": round(draft.support, 4),
            "retrieval": [
                RetrievalHit(chunk_id=e.chunk.id, source=e.chunk.source, score=round(e.score, 6))
                for e in draft.evidence
            ],
        }

    def _declined(self, q: Query, kind: str, common: dict, extra: dict | None = None) -> Answer:
        timings = q.timings_ms
        timings["total"] = _ms(q.started) if q.started else 0.0
        timings.setdefault("first_token", timings["total"])
        return Answer(
            answer=self.abstention(kind),
            abstained=True,
            abstention=kind,
            outcome=kind if kind in ("off_topic", "not_covered") else "not_covered",
            timings_ms=dict(timings),
            **{**common, **(extra or {})},
        )

    def _quote_answer(self, q: Query, draft: Draft, common: dict, note: str | None) -> Answer:
        """The quote path: the chosen passages as the documents word them, or an abstention
        decided by the extractive support."""
        started = time.perf_counter()
        timings = q.timings_ms
        evidence = draft.evidence
        sentences = [
            (n, CitedSentence(text=text, chunk_id=p.chunk_id, quote=text), i in p.highlighted)
            for n, p in enumerate(draft.passages, start=1)
            for i, text in enumerate(p.sentences)
        ]
        verdict = verify([c for _, c, _ in sentences], evidence)
        kept = {id(c) for c in verdict.kept}
        sentences = [x for x in sentences if id(x[1]) in kept]
        if draft.abstain or not sentences:
            answer = self._declined(q, self._abstention_kind(q, draft), common)
            return answer.model_copy(update={"note": note}) if note else answer
        timings["answer"] = _ms(started)
        timings["total"] = _ms(q.started) if q.started else timings["answer"]
        timings.setdefault("first_token", timings["total"])
        notes = " ".join(x for x in (note, quoted_in_english(q.language)) if x) or None
        return self._compose(sentences, evidence, timings, common, len(verdict.removed), notes)

    def _compose(self, sentences, evidence, timings, common, removed, note=None) -> Answer:
        """The quoted answer: each passage's sentences, each with its passage's citation."""
        chunks = {e.chunk.id: e.chunk for e in evidence}
        citations: dict[int, Citation] = {}
        parts: list[str] = []
        highlights: list[Highlight] = []
        for n, s, marked in sentences:
            chunk = chunks[s.chunk_id]
            if n not in citations:
                citations[n] = Citation(
                    n=n,
                    title=chunk.title,
                    source=chunk.source,
                    section=chunk.location,
                    url=chunk.url,
                    quote="",
                    chunk_id=chunk.id,
                )
                if parts:
                    parts.append("\n\n")
            citations[n].quote = " ".join(x for x in (citations[n].quote, s.text) if x)
            parts.append(("" if not parts or parts[-1] == "\n\n" else " ") + f"{s.text} [{n}]")
            if marked:
                highlights.append(Highlight(n=n, text=s.text))
        return Answer(
            answer="".join(parts),
            abstained=False,
            citations=list(citations.values()),
            highlights=highlights,
            timings_ms=dict(timings),
            removed_sentences=removed,
            note=note,
            **common,
        )

    def _language(self, text: str) -> str | None:
        """The ISO code of the text's language when it is not English; None for English."""
        from .language import detect

        speller = self._speller
        # The model's WordPiece vocabulary holds many short words of other languages as whole
        # tokens (Dutch "de", "het", "wie"); its longer words are mostly English.
        return detect(
            text, lambda w: w in speller.words or (len(w) >= 4 and w in speller.dictionary)
        )

    def _abstention_kind(self, q: Query, draft: Draft) -> str:
        """Why there is no answer: another language with no calibrated way to decide for it, a
        question about something else (most of its weight is in words the corpus never uses),
        or a gap in the documents. Whether the corpus uses a question's words says nothing
        about a question in another language, so such a question is never called off-topic."""
        if q.language:
            return "not_covered" if self.answerer.cross_language is not None else "language"
        if draft.features and draft.features.get("corpus_terms", 1.0) < 0.5:
            return "off_topic"
        return "not_covered"

    # -- the model that reads -----------------------------------------------------------

    @property
    def backend(self):
        """The model that reads the passages (backends.ModelBackend), or None for
        EXCHANGE_LLM=none."""
        if not self._backend_made:
            with self._lock:
                if not self._backend_made:
                    from .backends import make_backend

                    self._backend = make_backend(self.settings)
                    self._backend_made = True
        return self._backend

    @property
    def model_answerer(self):
        if self._model_answerer is None:
            from .backends import kind, local_key
            from .calibration import decision_for
            from .pipeline.model_answer import DEFAULT_SENTENCE_FLOOR, ModelAnswerer

            self._ensure_index()
            s = self.settings
            name = local_key(s) if kind(s) == "local" else s.llm.split(":", 1)[-1].strip()
            decision, floor = decision_for(s, name)
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
        contact = self.contact()
        if kind == "language":
            return "Questions are read in English for now. Please ask again in English" + (
                f", or ask {contact}." if contact else "."
            )
        if kind == "off_topic":
            return "This question is not about what the documents cover." + (
                f" For questions about what they cover, ask {contact}." if contact else ""
            )
        return "The documents do not answer this question" + (
            f", so please ask {contact}." if contact else "."
        )


def too_short_to_tell(text: str) -> bool:
    """Whether a text has too few letters for character n-gram language detection, which is
    unreliable below about twenty."""
    return sum(ch.isalpha() for ch in text) < 20


def quoted_in_english(language: str | None) -> str | None:
    """The note on a quoted answer to a question not in English."""
    if language is None:
        return None
    from .language import name_of

    return (
        f"Your question was read as {name_of(language)}; the documents are in English, "
        "so the quoted passages are in English."
    )


def _ms(since: float) -> float:
    return round((time.perf_counter() - since) * 1000, 2)
