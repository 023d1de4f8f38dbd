"""Follow-up questions -> standalone queries, using the conversation so far (no LLM needed)."""

from __future__ import annotations

import re

from .lexical import tokenize
from .models import Turn

_LEAD = re.compile(
    r"^\s*(and|also|but|so|then|ok|okay|what about|how about|and what about|same for)\b", re.I
)
_ANAPHORA = re.compile(
    r"\b(it|its|it's|they|them|their|theirs|this|that|these|those|there|he|him|his|she|her|hers|"
    r"latter|former|the same|one|ones|else|too|also)\b",
    re.I,
)
_ORDINAL = re.compile(
    r"\b(?:the\s+)?(first|second|third|last|final|latter|former)(?:\s+(?:one|area|item|topic))?\b",
    re.I,
)
_LIST = re.compile(
    r"(?::\s*|\b(?:are|is|were|include|includes|covers)\s+)([^.:;]+?,[^.:;]+?\band\s+[^.,:;\[]+)"
)
_POSITION = {
    "first": 0,
    "former": 0,
    "second": 1,
    "third": 2,
    "last": -1,
    "final": -1,
    "latter": -1,
}


def focus(question: str) -> str:
    """The question proper of a long message: its last sentence that asks something.

    'I'm writing a piece for our newsletter ... For which period was the project set up?' is
    answered by what the last sentence asks; the sentences before it are context."""
    from .sentences import split_sentences

    sentences = split_sentences(question)
    if len(sentences) < 2 or len(question.split()) < 20:
        return question
    asking = [s for s in sentences if s.rstrip().endswith("?")]
    return (asking or sentences)[-1]


def is_follow_up(question: str) -> bool:
    if _LEAD.match(question) or _ANAPHORA.search(question):
        return True
    return len(tokenize(question)) <= 1


def condense(question: str, history: list[Turn]) -> str:
    """A query that stands alone: the question plus what it refers back to."""
    if not history or not is_follow_up(question):
        return question
    prev = history[-1]
    context = condense(prev.question, history[:-1])
    if _PRONOUN.search(question):  # 'her research': whom the last answer named
        context = " ".join([context, *names_in(first_sentence(prev.answer or ""))])
    resolved = resolve(question, history)
    return f"{resolved} {context}" if resolved == question else f"{resolved} ({context})"


_PRONOUN = re.compile(r"\b(he|him|his|she|her|hers|it|its|they|them|their|there)\b", re.I)
_NAME = re.compile(
    r"(?:\b(?:[A-Z]\.){1,3}\s*)?\b[A-Z][\w'-]*(?:\s+(?:van|von|de|of)?\s*[A-Z][\w'-]*)*"
)
_NOT_NAMES = frozenset(
    "The A An In At On Of For And Under During According From Since By This".split()
)


def first_sentence(answer: str) -> str:
    from .sentences import split_sentences

    sentences = split_sentences(re.sub(r"\s*\[\d+\]", "", answer))
    return sentences[0] if sentences else ""


def names_in(sentence: str) -> list[str]:
    """The proper names of a sentence ('Maria Yazdanbakhsh', 'Nagasaki University')."""
    names = []
    for match in _NAME.finditer(sentence):
        words = match.group(0).split()
        while words and words[0] in _NOT_NAMES:
            words = words[1:]
        if words and match.group(0) not in names:
            names.append(" ".join(words))
    return names


def resolve(question: str, history: list[Turn]) -> str:
    """The follow-up with what it points at filled in from the last answer ('the last one' ->
    'ageing', 'two years later' -> 'in 1989'); the question itself when it points at nothing."""
    if not history:
        return question
    previous = history[-1].answer or ""
    return resolve_relative_year(resolve_ordinal(question, previous), previous)


_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "ten": 10}
_RELATIVE = re.compile(
    r"\b(\d+|one|two|three|four|five|six|ten|a)\s+years?\s+(later|after(?:wards)?|earlier|before)\b",
    re.I,
)


def resolve_relative_year(question: str, previous_answer: str) -> str:
    """'What happened two years later?' -> '... in 1989?' when the previous answer said 1987."""
    match = _RELATIVE.search(question)
    years = re.findall(r"\b(?:1[5-9]|20)\d\d\b", previous_answer)
    if not match or not years:
        return question
    amount = match.group(1).lower()
    n = int(amount) if amount.isdigit() else _NUMBER_WORDS.get(amount, 1)
    sign = 1 if match.group(2).lower().startswith(("later", "after")) else -1
    year = int(years[0]) + sign * n
    return f"{question[: match.start()]}in {year}{question[match.end() :]}"


def resolve_ordinal(question: str, previous_answer: str) -> str:
    """'What does Nagasaki study about the last one?' -> '... about ageing?' when the previous
    answer listed 'medical technology, infectious diseases and ageing'."""
    match = _ORDINAL.search(question)
    if not match or not previous_answer:
        return question
    items = list_items(previous_answer)
    if not items:
        return question
    index = _POSITION[match.group(1).lower()]
    if index >= len(items):
        return question
    return question[: match.start()] + items[index] + question[match.end() :]


def list_items(text: str) -> list[str]:
    """The items of the first enumeration 'a, b and c' in a text."""
    text = re.sub(r"\s*\[\d+\]", "", text)
    match = _LIST.search(text)
    if not match:
        return []
    parts = re.split(r",\s*(?:and\s+)?|\s+and\s+", match.group(1))
    return [p.strip() for p in parts if p.strip()]
