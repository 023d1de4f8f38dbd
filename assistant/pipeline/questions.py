"""Questions the documents answer, one per section: what the start screen offers and what
"Read next" suggests after an answer.

For each section of the index, a heading that is already a question is taken as it is;
otherwise the model is shown the section and writes the question a reader would ask that it
answers. A question is kept only when the assistant, asked it on the quote path (no model),
answers it citing that section: the round trip checks both that the documents answer it and
that asking it leads there. Written after an ingest (`exchange-assistant ingest`, or
`exchange-assistant questions`) to `questions.json` in the index folder, keyed by each
section's content, so a section whose text did not change keeps its question.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from langchain_core.prompts import PromptTemplate
from pydantic import BaseModel

from assistant.config import Settings
from assistant.index import generations, outline
from assistant.index.outline import Section
from assistant.pipeline.reading import load_prompt

FILE = "questions.json"
MAX_CHARS = 160
# The passage the model is shown: a section's opening is what a reader would ask about.
SECTION_WORDS = 180
QUESTION_MARKS = ("?", "？", "؟")


class SectionQuestion(BaseModel):
    question: str
    source: str
    section: str | None = None
    by: str  # "heading", or the model that wrote it


class QuestionBank(BaseModel):
    questions: dict[str, SectionQuestion] = {}  # by Section.key

    def for_section(self, section: Section) -> str | None:
        q = self.questions.get(section.key)
        return q.question if q else None

    def examples(self, limit: int = 4) -> list[str]:
        """Questions for the start screen: one document after another, each document's first
        question first (the bank keeps reading order), so they spread over the index."""
        by_document: dict[str, list[str]] = {}
        for q in self.questions.values():
            by_document.setdefault(q.source, []).append(q.question)
        out: list[str] = []
        rounds = max((len(v) for v in by_document.values()), default=0)
        for i in range(rounds):
            for qs in by_document.values():
                if i < len(qs) and qs[i] not in out:
                    out.append(qs[i])
                    if len(out) == limit:
                        return out
        return out


def path(index_dir: Path) -> Path:
    return Path(index_dir) / FILE


def load(index_dir: Path) -> QuestionBank | None:
    """The questions written for this index folder, or None when none were written."""
    p = path(index_dir)
    try:
        return QuestionBank.model_validate_json(p.read_bytes())
    except (OSError, ValueError):  # none yet, or damaged: the page falls back to headings
        return None


def save(index_dir: Path, bank: QuestionBank) -> None:
    p = path(index_dir)
    tmp = p.with_suffix(".json.tmp")
    tmp.write_text(bank.model_dump_json(indent=1), encoding="utf-8")
    os.replace(tmp, p)


def heading_question(section: Section) -> str | None:
    """The section's own heading, when the document already asks it as a question."""
    last = (section.name or "").split(" › ")[-1].strip()
    return last if last.endswith(QUESTION_MARKS) else None


def clean(text: str) -> str | None:
    """The model's reply as one question, or None when it wrote something else."""
    line = next((ln.strip() for ln in text.strip().splitlines() if ln.strip()), "")
    line = line.strip("\"'“”‘’«»「」 ").removeprefix("Question:").strip()
    if not line or len(line) > MAX_CHARS or not line.endswith(QUESTION_MARKS):
        return None
    return line


class QuestionWriter:
    """Writes and checks the questions for the sections of the current index."""

    def __init__(
        self,
        settings: Settings,
        ask: Callable[[str], object],
        client=None,
        model_label: str | None = None,
    ) -> None:
        self.settings = settings
        self.ask = ask  # the quote path's Assistant.ask, for the round trip
        self.client = client  # an OpenAI-compatible ChatClient, or None: headings only
        self.model_label = model_label or "model"
        self.task = PromptTemplate.from_template(load_prompt("question-task.txt").strip())

    def write(
        self, sections: list[Section], chunks: dict, old: QuestionBank | None = None
    ) -> QuestionBank:
        bank = QuestionBank()
        for s in sections:
            kept = old.questions.get(s.key) if old else None
            if kept is not None:  # checked when it was written, and the text is the same
                bank.questions[s.key] = kept
                continue
            found = self.question_for(s, chunks)
            if found is not None:
                bank.questions[s.key] = found
        return bank

    def question_for(self, section: Section, chunks: dict) -> SectionQuestion | None:
        for question, by in self._candidates(section, chunks):
            if self._leads_back(question, section):
                return SectionQuestion(
                    question=question, source=section.source, section=section.name, by=by
                )
        return None

    def _candidates(self, section: Section, chunks: dict):
        heading = heading_question(section)
        if heading:
            yield heading, "heading"
        if self.client is None:
            return
        words = " ".join(chunks[c].text for c in section.chunk_ids if c in chunks).split()
        if len(words) < 8:
            return  # too little to ask about
        where = " › ".join(p for p in (section.title, section.name) if p)
        prompt = self.task.format(where=where, text=" ".join(words[:SECTION_WORDS]))
        reply = self.client.complete([{"role": "user", "content": prompt}], max_tokens=40)
        written = clean(reply)
        if written:
            yield written, self.model_label

    def _leads_back(self, question: str, section: Section) -> bool:
        answer = self.ask(question)
        if answer.abstained:
            return False
        return any(c.chunk_id in section.chunk_ids for c in answer.citations)


def write_questions(
    settings: Settings,
    client=None,
    model_label: str | None = None,
    *,
    fresh: bool = False,
    embedder=None,
    scorer=None,
) -> QuestionBank:
    """Writes `questions.json` for the current index and returns it; a section whose content
    kept its question keeps it, unless `fresh`. The quote path that checks them is loaded
    only when there is a question to check (an ingest without a model and without headings
    that ask loads no model for this)."""
    from assistant.index.store import Store

    serving = generations.require_current(Path(settings.index_dir))
    manifest = generations.read_manifest(serving)
    chunks = {c.id: c for c in Store(settings, serving / "chroma").all_chunks()}
    sections = outline.sections(manifest, chunks)
    checker = None

    def ask(question: str):
        nonlocal checker
        if checker is None:
            from assistant.pipeline.assistant import Assistant

            quotes_only = settings.model_copy(update={"llm": "none"})
            checker = Assistant(quotes_only, embedder=embedder, scorer=scorer)
        return checker.ask(question)

    writer = QuestionWriter(settings, ask, client, model_label)
    bank = writer.write(sections, chunks, None if fresh else load(settings.index_dir))
    save(settings.index_dir, bank)
    return bank


def write_with_settings_model(
    settings: Settings, *, fresh: bool = False, say: Callable[[str], None] = print
) -> QuestionBank:
    """`write_questions` with the model EXCHANGE_LLM names (started for the job and stopped
    after); headings alone when it is `none` or does not start."""
    from assistant.backends import make_backend

    backend = make_backend(settings)
    client = label = None
    if backend is not None:
        say(f"Writing a question for each section with {backend.label} ...")
        if backend.ready(settings.server.start_timeout_s):
            client, label = backend.client, backend.label
        else:
            reason = backend.status().reason or "it did not start"
            say(f"The model is not available ({reason}); only headings that ask are kept.")
    try:
        return write_questions(settings, client, label, fresh=fresh)
    finally:
        if backend is not None:
            backend.stop()
