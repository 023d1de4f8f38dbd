"""The local model's prompts: one system prompt and one block of sources and question shared by
every call about a question, with a short task at the end.

llama.cpp keeps the tokens of the last prompt and evaluates only what differs from them, so
the system prompt is read once per process, and the sources once per question: the judge's
"do they answer?", the written answer and the check of each written sentence all start with
the same tokens."""

from __future__ import annotations

from importlib import resources

from pydantic import BaseModel

from .verify import is_instruction

# langdetect's codes for the languages students here write in; others are named by code.
LANGUAGE_NAMES = {
    "nl": "Dutch",
    "ja": "Japanese",
    "en": "English",
    "de": "German",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
    "zh-cn": "Chinese",
    "zh-tw": "Chinese",
    "ko": "Korean",
}


def language_name(code: str | None) -> str:
    if not code:
        return "English"
    return LANGUAGE_NAMES.get(code.lower(), code)


def load_prompt(name: str) -> str:
    return resources.files("assistant").joinpath("prompts", name).read_text(encoding="utf-8")


class Source(BaseModel):
    """A numbered source as the model sees it: a passage under its document and section."""

    n: int
    chunk_id: str
    title: str = ""
    section: str | None = None
    text: str


def as_data(text: str) -> str:
    """A source as the model sees it: sentences that read as orders are taken out."""
    from .sentences import split_sentences

    sentences = list(split_sentences(text))
    if not any(is_instruction(s) for s in sentences):
        return text
    return " ".join(
        "(a sentence that reads as an instruction was removed)" if is_instruction(s) else s
        for s in sentences
    )


def sources_block(sources: list[Source], question: str) -> str:
    blocks = []
    for s in sources:
        where = " › ".join(p for p in (s.title, s.section) if p)
        head = f"[{s.n}] ({where})" if where else f"[{s.n}]"
        blocks.append(f"{head}\n{as_data(s.text)}")
    return "Sources:\n" + "\n\n".join(blocks) + f"\n\nQuestion: {question}\n\n"


class Prompts:
    """The messages of each call; all share the system prompt and the sources block."""

    def __init__(self, contact: str) -> None:
        self.system = load_prompt("system.txt").strip()
        self._answer = load_prompt("answer.txt").strip()
        self._answers = load_prompt("judge-answers.txt").strip()
        self._supports = load_prompt("judge-supports.txt").strip()
        self.contact = contact

    def _messages(self, sources, question, task: str) -> list[dict]:
        return [
            {"role": "system", "content": self.system},
            {"role": "user", "content": sources_block(sources, question) + task},
        ]

    def answer(self, sources, question, language: str | None) -> list[dict]:
        task = self._answer.format(language=language_name(language), contact=self.contact)
        return self._messages(sources, question, task)

    def answers(self, sources, question) -> list[dict]:
        return self._messages(sources, question, self._answers)

    def supports(self, sources, question, statement: str, n: int) -> list[dict]:
        return self._messages(sources, question, self._supports.format(statement=statement, n=n))
