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
        chat_model=None,
        scorer=None,
        judge=None,
    ) -> None:
        self.settings = settings or Settings()
        self._embedder = embedder
        self._scorer = scorer  # the passage scorer (e5); tests pass a fake
        self._chat_model = chat_model  # a LangChain chat model; tests pass fakes
        self._generator = None
        self._judge = judge  # the local model's yes/no judge; tests pass a fake
        self._judge_loaded = judge is not None
        self._local_chat = None
        self._judgement = None
        self._translator = None
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
        self._ensure_index()
        self.embedder.warm_up()
        self.scorer.warm_up()
        if self.generative:
            _ = self.generator
        _ = self.judge

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
        if language is None and turns:
            # A follow-up too short to tell ("en in Leiden?") is read in the conversation's
            # language: the one the previous question was asked in.
            language = self._language(turns[-1].question)
        reply_language = None
        if language is not None and self.translator is not None:
            # Read in English: retrieval, passage choice and abstention are fitted on English
            # questions; the answer is still written in the asker's language.
            translating = time.perf_counter()
            english = self.translator.english(question)
            if english:
                question, reply_language, language = english, language, None
                turns = []  # the conversation is in the other language; the question stands alone
            timings["translate"] = _ms(translating)
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
            reply_language=reply_language,
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
        """Abstain, or answer: extractive, or generated and verified sentence by sentence."""
        started = time.perf_counter()
        q = draft.asked or Query(question=draft.query)
        timings = q.timings_ms
        evidence = draft.evidence
        common = {
            "query": draft.query,
            "language": q.reply_language or q.language,
            "support": round(draft.support, 4),
            "retrieval": [
                RetrievalHit(chunk_id=e.chunk.id, source=e.chunk.source, score=round(e.score, 6))
                for e in evidence
            ],
        }
        sentences = [
            (n, CitedSentence(text=text, chunk_id=p.chunk_id, quote=text), i in p.highlighted)
            for n, p in enumerate(draft.passages, start=1)
            for i, text in enumerate(p.sentences)
        ]
        verdict = verify([c for _, c, _ in sentences], evidence)
        kept = {id(c) for c in verdict.kept}
        sentences = [x for x in sentences if id(x[1]) in kept]
        abstain = draft.abstain or not sentences
        if sentences and self.judge is not None:
            judge_started = time.perf_counter()
            p = self.judge.answers(self._sources(draft), self._prompt_question(q, draft))
            common["judged"] = round(p, 4)
            abstain = self.judgement.abstains(draft.support, p, draft.abstain)
            timings["judge"] = _ms(judge_started)
        if abstain:
            kind = self._abstention_kind(q, draft)
            timings["answer"] = _ms(started)
            timings["total"] = _ms(q.started) if q.started else timings["answer"]
            yield Answer(
                answer=self.abstention(kind),
                abstained=True,
                abstention=kind,
                timings_ms=dict(timings),
                **common,
            )
            return
        if not self.generative:
            timings["answer"] = _ms(started)
            timings["total"] = _ms(q.started) if q.started else timings["answer"]
            note = quoted_in_english(q.language)
            yield self._compose(sentences, evidence, timings, common, len(verdict.removed), note)
            return
        yield from self._generate(q, draft, sentences, timings, common, started)

    def _generate(self, q: Query, draft: Draft, quoted, timings, common, started):
        """The model writes the answer from the chosen passages; only sentences verified
        against the passage they cite are shown, and the quoted answer stands in when none
        survives (a NOT FOUND that the abstention decision overruled included)."""
        sources = self._sources(draft)
        progress = None
        language = q.reply_language or q.language
        for progress in self.generator.stream(self._prompt_question(q, draft), sources, language):
            if progress.first_token_ms is not None:
                timings["first_token"] = progress.first_token_ms
            if not progress.done and progress.kept:
                yield self._compose_generated(progress.kept, draft.evidence, timings, common, 0)
        timings["answer"] = _ms(started)
        timings["total"] = _ms(q.started) if q.started else timings["answer"]
        removed = len(progress.removed)
        if progress.kept:
            notes = []
            if progress.gap:
                notes.append(
                    f"Not answered by the documents: {progress.gap} Please ask "
                    f"{self.settings.contact}."
                )
            if removed:
                notes.append(f"{removed} generated sentence(s) removed: not supported by a source.")
            if progress.recited:
                notes.append(
                    f"{progress.recited} citation(s) moved to the source that supports it."
                )
            note = " ".join(notes) or None
            yield self._compose_generated(
                progress.kept, draft.evidence, timings, common, removed, note=note
            )
            return
        if progress.not_found and not progress.failure:
            reason = "the model found no answer in the passages, but they were judged to answer"
        else:
            reason = progress.failure or "no generated sentence was supported by its source"
        yield self._compose(
            quoted,
            draft.evidence,
            timings,
            common,
            removed,
            note=f"Showing quoted passages instead of a generated answer: {reason}.",
        )

    def _sources(self, draft: Draft):
        """The chosen passages, numbered, as the model sees them."""
        from .prompting import Source

        chunks = {e.chunk.id: e.chunk for e in draft.evidence}
        return [
            Source(
                n=n,
                chunk_id=p.chunk_id,
                title=chunks[p.chunk_id].title,
                section=chunks[p.chunk_id].section,
                text=" ".join(p.sentences),
            )
            for n, p in enumerate(draft.passages, start=1)
            if p.chunk_id in chunks
        ]

    @staticmethod
    def _prompt_question(q: Query, draft: Draft) -> str:
        """The question the draft answers: with the conversation when a follow-up was read so."""
        if q.contextual and draft.query == q.contextual:
            return q.contextual
        return q.asked or q.question

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

    def _compose_generated(self, kept, evidence, timings, common, removed, note=None):
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
        return Answer(
            answer=" ".join(parts),
            abstained=False,
            citations=citations,
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

    # -- the generative answerer -----------------------------------------------------------

    @property
    def generative(self) -> bool:
        """Whether a language model writes the answers (EXCHANGE_LLM is not 'extractive')."""
        from .llm import is_generative

        return is_generative(self.settings)

    def _local_model(self):
        """The local chat model (LangChain's ChatLlamaCpp), loaded once for writer and judge."""
        if self._local_chat is None:
            from .llm import make_chat_model

            self._local_chat = make_chat_model(
                self.settings.model_copy(update={"llm": self._local_llm()})
            )
        return self._local_chat

    def _local_llm(self) -> str:
        from .llm import backend

        return self.settings.llm if backend(self.settings) == "local" else "local"

    @property
    def judge(self):
        """The local model's yes/no judge, when EXCHANGE_JUDGE and the backend call for it."""
        if not self._judge_loaded:
            with self._lock:
                if not self._judge_loaded:
                    self._judge = self._make_judge()
                    self._judge_loaded = True
        return self._judge

    def _make_judge(self):
        from .llm import backend

        mode = self.settings.judge
        wanted = mode == "local" or (mode == "auto" and backend(self.settings) == "local")
        if not wanted:
            return None
        if self._chat_model is not None and backend(self.settings) == "local":
            client = getattr(self._chat_model, "client", None)
            if client is None:
                return None  # a fake chat model has no llama.cpp context to judge with
        else:
            client = self._local_model().client
        from .judge import Judge
        from .prompting import Prompts

        return Judge(client, Prompts(self.settings.contact))

    @property
    def translator(self):
        """Rewrites questions in other languages into English: with the local backend, when
        EXCHANGE_TRANSLATE_QUESTIONS is on."""
        from .llm import backend

        if not self.settings.translate_questions or backend(self.settings) != "local":
            return None
        if self._translator is None:
            from .prompting import Prompts
            from .translate import Translator

            generator = self.generator
            model = self._chat_model or self._local_model()
            system = Prompts(self.settings.contact).system
            self._translator = Translator(model, system, generator._busy)
        return self._translator

    @property
    def judgement(self):
        """The calibrated decision from the extractive support and the judge's score."""
        from .calibration import judgement_for
        from .llm import local_key

        self._ensure_index()
        return judgement_for(
            self.settings, local_key(self.settings.model_copy(update={"llm": self._local_llm()}))
        )

    @property
    def generator(self):
        if self._generator is None:
            judge = self.judge  # loads the local model under the lock taken below
            with self._lock:
                if self._generator is None:
                    from .generate import GenerativeAnswerer
                    from .llm import answer_options, backend, make_chat_model
                    from .prompting import Prompts
                    from .verify import SupportScorer

                    self._ensure_index()
                    embed = self.embedder.embed_documents
                    scorer = SupportScorer(embed, self.settings.support_threshold)
                    if self._chat_model is not None:
                        model = self._chat_model
                    elif backend(self.settings) == "local":
                        model = self._local_model()
                    else:
                        model = make_chat_model(self.settings)
                    self._generator = GenerativeAnswerer(
                        model,
                        Prompts(self.settings.contact),
                        scorer,
                        judge=judge,
                        timeout=self.settings.llm_timeout,
                        answer_options={} if self._chat_model else answer_options(self.settings),
                        relevance_floor=self.settings.relevance_floor,
                        passage_scorer=self.scorer,
                    )
        return self._generator

    def abstention(self, kind: str = "not_covered") -> str:
        contact = self.settings.contact
        if kind == "language":
            return (
                "Questions are read in English for now. Please ask again in English, "
                f"or ask {contact}."
            )
        if kind == "off_topic":
            return (
                "This question does not seem to be about what the programme documents cover. "
                f"For questions about the programme, ask {contact}."
            )
        return f"The programme documents do not answer this question, so please ask {contact}."


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
