"""The model reads the passages once: it judges, points at the words that answer, and writes one
sentence around them.

Every read of one question starts with the same tokens (the system text, the numbered passages,
the conversation and the question); only the short task at the end differs, so the model
server's prompt cache reads the passages once per question. The main read asks for, in one
reply:

    Yes                                    <- P(Yes) against P(No) from its log-probabilities
    Answer: one sentence in the asker's language [2]
    Quote [2]: "words copied from passage 2"   <- cut once long enough to be found

The quote is looked up in the passages (the documents speak); the sentence is the model's and
is checked against the quote before anyone sees it (ModelAnswerer._compose).
"""

from __future__ import annotations

import math
import re
import time
from importlib import resources

from langchain_core.prompts import PromptTemplate
from pydantic import BaseModel, Field

from assistant.backends.client import yes_share
from assistant.pipeline.verify import is_instruction, normalise
from assistant.text.overlap import words

_QUOTE = re.compile(r"^\W*quote\W*\[?\s*(\d+)\s*\]?\s*:\s*(.+)$", re.I | re.M)
_ANSWER = re.compile(r"^\W*answer\s*:\s*(.+)$", re.I | re.M)
_MARKER = re.compile(r"\[(\d+)\]")
# "… [1]." leaves a stop after a space, and after a stop of its own ("…。 [1].") a second one:
# the sentence ends once (an ellipsis stays as written)
_STOP = "[.!?。！？]"
_STOP_AGAIN = re.compile(rf"({_STOP})\s+{_STOP}$")
_STOP_APART = re.compile(rf"\s+({_STOP})$")
_QUOTES = "\"'“”‘’«»「」『』"
# The first words of every question's turn (the end of the opening, see Prompts.opening).
_HEAD = "Passages:"


class Source(BaseModel):
    """A numbered passage as the model sees it, under its document and section."""

    n: int
    chunk_id: str
    title: str = ""
    section: str | None = None
    text: str

    @property
    def heading(self) -> str:
        """The line the model reads above the passage: its document and section."""
        return " › ".join(p for p in (self.title, self.section) if p)


class Certainty(BaseModel):
    """How sure the model was of what it wrote, from its tokens' log-probabilities (0 for a
    part it did not write, or when the server gives none)."""

    answer_confidence: float = Field(
        0.0, description="Geometric mean probability of the tokens of its answer sentence."
    )
    answer_weakest: float = Field(
        0.0, description="The probability of the least likely token of its answer sentence."
    )
    quote_confidence: float = Field(
        0.0, description="Geometric mean probability of the tokens of its quote."
    )
    cited_confidence: float = Field(
        0.0, description="Probability of the passage number its sentence cites."
    )


class GapRead(BaseModel):
    """What the model gave as the part of the question the passages leave out."""

    said: str = Field(description="Its words, as it wrote them (for the eval reports).")
    named: str | None = Field(
        None, description="Those words when they name a part of the question (names_part_of)."
    )


class Reading(BaseModel):
    """What the model made of the passages."""

    judged: float = Field(description="P(Yes) of the first word: do the passages answer?")
    said_yes: bool
    quote: str | None = Field(None, description="The words it copied, as it wrote them.")
    quote_n: int | None = Field(None, description="The passage it copied them from.")
    sentence: str | None = Field(None, description="Its answer sentence, without the marker.")
    sentence_n: list[int] = Field(default_factory=list)
    text: str = ""
    certainty: Certainty = Field(default_factory=Certainty)
    first_token_ms: float | None = None
    ms: float = 0.0
    prompt_tokens: int = 0
    cached_tokens: int = 0


def load_prompt(name: str) -> str:
    return resources.files("assistant").joinpath("prompts", name).read_text(encoding="utf-8")


class Example(BaseModel):
    """A worked example shown to the model before the question (prompts/read-examples.yaml)."""

    passages: list[dict]
    earlier: str | None = None  # the question before it, for a follow-up
    question: str
    language: str = "English"
    reply: str


class Prompts:
    """The prompts, kept as data in assistant/prompts/."""

    def __init__(self) -> None:
        import yaml

        self.system = load_prompt("read-system.txt").strip()
        self.read = PromptTemplate.from_template(load_prompt("read-task.txt").strip())
        self.gap = PromptTemplate.from_template(load_prompt("gap-task.txt").strip())
        self.support = PromptTemplate.from_template(load_prompt("support-task.txt").strip())
        self.examples = [
            Example.model_validate(e) for e in yaml.safe_load(load_prompt("read-examples.yaml"))
        ]

    def example_turns(self) -> list[dict]:
        """The worked examples as earlier turns of the chat."""
        turns = []
        for e in self.examples:
            sources = [Source(n=i, chunk_id="", **p) for i, p in enumerate(e.passages, start=1)]
            task = self.read.format(language=e.language)
            earlier = [e.earlier] if e.earlier else []
            prefix = shared_prefix(sources, e.question, earlier)
            turns.append({"role": "user", "content": prefix + task})
            turns.append({"role": "assistant", "content": e.reply})
        return turns

    def opening(self) -> list[dict]:
        """What every read starts with, whatever the question: the system text, the worked
        examples, and the first words of the question's turn. A model server that has read it
        (its start-up check) holds it in its prompt cache, so the first question after a start
        reads only its passages and its question."""
        return [
            {"role": "system", "content": self.system},
            *self.example_turns(),
            {"role": "user", "content": _HEAD},
        ]


def as_data(text: str) -> str:
    """A passage as the model sees it: sentences that read as orders are taken out."""
    from assistant.text.sentences import split_sentences

    sentences = list(split_sentences(text))
    if not any(is_instruction(s) for s in sentences):
        return text
    return " ".join(
        "(a sentence that reads as an instruction was removed)" if is_instruction(s) else s
        for s in sentences
    )


def shared_prefix(sources: list[Source], question: str, earlier: list[str]) -> str:
    """The part of every read of one question that comes before its task."""
    blocks = []
    for s in sources:
        head = f"[{s.n}] {s.heading}" if s.heading else f"[{s.n}]"
        blocks.append(f"{head}\n{as_data(s.text)}")
    lines = [_HEAD, "", "\n\n".join(blocks), ""]
    for e in earlier:
        lines.append(f"Earlier question: {e}")
    lines.append(f"Question: {question}")
    return "\n".join(lines) + "\n\n"


class Reader:
    """Asks the model about the passages through an OpenAI-compatible client."""

    def __init__(self, client, prompts: Prompts | None = None, max_tokens: int = 160) -> None:
        self.client = client
        self.prompts = prompts or Prompts()
        self.max_tokens = max_tokens

    def _messages(self, prefix: str, task: str) -> list[dict]:
        return [*self.prompts.opening()[:-1], {"role": "user", "content": prefix + task}]

    def read_messages(
        self,
        sources: list[Source],
        question: str,
        earlier: list[str] | None = None,
        language: str = "English",
    ) -> list[dict]:
        """The chat the main read sends: the shared prefix, then the read task."""
        prefix = shared_prefix(sources, question, earlier or [])
        return self._messages(prefix, self.prompts.read.format(language=language))

    def read(
        self,
        sources: list[Source],
        question: str,
        earlier: list[str] | None = None,
        language: str = "English",
    ) -> Reading:
        messages = self.read_messages(sources, question, earlier, language)
        passages = normalise(" ".join(s.text for s in sources))
        started = time.perf_counter()
        first = None
        parts: list[str] = []
        tokens: list[dict] = []
        for piece, meta in self.client.stream_with_logprobs(messages, max_tokens=self.max_tokens):
            if first is None:
                first = round((time.perf_counter() - started) * 1000, 1)
            if isinstance(meta, dict):
                tokens.extend(meta.get("content") or [])
            parts.append(piece)
            if _finished("".join(parts), passages):
                break
        text = "".join(parts)
        usage = self.client.last_usage
        reading = parse(text, judged=yes_share({"content": tokens}))
        return reading.model_copy(
            update={
                "certainty": Certainty(**confidences(text, tokens)),
                "first_token_ms": first,
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "prompt_tokens": usage.prompt_tokens,
                "cached_tokens": usage.cached_tokens,
            }
        )

    def supports(
        self,
        sources: list[Source],
        question: str,
        sentence: str,
        n: int,
        earlier: list[str] | None = None,
    ) -> float:
        """P(passage n states what the sentence says): a second, short read of the same
        passages (the server's cache holds everything before this task)."""
        prefix = shared_prefix(sources, question, earlier or [])
        task = self.prompts.support.format(sentence=sentence, n=n)
        return self.client.yes_probability(self._messages(prefix, task))

    def gap(
        self,
        sources: list[Source],
        question: str,
        earlier: list[str] | None = None,
        language: str = "English",
    ) -> GapRead:
        """What the question asks that the passages do not state, in a few words; `named` is
        None when the model's words do not name a part of the question (see names_part_of)."""
        prefix = shared_prefix(sources, question, earlier or [])
        said = self.client.complete(
            self._messages(prefix, self.prompts.gap.format(language=language)), max_tokens=24
        )
        text = " ".join(said.strip().strip(_QUOTES).split()).rstrip(".")
        asked = " ".join([*(earlier or []), question])
        return GapRead(said=said, named=text if text and names_part_of(text, asked) else None)


def names_part_of(gap: str, asked: str) -> bool:
    """Whether the words the model gave as what the passages leave out name a part of what
    was asked. A small model asked for them often gives something else: the question again,
    word for word; its own Yes or No; an answer ("No, it does not ..."); or words of the
    passages or of its worked examples that the question never mentions; or, asked in
    another form, a sentence that answers with a value of its own ("A card costs 12 euros
    [1]"). What is missing is something the question asks, so at least half of
    the longer words of a gap stand in the question (or in the one before it, for a
    follow-up), and it cites nothing and gives no number or address the question does not:
    the sentence it goes into is checked against no passage."""
    from assistant.pipeline.grounding import values_supported  # grounding imports this module

    text = gap.strip()
    if not text or text.endswith(("?", "？")) or _MARKER.search(text):
        return False
    if not values_supported(text, asked):
        return False
    terms = words(text)
    if not terms or terms[0] in ("yes", "no"):  # the reply's own first word, not a thing asked
        return False
    content = [t for t in terms if len(t) >= 3] or terms
    within = asked.lower()
    return sum(t in within for t in content) >= len(content) / 2


def confidences(text: str, tokens: list[dict]) -> dict[str, float]:
    """How sure the model was of the words it wrote, from its tokens' log-probabilities: a
    model that has found the answer copies and states it with confidence, one that reaches for
    the nearest words hesitates over them. Tokens are placed in the text by their lengths;
    a part with no tokens (no log-probabilities from the server) gives 0."""
    spans = []
    at = 0
    for t in tokens:
        piece = str(t.get("token", ""))
        # a token's place is that of its visible characters: " [" belongs to the marker
        lead = len(piece) - len(piece.lstrip())
        spans.append((at + lead, at + len(piece.rstrip()), float(t.get("logprob", -math.inf))))
        at += len(piece)

    def within(start: int, end: int) -> list[float]:
        return [lp for a, b, lp in spans if a < end and b > start]

    out = Certainty().model_dump()
    m = _ANSWER.search(text)
    if m:
        end = m.end(1)
        marker = _MARKER.search(text, m.start(1), end)
        found = within(m.start(1), marker.start() if marker else end)
        if found:
            out["answer_confidence"] = math.exp(sum(found) / len(found))
            out["answer_weakest"] = math.exp(min(found))
        if marker:
            number = within(marker.start(1), marker.end(1))
            if number:
                out["cited_confidence"] = math.exp(min(number))
    m = _QUOTE.search(text)
    if m:
        raw = m.group(2)
        inner = raw.strip().strip(_QUOTES)  # the copied words, not the marks around them
        start = m.start(2) + raw.find(inner) if inner else m.end(2)
        found = within(start, start + len(inner))
        if found:
            out["quote_confidence"] = math.exp(sum(found) / len(found))
    return out


# Enough of a quote to find it in the passages; the rest would cost time and tell nothing more.
QUOTE_WORDS = 10
# Fewer words are enough once they stand, word for word, in exactly one place of the passages.
QUOTE_MIN_WORDS = 4


def _finished(text: str, passages: str = "") -> bool:
    """The reply is complete once it said No, or its quote line has ended or is long enough
    to be found in the passages: QUOTE_WORDS words, or QUOTE_MIN_WORDS whole words that
    stand in exactly one place of `passages` (normalised: lower case, one space between words),
    where the rest could only follow."""
    body = text.lstrip()
    first = body.split("\n", 1)[0].strip().lower()
    if first.startswith("no") and "\n" in body:
        return True
    m = _QUOTE.search(body)
    if not m:
        return False
    rest = body[m.start(2) :]
    if "\n" in rest or len(rest.split()) >= QUOTE_WORDS:
        return True
    whole = rest.split() if rest[-1:].isspace() else rest.split()[:-1]  # the last may go on
    if not passages or len(whole) < QUOTE_MIN_WORDS:
        return False
    quoted = normalise(" ".join(whole).lstrip(_QUOTES))
    return passages.count(quoted) == 1


def parse(text: str, judged: float | None = None) -> Reading:
    """The parts of the model's reply; missing parts stay empty."""
    body = text.strip()
    first = re.sub(r"[^\w]", "", body.split("\n", 1)[0].split(" ", 1)[0]).lower()
    said_yes = first == "yes"
    quote = quote_n = sentence = None
    numbers: list[int] = []
    m = _QUOTE.search(body)
    if m:
        quote_n = int(m.group(1))
        quote = m.group(2).strip().strip(_QUOTES).strip() or None
    m = _ANSWER.search(body)
    if m:
        line = m.group(1).strip()
        numbers = [int(n) for n in _MARKER.findall(line)]
        sentence = " ".join(_MARKER.sub("", line).split()).strip() or None
        if sentence:
            sentence = _STOP_APART.sub(r"\1", _STOP_AGAIN.sub(r"\1", sentence))
    if judged is None:
        judged = 1.0 if said_yes else 0.0
    return Reading(
        judged=judged,
        said_yes=said_yes,
        quote=quote,
        quote_n=quote_n,
        sentence=sentence,
        sentence_n=numbers,
        text=text,
    )
