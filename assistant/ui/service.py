"""What the page needs from the pipeline, shared by every session (no gradio here).

`Service` loads the one Assistant of the process in a background thread. `Library` is a read-only
view of the serving index: the documents with their sections in reading order, which is where the
page finds a card's surrounding passage, the next questions after an answer and the contact route
of an abstention. Nothing here belongs to a conversation.
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from assistant.config import Settings
from assistant.errors import AssistantError, IndexMissingError
from assistant.index import generations, outline
from assistant.index.outline import Section
from assistant.pipeline import questions
from assistant.pipeline.assistant import Assistant, build_assistant
from assistant.pipeline.questions import QuestionBank
from assistant.types import Answer, Chunk, Citation

log = logging.getLogger("exchange_assistant.ui")

# "At a glance" asks the assistant these at start-up; the facts come from the index, not from here.
GLANCE_QUESTIONS = [
    ("Coordinator", "Who is the project coordinator of the exchange?"),
    ("Partner", "What is the partner institution of LUMC in the exchange?"),
    ("Period", "When does the exchange project run?"),
    ("Focus areas", "What are the focus areas of the exchange?"),
    ("For whom", "Which students is the exchange aimed at?"),
    ("Mobility", "What type of mobility is the project?"),
]


@dataclass(frozen=True)
class Contact:
    """Where the documents say to turn: the section that names the contact, and its link."""

    title: str
    section: str | None
    url: str | None


@dataclass
class Library:
    """The serving index as documents and sections; built once per index generation."""

    chunks: dict[str, Chunk] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    contact: Contact | None = None
    questions: QuestionBank | None = None  # None: none were written for this index

    @classmethod
    def build(cls, assistant: Assistant, settings: Settings) -> Library:
        gen = generations.require_current(Path(settings.index_dir))
        manifest = generations.read_manifest(gen)
        retriever = assistant.retriever
        chunks = {c.id: c for c in retriever.store.all_chunks()}
        sections = outline.sections(manifest, chunks)
        contact = None
        # The contact is found the way a question is: the passage that best matches whom the
        # settings name, so the link is the one the documents give for that person.
        who = assistant.contact()
        hits = retriever.search(who, k=1) if who else []
        if hits:
            c = hits[0].chunk
            contact = Contact(title=c.title, section=c.section, url=c.url)
        bank = questions.load(Path(settings.index_dir))
        return cls(chunks=chunks, sections=sections, contact=contact, questions=bank)

    def context(self, chunk_id: str, quote: str) -> tuple[str, str] | None:
        """The text of the chunk before and after `quote`; None when the chunk is not known or
        does not hold the quote word for word (a generated answer's sentence)."""
        chunk = self.chunks.get(chunk_id)
        if chunk is None:
            return None
        text, quote = _squash(chunk.text), _squash(quote)
        at = text.find(quote)
        if not quote or at < 0:
            return None
        return text[:at].strip(), text[at + len(quote) :].strip()

    def question_for(self, section: Section) -> str | None:
        """The question the section answers (questions.json); without one written for this
        index, the section's title and heading, which find its passage when asked."""
        if self.questions is None:
            return section.label
        return self.questions.for_section(section)

    def next_sections(
        self, cited: list[Citation], seen: set[str], limit: int = 3
    ) -> list[tuple[Section, str]]:
        """Sections next to the cited ones, nearest first, each with its question; leaves out
        those already cited, asked about in this conversation (`seen` holds its questions) or
        without a question."""
        index_of = {}
        for i, s in enumerate(self.sections):
            for cid in s.chunk_ids:
                index_of[cid] = i
        cited_at = [index_of[c.chunk_id] for c in cited if c.chunk_id in index_of]
        if not cited_at:
            return []
        taken = set(cited_at)
        out: list[tuple[Section, str]] = []
        for distance in (1, -1, 2, -2, 3, -3):
            for at in cited_at:
                i = at + distance
                if not 0 <= i < len(self.sections) or i in taken:
                    continue
                s = self.sections[i]
                question = self.question_for(s)
                if s.source != self.sections[at].source or not question or question in seen:
                    continue
                taken.add(i)
                out.append((s, question))
                if len(out) == limit:
                    return out
        return out


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


class Service:
    """The Assistant, loaded in a background thread, the feedback store and the library."""

    def __init__(self, settings: Settings, assistant: Assistant | None = None) -> None:
        from assistant.feedback import FeedbackStore
        from assistant.unanswered import UnansweredStore

        self.settings = settings
        # The page never waits for the model: it answers from quotes while the model loads.
        self.assistant = assistant or build_assistant(settings, wait_for_model=False)
        self.feedback = (
            FeedbackStore(settings.ui.feedback_db) if settings.ui.feedback_enabled else None
        )
        self.unanswered = UnansweredStore(settings.ui.feedback_db, settings.ui.unanswered_days)
        self.ready = threading.Event()
        self.error: str | None = None
        self._glance: tuple[object, list[tuple[str, Answer]]] | None = None
        self._library: tuple[object, Library] | None = None
        self._library_lock = threading.Lock()
        self._glance_lock = threading.Lock()  # apart: asking the glance questions takes a while

    def start(self) -> None:
        threading.Thread(target=self._load, name="warm-up", daemon=True).start()

    def _load(self) -> None:
        try:
            try:
                self.assistant.warm_up()
            except IndexMissingError:
                from assistant.ingest.build import ingest

                print(
                    f"No index in {self.settings.index_dir}; building it from "
                    f"{self.settings.corpus_dir}/ ...",
                    file=sys.stderr,
                    flush=True,
                )
                report = ingest(self.settings, progress=True, embedder=self.assistant.embedder)
                print(
                    f"Index built: {len(report.added)} documents, {report.chunks_total} chunks "
                    f"({report.seconds:.1f} s).",
                    file=sys.stderr,
                    flush=True,
                )
                self.assistant.warm_up()
            print("The assistant is ready.", file=sys.stderr, flush=True)
            threading.Thread(target=self._report_model, name="model-status", daemon=True).start()
        except AssistantError as exc:
            self.error = str(exc)
            print(f"error: {exc}", file=sys.stderr, flush=True)
        except Exception as exc:  # shown to people as one sentence, logged in full here
            log.exception("loading the assistant failed")
            self.error = f"The assistant could not start ({type(exc).__name__})."
        finally:
            self.ready.set()
        if self.error is None:
            try:
                self.library()
                self.glance()  # answered before the first visitor asks
            except Exception:
                log.exception("the 'At a glance' facts could not be prepared")

    def _report_model(self) -> None:
        """Says once, in the terminal, whether the model came up, and if not, why (the page
        says it with every answer that had to quote)."""
        backend = self.assistant.backend
        if backend is None:
            print(
                "No model reads the passages (EXCHANGE_LLM=none): answers quote the documents.",
                file=sys.stderr,
                flush=True,
            )
            return
        if backend.ready(self.settings.server.start_timeout_s + 30):
            print(f"The model is ready: {backend.label}.", file=sys.stderr, flush=True)
        else:
            status = backend.status()
            print(
                f"error: {status.reason or 'the model did not start'} Answers quote the "
                "documents meanwhile.",
                file=sys.stderr,
                flush=True,
            )

    def wait(self) -> None:
        """Blocks until the model is loaded; raises the loading error, if there was one."""
        self.ready.wait()
        if self.error:
            raise AssistantError(self.error)

    def _generation(self) -> object:
        return generations.require_current(Path(self.settings.index_dir))

    def library(self) -> Library:
        """The serving index as documents and sections; rebuilt when an ingest switches it."""
        self.wait()
        key = self._generation()
        with self._library_lock:
            if self._library is None or self._library[0] != key:
                self._library = (key, Library.build(self.assistant, self.settings))
            return self._library[1]

    def examples(self, limit: int = 4) -> list[str]:
        """Questions for the start screen, from the questions written for the index (none
        before they are written); read from the file, so the page need not wait for the index."""
        bank = questions.load(Path(self.settings.index_dir))
        return bank.examples(limit) if bank else []

    def glance(self) -> list[tuple[str, Answer]]:
        """Key facts, each the assistant's own cited answer; asked again when the index changes."""
        self.wait()
        key = self._generation()
        with self._glance_lock:
            if self._glance is None or self._glance[0] != key:
                facts = []
                for label, question in GLANCE_QUESTIONS:
                    answer = self.assistant.ask(question)
                    if not answer.abstained and answer.citations:
                        facts.append((label, answer))
                self._glance = (key, facts)
            return self._glance[1]

    def sources(self) -> list[dict]:
        self.wait()
        return self.assistant.sources()
